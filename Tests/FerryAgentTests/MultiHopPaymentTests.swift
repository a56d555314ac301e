import FerryAgent
import FerryChains
import FerryCore
import FerryCrypto
import Foundation
import Testing

/// Payments over a two-hop route A -> B -> C (no lane joins A and C), the test standing in for the relayers.
@Suite("Multi-hop payments")
struct MultiHopPaymentTests {
    /// Advances until the payment's lock is included and final on A.
    static func lockFinal(_ world: TestWorld, _ id: String) async throws -> Payment {
        var payment = try await world.service.refresh(id)
        var rounds = 0
        while !(payment.state == .locked && payment.lockFinalized), rounds < 40 {
            rounds += 1
            await world.advance(seconds: 12)
            payment = try await world.service.refresh(id)
        }
        return payment
    }

    @Test("one signed lock pays across two hops: the first forwards on B, the second delivers on C, nothing stays on B")
    func twoHops() async throws {
        let world = try await TestWorld.make(withChainC: true)
        let merchant = Address(Keccak256.hash("compute on C"))
        let before = try await world.balance(world.agentAccount, on: TestWorld.a)
        let request = PaymentRequest(source: TestWorld.usdcA, destination: TestWorld.usdcC, amount: Amount(10_000_000), receiver: merchant)
        let submitted = try await world.service.pay(request, idempotencyKey: "two-hops")
        #expect(submitted.state == .submitted, "\(submitted.failure ?? submitted.refusal?.description ?? "")")
        #expect(submitted.quote?.lanes.count == 2)
        let onward = try #require(submitted.onward)
        #expect(onward.count == 1 && onward[0].sourceChain == TestWorld.b && onward[0].destChain == TestWorld.c)

        let locked = try await Self.lockFinal(world, submitted.id)
        let first = try #require(locked.transfer)
        #expect(first.forwards && first.destChain == TestWorld.b)
        // The relayers' part: the onward hops come from the source gateway, the release carries them.
        let fromGateway = try await #require(world.adapters[TestWorld.a]).onwardHops(of: first.messageId)
        #expect(fromGateway == onward)
        try await world.release(first, on: TestWorld.b, onward: fromGateway)
        let forwarded = try await world.service.refresh(submitted.id)
        #expect(forwarded.state == .locked)
        let second = try #require(forwarded.forwarded?.first)
        #expect(second.routeCommitment == onward[0].routeCommitment && second.receiver == merchant)
        #expect(try await world.balance(world.agentAccount, on: TestWorld.b) == .zero, "the value left B again as the second lock")

        await world.advance(seconds: 12)  // the second lock is final on B (3 blocks of 2 s)
        try await world.release(second, on: TestWorld.c)
        let done = try await world.settle(submitted.id, until: .delivered, step: 2)
        #expect(done.state == .delivered)
        #expect(try await world.balance(merchant, on: TestWorld.c) == Amount(10_000_000))
        let send = try #require(done.quote?.send)
        #expect(try await world.balance(world.agentAccount, on: TestWorld.a) == (try before - send))
        let kinds = try await world.service.timeline(done.id).map(\.kind)
        #expect(kinds == [.quoted, .authorized, .submitted, .locked, .finalized, .forwarded, .released, .delivered])
        #expect(try await world.service.budget.counts() == ["committed": 1])
        for ledger in [world.ledgerA, world.ledgerB, try #require(world.ledgerC)] {
            for line in await ledger.conservation() { #expect(line.holds, "\(line)") }
        }
    }

    @Test("a second hop that is never released is cancelled on C and refunded to the wallet on B; the reservation is released")
    func secondHopRefunded() async throws {
        let world = try await TestWorld.make(policy: SpendingPolicy(budgets: ["USDC": Amount(100_000)]), withChainC: true)
        let request = PaymentRequest(source: TestWorld.usdcA, destination: TestWorld.usdcC, amount: Amount(4_000_000),
                                     receiver: Address(Keccak256.hash("offline provider")))
        let submitted = try await world.service.pay(request, idempotencyKey: "stuck-on-c")
        let locked = try await Self.lockFinal(world, submitted.id)
        let first = try #require(locked.transfer)
        try await world.release(first, on: TestWorld.b, onward: try #require(locked.onward))
        let second = try #require(try await world.service.refresh(submitted.id).forwarded?.first)
        // Nobody releases the second hop: after its deadline the relayers cancel it on C and refund it on B.
        await world.advance(seconds: Int64(second.deadline) - Int64(world.clock.unixMillis / 1000) + 30)
        let domainC = try #require(world.adapters[TestWorld.c]).info.attestationDomain
        let digest = FerryAttestation.cancel(messageId: second.messageId).digest(in: domainC)
        let sigs = try [world.relayers[0], world.relayers[2]].map { try $0.key.sign(digest: digest) }
        // The refund needs Refund attestations in B's (the source's) own domain.
        let domainB = try #require(world.adapters[TestWorld.b]).info.attestationDomain
        let refundDigest = FerryAttestation.refund(messageId: second.messageId).digest(in: domainB)
        let refundSigs = try [world.relayers[0], world.relayers[2]].map { try $0.key.sign(digest: refundDigest) }
        for (chain, call) in [(TestWorld.c, GatewayCall.cancel(second, signatures: sigs)), (TestWorld.b, .refund(second, signatures: refundSigs))] {
            let adapter = try #require(world.adapters[chain])
            let tx = try await adapter.submit(call, signer: world.executor, priority: .high)
            var rounds = 0
            while try await adapter.transaction(tx) == .pending, rounds < 20 { rounds += 1; await world.advance(seconds: 2) }
        }
        let refunded = try await world.settle(submitted.id, until: .refunded, step: 2)
        #expect(refunded.state == .refunded)
        // What was not delivered is back with the wallet, on B: the second hop's amount and fee.
        let expected = try second.amount + second.fee
        #expect(try await world.balance(world.agentAccount, on: TestWorld.b) == expected)
        #expect(try await world.service.budget.counts() == ["released": 1])
        let timeline = try await world.service.timeline(submitted.id)
        #expect(timeline.map(\.kind).suffix(3) == [.forwarded, .cancelled, .refunded])
        #expect(timeline.last?.detail.contains("hop 2 of 2 refunded to the wallet") == true && timeline.last?.detail.hasSuffix("on chain 2") == true)
    }

    @Test("a route through a chain where the wallet has no key is refused before anything is signed")
    func payerMustHoldEveryChain() async throws {
        let world = try await TestWorld.make(withChainC: true)
        let narrow = PaymentService(adapters: world.adapters, wallet: Wallet(signers: [TestWorld.a: world.agent]),
                                    escrowWallet: Wallet(signers: [TestWorld.b: world.escrowKey]), quoter: world.quoter,
                                    policy: SpendingPolicy(), prices: world.prices,
                                    database: try AgentDatabase(path: world.directory.appendingPathComponent("narrow.sqlite").path),
                                    now: { world.clock.unixMillis })
        let before = try await world.balance(world.agentAccount, on: TestWorld.a)
        let payment = try await narrow.pay(PaymentRequest(source: TestWorld.usdcA, destination: TestWorld.usdcC, amount: Amount(1_000_000),
                                                          receiver: Address(Keccak256.hash("x"))), idempotencyKey: "no-key-on-b")
        #expect(payment.state == .failed)
        #expect(payment.failure?.contains("where the wallet has no key") == true, "\(payment.failure ?? "")")
        #expect(payment.lockTx == nil)
        #expect(try await world.balance(world.agentAccount, on: TestWorld.a) == before)
        #expect(try await world.ledgerA.pendingCount == 0)
    }

    @Test("a route through a chain whose gateway does not forward is refused before anything is signed")
    func intermediateMustForward() async throws {
        let world = try await TestWorld.make(withChainC: true)
        var adapters = world.adapters
        adapters[TestWorld.b] = NonForwardingAdapter(inner: try #require(world.adapters[TestWorld.b]))
        let quoter = AdapterQuoter(adapters: adapters, lanes: world.quoter.lanes, nativeRates: world.quoter.nativeRates,
                                   now: { world.clock.unixMillis })
        let service = PaymentService(adapters: adapters, wallet: Wallet(signers: [TestWorld.a: world.agent, TestWorld.b: world.agent]),
                                     escrowWallet: Wallet(signers: [TestWorld.b: world.escrowKey]), quoter: quoter,
                                     policy: SpendingPolicy(), prices: world.prices,
                                     database: try AgentDatabase(path: world.directory.appendingPathComponent("vyper.sqlite").path),
                                     now: { world.clock.unixMillis })
        let payment = try await service.pay(PaymentRequest(source: TestWorld.usdcA, destination: TestWorld.usdcC, amount: Amount(1_000_000),
                                                           receiver: Address(Keccak256.hash("y"))), idempotencyKey: "through-vyper")
        #expect(payment.state == .failed && payment.lockTx == nil)
        #expect(payment.failure?.contains("ends on chain 2, whose gateway does not forward multi-hop routes") == true, "\(payment.failure ?? "")")
        #expect(try await world.ledgerA.pendingCount == 0)
    }
}

/// A chain whose gateway has no multi-hop routes (like the Vyper gateway), over a simulated one.
struct NonForwardingAdapter: ChainAdapter {
    let inner: any ChainAdapter
    var info: ChainInfo { inner.info }
    func head() async throws(ChainError) -> BlockRef { try await inner.head() }
    func finalizedHeight() async throws(ChainError) -> UInt64 { try await inner.finalizedHeight() }
    func balance(of account: Address, asset: String) async throws(ChainError) -> Amount { try await inner.balance(of: account, asset: asset) }
    func feeEstimate() async throws(ChainError) -> FeeEstimate { try await inner.feeEstimate() }
    func submit(_ call: GatewayCall, signer: any TransactionSigner, priority: FeePriority) async throws(ChainError) -> TxID {
        try await inner.submit(call, signer: signer, priority: priority)
    }
    func transaction(_ id: TxID) async throws(ChainError) -> TxStatus { try await inner.transaction(id) }
    func gatewayState(of messageId: Bytes32) async throws(ChainError) -> GatewayRecord { try await inner.gatewayState(of: messageId) }
    func events(from height: UInt64) -> AsyncThrowingStream<GatewayEvent, any Error> { inner.events(from: height) }
    func relayerSet() async throws(ChainError) -> RelayerSet { try await inner.relayerSet() }
}
