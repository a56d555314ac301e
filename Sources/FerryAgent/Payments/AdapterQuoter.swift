public import FerryChains
public import FerryCore
public import FerryRouter

/// What to quote: deliver exactly `amount` of `destination` to `receiver`, paying with `source`.
public struct QuoteRequest: Sendable, Hashable, Codable {
    /// The asset that leaves the wallet.
    public var source: AssetID
    /// The asset the receiver gets.
    public var destination: AssetID
    /// Exact amount to deliver, destination smallest units.
    public var amount: Amount
    /// Who is paid.
    public var receiver: Address

    /// Creates a request.
    public init(source: AssetID, destination: AssetID, amount: Amount, receiver: Address) {
        self.source = source
        self.destination = destination
        self.amount = amount
        self.receiver = receiver
    }
}

/// Produces priced quotes for payments. The production implementation is ``AdapterQuoter``; tests may supply
/// their own.
public protocol PaymentQuoter: Sendable {
    /// Quotes delivering exactly `request.amount` (exact output, solved backward from the destination).
    func quote(_ request: QuoteRequest) async throws(PaymentError) -> PaymentQuote
    /// Quotes sending exactly `amount` of `from` back to `to` (exact input): the refund route of an escrow.
    func quoteReturn(_ amount: Amount, from: AssetID, to: AssetID, receiver: Address) async throws(PaymentError) -> PaymentQuote
}

/// A bridge lane the quoter may route over, described without market conditions.
public struct BridgeLane: Sendable, Hashable {
    /// Source asset.
    public var from: AssetID
    /// Destination asset (same smallest unit as `from`: the router's single-unit model).
    public var to: AssetID
    /// Flat fee, input smallest units.
    public var flatFee: Amount
    /// Proportional fee, parts per million of the output (rounded up).
    public var feePPM: UInt32
    /// Gateway calls charged at the destination (release); priced from the destination adapter's fee estimate.
    public var destinationCalls: UInt64
    /// Expected latency (p50 / p95), usually lock finality + attestation + release inclusion.
    public var latency: Latency
    /// Bridge name (for route constraints).
    public var bridge: String

    /// Creates a lane.
    public init(from: AssetID, to: AssetID, flatFee: Amount, feePPM: UInt32, destinationCalls: UInt64 = 1,
                latency: Latency, bridge: String = "ferry") {
        self.from = from
        self.to = to
        self.flatFee = flatFee
        self.feePPM = feePPM
        self.destinationCalls = destinationCalls
        self.latency = latency
        self.bridge = bridge
    }

    var id: String { "\(bridge):\(RouteNode(asset: from).id)>\(RouteNode(asset: to).id)" }
}

/// Quotes from live adapter fee estimates: every quote takes a fresh ``FeeSnapshot`` (median cost of one gateway
/// call per chain, converted into the lane's unit with `nativeRates`) and asks the ``Router``.
public struct AdapterQuoter: PaymentQuoter {
    /// Adapters by chain.
    public let adapters: [ChainID: any ChainAdapter]
    /// Lanes to route over.
    public let lanes: [BridgeLane]
    /// Per chain: one native smallest unit = this many smallest units of the lanes' asset.
    public let nativeRates: [ChainID: ExchangeRate]
    /// How long a quote stays valid after its snapshot, ms.
    public let validForMs: UInt64
    /// Current unix ms.
    public let now: @Sendable () -> UInt64

    /// Creates a quoter.
    public init(adapters: [ChainID: any ChainAdapter], lanes: [BridgeLane], nativeRates: [ChainID: ExchangeRate],
                validForMs: UInt64 = 30_000, now: @escaping @Sendable () -> UInt64) {
        self.adapters = adapters
        self.lanes = lanes
        self.nativeRates = nativeRates
        self.validForMs = validForMs
        self.now = now
    }

    public func quote(_ request: QuoteRequest) async throws(PaymentError) -> PaymentQuote {
        try await price(.deliver(request.amount, from: RouteNode(asset: request.source).id, to: RouteNode(asset: request.destination).id),
                        source: request.source, destination: request.destination, receiver: request.receiver)
    }

    public func quoteReturn(_ amount: Amount, from: AssetID, to: AssetID, receiver: Address) async throws(PaymentError) -> PaymentQuote {
        try await price(.send(amount, from: RouteNode(asset: from).id, to: RouteNode(asset: to).id),
                        source: from, destination: to, receiver: receiver)
    }

    /// The decimals of `asset`, checking that an adapter knows its chain and the chain knows the asset.
    /// - Throws: ``PaymentError/unknownChain(_:known:)``, ``PaymentError/unknownAsset(_:known:)``.
    public func decimals(of asset: AssetID) throws(PaymentError) -> Int {
        guard let adapter = adapters[asset.chain] else { throw .unknownChain(asset.chain, known: adapters.keys.sorted()) }
        guard let info = adapter.info.asset(asset.symbol) else {
            throw .unknownAsset(asset, known: adapter.info.assets.map(\.symbol))
        }
        return info.decimals
    }

    private func price(_ query: RouteQuery, source: AssetID, destination: AssetID, receiver: Address) async throws(PaymentError) -> PaymentQuote {
        let sourceDecimals = try decimals(of: source)
        let destinationDecimals = try decimals(of: destination)
        let taken = now()
        var snapshot = FeeSnapshot(id: "adapters@\(taken)", takenAtMs: taken)
        var nodes: Set<String> = []
        for lane in lanes {
            nodes.insert(RouteNode(asset: lane.from).id)
            nodes.insert(RouteNode(asset: lane.to).id)
        }
        for chain in Set(lanes.map(\.to.chain)).sorted() {
            guard let adapter = adapters[chain] else { continue }
            let estimate: FeeEstimate
            do { estimate = try await adapter.feeEstimate() } catch { throw .chain(error) }
            snapshot.gasPrices["\(chain.rawValue)"] = estimate.median
            if let rate = nativeRates[chain] { snapshot.nativeRates["\(chain.rawValue)"] = rate }
        }
        let specs = lanes.map { lane in
            LaneSpec(id: lane.id, from: RouteNode(asset: lane.from).id, to: RouteNode(asset: lane.to).id, kind: .bridge(lane.bridge),
                     pricing: .lane(flatFee: lane.flatFee, feePPM: lane.feePPM, gasUnits: lane.destinationCalls), latency: lane.latency)
        }
        let route: Quote
        do {
            let graph = try RouteGraph(specs: specs, nodes: nodes.sorted().map { RouteNode(id: $0) }, snapshot: snapshot)
            route = try Router(graph: graph).quote(query, snapshot: snapshot, validForMs: validForMs)
        } catch {
            throw .noRoute(reason: error.description)
        }
        return PaymentQuote(route: route, source: source, destination: destination, sourceDecimals: sourceDecimals,
                            destinationDecimals: destinationDecimals, receiver: receiver)
    }
}
