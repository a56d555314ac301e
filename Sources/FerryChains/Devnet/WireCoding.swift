import FerryCore
import FerryCrypto

// JSON forms shared by the devnet server and ``RemoteChainAdapter`` (docs/devnet.md lists them).
// Hashes, ids and attestation parts are `0x`-prefixed hex of their exact length; amounts are base-10
// strings of smallest units; heights, nonces and times are JSON integers. Decoding is strict: a missing
// field, a wrong type or a wrong length fails with a `DecodingError` whose coding path names the field.

extension KeyedDecodingContainer {
    /// A `0x` + 64 hex digit value.
    func decodeBytes32(_ key: Key) throws -> Bytes32 {
        let text = try decode(String.self, forKey: key)
        guard text.hasPrefix("0x"), text.utf8.count == 66, let value = try? Bytes32(hex: text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self,
                                                   debugDescription: "expected 0x and 64 hex digits, got \"\(text.prefix(80))\"")
        }
        return value
    }

    /// A `0x` + 130 hex digit `r || s || v` signature (low-s, v in 0, 1, 27, 28).
    func decodeSignatures(_ key: Key, limit: Int = WireLimits.signaturesPerCall) throws -> [Signature] {
        var list = try nestedUnkeyedContainer(forKey: key)
        if let count = list.count, count > limit {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "at most \(limit) signatures, got \(count)")
        }
        var out: [Signature] = []
        while !list.isAtEnd {
            let text = try list.decode(String.self)
            do {
                guard text.hasPrefix("0x"), text.utf8.count == 132 else {
                    throw DecodingError.dataCorruptedError(in: list, debugDescription: "expected 0x and 130 hex digits (r || s || v)")
                }
                out.append(try Signature(hex: text))
            } catch let error as DecodingError {
                throw error
            } catch {
                throw DecodingError.dataCorruptedError(in: list, debugDescription: "not a valid signature: \(error)")
            }
        }
        return out
    }

    /// A whole number >= 0 when present (see `decodeCount`), nil when absent.
    func decodeCountIfPresent(_ key: Key) throws -> UInt64? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        return try decodeCount(key)
    }

    /// A whole number >= 0 that fits an `Int`.
    func decodeInt(_ key: Key) throws -> Int {
        let value = try decodeCount(key)
        guard let int = Int(exactly: value) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "\(value) is too large")
        }
        return int
    }

    /// A whole number 0...255.
    func decodeByte(_ key: Key) throws -> UInt8 {
        let value = try decodeCount(key)
        guard let byte = UInt8(exactly: value) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "must be 0...255, got \(value)")
        }
        return byte
    }

    /// A nested transfer object (see ``TransferJSON``).
    func decodeTransfer(_ key: Key) throws -> Transfer { try decode(TransferJSON.self, forKey: key).transfer }

    /// The onward hops of a multi-hop route when present (at most ``TransferRoute/maxOnwardHops``), else none.
    func decodeOnward(_ key: Key) throws -> [Transfer] {
        guard contains(key), try !decodeNil(forKey: key) else { return [] }
        let hops = try decode([TransferJSON].self, forKey: key).map(\.transfer)
        guard hops.count <= TransferRoute.maxOnwardHops else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self,
                                                   debugDescription: "at most \(TransferRoute.maxOnwardHops) onward hops, got \(hops.count)")
        }
        return hops
    }
}

extension KeyedEncodingContainer {
    mutating func encodeTransfer(_ transfer: Transfer, forKey key: Key) throws {
        try encode(TransferJSON(transfer), forKey: key)
    }

    /// Onward hops, omitted when there are none.
    mutating func encodeOnward(_ hops: [Transfer], forKey key: Key) throws {
        if !hops.isEmpty { try encode(hops.map(TransferJSON.init), forKey: key) }
    }

    mutating func encodeSignatures(_ signatures: [Signature], forKey key: Key) throws {
        try encode(signatures.map(\.description), forKey: key)
    }
}

/// Hard caps on what a devnet request or answer may contain.
public enum WireLimits {
    /// Largest request body the devnet server reads, in bytes.
    public static let requestBytes = 1 << 20
    /// Largest answer the remote adapter reads, in bytes (a poll of 512 busy blocks fits).
    public static let responseBytes = 16 << 20
    /// Attestation signatures in one gateway call.
    public static let signaturesPerCall = 64
    /// Delivered-block hashes an event cursor may carry.
    public static let cursorHashes = 1_024
    /// Blocks one event poll may cover.
    public static let blocksPerPoll = 512
    /// Longest long-poll wait, in milliseconds.
    public static let pollTimeoutMillis: UInt64 = 30_000
}

/// `Transfer` as JSON: every field by its design.md name.
struct TransferJSON: Codable {
    let transfer: Transfer

    init(_ transfer: Transfer) { self.transfer = transfer }

    private enum CodingKeys: String, CodingKey {
        case version, sourceChain, destChain, nonce, sender, receiver, sourceAsset, destAsset, amount, fee, deadline, payloadHash
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        transfer = Transfer(
            version: try c.decodeByte(.version),
            sourceChain: ChainID(try c.decodeCount(.sourceChain)), destChain: ChainID(try c.decodeCount(.destChain)),
            nonce: try c.decodeCount(.nonce),
            sender: try c.decode(Address.self, forKey: .sender), receiver: try c.decode(Address.self, forKey: .receiver),
            sourceAsset: try c.decodeBytes32(.sourceAsset), destAsset: try c.decodeBytes32(.destAsset),
            amount: try c.decode(Amount.self, forKey: .amount), fee: try c.decode(Amount.self, forKey: .fee),
            deadline: try c.decodeCount(.deadline), payloadHash: try c.decodeBytes32(.payloadHash))
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(transfer.version, forKey: .version)
        try c.encode(transfer.sourceChain, forKey: .sourceChain)
        try c.encode(transfer.destChain, forKey: .destChain)
        try c.encode(transfer.nonce, forKey: .nonce)
        try c.encode(transfer.sender, forKey: .sender)
        try c.encode(transfer.receiver, forKey: .receiver)
        try c.encode(transfer.sourceAsset.hex, forKey: .sourceAsset)
        try c.encode(transfer.destAsset.hex, forKey: .destAsset)
        try c.encode(transfer.amount, forKey: .amount)
        try c.encode(transfer.fee, forKey: .fee)
        try c.encode(transfer.deadline, forKey: .deadline)
        try c.encode(transfer.payloadHash.hex, forKey: .payloadHash)
    }
}

extension DecodingError {
    /// The field the error is about, as a path (`call.transfer.amount`, `signatures[1]`); empty for the whole body.
    public var fieldPath: String {
        let path: [any CodingKey]
        switch self {
        case let .keyNotFound(key, context): path = context.codingPath + [key]
        case let .typeMismatch(_, context), let .valueNotFound(_, context), let .dataCorrupted(context): path = context.codingPath
        @unknown default: path = []
        }
        var out = ""
        for key in path {
            if let index = key.intValue { out += "[\(index)]" } else { out += out.isEmpty ? key.stringValue : "." + key.stringValue }
        }
        return out
    }

    /// What was wrong, in one phrase, without the field path.
    public var problem: String {
        switch self {
        case .keyNotFound: return "is missing"
        case let .typeMismatch(type, context):
            let detail = context.debugDescription.hasPrefix("Expected to decode") ? "" : ": \(context.debugDescription)"
            return "has the wrong type (expected \(Self.jsonName(type)))\(detail)"
        case let .valueNotFound(type, _): return "is null (expected \(Self.jsonName(type)))"
        case let .dataCorrupted(context):
            if context.codingPath.isEmpty, context.underlyingError != nil || context.debugDescription.contains("JSON") {
                return "is not valid JSON"
            }
            return context.debugDescription
        @unknown default: return "is invalid"
        }
    }

    private static func jsonName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        case is UInt64.Type, is Int.Type, is UInt8.Type, is Int64.Type, is UInt32.Type: "a whole number"
        case is Amount.Type: "a base-10 string of smallest units"
        default: "\(type)"
        }
    }
}
