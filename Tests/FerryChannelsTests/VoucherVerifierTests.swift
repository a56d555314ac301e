import FerryChains
import FerryChannels
import FerryCore
import FerryCrypto
import Foundation
import Testing

@Suite("VoucherVerifier")
struct VoucherVerifierTests {
    /// One provider, one contract, an agent with a 1,000-unit channel expiring an hour after the clock's start.
    struct Fixture {
        let clock = VirtualClock()
        let agent: PrivateKey
        let provider: PrivateKey
        let contract: ChannelContract
        let channel: ChannelState

        init(deposit: Amount = 1_000, expiryAfter seconds: UInt64 = 3_600) throws {
            agent = try PrivateKey(hex: "0x" + String(repeating: "a1", count: 32))
            provider = try PrivateKey(hex: "0x" + String(repeating: "b2", count: 32))
            contract = ChannelContract(chainId: 1337, address: try EthereumAddress(hex: "0x" + String(repeating: "c3", count: 20)))
            let parameters = ChannelParameters(
                agent: agent.address, provider: provider.address, asset: .zero,
                expiry: clock.unixMillis / 1000 + seconds, salt: try Bytes32(hex: "0x" + String(repeating: "5a", count: 32)))
            channel = ChannelState(contract: contract, parameters: parameters, deposit: deposit)
        }

        func verifier(_ store: ChannelStore, closeMargin: UInt64 = 300) async throws -> VoucherVerifier {
            try await VoucherVerifier(provider: provider.address, contract: contract, store: store,
                                      configuration: .init(closeMargin: closeMargin), clock: .virtual(clock))
        }

        func voucher(_ amount: Amount, channel id: Bytes32? = nil, key: PrivateKey? = nil) throws -> SignedVoucher {
            try Voucher(channelId: id ?? channel.id, cumulativeAmount: amount).sign(with: key ?? agent, in: contract)
        }
    }

    @Test("accepts rising vouchers and reports what each added")
    func accepts() async throws {
        let f = try Fixture()
        let verifier = try await f.verifier(.inMemory())
        try await verifier.track(f.channel)
        let first = try await verifier.accept(f.voucher(10), price: 10)
        #expect(first.increment == 10)
        let second = try await verifier.accept(f.voucher(25))
        #expect(second.increment == 15)
        #expect(await verifier.bestVoucher(for: f.channel.id) == (try f.voucher(25)))
    }

    @Test("refuses each bad voucher with its own error and keeps the best unchanged")
    func refusals() async throws {
        let f = try Fixture()
        let verifier = try await f.verifier(.inMemory())
        try await verifier.track(f.channel)
        _ = try await verifier.accept(f.voucher(100))
        let id = f.channel.id
        let stranger = try PrivateKey(hex: "0x" + String(repeating: "e5", count: 32))
        let other = try Bytes32(hex: "0x" + String(repeating: "99", count: 32))
        let cases: [(String, SignedVoucher, Amount?, VoucherError)] = [
            ("replay", try f.voucher(100), nil, .replayed(channel: id, cumulativeAmount: 100)),
            ("lower amount", try f.voucher(50), nil, .lowerAmount(channel: id, cumulativeAmount: 50, best: 100)),
            ("over the deposit", try f.voucher(1_001), nil, .overDeposit(channel: id, cumulativeAmount: 1_001, deposit: 1_000)),
            ("forged signature", try f.voucher(200, key: stranger), nil,
             .forgedSignature(channel: id, agent: f.agent.address, signer: stranger.address)),
            ("unknown channel", try f.voucher(200, channel: other), nil, .unknownChannel(other)),
            ("more than the price", try f.voucher(130), 10, .wrongIncrement(channel: id, expected: 10, actual: 30)),
            ("less than the price", try f.voucher(105), 10, .wrongIncrement(channel: id, expected: 10, actual: 5)),
        ]
        for (name, voucher, price, expected) in cases {
            await #expect(throws: expected, "\(name)") { _ = try await verifier.accept(voucher, price: price) }
        }
        // A voucher signed for another channel, presented for this one, does not recover to the agent.
        let moved = SignedVoucher(voucher: Voucher(channelId: id, cumulativeAmount: 300),
                                  signature: try f.voucher(300, channel: other).signature)
        do throws(VoucherError) {
            _ = try await verifier.accept(moved)
            Issue.record("a voucher moved to another channel was accepted")
        } catch {
            guard case let .forgedSignature(channel, agent, signer) = error else {
                Issue.record("expected forgedSignature, got \(error)")
                return
            }
            #expect(channel == id && agent == f.agent.address && signer != f.agent.address)
        }
        #expect(await verifier.bestVoucher(for: id)?.voucher.cumulativeAmount == 100)
    }

    @Test("refuses channels of another provider or contract, and vouchers of ended channels")
    func otherChannels() async throws {
        let f = try Fixture()
        let verifier = try await f.verifier(.inMemory())
        let someoneElse = ChannelState(
            contract: f.contract,
            parameters: ChannelParameters(agent: f.agent.address, provider: f.agent.address, asset: .zero,
                                          expiry: f.channel.expiry, salt: .zero),
            deposit: 5)
        await #expect(throws: VoucherError.self) { try await verifier.track(someoneElse) }
        let elsewhere = ChannelState(
            contract: ChannelContract(chainId: 1338, address: f.contract.address), parameters: f.channel.parameters, deposit: 5)
        await #expect(throws: VoucherError.self) { try await verifier.track(elsewhere) }

        try await verifier.track(f.channel)
        var closed = f.channel
        closed.status = .closed
        try await verifier.track(closed)
        await #expect(throws: VoucherError.channelEnded(f.channel.id, status: .closed)) {
            _ = try await verifier.accept(f.voucher(10))
        }
        // An out-of-date "open" report never reopens an ended channel.
        try await verifier.track(f.channel)
        #expect(await verifier.channel(f.channel.id)?.status == .closed)
    }

    @Test("refuses vouchers from the close margin before expiry on, and lists channels due for closing")
    func expiry() async throws {
        let f = try Fixture(expiryAfter: 1_000)
        let verifier = try await f.verifier(.inMemory(), closeMargin: 300)
        try await verifier.track(f.channel)
        _ = try await verifier.accept(f.voucher(10))
        #expect(await verifier.dueForClose(within: 600).isEmpty)
        f.clock.advance(by: .seconds(700))
        #expect(await verifier.dueForClose(within: 600).map { $0.voucher } == [try f.voucher(10)])
        _ = try await verifier.accept(f.voucher(20))   // exactly at expiry - margin
        f.clock.advance(by: .seconds(1))
        let now = f.clock.unixMillis / 1000
        await #expect(throws: VoucherError.expired(channel: f.channel.id, expiry: f.channel.expiry, now: now, closeMargin: 300)) {
            _ = try await verifier.accept(f.voucher(30))
        }
    }

    @Test("deposit top-ups raise the ceiling; on-chain claims raise the floor")
    func tracking() async throws {
        let f = try Fixture(deposit: 100)
        let verifier = try await f.verifier(.inMemory())
        try await verifier.track(f.channel)
        await #expect(throws: VoucherError.self) { _ = try await verifier.accept(f.voucher(150)) }
        var toppedUp = f.channel
        toppedUp.deposit = 200
        try await verifier.track(toppedUp)
        _ = try await verifier.accept(f.voucher(150))
        var claimed = toppedUp
        claimed.paid = 180   // claimed on-chain with a voucher held elsewhere
        try await verifier.track(claimed)
        await #expect(throws: VoucherError.lowerAmount(channel: f.channel.id, cumulativeAmount: 170, best: 180)) {
            _ = try await verifier.accept(f.voucher(170))
        }
        #expect(try await verifier.accept(f.voucher(190)).increment == 10)
    }

    @Test("the best voucher survives a restart on the same file, and a replay after it is still refused")
    func durability() async throws {
        let f = try Fixture()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-channels-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("provider.sqlite").path
        do {
            let verifier = try await f.verifier(ChannelStore(path: path))
            try await verifier.track(f.channel)
            for amount in stride(from: 10, through: 300, by: 10) {
                _ = try await verifier.accept(f.voucher(Amount(UInt64(amount))), price: 10)
            }
        }
        let reopened = try await f.verifier(ChannelStore(path: path))
        #expect(await reopened.channel(f.channel.id) == f.channel)
        #expect(await reopened.bestVoucher(for: f.channel.id) == (try f.voucher(300)))
        await #expect(throws: VoucherError.replayed(channel: f.channel.id, cumulativeAmount: 300)) {
            _ = try await reopened.accept(f.voucher(300))
        }
        #expect(try await reopened.accept(f.voucher(310), price: 10).increment == 10)
        // A provider with another address sees none of these channels in the same file.
        let other = try await VoucherVerifier(provider: f.agent.address, contract: f.contract, store: ChannelStore(path: path),
                                              clock: .virtual(f.clock))
        #expect(await other.channel(f.channel.id) == nil)
    }

    @Test("of many concurrent copies of one voucher exactly one is accepted")
    func concurrentReplays() async throws {
        let f = try Fixture()
        let verifier = try await f.verifier(.inMemory())
        try await verifier.track(f.channel)
        let voucher = try f.voucher(42)
        let accepted = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<32 {
                group.addTask { (try? await verifier.accept(voucher)) != nil }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(accepted == 1)
    }
}
