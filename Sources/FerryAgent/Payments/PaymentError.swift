public import FerryChains
public import FerryCore

/// Why a payment operation failed. Bad input names the field; chain and store failures carry their cause.
public enum PaymentError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No adapter for the chain.
    case unknownChain(ChainID, known: [ChainID])
    /// The chain has no such asset.
    case unknownAsset(AssetID, known: [String])
    /// A request field is malformed (amount with too many decimals, zero amount, empty key...).
    case invalidField(field: String, reason: String)
    /// The router found no route (or the route cannot be executed yet).
    case noRoute(reason: String)
    /// The idempotency key was used before for a different request.
    case idempotencyKeyReused(key: String, paymentID: String)
    /// No payment or escrow with that id.
    case notFound(what: String, id: String)
    /// The operation does not apply in the current state.
    case wrongState(id: String, state: String, operation: String)
    /// Escrow evidence did not verify.
    case escrowEvidenceRejected(escrowID: String, reason: String)
    /// A chain adapter failed.
    case chain(ChainError)
    /// The wallet has no key for a chain or could not sign.
    case wallet(WalletError)
    /// The SQLite store failed.
    case store(AgentStoreError)

    public var description: String {
        switch self {
        case let .unknownChain(chain, known):
            "unknown \(chain); known chains: \(known.map { "\($0.rawValue)" }.joined(separator: ", "))"
        case let .unknownAsset(asset, known):
            "unknown asset \(asset.symbol) on \(asset.chain); it has: \(known.joined(separator: ", "))"
        case let .invalidField(field, reason): "\(field): \(reason)"
        case let .noRoute(reason): "no route: \(reason)"
        case let .idempotencyKeyReused(key, paymentID):
            "idempotency key \"\(key)\" was already used for a different request (payment \(paymentID)); use a new key"
        case let .notFound(what, id): "no \(what) with id \(id)"
        case let .wrongState(id, state, operation): "cannot \(operation) \(id): it is \(state)"
        case let .escrowEvidenceRejected(id, reason): "escrow \(id): evidence rejected: \(reason)"
        case let .chain(error): error.description
        case let .wallet(error): error.description
        case let .store(error): error.description
        }
    }
}
