public import FerryCore
public import FerryCrypto

/// A relayer's EIP-712 attestation signature as the gateway takes it: `(bytes32 r, bytes32 s, uint8 v)`, v 27/28.
public struct RelayerSignature: Hashable, Sendable {
    /// r, big-endian.
    public var r: Bytes32
    /// s, big-endian (the gateway refuses s above n/2).
    public var s: Bytes32
    /// 27 or 28.
    public var v: UInt8

    /// - Parameter yParity: the recovery id 0 or 1 (stored as 27 or 28); 27 and 28 are taken as they are.
    public init(r: Bytes32, s: Bytes32, yParity: UInt8) {
        self.r = r
        self.s = s
        self.v = yParity >= 27 ? yParity : yParity + 27
    }

    var abiValue: ABIValue { .tuple([.bytes32(r), .bytes32(s), .uint64(UInt64(v))]) }
}

/// Where a message id stands on one gateway (`status(bytes32) -> uint8`).
public enum GatewayStatus: UInt8, Sendable, Hashable, CaseIterable {
    /// Never seen here.
    case unseen = 0
    /// Locked here (this is its source), not refunded.
    case locked = 1
    /// Locked here, then refunded.
    case refunded = 2
    /// Released here (this is its destination).
    case released = 3
    /// Cancelled here after its deadline; it can no longer be released.
    case cancelled = 4
}

/// Calldata, return values and events of `chains/contracts/FerryGateway.vy` (and the ERC-20 calls Ferry makes).
///
/// Signatures match the committed artifact `chains/contracts/build/FerryGateway.json`; the tests check them.
public enum GatewayABI {
    /// `(uint8,uint64,uint64,uint64,bytes32,bytes32,bytes32,bytes32,uint256,uint256,uint64,bytes32)`.
    public static let transferType = ABIType.tuple([
        .uint(bits: 8), .uint(bits: 64), .uint(bits: 64), .uint(bits: 64), .fixedBytes(32), .fixedBytes(32),
        .fixedBytes(32), .fixedBytes(32), .uint(bits: 256), .uint(bits: 256), .uint(bits: 64), .fixedBytes(32),
    ])
    /// `(bytes32,bytes32,uint8)[]`.
    public static let signaturesType = ABIType.array(.tuple([.fixedBytes(32), .fixedBytes(32), .uint(bits: 8)]))

    /// `(uint64,bytes32,uint64,uint64,uint32)`: the `Checkpoint` struct of `commit`.
    public static let checkpointType = ABIType.tuple([.uint(bits: 64), .fixedBytes(32), .uint(bits: 64), .uint(bits: 64), .uint(bits: 32)])
    /// The most transfers the Vyper gateway's `releaseBatch` takes (`MAX_BATCH`).
    public static let maxBatch = 128

    static let transferSig = transferType.canonicalName
    static let checkpointSig = checkpointType.canonicalName
    static let sigsSig = signaturesType.canonicalName

    /// Canonical signatures of every function Ferry calls, by name.
    public static let functionSignatures: [String: String] = [
        "lock": "lock(uint64,bytes32,bytes32,bytes32,uint256,uint256,uint64,bytes32)",
        "release": "release(\(transferSig),\(sigsSig))",
        "cancel": "cancel(\(transferSig),\(sigsSig))",
        "refund": "refund(\(transferSig),\(sigsSig))",
        "messageId": "messageId(\(transferSig))",
        "commit": "commit(\(checkpointSig),\(sigsSig))",
        "releaseWithProof": "releaseWithProof(\(transferSig),bytes32,bytes32[])",
        "releaseBatch": "releaseBatch(bytes32,\(transferSig)[],bytes32[][])",
        "checkpointDigest": "checkpointDigest(\(checkpointSig))",
        "verifyProof": "verifyProof(bytes32,bytes32[],bytes32)",
        "nextCommitNonce": "nextCommitNonce(uint64)",
        "status": "status(bytes32)",
        "getRelayers": "getRelayers()",
        "threshold": "threshold()",
        "nextNonce": "nextNonce()",
        "paused": "paused()",
        "owner": "owner()",
        "destinationGateway": "destinationGateway(uint64)",
        "laneHeadroom": "laneHeadroom(uint64,bytes32)",
        "domainSeparator": "domainSeparator()",
        "releaseDigest": "releaseDigest(bytes32)",
        "cancelDigest": "cancelDigest(bytes32)",
        "refundDigest": "refundDigest(bytes32)",
        "quoteLock": "quoteLock(uint64,bytes32,uint256,uint256)",
        "lockedValue": "lockedValue(bytes32)",
        "refundable": "refundable(bytes32)",
        "setAssetPair": "setAssetPair(uint64,bytes32,bytes32,uint8,uint8,bool)",
        "setRelayers": "setRelayers(address[],uint256)",
        "setDestinationGateway": "setDestinationGateway(uint64,address)",
        "setLaneLimit": "setLaneLimit(uint64,bytes32,uint256,uint256)",
        "setPaused": "setPaused(bool)",
    ]

    /// Canonical event signatures, by name.
    public static let eventSignatures: [String: String] = [
        "Locked": "Locked(bytes32,uint8,uint64,uint64,uint64,bytes32,bytes32,bytes32,bytes32,uint256,uint256,uint64,bytes32)",
        "Released": "Released(bytes32,address,bytes32,uint256)",
        "Cancelled": "Cancelled(bytes32)",
        "Refunded": "Refunded(bytes32,address,bytes32,uint256)",
    ]

    static func sig(_ name: String) -> String { functionSignatures[name] ?? name }

    /// The Transfer as an ABI tuple.
    public static func abiValue(_ t: Transfer) -> ABIValue {
        .tuple([.uint64(UInt64(t.version)), .uint64(t.sourceChain.rawValue), .uint64(t.destChain.rawValue), .uint64(t.nonce),
                .bytes32(t.sender.bytes32), .bytes32(t.receiver.bytes32), .bytes32(t.sourceAsset), .bytes32(t.destAsset),
                .uint(t.amount), .uint(t.fee), .uint64(t.deadline), .bytes32(t.payloadHash)])
    }

    // MARK: Calls

    /// `lock(...)`: the source gateway assigns version, source chain, nonce and sender itself.
    /// Send `amount + fee` as value for the native asset (zero `sourceAsset`), nothing for an ERC-20.
    public static func lock(destChain: ChainID, receiver: Address, sourceAsset: Bytes32, destAsset: Bytes32,
                            amount: Amount, fee: Amount, deadline: UInt64, payloadHash: Bytes32) -> [UInt8] {
        ABI.call(sig("lock"), [.uint64(destChain.rawValue), .bytes32(receiver.bytes32), .bytes32(sourceAsset),
                               .bytes32(destAsset), .uint(amount), .uint(fee), .uint64(deadline), .bytes32(payloadHash)])
    }

    /// `release(transfer, signatures)` on the destination gateway; signatures ordered by signer address.
    public static func release(_ t: Transfer, signatures: [RelayerSignature]) -> [UInt8] {
        ABI.call(sig("release"), [abiValue(t), .array(signatures.map(\.abiValue))])
    }

    /// `cancel(transfer, signatures)` on the destination gateway after the deadline.
    public static func cancel(_ t: Transfer, signatures: [RelayerSignature]) -> [UInt8] {
        ABI.call(sig("cancel"), [abiValue(t), .array(signatures.map(\.abiValue))])
    }

    /// `refund(transfer, signatures)` on the source gateway, with Cancel signatures in the destination's domain.
    public static func refund(_ t: Transfer, signatures: [RelayerSignature]) -> [UInt8] {
        ABI.call(sig("refund"), [abiValue(t), .array(signatures.map(\.abiValue))])
    }

    /// `commit(checkpoint, signatures)` on the destination gateway; signatures ordered by signer address.
    public static func commit(_ c: FerryCheckpoint, signatures: [RelayerSignature]) -> [UInt8] {
        ABI.call(sig("commit"), [.tuple([.uint64(c.sourceChain), .bytes32(c.root), .uint64(c.firstNonce), .uint64(c.lastNonce),
                                         .uint64(UInt64(c.count))]),
                                 .array(signatures.map(\.abiValue))])
    }

    /// `releaseWithProof(transfer, root, proof)`: one transfer of a committed checkpoint.
    public static func releaseWithProof(_ t: Transfer, root: Bytes32, proof: [Bytes32]) -> [UInt8] {
        ABI.call(sig("releaseWithProof"), [abiValue(t), .bytes32(root), .array(proof.map { .bytes32($0) })])
    }

    /// `releaseBatch(root, transfers, proofs)`: up to ``maxBatch`` transfers of a committed checkpoint, all or nothing.
    public static func releaseBatch(root: Bytes32, transfers: [Transfer], proofs: [[Bytes32]]) -> [UInt8] {
        ABI.call(sig("releaseBatch"), [.bytes32(root), .array(transfers.map(abiValue)),
                                       .array(proofs.map { .array($0.map { .bytes32($0) }) })])
    }

    /// `status(messageId)`.
    public static func status(_ messageId: Bytes32) -> [UInt8] { ABI.call(sig("status"), [.bytes32(messageId)]) }

    /// `quoteLock(destChain, sourceAsset, amount, fee)`: what a lock takes (converted amount + fee, source units).
    public static func quoteLock(destChain: ChainID, sourceAsset: Bytes32, amount: Amount, fee: Amount) -> [UInt8] {
        ABI.call(sig("quoteLock"), [.uint64(destChain.rawValue), .bytes32(sourceAsset), .uint(amount), .uint(fee)])
    }

    /// `setAssetPair(remoteChain, localAsset, remoteAsset, localDecimals, remoteDecimals, registered)` (owner).
    public static func setAssetPair(remoteChain: ChainID, localAsset: Bytes32, remoteAsset: Bytes32, localDecimals: Int,
                                    remoteDecimals: Int, registered: Bool = true) -> [UInt8] {
        ABI.call(sig("setAssetPair"), [.uint64(remoteChain.rawValue), .bytes32(localAsset), .bytes32(remoteAsset),
                                       .uint64(UInt64(clamping: localDecimals)), .uint64(UInt64(clamping: remoteDecimals)),
                                       .bool(registered)])
    }

    /// A call with no arguments, by function name (`getRelayers`, `threshold`, `nextNonce`, `paused`, ...).
    public static func call(_ name: String) -> [UInt8] { ABI.call(sig(name), []) }

    /// `setRelayers(relayers, threshold)`.
    public static func setRelayers(_ relayers: [EthereumAddress], threshold: UInt64) -> [UInt8] {
        ABI.call(sig("setRelayers"), [.array(relayers.map { .address($0) }), .uint64(threshold)])
    }

    /// ERC-20 `balanceOf(owner)`.
    public static func balanceOf(_ owner: EthereumAddress) -> [UInt8] { ABI.call("balanceOf(address)", [.address(owner)]) }

    /// ERC-20 `approve(spender, amount)`.
    public static func approve(_ spender: EthereumAddress, amount: Amount) -> [UInt8] {
        ABI.call("approve(address,uint256)", [.address(spender), .uint(amount)])
    }

    // MARK: Return values

    /// Decodes `status(bytes32)`'s return.
    public static func decodeStatus(_ data: [UInt8]) throws(ABIError) -> GatewayStatus {
        let v = try ABI.decode([.uint(bits: 8)], from: data)
        guard let raw = v.first?.uint64, let s = GatewayStatus(rawValue: UInt8(raw)) else {
            throw .invalidValue(offset: 0, type: "uint8", reason: "unknown gateway status")
        }
        return s
    }

    /// Decodes `getRelayers()`'s return.
    public static func decodeRelayers(_ data: [UInt8]) throws(ABIError) -> [EthereumAddress] {
        try (ABI.decode([.array(.address)], from: data).first?.items ?? []).compactMap(\.address)
    }

    /// Decodes a single `uint256` return.
    public static func decodeUInt(_ data: [UInt8]) throws(ABIError) -> Amount {
        try ABI.decode([.uint(bits: 256)], from: data).first?.amount ?? .zero
    }

    // MARK: Events

    /// A decoded gateway log.
    public enum Event: Hashable, Sendable {
        /// `Locked`: the data is exactly `abi.encode(transfer)`.
        case locked(Transfer)
        /// `Released`.
        case released(messageId: Bytes32, receiver: EthereumAddress, asset: Bytes32, amount: Amount)
        /// `Cancelled`.
        case cancelled(messageId: Bytes32)
        /// `Refunded`.
        case refunded(messageId: Bytes32, sender: EthereumAddress, asset: Bytes32, amount: Amount)
    }

    /// topic0 of each event.
    public static let lockedTopic = ABI.eventTopic(eventSignatures["Locked"] ?? "")
    /// topic0 of `Released`.
    public static let releasedTopic = ABI.eventTopic(eventSignatures["Released"] ?? "")
    /// topic0 of `Cancelled`.
    public static let cancelledTopic = ABI.eventTopic(eventSignatures["Cancelled"] ?? "")
    /// topic0 of `Refunded`.
    public static let refundedTopic = ABI.eventTopic(eventSignatures["Refunded"] ?? "")

    /// Decodes one log of the gateway; `nil` for a log that is not a gateway event.
    /// - Throws: ``GatewayLogError`` when a gateway event's topics or data are malformed, or a
    ///   `Locked` event's data does not hash to its indexed message id.
    public static func decodeEvent(topics: [Bytes32], data: [UInt8]) throws(GatewayLogError) -> Event? {
        guard let topic0 = topics.first else { return nil }
        func need(_ n: Int, _ name: String) throws(GatewayLogError) {
            guard topics.count == n else { throw .malformed(event: name, reason: "expected \(n) topics, got \(topics.count)") }
        }
        func fields(_ types: [ABIType], _ name: String) throws(GatewayLogError) -> [ABIValue] {
            do { return try ABI.decode(types, from: data) } catch { throw .malformed(event: name, reason: error.description) }
        }
        func address(_ t: Bytes32, _ name: String) throws(GatewayLogError) -> EthereumAddress {
            guard t.bytes.prefix(12).allSatisfy({ $0 == 0 }), let a = try? EthereumAddress(bytes: t.bytes.suffix(20)) else {
                throw .malformed(event: name, reason: "indexed address topic has non-zero upper bytes")
            }
            return a
        }
        switch topic0 {
        case lockedTopic:
            try need(2, "Locked")
            let transfer: Transfer
            do { transfer = try Transfer(abiEncoded: data) } catch { throw .malformed(event: "Locked", reason: error.description) }
            guard transfer.messageId == topics[1] else {
                throw .malformed(event: "Locked", reason: "data hashes to \(transfer.messageId), topic says \(topics[1])")
            }
            return .locked(transfer)
        case releasedTopic:
            try need(3, "Released")
            let f = try fields([.fixedBytes(32), .uint(bits: 256)], "Released")
            return .released(messageId: topics[1], receiver: try address(topics[2], "Released"),
                             asset: f[0].bytes32 ?? .zero, amount: f[1].amount ?? .zero)
        case cancelledTopic:
            try need(2, "Cancelled")
            return .cancelled(messageId: topics[1])
        case refundedTopic:
            try need(3, "Refunded")
            let f = try fields([.fixedBytes(32), .uint(bits: 256)], "Refunded")
            return .refunded(messageId: topics[1], sender: try address(topics[2], "Refunded"),
                             asset: f[0].bytes32 ?? .zero, amount: f[1].amount ?? .zero)
        default:
            return nil
        }
    }
}

/// A gateway event whose topics or data do not match the gateway's ABI.
public enum GatewayLogError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The named event is malformed.
    case malformed(event: String, reason: String)

    public var description: String {
        switch self {
        case let .malformed(event, reason): "malformed \(event) event: \(reason)"
        }
    }
}
