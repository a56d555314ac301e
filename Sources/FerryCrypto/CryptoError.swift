/// Everything that can go wrong in FerryCrypto. Each case carries what a person needs to fix it.
public enum CryptoError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Text that should be hex is not.
    case invalidHex(text: String, reason: String)
    /// A byte string has the wrong length.
    case invalidLength(what: String, expected: Int, actual: Int)

    public var description: String {
        switch self {
        case let .invalidHex(text, reason):
            "invalid hex \"\(text)\": \(reason)"
        case let .invalidLength(what, expected, actual):
            "\(what) must be \(expected) bytes, got \(actual)"
        }
    }
}
