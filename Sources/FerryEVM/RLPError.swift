/// Why bytes are not canonical RLP, or not the RLP shape a caller expected.
///
/// Offsets are byte positions in the input, so a person can find the bad byte in a hex dump.
public enum RLPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The input ended before the item did.
    case truncated(offset: Int, needed: Int, available: Int)
    /// A single byte below 0x80 was wrapped in a string header (`0x81 0x05` instead of `0x05`).
    case nonCanonicalSingleByte(offset: Int)
    /// A long-form header was used for a payload shorter than 56 bytes.
    case nonMinimalLength(offset: Int, length: Int)
    /// A long-form length began with a zero byte.
    case lengthWithLeadingZero(offset: Int)
    /// A long-form length does not fit in memory or exceeds the decoder's cap.
    case lengthTooLarge(offset: Int, limit: Int)
    /// Bytes remained after the one top-level item.
    case trailingBytes(offset: Int, count: Int)
    /// Lists nested deeper than the decoder's cap.
    case tooDeep(limit: Int)
    /// An integer field carried leading zero bytes (zero itself is the empty string).
    case integerWithLeadingZero(field: String)
    /// An integer field is wider than its type.
    case integerTooLarge(field: String, maxBytes: Int)
    /// A field was a list where a byte string belongs, or the reverse.
    case unexpectedShape(field: String, expected: String)
    /// A list had the wrong number of items.
    case wrongItemCount(what: String, expected: Int, actual: Int)
    /// A fixed-size byte field (an address, a hash) had another length.
    case wrongByteLength(field: String, expected: Int, actual: Int)

    public var description: String {
        switch self {
        case let .truncated(offset, needed, available):
            "RLP item at byte \(offset) needs \(needed) bytes but only \(available) remain"
        case let .nonCanonicalSingleByte(offset):
            "non-canonical RLP at byte \(offset): a single byte below 0x80 must be encoded as itself"
        case let .nonMinimalLength(offset, length):
            "non-canonical RLP at byte \(offset): long-form header for a \(length)-byte payload (short form required below 56)"
        case let .lengthWithLeadingZero(offset):
            "non-canonical RLP at byte \(offset): length of length starts with a zero byte"
        case let .lengthTooLarge(offset, limit):
            "RLP item at byte \(offset) declares a length above the \(limit)-byte limit"
        case let .trailingBytes(offset, count):
            "\(count) trailing bytes after the RLP item, starting at byte \(offset)"
        case let .tooDeep(limit):
            "RLP lists nested deeper than \(limit) levels"
        case let .integerWithLeadingZero(field):
            "non-canonical RLP integer \(field): leading zero bytes (zero is the empty string)"
        case let .integerTooLarge(field, maxBytes):
            "RLP integer \(field) is longer than \(maxBytes) bytes"
        case let .unexpectedShape(field, expected):
            "RLP field \(field) should be \(expected)"
        case let .wrongItemCount(what, expected, actual):
            "\(what) should have \(expected) RLP items, has \(actual)"
        case let .wrongByteLength(field, expected, actual):
            "RLP field \(field) should be \(expected) bytes, is \(actual)"
        }
    }
}
