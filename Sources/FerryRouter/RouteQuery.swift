public import FerryCore

/// A routing question: move value from one node to another, fixing either what arrives or what leaves.
public struct RouteQuery: Sendable, Hashable {
    /// Which end of the route is fixed.
    public enum Fixed: Sendable, Hashable {
        /// Exact output: deliver exactly this much at the destination; the route is solved backward.
        case deliver(Amount)
        /// Exact input: send exactly this much from the source; the route maximises what arrives.
        case send(Amount)
    }

    /// Source node id (where the payer's value is).
    public var from: String
    /// Destination node id.
    public var to: String
    /// The fixed amount.
    public var amount: Fixed
    /// Limits the route must respect.
    public var constraints: RouteConstraints
    /// What "best" means.
    public var objective: RouteObjective

    /// Creates a query.
    public init(from: String, to: String, amount: Fixed, constraints: RouteConstraints = .init(), objective: RouteObjective = .cheapest) {
        self.from = from
        self.to = to
        self.amount = amount
        self.constraints = constraints
        self.objective = objective
    }

    /// Exact-output query.
    public static func deliver(_ amount: Amount, from: String, to: String, constraints: RouteConstraints = .init(),
                               objective: RouteObjective = .cheapest) -> RouteQuery {
        RouteQuery(from: from, to: to, amount: .deliver(amount), constraints: constraints, objective: objective)
    }

    /// Exact-input query.
    public static func send(_ amount: Amount, from: String, to: String, constraints: RouteConstraints = .init(),
                            objective: RouteObjective = .cheapest) -> RouteQuery {
        RouteQuery(from: from, to: to, amount: .send(amount), constraints: constraints, objective: objective)
    }
}

/// What the router minimises. Ties always break by fewer hops, then lower p95 latency, then path order.
public enum RouteObjective: Sendable, Hashable {
    /// Least sent (exact output) or most delivered (exact input).
    case cheapest
    /// Lowest p95 latency, then cheapest.
    case fastest
    /// Least `send + ceil(valuePerSecond * p95Ms / 1000)`: a price on waiting, in the source's smallest unit.
    /// Exact-output queries only.
    case cheapestWithTimeValue(perSecond: Amount)
}
