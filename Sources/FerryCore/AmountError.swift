/// Why an amount could not be parsed or computed. Money never wraps, rounds silently or goes negative.
public enum AmountError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The result does not fit in 256 bits.
    case overflow(operation: String)
    /// A subtraction would go below zero.
    case underflow(minuend: String, subtrahend: String)
    /// Division by zero (also a zero denominator in an exchange rate).
    case divisionByZero(operation: String)
    /// Text is not an amount: says what was wrong.
    case invalid(text: String, reason: String)
    /// A decimal string has more fractional digits than the asset allows.
    case tooManyDecimals(text: String, allowed: Int)

    public var description: String {
        switch self {
        case let .overflow(operation):
            "amount overflow: \(operation) exceeds 2^256-1"
        case let .underflow(minuend, subtrahend):
            "amount underflow: \(minuend) - \(subtrahend) would be negative"
        case let .divisionByZero(operation):
            "division by zero in \(operation)"
        case let .invalid(text, reason):
            "invalid amount \"\(text)\": \(reason)"
        case let .tooManyDecimals(text, allowed):
            "amount \"\(text)\" has more than \(allowed) decimal places, the most this asset allows"
        }
    }
}

/// Which way to round an inexact division. Ferry rounds against the payer: fees and required inputs up,
/// what a payer receives down.
public enum Rounding: Sendable, Hashable {
    case up
    case down
}
