import FerryChains
import FerryCore
import FerryCrypto

extension ConformanceSession {
    /// Chain time of the head, unix seconds.
    func chainSeconds() async throws -> UInt64 { try await adapter.head().timestampMillis / 1000 }

    func makeOutboundTransfer(sender: Address, deadlineIn seconds: UInt64) async throws -> Transfer {
        guard let asset = info.asset(lane.asset) else { throw CheckFailure("the lane's asset \(lane.asset) is not in ChainInfo.assets") }
        let now = try await chainSeconds()
        return Transfer(sourceChain: info.id, destChain: lane.remoteChain, nonce: 0, sender: sender,
                        receiver: Self.evmShaped(Keccak256.hash("ferry.conformance.receiver.\(now)")), sourceAsset: asset.gatewayID,
                        destAsset: lane.remoteAsset, amount: lane.amount, fee: lane.fee, deadline: now + seconds)
    }

    func makeInboundTransfer(nonce: UInt64, deadlineIn seconds: UInt64, now: UInt64? = nil) async throws -> Transfer {
        guard let asset = info.asset(lane.asset) else { throw CheckFailure("the lane's asset \(lane.asset) is not in ChainInfo.assets") }
        let head = try await adapter.head()
        var nowSeconds = head.timestampMillis / 1000
        if let now { nowSeconds = now }
        let amount = try Self.convert(lane.amount, from: lane.remoteDecimals, to: asset.decimals)
        let tag = "ferry.conformance.\(info.id.rawValue).\(head.timestampMillis).\(nonce)"
        return Transfer(sourceChain: lane.remoteChain, destChain: info.id, nonce: head.timestampMillis &+ nonce,
                        sender: Self.evmShaped(Keccak256.hash(tag + ".sender")), receiver: Self.evmShaped(Keccak256.hash(tag + ".receiver")),
                        sourceAsset: lane.remoteAsset, destAsset: asset.gatewayID, amount: amount, fee: .zero,
                        deadline: nowSeconds + seconds)
    }

    /// A test address every family can pay: the last 20 bytes of `hash`, left-padded (EVM gateways pay only
    /// 20-byte accounts; chains with 32-byte accounts accept the padded form too).
    static func evmShaped(_ hash: Bytes32) -> Address {
        Address((try? Bytes32(leftPadding: hash.bytes.suffix(20))) ?? hash)
    }

    /// `threshold` relayer signatures over `attestation` in this chain's domain.
    func attest(_ attestation: FerryAttestation) async throws -> [Signature] {
        let k = try await adapter.relayerSet().threshold
        let relayers = try await harness.relayerSigners()
        guard relayers.count >= k else { throw CheckFailure("harness gave \(relayers.count) relayer signers, threshold is \(k)") }
        let digest = attestation.digest(in: info.attestationDomain)
        return try relayers.prefix(k).map { try $0.sign(digest: digest) }
    }

    /// Advances block by block until `tx` is included; returns its height. Throws if it reverts or is dropped.
    func waitForInclusion(_ tx: TxID, what: String, maxBlocks: Int = 64) async throws -> UInt64 {
        for _ in 0..<maxBlocks {
            switch try await adapter.transaction(tx) {
            case .pending:
                try await harness.advance(blocks: 1)
            case let .included(height, succeeded, reason):
                guard succeeded else { throw CheckFailure("\(what) (\(tx)) reverted: \(reason ?? "no reason given")") }
                return height
            case .dropped:
                throw CheckFailure("\(what) (\(tx)) was dropped")
            }
        }
        throw CheckFailure("\(what) (\(tx)) still pending after \(maxBlocks) blocks")
    }

    /// Expects the chain to refuse `call`: at submission (`.rejected` / `.insufficientFunds`) or as a reverted transaction.
    func expectRejected(_ call: GatewayCall, signer: any TransactionSigner, label: String) async throws {
        let tx: TxID
        do {
            tx = try await adapter.submit(call, signer: signer, priority: .high)
        } catch {
            switch error {
            case .rejected, .insufficientFunds: return
            default: throw CheckFailure("\(label): expected a rejection, got \(error)")
            }
        }
        for _ in 0..<64 {
            switch try await adapter.transaction(tx) {
            case .pending: try await harness.advance(blocks: 1)
            case .included(_, succeeded: false, _), .dropped: return
            case let .included(height, succeeded: true, _):
                throw CheckFailure("\(label) was accepted and succeeded at height \(height); the gateway must refuse it")
            }
        }
        throw CheckFailure("\(label): transaction \(tx) neither included nor rejected after 64 blocks")
    }

    /// Events of blocks `from...through`, read from a fresh stream.
    func collect(from start: UInt64, through end: UInt64) async throws -> [GatewayEvent] {
        try await collect(stream: adapter.events(from: start), through: end, label: "events(from: \(start))")
    }

    /// Reads `stream` until it reports a `.head` at or beyond `end` (adapters yield `.head` after each batch).
    func collect(stream: AsyncThrowingStream<GatewayEvent, any Error>, through end: UInt64, label: String) async throws -> [GatewayEvent] {
        try await withTimeout(label: "\(label) reaching height \(end)") {
            var events: [GatewayEvent] = []
            for try await event in stream {
                events.append(event)
                if case let .head(ref) = event, ref.height >= end { return events }
            }
            throw CheckFailure("\(label) ended before height \(end)")
        }
    }

    /// The first event of `stream` matching `predicate`, or nil if the stream ends first.
    func first(in stream: AsyncThrowingStream<GatewayEvent, any Error>, label: String,
               where predicate: @escaping @Sendable (GatewayEvent) -> Bool) async throws -> GatewayEvent? {
        try await withTimeout(label: label) {
            for try await event in stream where predicate(event) { return event }
            return nil
        }
    }

    func withTimeout<T: Sendable>(label: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let timeout = streamTimeout
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                // A guard against adapters that never deliver, not a wait for something to happen.
                try await ContinuousClock().sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                throw CheckFailure("timed out after \(timeout) waiting for \(label)")
            }
            return value
        }
    }

    static func convert(_ amount: Amount, from: Int, to: Int) throws -> Amount {
        guard from != to else { return amount }
        var scale = Amount(1)
        for _ in 0..<abs(to - from) { scale = try scale * Amount(10) }
        return to > from ? try amount * scale : try amount.dividedRounding(by: scale, .up)
    }
}
