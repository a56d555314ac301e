public import FerryCore
public import FerryCrypto

/// One entry of an EIP-2930 access list.
public struct AccessListEntry: Hashable, Sendable {
    /// The account whose storage is pre-warmed.
    public var address: EthereumAddress
    /// The storage slots.
    public var storageKeys: [Bytes32]

    public init(address: EthereumAddress, storageKeys: [Bytes32]) {
        self.address = address
        self.storageKeys = storageKeys
    }
}

/// An unsigned EIP-1559 (type 2) transaction.
public struct EIP1559Transaction: Hashable, Sendable {
    /// EIP-155 chain id.
    public var chainId: UInt64
    /// The sender's account nonce.
    public var nonce: UInt64
    /// Tip per gas to the block producer, in wei.
    public var maxPriorityFeePerGas: Amount
    /// Cap on base fee + tip per gas, in wei.
    public var maxFeePerGas: Amount
    /// Gas limit.
    public var gasLimit: UInt64
    /// Recipient; `nil` creates a contract.
    public var to: EthereumAddress?
    /// Wei sent.
    public var value: Amount
    /// Call data or init code.
    public var data: [UInt8]
    /// EIP-2930 access list.
    public var accessList: [AccessListEntry]

    public init(chainId: UInt64, nonce: UInt64, maxPriorityFeePerGas: Amount, maxFeePerGas: Amount, gasLimit: UInt64,
                to: EthereumAddress?, value: Amount = .zero, data: [UInt8] = [], accessList: [AccessListEntry] = []) {
        self.chainId = chainId
        self.nonce = nonce
        self.maxPriorityFeePerGas = maxPriorityFeePerGas
        self.maxFeePerGas = maxFeePerGas
        self.gasLimit = gasLimit
        self.to = to
        self.value = value
        self.data = data
        self.accessList = accessList
    }

    /// The envelope type byte, 0x02.
    public static let type: UInt8 = 0x02

    var fields: [RLPItem] {
        [.uint(chainId), .uint(nonce), .uint256(maxPriorityFeePerGas), .uint256(maxFeePerGas), .uint(gasLimit),
         .bytes(to?.bytes ?? []), .uint256(value), .bytes(data),
         .list(accessList.map { .list([.bytes($0.address.bytes), .list($0.storageKeys.map { .bytes($0.bytes) })]) })]
    }

    /// `0x02 || rlp([chainId, nonce, maxPriorityFeePerGas, maxFeePerGas, gasLimit, to, value, data, accessList])`.
    public var signingPayload: [UInt8] { [Self.type] + RLP.encode(.list(fields)) }

    /// keccak256 of ``signingPayload``: the digest the sender signs.
    public var signingHash: Bytes32 { Keccak256.hash(signingPayload) }

    /// Attaches a signature made over ``signingHash``.
    public func signed(with signature: TransactionSignature) -> SignedTransaction { .eip1559(self, signature) }
}

/// An unsigned legacy transaction with EIP-155 replay protection.
public struct LegacyTransaction: Hashable, Sendable {
    /// The sender's account nonce.
    public var nonce: UInt64
    /// Price per gas, in wei.
    public var gasPrice: Amount
    /// Gas limit.
    public var gasLimit: UInt64
    /// Recipient; `nil` creates a contract.
    public var to: EthereumAddress?
    /// Wei sent.
    public var value: Amount
    /// Call data or init code.
    public var data: [UInt8]
    /// EIP-155 chain id, folded into v.
    public var chainId: UInt64

    public init(nonce: UInt64, gasPrice: Amount, gasLimit: UInt64, to: EthereumAddress?, value: Amount = .zero,
                data: [UInt8] = [], chainId: UInt64) {
        self.nonce = nonce
        self.gasPrice = gasPrice
        self.gasLimit = gasLimit
        self.to = to
        self.value = value
        self.data = data
        self.chainId = chainId
    }

    var fields: [RLPItem] {
        [.uint(nonce), .uint256(gasPrice), .uint(gasLimit), .bytes(to?.bytes ?? []), .uint256(value), .bytes(data)]
    }

    /// `rlp([nonce, gasPrice, gasLimit, to, value, data, chainId, 0, 0])` (EIP-155).
    public var signingPayload: [UInt8] { RLP.encode(.list(fields + [.uint(chainId), .bytes([]), .bytes([])])) }

    /// keccak256 of ``signingPayload``.
    public var signingHash: Bytes32 { Keccak256.hash(signingPayload) }

    /// Attaches a signature made over ``signingHash``.
    /// - Throws: ``TransactionError/chainIDTooLarge(_:)`` when `chainId * 2 + 36` overflows 64 bits.
    public func signed(with signature: TransactionSignature) throws(TransactionError) -> SignedTransaction {
        guard chainId <= (UInt64.max - 36) / 2 else { throw .chainIDTooLarge(chainId) }
        return .legacy(self, signature)
    }

    /// v = chainId * 2 + 35 + yParity.
    func v(_ signature: TransactionSignature) -> UInt64 { chainId * 2 + 35 + UInt64(signature.yParity) }
}

/// A signed transaction as `eth_sendRawTransaction` takes it.
public enum SignedTransaction: Hashable, Sendable {
    /// Type 2.
    case eip1559(EIP1559Transaction, TransactionSignature)
    /// Legacy with EIP-155.
    case legacy(LegacyTransaction, TransactionSignature)

    /// The signature.
    public var signature: TransactionSignature {
        switch self {
        case let .eip1559(_, s), let .legacy(_, s): s
        }
    }

    /// The chain id the signature commits to.
    public var chainId: UInt64 {
        switch self {
        case let .eip1559(t, _): t.chainId
        case let .legacy(t, _): t.chainId
        }
    }

    /// The nonce.
    public var nonce: UInt64 {
        switch self {
        case let .eip1559(t, _): t.nonce
        case let .legacy(t, _): t.nonce
        }
    }

    /// The digest that was signed (the sender is recovered from it and ``signature``).
    public var signingHash: Bytes32 {
        switch self {
        case let .eip1559(t, _): t.signingHash
        case let .legacy(t, _): t.signingHash
        }
    }

    /// The network encoding: `0x02 || rlp([..., yParity, r, s])` or `rlp([..., v, r, s])`.
    public var rawBytes: [UInt8] {
        let sig = signature
        let tail: [RLPItem] = [.uint256(TransactionSignature.amount(sig.r)), .uint256(TransactionSignature.amount(sig.s))]
        switch self {
        case let .eip1559(t, _):
            return [EIP1559Transaction.type] + RLP.encode(.list(t.fields + [.uint(UInt64(sig.yParity))] + tail))
        case let .legacy(t, _):
            return RLP.encode(.list(t.fields + [.uint(t.v(sig))] + tail))
        }
    }

    /// The transaction hash: keccak256 of ``rawBytes``.
    public var hash: Bytes32 { Keccak256.hash(rawBytes) }

    /// Decodes network bytes strictly: canonical RLP, exact field counts, canonical integers, 20-byte
    /// addresses, 32-byte storage keys, low-s signatures, EIP-155 v for legacy.
    /// - Throws: ``TransactionError``.
    public init(raw: some Collection<UInt8>) throws(TransactionError) {
        let bytes = Array(raw)
        guard let first = bytes.first else { throw .empty }
        do {
            if first == EIP1559Transaction.type {
                self = try Self.decodeEIP1559(RLP.decode(bytes.dropFirst()))
            } else if first >= 0xC0 {
                self = try Self.decodeLegacy(RLP.decode(bytes))
            } else {
                throw TransactionError.unsupportedType(first)
            }
        } catch let e as RLPError {
            throw .rlp(e)
        } catch let e as TransactionError {
            throw e
        } catch {
            throw .invalidSignature(reason: "\(error)")  // unreachable: only the two error types above are thrown
        }
    }

    private static func to(_ item: RLPItem) throws -> EthereumAddress? {
        let b = try item.bytes("to")
        if b.isEmpty { return nil }
        guard b.count == 20 else { throw RLPError.wrongByteLength(field: "to", expected: 20, actual: b.count) }
        return try? EthereumAddress(bytes: b)
    }

    private static func signature(r: RLPItem, s: RLPItem, yParity: UInt8) throws -> TransactionSignature {
        try TransactionSignature(r: r.amount("r").bigEndianBytes, s: s.amount("s").bigEndianBytes, yParity: yParity)
    }

    private static func decodeEIP1559(_ item: RLPItem) throws -> SignedTransaction {
        let f = try item.list("type-2 transaction")
        guard f.count == 12 else { throw RLPError.wrongItemCount(what: "a signed type-2 transaction", expected: 12, actual: f.count) }
        var access: [AccessListEntry] = []
        for entry in try f[8].list("accessList") {
            let pair = try entry.list("accessList entry")
            guard pair.count == 2 else { throw RLPError.wrongItemCount(what: "an access-list entry", expected: 2, actual: pair.count) }
            let address = try EthereumAddress(bytes: pair[0].fixedBytes("accessList address", count: 20))
            let keys = try pair[1].list("storageKeys").map { k in try Bytes32(k.fixedBytes("storage key", count: 32)) }
            access.append(AccessListEntry(address: address, storageKeys: keys))
        }
        let parity = try f[9].uint64("yParity")
        guard parity <= 1 else { throw TransactionError.invalidSignature(reason: "y-parity must be 0 or 1, got \(parity)") }
        let tx = EIP1559Transaction(
            chainId: try f[0].uint64("chainId"), nonce: try f[1].uint64("nonce"),
            maxPriorityFeePerGas: try f[2].amount("maxPriorityFeePerGas"), maxFeePerGas: try f[3].amount("maxFeePerGas"),
            gasLimit: try f[4].uint64("gasLimit"), to: try to(f[5]), value: try f[6].amount("value"),
            data: try f[7].bytes("data"), accessList: access)
        return .eip1559(tx, try signature(r: f[10], s: f[11], yParity: UInt8(parity)))
    }

    private static func decodeLegacy(_ item: RLPItem) throws -> SignedTransaction {
        let f = try item.list("legacy transaction")
        guard f.count == 9 else { throw RLPError.wrongItemCount(what: "a signed legacy transaction", expected: 9, actual: f.count) }
        let v = try f[6].uint64("v")
        guard v >= 35 else { throw TransactionError.missingReplayProtection }
        let tx = LegacyTransaction(
            nonce: try f[0].uint64("nonce"), gasPrice: try f[1].amount("gasPrice"), gasLimit: try f[2].uint64("gasLimit"),
            to: try to(f[3]), value: try f[4].amount("value"), data: try f[5].bytes("data"), chainId: (v - 35) / 2)
        return .legacy(tx, try signature(r: f[7], s: f[8], yParity: UInt8((v - 35) % 2)))
    }
}
