import FerryChains
import FerryCore
import FerryCrypto
import FerryRelayer
import FerryRelayerOps
import FerryTestSupport
import Foundation
import Logging
import Testing

@testable import FerryEVM

/// What the event stream believes of a node that lies: a real py-evm node behind `rpc_proxy.py`.
@Suite("EVM event stream against a tampering JSON-RPC node", .serialized)
struct EVMNodeTrustTests {
    /// A contract that emits whatever log its calldata says: topic0, topic1, then the data (an attacker's copy of
    /// the gateway's `Locked` event). Init code returns the 20-byte runtime
    /// `calldatacopy(0, 0, size); log2(0x40, size - 0x40, mload(0), mload(0x20))`.
    static func emitterCode() throws -> [UInt8] {
        try Hex.decode("0x6014600c60003960146000f3" + "366000600037602051600051604036036040a200")
    }

    /// A bed, an adapter through a proxy in front of its node, a direct one, and a funded signer.
    struct Rig {
        let bed: EVMTestbed
        let proxy: RPCProxy
        let direct: EVMAdapter
        let proxied: EVMAdapter
        let signer: PrivateKeySigner

        static func start(chainId: UInt64, rpc: JSONRPCClient.Configuration = .init(timeout: .seconds(15), retry: .init(maxAttempts: 3, initialBackoff: .milliseconds(50)))) async throws -> Rig {
            let bed = try await EVMTestbed.start(chainId: chainId, remoteChain: chainId + 1)
            let proxy = try RPCProxy(upstream: bed.node.url)
            var configuration = bed.adapterConfiguration()
            configuration.rpcURL = proxy.url
            configuration.rpc = rpc
            let proxied = try await EVMAdapter.connect(info: bed.info(), configuration: configuration)
            return Rig(bed: bed, proxy: proxy, direct: try await bed.adapter(), proxied: proxied, signer: try await bed.fundedSigner(index: 1))
        }

        func stop() { bed.node.stop() }

        /// A transfer from this chain to its remote, as a lock would record it.
        func transfer(amount: Amount, nonce: UInt64 = 0, receiver: UInt8 = 0xE7) throws -> Transfer {
            Transfer(sourceChain: bed.info().id, destChain: bed.remoteChain, nonce: nonce, sender: Address(signer.address.bytes32),
                     receiver: Address(try Bytes32(leftPadding: [receiver])), sourceAsset: .zero,
                     destAsset: .zero, amount: amount, fee: Amount(1), deadline: 4_000_000_000)
        }

        /// A real lock of `amount` wei straight on the node; its receipt.
        func lock(amount: UInt64) async throws -> EVMReceipt {
            let now = try await direct.head().timestampMillis / 1000
            let t = Transfer(sourceChain: direct.info.id, destChain: bed.remoteChain, nonce: 0, sender: Address(signer.address.bytes32),
                             receiver: Address(signer.address.bytes32), sourceAsset: .zero, destAsset: .zero, amount: Amount(amount),
                             fee: Amount(1), deadline: now + 3_600)
            let tx = try await direct.submit(.lock(t), signer: signer, priority: .median)
            return try #require(try await bed.client.receipt(tx.hash))
        }
    }

    /// A `Locked` log for `transfer` as a node would serve it.
    static func lockedLog(_ transfer: Transfer, address: EthereumAddress, block: UInt64, tx: Bytes32? = nil, index: UInt64 = 0) -> JSONValue {
        var log: [String: JSONValue] = [
            "address": .string(address.lowercaseHex),
            "topics": .array([.string(GatewayABI.lockedTopic.hex), .string(transfer.messageId.hex)]),
            "data": .string(Hex.prefixed(transfer.abiEncoded)),
            "blockNumber": .string(HexQuantity.encode(block)),
            "logIndex": .string(HexQuantity.encode(index)),
        ]
        if let tx { log["transactionHash"] = .string(tx.hex) }
        return .object(log)
    }

    static func locks(_ events: [GatewayEvent]) -> [Bytes32] {
        events.compactMap { if case let .locked(id, _, _, _) = $0 { id } else { nil } }
    }

    @Test("forged Locked logs (a foreign address; the gateway's address with a made-up or a real transaction) are never delivered")
    func forgedLogs() async throws {
        let rig = try await Rig.start(chainId: 4_601)
        defer { rig.stop() }
        let start = try await rig.direct.head().height + 1
        let real = try await rig.lock(amount: 1_000)
        let realID = try #require(real.logs.first.flatMap { $0.topics.dropFirst().first })
        let dead = try EthereumAddress(hex: "0x000000000000000000000000000000000000dEaD")
        let forged = [
            // 1. A foreign contract's log in the lock's (real) block.
            Self.lockedLog(try rig.transfer(amount: EVMTestbed.ether * Amount(7), nonce: 900), address: dead, block: real.blockNumber),
            // 2. The gateway's address and a real block hash, but a transaction that does not exist.
            Self.lockedLog(try rig.transfer(amount: EVMTestbed.ether * Amount(7), nonce: 901), address: rig.bed.gateway, block: real.blockNumber,
                           index: 7),
            // 3. The gateway's address, the real lock's transaction and block, but another transfer at another index.
            Self.lockedLog(try rig.transfer(amount: EVMTestbed.ether * Amount(7), nonce: 902), address: rig.bed.gateway, block: real.blockNumber,
                           tx: real.transactionHash, index: 3),
            // 4. The same, at the real log's own index.
            Self.lockedLog(try rig.transfer(amount: EVMTestbed.ether * Amount(7), nonce: 903), address: rig.bed.gateway, block: real.blockNumber,
                           tx: real.transactionHash, index: real.logs.first?.logIndex ?? 0),
        ]
        try await rig.proxy.configure(["forge_logs": .array(forged)])
        _ = try await rig.bed.rpc("evm_mine")
        let events = try await read(rig.proxied.events(from: start)) { seen in
            seen.contains { if case let .head(block) = $0 { block.height > real.blockNumber } else { false } }
        }
        #expect(try await rig.proxy.stats()["forged", default: 0] >= 4, "the proxy served its forged logs")
        #expect(Self.locks(events) == [realID], "only the real lock is delivered: \(events)")
        let rejected = rig.proxied.feedCounters.health.rejectedLogs
        #expect(rejected["foreign_or_removed", default: 0] >= 1 && rejected["no_receipt", default: 0] >= 1
                && rejected["receipt_mismatch", default: 0] >= 2, "\(rejected)")
    }

    @Test("a node that ignores the address filter does not lend another contract's Locked event to the gateway")
    func ignoredAddressFilter() async throws {
        let rig = try await Rig.start(chainId: 4_611)
        defer { rig.stop() }
        let emitter = try #require(try await rig.bed.send(from: rig.signer, to: nil, data: try Self.emitterCode()).contractAddress)
        let start = try await rig.direct.head().height + 1
        let fake = try rig.transfer(amount: EVMTestbed.ether * Amount(5), nonce: 77)
        let emitted = try await rig.bed.send(from: rig.signer, to: emitter,
                                             data: GatewayABI.lockedTopic.bytes + fake.messageId.bytes + fake.abiEncoded)
        #expect(emitted.logs.first?.address == emitter && emitted.logs.first?.topics.first == GatewayABI.lockedTopic)
        let real = try await rig.lock(amount: 2_000)
        try await rig.proxy.configure(["ignore_address": true])
        let events = try await read(rig.proxied.events(from: start)) { seen in
            seen.contains { if case let .head(block) = $0 { block.height >= real.blockNumber } else { false } }
        }
        #expect(!Self.locks(events).contains(fake.messageId), "the attacker's event was delivered: \(events)")
        #expect(Self.locks(events).count == 1)
        // The gateway's own record of that id is empty whatever the node's filter does.
        #expect(try await rig.proxied.gatewayState(of: fake.messageId) == GatewayRecord.none)
    }

    @Test("logs a node flags as removed are never delivered")
    func removedLogs() async throws {
        let rig = try await Rig.start(chainId: 4_621)
        defer { rig.stop() }
        let start = try await rig.direct.head().height + 1
        try await rig.proxy.configure(["mark_removed": true])
        let real = try await rig.lock(amount: 3_000)
        let events = try await read(rig.proxied.events(from: start)) { seen in
            seen.contains { if case let .head(block) = $0 { block.height >= real.blockNumber } else { false } }
        }
        #expect(Self.locks(events).isEmpty, "\(events)")
    }

    @Test("a node that now reports another chain id is refused: reads fail and the event stream ends")
    func chainIDChange() async throws {
        let rig = try await Rig.start(chainId: 4_631)
        defer { rig.stop() }
        _ = try await rig.proxied.head()
        try await rig.proxy.configure(["chain_id": 1])
        await #expect(throws: ChainError.self) { try await rig.proxied.head() }
        var failure: (any Error)?
        do {
            _ = try await read(rig.proxied.events(from: 0), timeout: .seconds(20)) { _ in false }
            Issue.record("the event stream did not end")
        } catch {
            failure = error
        }
        #expect("\(String(describing: failure))".contains("chain id 1"), "\(String(describing: failure))")
    }

    @Test("a node trickling its answers does not freeze the event stream, which resumes when the node is well again")
    func tricklingNode() async throws {
        // Three seconds per exchange, body included (one second was too tight for the adapter's start-up through the
        // proxy on a loaded machine); the proxy sends one byte every 200 ms, and a block header is ~1 KB, so a
        // trickled answer takes minutes.
        let rig = try await Rig.start(chainId: 4_641, rpc: .init(timeout: .seconds(3), retry: .none))
        defer { rig.stop() }
        let start = try await rig.direct.head().height + 1
        try await rig.proxy.configure(["trickle": ["methods": .null, "interval": .double(0.2)]])
        let real = try await rig.lock(amount: 4_000)
        // The watcher reads throughout; it gets the lock once the attack is over.
        async let delivered = read(rig.proxied.events(from: start), timeout: .seconds(60)) { Self.locks($0).count == 1 }
        // Visible while it lasts: failed polls counted, and a probe of the adapter's head times out instead of hanging.
        try await waitUntil("two polls time out", timeout: .seconds(20), every: .milliseconds(50)) {
            rig.proxied.feedCounters.health.failedPolls >= 2
        }
        #expect(rig.proxied.feedCounters.health.lastError?.contains("no answer") == true)
        let asked = await within(.seconds(10)) { try await rig.proxied.head() }
        guard case .failure(ChainError.timeout)? = asked else { Issue.record("head() through the trickle: \(String(describing: asked))"); return }
        #expect(try await rig.proxy.stats()["trickled", default: 0] >= 2)
        // The relayer's /healthz report names the stall.
        let probe = ChainProbe(nodeID: "trust-test", adapters: [rig.proxied.info.id: rig.proxied], stats: RelayerStats(), maxLagSeconds: 1,
                               timeout: .seconds(2), logger: Logger(label: "ferry.test.trust"))
        try await waitUntil("the stream has been silent for two seconds", timeout: .seconds(20), every: .milliseconds(50)) {
            probe.chains.first?.feedSilentSeconds ?? 0 >= 2
        }
        await probe.refresh()
        let report = probe.report
        #expect(!report.isHealthy && report.chains.first?.reachable == false, "\(report)")
        #expect(report.problems.contains { $0.contains("event stream stalled") }, "\(report.problems)")
        // The attack ends: the stream catches up and delivers the lock.
        try await rig.proxy.configure([:])
        let events = try await delivered
        #expect(Self.locks(events) == real.logs.compactMap { $0.topics.dropFirst().first })
    }

    @Test("with a quorum of two providers, a range is delivered only once both report the same gateway logs and block hash")
    func providerQuorum() async throws {
        let rig = try await Rig.start(chainId: 4_661)
        defer { rig.stop() }
        let witness = try RPCProxy(upstream: rig.bed.node.url)
        var configuration = rig.bed.adapterConfiguration()
        configuration.rpcURL = rig.proxy.url
        configuration.quorumURLs = [witness.url]
        configuration.quorum = 2
        let adapter = try await EVMAdapter.connect(info: rig.bed.info(), configuration: configuration)
        let start = try await rig.direct.head().height + 1
        // The witness reports a Locked log the primary does not: the providers disagree and the stream holds.
        try await witness.configure(["forge_logs": .array([Self.lockedLog(try rig.transfer(amount: Amount(9), nonce: 990),
                                                                          address: rig.bed.gateway, block: start)])])
        let real = try await rig.lock(amount: 5_000)
        #expect(real.blockNumber == start)
        async let delivered = read(adapter.events(from: start), timeout: .seconds(60)) { Self.locks($0).count == 1 }
        try await waitUntil("the providers disagree twice", timeout: .seconds(20), every: .milliseconds(50)) {
            let health = adapter.feedCounters.health
            return health.failedPolls >= 2 && health.lastError?.contains("providers disagree") == true
        }
        // Honest again: the same range now agrees and its one real lock is delivered, nothing else.
        try await witness.configure([:])
        let events = try await delivered
        #expect(Self.locks(events) == real.logs.compactMap { $0.topics.dropFirst().first })
    }

    @Test("a 30 MB answer is refused unread, and the process does not grow by anything near it")
    func hugeAnswer() async throws {
        let rig = try await Rig.start(chainId: 4_651)
        defer { rig.stop() }
        try await rig.proxy.configure(["huge": ["methods": ["eth_getLogs", "eth_getBlockByNumber"], "bytes": 30_000_000]])
        let before = PeakMemory.reset()
        await #expect(throws: RPCError.self) {
            _ = try await rig.proxied.client.logs(address: rig.bed.gateway, from: 0, to: 10)
        }
        await #expect(throws: RPCError.self) { _ = try await rig.proxied.client.block(.latest) }
        let grown = PeakMemory.peak() - before
        #expect(grown < 64 << 20, "peak resident memory grew by \(grown >> 20) MiB")
        do {
            _ = try await rig.proxied.client.logs(address: rig.bed.gateway, from: 0, to: 10)
        } catch {
            guard case let .tooLarge(_, method, limit) = error else { Issue.record("expected .tooLarge, got \(error)"); return }
            #expect(method == "eth_getLogs" && limit == 8 << 20)
        }
        #expect(try await rig.proxy.stats()["huge", default: 0] >= 3)
    }
}

/// `body`'s outcome, or nil when it takes longer than `limit` (it is then cancelled).
func within<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async -> Result<T, any Error>? {
    await withTaskGroup(of: Result<T, any Error>?.self) { group in
        group.addTask {
            do { return .success(try await body()) } catch { return .failure(error) }
        }
        group.addTask {
            try? await Task.sleep(for: limit)  // a bound on a broken call, not a wait for something
            return nil
        }
        defer { group.cancelAll() }
        return await group.next() ?? nil
    }
}

/// The process's resident memory from `/proc/self/status` (Linux): the peak (`VmHWM`) is reset to the current
/// size through `/proc/self/clear_refs`.
enum PeakMemory {
    /// Resets the peak; returns the resident size now, in bytes.
    static func reset() -> Int {
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
        return read("VmRSS:")
    }

    /// The peak resident size since the last reset, in bytes.
    static func peak() -> Int { read("VmHWM:") }

    static func read(_ field: String) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field) }),
              let kib = Int(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kib << 10
    }
}
