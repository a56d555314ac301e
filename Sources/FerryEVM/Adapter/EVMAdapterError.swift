public import FerryChains
public import FerryCore
public import FerryCrypto

/// Why ``EVMAdapter/connect(info:configuration:httpClient:)`` refused to start.
public enum EVMStartupError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The node serves another chain than the configuration names: refusing prevents signing for the wrong chain.
    case chainIDMismatch(configured: ChainID, reported: UInt64, endpoint: String)
    /// No contract code at the configured gateway address.
    case gatewayMissing(ChainID, gateway: EthereumAddress, endpoint: String)
    /// The node could not be asked.
    case unavailable(ChainError)

    public var description: String {
        switch self {
        case let .chainIDMismatch(configured, reported, endpoint):
            "the node at \(endpoint) reports chain id \(reported), but the configuration is for chain id \(configured.rawValue); "
                + "refusing to start (fix the RPC URL or the chain entry)"
        case let .gatewayMissing(chain, gateway, endpoint):
            "no contract at the gateway address \(gateway) on \(chain) (node \(endpoint)); deploy FerryGateway or fix the chain entry"
        case let .unavailable(error):
            "cannot start the EVM adapter: \(error)"
        }
    }
}

extension RPCError {
    /// The adapter-level view of a JSON-RPC failure on `chain`.
    ///
    /// Transport failures, HTTP errors and malformed answers are `.unreachable` (a node that answers
    /// garbage is as unusable as one that is down); timeouts are `.timeout`; node errors are `.rejected`
    /// with the decoded revert reason when there is one, else the node's message.
    func chainError(_ chain: ChainID) -> ChainError {
        switch self {
        case .unreachable, .http, .invalidEndpoint, .cancelled:
            .unreachable(chain, underlying: description)
        case .malformed, .tooLarge:
            .unreachable(chain, underlying: "the node answered malformed data: \(description)")
        case let .timeout(_, method, _):
            .timeout(chain, operation: method)
        case let .node(method, _, message, _, revert):
            if let revert, revert != .empty {
                .rejected(chain, reason: revert.description)
            } else if message.lowercased().contains("insufficient funds") {
                .rejected(chain, reason: "insufficient funds: \(message)")
            } else {
                .rejected(chain, reason: "\(method): \(message)")
            }
        }
    }
}
