public import FerryCore
public import FerryCrypto

/// One RLP item: a byte string or a list of items.
public enum RLPItem: Hashable, Sendable {
    /// A byte string (integers are big-endian with no leading zeros; zero is empty).
    case bytes([UInt8])
    /// A list of items.
    case list([RLPItem])

    /// An unsigned integer in canonical form.
    public static func uint(_ value: UInt64) -> RLPItem {
        .bytes(RLP.minimalBigEndian(value))
    }

    /// A 256-bit unsigned integer in canonical form.
    public static func uint256(_ value: Amount) -> RLPItem {
        .bytes(Array(value.bigEndianBytes.bytes.drop { $0 == 0 }))
    }

    /// The canonical encoding.
    public var encoded: [UInt8] { RLP.encode(self) }

    /// The byte string, or a shape error naming `field`.
    public func bytes(_ field: String) throws(RLPError) -> [UInt8] {
        guard case let .bytes(b) = self else { throw .unexpectedShape(field: field, expected: "a byte string") }
        return b
    }

    /// The list items, or a shape error naming `field`.
    public func list(_ field: String) throws(RLPError) -> [RLPItem] {
        guard case let .list(items) = self else { throw .unexpectedShape(field: field, expected: "a list") }
        return items
    }

    /// A canonical unsigned integer of at most 8 bytes.
    public func uint64(_ field: String) throws(RLPError) -> UInt64 {
        let b = try canonicalInteger(field, maxBytes: 8)
        return b.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }

    /// A canonical unsigned integer of at most 32 bytes.
    public func amount(_ field: String) throws(RLPError) -> Amount {
        let b = try canonicalInteger(field, maxBytes: 32)
        return (try? Amount(bigEndian: b)) ?? .zero  // at most 32 bytes: cannot fail
    }

    /// Exactly `count` bytes (a hash, an address).
    public func fixedBytes(_ field: String, count: Int) throws(RLPError) -> [UInt8] {
        let b = try bytes(field)
        guard b.count == count else { throw .wrongByteLength(field: field, expected: count, actual: b.count) }
        return b
    }

    private func canonicalInteger(_ field: String, maxBytes: Int) throws(RLPError) -> [UInt8] {
        let b = try bytes(field)
        guard b.first != 0 else { throw .integerWithLeadingZero(field: field) }
        guard b.count <= maxBytes else { throw .integerTooLarge(field: field, maxBytes: maxBytes) }
        return b
    }
}

/// Recursive Length Prefix encoding (Ethereum yellow paper, appendix B), canonical forms only.
///
/// ``decode(_:maxDepth:maxLength:)`` rejects every non-canonical form with a typed ``RLPError``:
/// a single byte below 0x80 wrapped in a header, long-form headers for short payloads, lengths with
/// leading zeros, and trailing bytes. Integer accessors on ``RLPItem`` also reject leading zeros.
public enum RLP {
    /// Default cap on list nesting when decoding.
    public static let defaultMaxDepth = 64
    /// Default cap on input length when decoding (16 MiB).
    public static let defaultMaxLength = 16 << 20

    /// Encodes `item` canonically.
    public static func encode(_ item: RLPItem) -> [UInt8] {
        var out: [UInt8] = []
        append(item, to: &out)
        return out
    }

    private static func append(_ item: RLPItem, to out: inout [UInt8]) {
        switch item {
        case let .bytes(b):
            if b.count == 1, b[0] < 0x80 {
                out.append(b[0])
            } else {
                header(b.count, offset: 0x80, to: &out)
                out += b
            }
        case let .list(items):
            var body: [UInt8] = []
            for i in items { append(i, to: &body) }
            header(body.count, offset: 0xC0, to: &out)
            out += body
        }
    }

    private static func header(_ length: Int, offset: UInt8, to out: inout [UInt8]) {
        if length < 56 {
            out.append(offset + UInt8(length))
        } else {
            let len = minimalBigEndian(UInt64(length))
            out.append(offset + 55 + UInt8(len.count))
            out += len
        }
    }

    /// Big-endian bytes of `value` without leading zeros (zero is empty).
    static func minimalBigEndian(_ value: UInt64) -> [UInt8] {
        var out: [UInt8] = []
        var v = value
        while v > 0 {
            out.insert(UInt8(truncatingIfNeeded: v), at: 0)
            v >>= 8
        }
        return out
    }

    /// Decodes exactly one canonical item spanning all of `bytes`.
    /// - Parameters:
    ///   - maxDepth: deepest list nesting accepted.
    ///   - maxLength: longest input accepted.
    /// - Throws: ``RLPError`` naming the offending byte offset.
    public static func decode(_ bytes: some Collection<UInt8>, maxDepth: Int = defaultMaxDepth,
                              maxLength: Int = defaultMaxLength) throws(RLPError) -> RLPItem {
        let input = Array(bytes)
        guard input.count <= maxLength else { throw .lengthTooLarge(offset: 0, limit: maxLength) }
        var decoder = Decoder(input: input, maxDepth: maxDepth)
        let item = try decoder.item(end: input.count, depth: 0)
        guard decoder.position == input.count else {
            throw .trailingBytes(offset: decoder.position, count: input.count - decoder.position)
        }
        return item
    }

    private struct Decoder {
        let input: [UInt8]
        let maxDepth: Int
        var position = 0

        init(input: [UInt8], maxDepth: Int) {
            self.input = input
            self.maxDepth = maxDepth
        }

        mutating func item(end: Int, depth: Int) throws(RLPError) -> RLPItem {
            let start = position
            guard start < end else { throw .truncated(offset: start, needed: 1, available: 0) }
            let prefix = input[start]
            position += 1
            switch prefix {
            case 0x00...0x7F:
                return .bytes([prefix])
            case 0x80...0xBF:
                let length = try payloadLength(prefix: prefix, base: 0x80, start: start, end: end)
                let payload = Array(input[position..<(position + length)])
                if length == 1, payload[0] < 0x80 { throw .nonCanonicalSingleByte(offset: start) }
                position += length
                return .bytes(payload)
            default:
                guard depth < maxDepth else { throw .tooDeep(limit: maxDepth) }
                let length = try payloadLength(prefix: prefix, base: 0xC0, start: start, end: end)
                let listEnd = position + length
                var items: [RLPItem] = []
                while position < listEnd {
                    items.append(try item(end: listEnd, depth: depth + 1))
                }
                return .list(items)
            }
        }

        /// Reads the rest of a header; leaves `position` at the payload, which is known to fit before `end`.
        mutating func payloadLength(prefix: UInt8, base: UInt8, start: Int, end: Int) throws(RLPError) -> Int {
            let short = Int(prefix - base)
            let length: Int
            if short <= 55 {
                length = short
            } else {
                let lengthOfLength = short - 55
                guard position + lengthOfLength <= end else {
                    throw .truncated(offset: start, needed: 1 + lengthOfLength, available: end - start)
                }
                guard input[position] != 0 else { throw .lengthWithLeadingZero(offset: start) }
                guard lengthOfLength <= 4 else { throw .lengthTooLarge(offset: start, limit: input.count) }
                var value = 0
                for i in 0..<lengthOfLength { value = value << 8 | Int(input[position + i]) }
                position += lengthOfLength
                guard value >= 56 else { throw .nonMinimalLength(offset: start, length: value) }
                length = value
            }
            guard length <= end - position else {
                throw .truncated(offset: start, needed: position - start + length, available: end - start)
            }
            return length
        }
    }
}
