public import FerryCore

/// What a chain adapter reports when an operation fails. Every case names the chain.
public enum ChainError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The chain (node, RPC endpoint, devnet) could not be reached; retrying later may work.
    case unreachable(ChainID, underlying: String)
    /// The chain refused the operation; `reason` is the chain's own words ("already released", "nonce too low").
    case rejected(ChainID, reason: String)
    /// The account cannot cover amount plus fees.
    case insufficientFunds(ChainID, asset: String, needed: Amount, available: Amount)
    /// Blocks from `fromHeight` were replaced; anything seen at or above it must be re-read.
    case reorged(ChainID, fromHeight: UInt64)
    /// The operation did not complete in time; its outcome is unknown until the chain is read again.
    case timeout(ChainID, operation: String)
    /// The adapter was asked about something it does not know (asset, account, transaction).
    case unknown(ChainID, what: String)

    public var description: String {
        switch self {
        case let .unreachable(chain, underlying):
            "\(chain) is unreachable: \(underlying)"
        case let .rejected(chain, reason):
            "\(chain) rejected the operation: \(reason)"
        case let .insufficientFunds(chain, asset, needed, available):
            "insufficient funds on \(chain): need \(needed) \(asset) (smallest units), have \(available)"
        case let .reorged(chain, fromHeight):
            "\(chain) reorganised from height \(fromHeight); re-read from there"
        case let .timeout(chain, operation):
            "\(chain) timed out during \(operation); its outcome is unknown until the chain is read again"
        case let .unknown(chain, what):
            "\(chain) does not know \(what)"
        }
    }

    /// True for failures where retrying the same call later may succeed.
    public var isTransient: Bool {
        switch self {
        case .unreachable, .timeout, .reorged: true
        case .rejected, .insufficientFunds, .unknown: false
        }
    }
}
