import FerryChains
import FerryCore
import FerryCrypto
import Testing

/// How reorgs treat changes made outside blocks, and the mempool's nonce and replacement rules.
@Suite("Ledger history")
struct LedgerHistoryTests {
    @Test("a faucet funding made while a block is the head survives a reorg back to that block and is undone by a deeper one")
    func fundingAcrossReorgs() async throws {
        let chain = try await TestChain.make(.evm)
        let bob = Address(Keccak256.hash("bob"))
        await chain.advance(blocks: 3)
        try await chain.ledger.fund(bob, asset: "USDC", amount: Amount(7))  // head 3
        await chain.advance(blocks: 1)
        try await chain.ledger.fund(bob, asset: "USDC", amount: Amount(5))  // head 4
        try await chain.ledger.addLiquidity("USDC", amount: Amount(11))
        await chain.advance(blocks: 2)  // head 6

        try await chain.ledger.reorg(depth: 2)  // back to block 4, which keeps both fundings
        #expect(try await chain.adapter.balance(of: bob, asset: "USDC") == Amount(12))
        #expect(await chain.ledger.pool("USDC") == (try Amount(1_000_000_000_000) + Amount(11)))
        await chain.expectConserved()

        try await chain.ledger.reorg(depth: 3)  // back to block 3: the funding and liquidity made at head 4 are gone
        #expect(try await chain.adapter.head().height == 6)
        #expect(try await chain.adapter.balance(of: bob, asset: "USDC") == Amount(7))
        #expect(await chain.ledger.pool("USDC") == Amount(1_000_000_000_000))
        await chain.expectConserved()
    }

    @Test("a fee spike after the head block is undone by a reorg, and the replacement blocks are priced from the restored market")
    func spikeAcrossReorg() async throws {
        let chain = try await TestChain.make(.evm)
        await chain.advance(blocks: 2)
        let calm = try await chain.adapter.feeEstimate()
        try await chain.ledger.apply(.feeSpike(factor: 10))
        #expect(try await chain.adapter.feeEstimate().median > calm.median)
        try await chain.ledger.reorg(depth: 1)
        #expect(try await chain.adapter.feeEstimate().median == calm.median)
    }

    @Test("a lock refused by the dry run changes nothing: balances, nonce and gateway nonce stay as they were")
    func refusedDryRun() async throws {
        let chain = try await TestChain.make(.solana)
        let alice = try await chain.account(1)
        let before = try await chain.adapter.balance(of: chain.address(alice), asset: "USDC")
        let native = chain.info.nativeAsset.symbol
        let gas = try await chain.adapter.balance(of: chain.address(alice), asset: native)
        await #expect(throws: ChainError.self) {
            _ = try await chain.adapter.submit(.lock(try await chain.outbound(from: alice, amount: 500_000_000)), signer: alice, priority: .high)
        }
        #expect(try await chain.adapter.balance(of: chain.address(alice), asset: "USDC") == before)
        #expect(try await chain.adapter.balance(of: chain.address(alice), asset: native) == gas)
        #expect(await chain.ledger.pendingNonce(of: chain.address(alice)) == 0)
        let (_, status) = try await chain.mine(.lock(try await chain.outbound(from: alice)), by: alice)
        guard case .included(_, true, _) = status else { Issue.record("\(status)"); return }
        let events = try await chain.events(from: 0)
        let nonces = events.compactMap { event -> UInt64? in if case let .locked(_, t, _, _) = event { t.nonce } else { nil } }
        #expect(nonces == [0])
        await chain.expectConserved()
    }

    @Test("the next nonce counts pending transactions, gaps included, and a replacement keeps its predecessor's nonce")
    func pendingNonces() async throws {
        let chain = try await TestChain.make(.evm)
        // The clock stands still: no block is produced, everything stays pending.
        let relayer = try await chain.account(9)
        let from = chain.address(relayer)
        let first = try await chain.inbound(to: Address(Keccak256.hash("bob")), nonce: 1)
        let firstSigs = try chain.attest(.release(messageId: first.messageId))
        let low = try await chain.adapter.submit(.release(first, signatures: firstSigs), signer: relayer, priority: .low)
        #expect(await chain.ledger.pendingNonce(of: from) == 1)
        let second = try await chain.inbound(to: Address(Keccak256.hash("carol")), nonce: 2)
        _ = try await chain.adapter.submit(.release(second, signatures: try chain.attest(.release(messageId: second.messageId))),
                                           signer: relayer, priority: .low)
        #expect(await chain.ledger.pendingNonce(of: from) == 2)

        // A signed transaction three nonces ahead leaves a gap; the next nonce is after it.
        let (_, bid) = try await chain.ledger.transactionTemplate(from: from, kind: .release, priority: .low)
        let third = try await chain.inbound(to: Address(Keccak256.hash("dave")), nonce: 3)
        let call = GatewayCall.release(third, signatures: try chain.attest(.release(messageId: third.messageId)))
        let hash = SimTransaction.signingHash(chain: chain.info.id, from: from, nonce: 5, call: call, bid: bid)
        let ahead = SimTransaction(chain: chain.info.id, from: from, nonce: 5, call: call, bid: bid, signature: try relayer.sign(digest: hash))
        _ = try await chain.ledger.submit(signed: ahead)
        #expect(await chain.ledger.pendingNonce(of: from) == 6)
        await #expect(throws: ChainError.rejected(chain.info.id, reason: "nonce 5 already used by a pending transaction")) {
            let again = SimTransaction(chain: chain.info.id, from: from, nonce: 5, call: .release(first, signatures: firstSigs), bid: bid,
                                       signature: try relayer.sign(digest: SimTransaction.signingHash(
                                           chain: chain.info.id, from: from, nonce: 5, call: .release(first, signatures: firstSigs), bid: bid)))
            _ = try await chain.ledger.submit(signed: again)
        }

        // The same release again replaces the first one at nonce 0.
        let replacement = try await chain.adapter.submit(.release(first, signatures: firstSigs), signer: relayer, priority: .low)
        #expect(replacement != low)
        #expect(try await chain.adapter.transaction(low) == .dropped)
        #expect(try await chain.adapter.transaction(replacement) == .pending)
        #expect(await chain.ledger.pendingNonce(of: from) == 6)
        #expect(await chain.ledger.pendingCount == 3)

        await chain.ledger.dropPending()
        #expect(await chain.ledger.pendingNonce(of: from) == 0)
        #expect(try await chain.adapter.transaction(replacement) == .dropped)
    }
}
