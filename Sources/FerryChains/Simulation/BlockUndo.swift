/// What a reorg needs to take one recent block back: the state changes it made, followed by the faucet, liquidity
/// and transfer changes made while it was the head (which a full snapshot of that head would have included).
struct BlockUndo: Sendable {
    let height: UInt64
    var changes: [StateChange]
}
