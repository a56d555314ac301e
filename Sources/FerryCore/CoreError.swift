/// Errors in Ferry's core types other than arithmetic (see ``AmountError``).
public enum CoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Text that should be an address is not.
    case invalidAddress(text: String, reason: String)
    /// An ABI-encoded transfer is malformed: which field (or word) and why.
    case malformedTransfer(field: String, reason: String)
    /// A multi-hop route does not hold together: which hop (0 is the first) and why.
    case invalidRoute(hop: Int, reason: String)

    public var description: String {
        switch self {
        case let .invalidAddress(text, reason): "invalid address \"\(text)\": \(reason)"
        case let .malformedTransfer(field, reason): "malformed transfer: \(field): \(reason)"
        case let .invalidRoute(hop, reason): "invalid route at hop \(hop): \(reason)"
        }
    }
}
