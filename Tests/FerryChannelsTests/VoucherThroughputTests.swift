import FerryChains
import FerryChannels
import FerryCore
import FerryCrypto
import Foundation
import Testing

/// A measurement, not a check: vouchers accepted per second by one verifier (durable file store) against the
/// raw secp256k1 recovery bound measured in the same run. Opt in with FERRY_CHANNEL_BENCH=1; numbers from a
/// debug build understate the Swift side.
@Suite("Voucher throughput")
struct VoucherThroughputTests {
    @Test("vouchers per second against the raw recovery bound",
          .enabled(if: ProcessInfo.processInfo.environment["FERRY_CHANNEL_BENCH"] != nil))
    func throughput() async throws {
        let count = 2_000
        let clock = VirtualClock()
        let agent = try PrivateKey(hex: "0x" + String(repeating: "a1", count: 32))
        let provider = try PrivateKey(hex: "0x" + String(repeating: "b2", count: 32))
        let contract = ChannelContract(chainId: 1337, address: try EthereumAddress(hex: "0x" + String(repeating: "c3", count: 20)))
        let channel = ChannelState(
            contract: contract,
            parameters: ChannelParameters(agent: agent.address, provider: provider.address, asset: .zero,
                                          expiry: clock.unixMillis / 1000 + 86_400, salt: .zero),
            deposit: Amount(UInt64(count) * 10))
        let vouchers = try (1...count).map { i in
            try Voucher(channelId: channel.id, cumulativeAmount: Amount(UInt64(i) * 10)).sign(with: agent, in: contract)
        }

        let digests = vouchers.map { $0.voucher.digest(in: contract) }
        let rawStart = ContinuousClock.now
        for (voucher, digest) in zip(vouchers, digests) {
            _ = try voucher.signature.recoverAddress(digest: digest)
        }
        let raw = Double(count) / (ContinuousClock.now - rawStart).seconds

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let verifier = try await VoucherVerifier(provider: provider.address, contract: contract,
                                                 store: ChannelStore(path: dir.appendingPathComponent("p.sqlite").path),
                                                 clock: .virtual(clock))
        try await verifier.track(channel)
        let start = ContinuousClock.now
        for voucher in vouchers {
            _ = try await verifier.accept(voucher, price: 10)
        }
        let accepted = Double(count) / (ContinuousClock.now - start).seconds
        #expect(await verifier.bestVoucher(for: channel.id) == vouchers.last)

        // The same in memory: what the checks cost without the file's commits.
        let memory = try await VoucherVerifier(provider: provider.address, contract: contract, store: .inMemory(),
                                               clock: .virtual(clock))
        try await memory.track(channel)
        let memoryStart = ContinuousClock.now
        for voucher in vouchers {
            _ = try await memory.accept(voucher, price: 10)
        }
        let inMemory = Double(count) / (ContinuousClock.now - memoryStart).seconds
        print("voucher throughput: \(Int(accepted))/s accepted (durable file), \(Int(inMemory))/s (in-memory store), "
              + "raw recovery bound \(Int(raw))/s; ratio \(Int(100 * accepted / raw))% durable, \(Int(100 * inMemory / raw))% in memory")
    }
}

extension Duration {
    fileprivate var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
