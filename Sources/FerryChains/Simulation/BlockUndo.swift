/// What a reorg needs to take one recent block back: the state changes it made (followed by the faucet, liquidity
/// and transfer changes made while it was the head, which a full snapshot of that head would have included), and
/// its transactions with their arrival order, to return them to the mempool.
struct BlockUndo: Sendable {
    let height: UInt64
    var changes: [StateChange]
    let transactions: [Mempool.Entry]
}
