import FerryCrypto

/// One block of a simulated ledger, as kept for event queries.
struct SimBlock: Sendable {
    let ref: BlockRef
    let transactions: [TxID]
    /// Gateway events in transaction order.
    let events: [GatewayEvent]
    /// Units used by real and background demand.
    let usedUnits: UInt64
}
