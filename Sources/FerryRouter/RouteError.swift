public import FerryCore

/// Why the router could not answer. Every case names the node, lane or amount involved.
public enum RouteError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The query names a node the graph does not contain.
    case unknownNode(String)
    /// The graph itself is malformed (duplicate node, lane to an unknown node, bad number...).
    case invalidGraph(reason: String)
    /// An amount in the query is unusable (zero, negative, not an integer, too large).
    case invalidAmount(reason: String)
    /// The query contradicts itself or asks for an unsupported combination.
    case invalidQuery(reason: String)
    /// No path or split satisfies the query; `reason` says which limit bit.
    case noRoute(from: String, to: String, reason: String)
    /// A fee computation on `lane` exceeded 2^256-1; the router never answers with a wrapped amount.
    case amountOverflow(lane: String, detail: String)

    /// A stable machine-readable code, used as `"error"` in the CLI's JSON output.
    public var code: String {
        switch self {
        case .unknownNode: "unknown_node"
        case .invalidGraph: "invalid_graph"
        case .invalidAmount: "invalid_amount"
        case .invalidQuery: "invalid_query"
        case .noRoute: "no_route"
        case .amountOverflow: "amount_overflow"
        }
    }

    /// The one-sentence reason, without the code.
    public var reason: String {
        switch self {
        case let .unknownNode(id): "node \"\(id)\" is not in the graph"
        case let .invalidGraph(reason): "invalid graph: \(reason)"
        case let .invalidAmount(reason): "invalid amount: \(reason)"
        case let .invalidQuery(reason): "invalid query: \(reason)"
        case let .noRoute(from, to, reason): "no route from \(from) to \(to): \(reason)"
        case let .amountOverflow(lane, detail): "amount overflow on lane \(lane): \(detail); no route is quoted rather than a wrong one"
        }
    }

    public var description: String { "\(code): \(reason)" }
}
