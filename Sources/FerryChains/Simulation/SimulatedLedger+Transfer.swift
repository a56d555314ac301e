public import FerryCore

extension SimulatedLedger {
    /// Moves `amount` of `asset` from the signer's account to `receiver` at once, outside blocks: the plain
    /// token transfer (an ERC-20 `transfer`, an SPL transfer) that the gateway program does not model. Ferry's
    /// agent uses it to pay a provider out of its escrow account. No fee is charged; supply is unchanged.
    /// - Throws: `.unreachable` (outage), `.unknown` (asset), `.insufficientFunds`.
    public func transfer(_ amount: Amount, asset: String, to receiver: Address, signer: any TransactionSigner) throws(ChainError) {
        try reachable()
        guard config.info.asset(asset) != nil else { throw .unknown(chain, what: "asset \"\(asset)\" (known: \(assetList))") }
        let from = Address(signer.address.bytes32)
        let savepoint = state.savepoint
        do throws(ExecutionFailure) {
            try state.debit(from, asset, amount)
            try state.credit(receiver, asset, amount)
        } catch {
            state.rollBack(to: savepoint)
            throw error.chainError(chain)
        }
        checkpointHead()
    }
}
