import FerryAgent
import FerryChains
import FerryCore
import FerryCrypto
import Foundation
import Testing

@Suite("Service escrow under concurrency")
struct EscrowRaceTests {
    @Test("30 concurrent confirms of one escrow pay the provider once; another escrow's deposit is untouched and still pays")
    func concurrentConfirms() async throws {
        let world = try await TestWorld.make()
        let escrows = EscrowTests()
        let (paymentA, escrowA) = try await escrows.fundEscrow(world, offer: escrows.offer(deliverySeconds: 600))
        let offerB = ServiceOffer(serviceID: "gpu-inference-b", provider: Address(Keccak256.hash("provider-b")), price: Amount(25_000_000),
                                  asset: TestWorld.usdcB, deliverySeconds: 900, verification: .resultHash)
        let (_, escrowB) = try await escrows.fundEscrow(world, offer: offerB, expectedHeld: Amount(50_000_000))
        let provider = escrows.offer().provider
        let service = world.service
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<30 {
                group.addTask { (try? await service.confirmDelivery(escrowID: escrowA.id, evidence: .result(EscrowTests.result))) != nil }
            }
            var wins = 0
            for await won in group where won { wins += 1 }
            return wins
        }
        #expect(outcomes == 1)
        #expect(try await world.balance(provider, on: TestWorld.b) == Amount(25_000_000))
        #expect(try await world.service.escrow(escrowA.id).state == .paidToProvider)
        let kinds = try await world.service.timeline(paymentA.id).map(\.kind)
        #expect(kinds.filter { $0 == .escrowConfirmed }.count == 1 && kinds.filter { $0 == .escrowPaid }.count == 1, "\(kinds)")
        // The other escrow's deposit is still there and pays its own provider.
        let escrowAccount = Address(world.escrowKey.address.bytes32)
        #expect(try await world.balance(escrowAccount, on: TestWorld.b) == Amount(25_000_000))
        let paidB = try await world.service.confirmDelivery(escrowID: escrowB.id, evidence: .result(EscrowTests.result))
        #expect(paidB.state == .paidToProvider)
        #expect(try await world.balance(offerB.provider, on: TestWorld.b) == Amount(25_000_000))
        #expect(try await world.balance(escrowAccount, on: TestWorld.b) == .zero)
    }

    @Test("a confirm that is refused (already paid, wrong evidence) appends no event")
    func refusedConfirmWritesNothing() async throws {
        let world = try await TestWorld.make()
        let escrows = EscrowTests()
        let (payment, escrow) = try await escrows.fundEscrow(world, offer: escrows.offer())
        let before = try await world.service.timeline(payment.id)
        _ = try await world.service.confirmDelivery(escrowID: escrow.id, evidence: .result(EscrowTests.result))
        let after = try await world.service.timeline(payment.id)
        await #expect(throws: PaymentError.wrongState(id: escrow.id, state: "paid_to_provider", operation: "confirm delivery of")) {
            _ = try await world.service.confirmDelivery(escrowID: escrow.id, evidence: .result(EscrowTests.result))
        }
        await #expect(throws: PaymentError.self) {
            _ = try await world.service.confirmDelivery(escrowID: escrow.id, evidence: .result(Array("wrong".utf8)))
        }
        #expect(try await world.service.timeline(payment.id).count == after.count)
        #expect(after.count == before.count + 2)
    }

    @Test("a confirm racing the deadline's refund: exactly one of them takes the escrow")
    func confirmRacingRefund() async throws {
        let world = try await TestWorld.make()
        let escrows = EscrowTests()
        let (_, escrow) = try await escrows.fundEscrow(world, offer: escrows.offer(deliverySeconds: 60))
        await world.advance(seconds: 120)
        let service = world.service
        async let refunds = service.expireEscrows()
        async let confirmed = try? service.confirmDelivery(escrowID: escrow.id, evidence: .result(EscrowTests.result))
        let (r, c) = try await (refunds, confirmed)
        #expect(c == nil, "past the deadline")
        #expect(r.count == 1)
        #expect(try await service.expireEscrows().isEmpty, "a second expiry finds nothing funded")
    }
}
