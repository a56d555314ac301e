/// Why bytes are not a valid signed Ethereum transaction, or a transaction cannot be built.
public enum TransactionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The RLP itself is malformed or non-canonical.
    case rlp(RLPError)
    /// No bytes at all.
    case empty
    /// A typed-transaction envelope this build does not handle (only 0x02 and legacy are supported).
    case unsupportedType(UInt8)
    /// A legacy transaction signed without EIP-155 replay protection (v = 27 or 28).
    case missingReplayProtection
    /// v, r or s are out of range: r or s zero or not below n, s above n/2 (EIP-2), or y-parity not 0/1.
    case invalidSignature(reason: String)
    /// A chain id too large to encode in a legacy v.
    case chainIDTooLarge(UInt64)

    public var description: String {
        switch self {
        case let .rlp(e): "malformed transaction: \(e.description)"
        case .empty: "empty transaction bytes"
        case let .unsupportedType(t): "unsupported transaction type 0x\(String(t, radix: 16)) (this build reads type 0x2 and EIP-155 legacy)"
        case .missingReplayProtection: "legacy transaction without EIP-155 replay protection (v is 27 or 28); refused"
        case let .invalidSignature(reason): "invalid transaction signature: \(reason)"
        case let .chainIDTooLarge(id): "chain id \(id) is too large for an EIP-155 legacy transaction"
        }
    }
}
