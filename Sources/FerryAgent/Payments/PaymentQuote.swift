public import FerryCore
public import FerryRouter

/// A router quote bound to the payment it prices: which assets on which chains, who receives, and (for escrow
/// payments) what a refund would cost. This is what the spending policy checks before anything is signed.
public struct PaymentQuote: Sendable, Hashable {
    /// The router's quote: legs with per-hop fees, total to send, delivered, ETA, expiry, reason.
    public let route: Quote
    /// The asset that leaves the agent's wallet.
    public let source: AssetID
    /// The asset the receiver gets.
    public let destination: AssetID
    /// Decimals of the source asset.
    public let sourceDecimals: Int
    /// Decimals of the destination asset.
    public let destinationDecimals: Int
    /// Who is paid on the destination chain (the escrow account for service payments).
    public let receiver: Address
    /// For escrow payments: the fee (destination units) deducted if the escrow must send the money back to the
    /// source chain after a missed deadline. Stated up front so the agent knows the worst case.
    public let refundFee: Amount?

    /// Creates a payment quote.
    public init(route: Quote, source: AssetID, destination: AssetID, sourceDecimals: Int, destinationDecimals: Int,
                receiver: Address, refundFee: Amount? = nil) {
        self.route = route
        self.source = source
        self.destination = destination
        self.sourceDecimals = sourceDecimals
        self.destinationDecimals = destinationDecimals
        self.receiver = receiver
        self.refundFee = refundFee
    }

    /// Total the agent sends, source smallest units (delivered amount plus every fee).
    public var send: Amount { route.send }
    /// What the receiver gets, destination smallest units.
    public var deliver: Amount { route.deliver }
    /// After this instant (unix ms) the quote may not be used.
    public var expiresAtMs: UInt64 { route.expiresAtMs }
    /// p95 of the expected time to delivery, milliseconds.
    public var etaP95Ms: UInt64 { route.eta.p95Ms }

    /// Every chain the route touches, from the node ids (`"<chain id>:<SYMBOL>"`); nil entries are skipped.
    public var chains: Set<ChainID> {
        var out: Set<ChainID> = [source.chain, destination.chain]
        for leg in route.legs {
            for hop in leg.hops {
                for node in [hop.from, hop.to] {
                    if let asset = AssetID(routeNode: node) { out.insert(asset.chain) }
                }
            }
        }
        return out
    }
}

extension AssetID {
    /// The asset of a router node id `"<chain id>:<SYMBOL>"` (the inverse of `RouteNode(asset:)`); nil for other ids.
    init?(routeNode id: String) {
        guard let colon = id.firstIndex(of: ":"), let chain = UInt64(id[..<colon]) else { return nil }
        self.init(chain: ChainID(chain), symbol: String(id[id.index(after: colon)...]))
    }
}
