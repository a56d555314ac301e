public import FerryCore

/// A lane described independently of market conditions; ``RouteGraph/init(specs:nodes:snapshot:)`` prices it.
public struct LaneSpec: Sendable, Hashable {
    /// How the lane charges.
    public enum Pricing: Sendable, Hashable {
        /// Bridge or transfer: flat fee + ppm + `gasUnits` of destination gas at the snapshot's price.
        case lane(flatFee: Amount, feePPM: UInt32, gasUnits: UInt64)
        /// Constant-product pool with the given reserves and fee.
        case pool(reserveIn: Amount, reserveOut: Amount, feePPM: UInt32)
    }

    /// Lane id (also the key for ``FeeSnapshot/headroom``).
    public let id: String
    /// Source node id.
    public let from: String
    /// Destination node id.
    public let to: String
    /// Edge kind.
    public let kind: RouteLane.Kind
    /// Pricing.
    public let pricing: Pricing
    /// Latency.
    public let latency: Latency
    /// Static capacity, nil for unlimited; the snapshot's headroom overrides it.
    public let capacity: Amount?

    /// Creates a spec.
    public init(id: String, from: String, to: String, kind: RouteLane.Kind, pricing: Pricing, latency: Latency, capacity: Amount? = nil) {
        self.id = id
        self.from = from
        self.to = to
        self.kind = kind
        self.pricing = pricing
        self.latency = latency
        self.capacity = capacity
    }
}

extension RouteGraph {
    /// Builds a graph by pricing `specs` with `snapshot`: destination gas = `gasUnits x gasPrices[destination chain]`
    /// converted with `nativeRates[destination chain]` (rounded up); capacity = `headroom[id]` if present.
    /// - Throws: ``RouteError/invalidGraph(reason:)`` when a lane needs a gas price or rate the snapshot lacks,
    ///   a pool is empty, or a fee overflows.
    public init(specs: [LaneSpec], nodes: [RouteNode], snapshot: FeeSnapshot) throws(RouteError) {
        let chainOf = Dictionary(nodes.map { ($0.id, $0.chain) }, uniquingKeysWith: { a, _ in a })
        var lanes: [RouteLane] = []
        lanes.reserveCapacity(specs.count)
        for spec in specs {
            let fee: EdgeFee
            do {
                switch spec.pricing {
                case let .lane(flat, ppm, gasUnits):
                    var gas: GasCost?
                    if gasUnits > 0 {
                        guard let chain = chainOf[spec.to], let price = snapshot.gasPrices[chain], let rate = snapshot.nativeRates[chain] else {
                            throw RouteError.invalidGraph(reason: "lane \(spec.id) charges gas on \(spec.to) but the snapshot has no gas price or native rate for its chain")
                        }
                        gas = GasCost(gasUnits: gasUnits, gasPrice: price, nativeToAsset: rate)
                    }
                    fee = .lane(try LaneFee(flatFee: flat, feePPM: ppm, gas: gas))
                case let .pool(reserveIn, reserveOut, ppm):
                    fee = .amm(try ConstantProductFee(reserveIn: reserveIn, reserveOut: reserveOut, feePPM: ppm))
                }
            } catch let error as RouteError {
                throw error
            } catch {
                throw .invalidGraph(reason: "lane \(spec.id): \(error)")
            }
            lanes.append(RouteLane(id: spec.id, from: spec.from, to: spec.to, kind: spec.kind, fee: fee, latency: spec.latency,
                                   capacity: snapshot.headroom[spec.id] ?? spec.capacity))
        }
        try self.init(nodes: nodes, lanes: lanes)
    }
}
