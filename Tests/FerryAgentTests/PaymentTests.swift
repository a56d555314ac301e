import FerryAgent
import FerryChains
import FerryCore
import FerryCrypto
import Foundation
import Testing

@Suite("Payments")
struct PaymentTests {
    @Test("a payment runs quote -> authorize -> lock -> attest -> release -> delivered, with a time-ordered timeline")
    func happyPath() async throws {
        let world = try await TestWorld.make()
        let merchant = Address(Keccak256.hash("merchant"))
        let before = try await world.balance(world.agentAccount, on: TestWorld.a)
        let submitted = try await world.service.pay(world.request(10_000_000, to: merchant), idempotencyKey: "order-1")
        #expect(submitted.state == .submitted, "\(submitted.failure ?? submitted.refusal?.description ?? "")")
        try await world.relay(submitted.id)
        let done = try await world.settle(submitted.id, until: .delivered)
        #expect(done.state == .delivered)
        let send = try #require(done.quote?.send)
        #expect(try await world.balance(merchant, on: TestWorld.b) == Amount(10_000_000))
        #expect(try await world.balance(world.agentAccount, on: TestWorld.a) == (try before - send))
        let timeline = try await world.service.timeline(done.id)
        #expect(timeline.map(\.kind) == [.quoted, .authorized, .submitted, .locked, .finalized, .attested, .released, .delivered])
        #expect(zip(timeline, timeline.dropFirst()).allSatisfy { $0.atMs <= $1.atMs })
        let locked = try #require(timeline.first { $0.kind == .locked })
        #expect(locked.height == done.lockHeight && locked.detail.contains("locked at height \(done.lockHeight ?? 0)"))
        let attested = try #require(timeline.first { $0.kind == .attested })
        #expect(attested.count == 2 && attested.threshold == 2 && attested.detail == "attested 2/2")
        #expect(try await world.service.budget.counts() == ["committed": 1])
    }

    @Test("concurrent retries with one idempotency key return one payment and pay once")
    func idempotentRetries() async throws {
        let world = try await TestWorld.make()
        let before = try await world.balance(world.agentAccount, on: TestWorld.a)
        let request = world.request(5_000_000)
        let service = world.service
        let payments = try await withThrowingTaskGroup(of: Payment.self) { group in
            for _ in 0..<20 { group.addTask { try await service.pay(request, idempotencyKey: "retry-me") } }
            return try await group.reduce(into: [Payment]()) { $0.append($1) }
        }
        #expect(Set(payments.map(\.id)).count == 1)
        let id = try #require(payments.first?.id)
        try await world.relay(id)
        let done = try await world.settle(id, until: .delivered)
        let again = try await service.pay(request, idempotencyKey: "retry-me")
        #expect(again.id == id && again.state == .delivered)
        let send = try #require(done.quote?.send)
        #expect(try await world.balance(world.agentAccount, on: TestWorld.a) == (try before - send), "paid exactly once")
        #expect(await world.ledgerA.pendingCount == 0)
        await #expect(throws: PaymentError.idempotencyKeyReused(key: "retry-me", paymentID: id)) {
            _ = try await service.pay(world.request(6_000_000), idempotencyKey: "retry-me")
        }
    }

    @Test("1,000 concurrent payments against a budget that fits some: exactly those are submitted, the rest refused by the budget rule")
    func thousandConcurrentPayments() async throws {
        let policy = SpendingPolicy(budgets: ["USDC": Amount(10_000)])  // 100.00 USD a day
        let world = try await TestWorld.make(policy: policy)
        let request = world.request(900_000)  // 0.90 USDC + fees: about 1.01 USD each
        let probe = try await world.service.quote(request)
        guard case let .success(each) = world.service.engine.value(probe.send, of: TestWorld.usdcA, rounding: .up) else {
            Issue.record("no value"); return
        }
        let fit = try Amount(10_000).dividedRounding(by: each, .down).uint64 ?? 0
        let service = world.service
        let payments = try await withThrowingTaskGroup(of: Payment.self) { group in
            for i in 0..<1_000 { group.addTask { try await service.pay(request, idempotencyKey: "burst-\(i)") } }
            return try await group.reduce(into: [Payment]()) { $0.append($1) }
        }
        let submitted = payments.filter { $0.state == .submitted }
        let refused = payments.filter { $0.state == .refused }
        #expect(UInt64(submitted.count) == fit, "each payment is worth \(each) cents")
        #expect(refused.count == 1_000 - submitted.count)
        #expect(refused.allSatisfy { $0.refusal?.rule == .dailyBudget })
        #expect(try await service.budget.usage(nowMs: world.clock.unixMillis)["USDC"] == (try each * Amount(fit)))
        #expect(await world.ledgerA.pendingCount == submitted.count)
    }

    @Test("a 10x fee spike between quote and submit is re-quoted and re-checked: refused by the fee rule, nothing signed")
    func feeSpikeRefused() async throws {
        let world = try await TestWorld.make()
        let request = world.request(20_000_000)
        let quoted = try await world.service.quote(request)
        try await world.ledgerB.apply(.feeSpike(factor: 10))
        let spiked = try await world.service.quote(request)
        #expect(spiked.send > quoted.send)
        let ppm = { (q: PaymentQuote) throws -> UInt64 in
            try q.send.saturatingSubtract(q.deliver).multiplied(by: Amount(1_000_000), dividedBy: q.deliver, rounding: .up).uint64 ?? 0
        }
        let (before, after) = (try ppm(quoted), try ppm(spiked))
        let limit = (before + after) / 2
        // The same chains, a policy whose fee limit the first quote meets and the spiked one does not.
        let dir = world.directory.appendingPathComponent("strict.sqlite").path
        let strict = PaymentService(adapters: world.adapters, wallet: Wallet(signers: [TestWorld.a: world.agent]), quoter: world.quoter,
                                    policy: SpendingPolicy(maxFeePPM: limit), prices: world.prices, database: try AgentDatabase(path: dir),
                                    now: { world.clock.unixMillis })
        let balance = try await world.balance(world.agentAccount, on: TestWorld.a)
        let payment = try await strict.pay(request, idempotencyKey: "spike", quote: quoted)
        #expect(payment.state == .refused)
        #expect(payment.refusal?.rule == .maxFeeRatio)
        #expect(payment.refusal?.message.hasPrefix("after re-quote: max fee ratio:") == true, "\(payment.refusal?.message ?? "")")
        #expect(payment.lockTx == nil)
        #expect(try await strict.budget.counts() == ["released": 1])
        #expect(await world.ledgerA.pendingCount == 0)
        #expect(try await world.balance(world.agentAccount, on: TestWorld.a) == balance)
        let kinds = try await strict.timeline(payment.id).map(\.kind)
        #expect(kinds == [.quoted, .authorized, .requoted, .refused])
    }

    @Test("after a 10x fee spike a payment the caps still allow locks the re-quoted amount, never more than the caps")
    func feeSpikeWithinCaps() async throws {
        let world = try await TestWorld.make(policy: SpendingPolicy(perPaymentCap: Amount(2_300), budgets: ["USDC": Amount(2_300)]))
        let request = world.request(20_000_000)
        let quoted = try await world.service.quote(request)
        try await world.ledgerB.apply(.feeSpike(factor: 10))
        let balance = try await world.balance(world.agentAccount, on: TestWorld.a)
        let payment = try await world.service.pay(request, idempotencyKey: "spike-ok", quote: quoted)
        #expect(payment.state == .submitted, "\(payment.refusal?.description ?? "")")
        let final = try #require(payment.quote)
        #expect(final.send > quoted.send, "the lock uses the re-quoted amount")
        let spend = try #require(payment.spend)
        #expect(spend.value <= Amount(2_300))
        await world.advance(seconds: 24)
        #expect(try await world.balance(world.agentAccount, on: TestWorld.a) == (try balance - final.send))
        #expect(try await world.service.timeline(payment.id).map(\.kind).contains(.requoted))
    }

    @Test("a refund after the destination cancels releases the reservation")
    func refund() async throws {
        let world = try await TestWorld.make(policy: SpendingPolicy(budgets: ["USDC": Amount(100_000)]))
        let payment = try await world.service.pay(world.request(3_000_000), idempotencyKey: "late")
        let locked = try await world.settle(payment.id, until: .locked, step: 12)
        let transfer = try #require(locked.transfer)
        let deadline = Int64(transfer.deadline) * 1000 - Int64(world.clock.unixMillis)
        await world.advance(seconds: deadline / 1000 + 30)
        let domainB = try #require(world.adapters[TestWorld.b]).info.attestationDomain
        let digest = FerryAttestation.cancel(messageId: transfer.messageId).digest(in: domainB)
        let sigs = try [world.relayers[0], world.relayers[2]].map { try $0.key.sign(digest: digest) }
        // The refund needs Refund attestations in A's (the source's) own domain.
        let domainA = try #require(world.adapters[TestWorld.a]).info.attestationDomain
        let refundDigest = FerryAttestation.refund(messageId: transfer.messageId).digest(in: domainA)
        let refundSigs = try [world.relayers[0], world.relayers[2]].map { try $0.key.sign(digest: refundDigest) }
        for (chain, call) in [(TestWorld.b, GatewayCall.cancel(transfer, signatures: sigs)), (TestWorld.a, .refund(transfer, signatures: refundSigs))] {
            let adapter = try #require(world.adapters[chain])
            let tx = try await adapter.submit(call, signer: world.executor, priority: .high)
            var rounds = 0
            while try await adapter.transaction(tx) == .pending, rounds < 20 { rounds += 1; await world.advance(seconds: 12) }
        }
        let refunded = try await world.settle(payment.id, until: .refunded)
        #expect(refunded.state == .refunded)
        #expect(try await world.service.budget.counts() == ["released": 1])
        let kinds = try await world.service.timeline(payment.id).map(\.kind)
        #expect(kinds.suffix(2) == [.cancelled, .refunded])
    }
}
