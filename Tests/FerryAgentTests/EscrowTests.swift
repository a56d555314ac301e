import FerryAgent
import FerryChains
import FerryCore
import FerryCrypto
import Foundation
import Testing

@Suite("Service escrow")
struct EscrowTests {
    static let result = Array("42 tokens of inference output".utf8)

    func offer(deliverySeconds: UInt64 = 600, verification: DeliveryVerification = .resultHash) -> ServiceOffer {
        ServiceOffer(serviceID: "gpu-inference", provider: Address(Keccak256.hash("provider")), price: Amount(25_000_000),
                     asset: TestWorld.usdcB, deliverySeconds: deliverySeconds, verification: verification)
    }

    func fundEscrow(_ world: TestWorld, offer: ServiceOffer, expectedHeld: Amount? = nil) async throws -> (Payment, EscrowRecord) {
        let terms = EscrowTerms(offer: offer, resultHash: Keccak256.hash(Self.result))
        let request = PaymentRequest(source: TestWorld.usdcA, destination: TestWorld.usdcB, amount: offer.price,
                                     receiver: offer.provider, escrow: terms)
        let payment = try await world.service.pay(request, idempotencyKey: "compute-\(offer.serviceID)-\(offer.deliverySeconds)")
        #expect(payment.state == .submitted, "\(payment.failure ?? payment.refusal?.description ?? "")")
        try await world.relay(payment.id)
        let delivered = try await world.settle(payment.id, until: .delivered)
        let escrow = try await world.service.escrow(try #require(delivered.escrowID))
        #expect(escrow.state == .funded)
        #expect(try await world.balance(Address(world.escrowKey.address.bytes32), on: TestWorld.b) == expectedHeld ?? offer.price)
        return (delivered, escrow)
    }

    @Test("the agent confirms a matching result and the provider is paid on the destination chain")
    func confirm() async throws {
        let world = try await TestWorld.make()
        let offer = offer()
        let (payment, escrow) = try await fundEscrow(world, offer: offer)
        await #expect(throws: PaymentError.self) {
            _ = try await world.service.confirmDelivery(escrowID: escrow.id, evidence: .result(Array("wrong".utf8)))
        }
        #expect(try await world.service.escrow(escrow.id).state == .funded)
        let paid = try await world.service.confirmDelivery(escrowID: escrow.id, evidence: .result(Self.result))
        #expect(paid.state == .paidToProvider)
        #expect(try await world.balance(offer.provider, on: TestWorld.b) == offer.price)
        #expect(try await world.balance(Address(world.escrowKey.address.bytes32), on: TestWorld.b) == .zero)
        let kinds = try await world.service.timeline(payment.id).map(\.kind)
        #expect(kinds.suffix(4) == [.delivered, .escrowFunded, .escrowConfirmed, .escrowPaid])
        #expect(try await world.service.budget.counts() == ["committed": 1])
        await #expect(throws: PaymentError.wrongState(id: escrow.id, state: "paid_to_provider", operation: "confirm delivery of")) {
            _ = try await world.service.confirmDelivery(escrowID: escrow.id, evidence: .result(Self.result))
        }
    }

    @Test("a provider receipt signed by the offer's key confirms delivery; another key's does not")
    func receipt() async throws {
        let world = try await TestWorld.make()
        let providerKey = try PrivateKeySigner(seed: 99, index: 1)
        let (_, escrow) = try await fundEscrow(world, offer: offer(verification: .providerReceipt(providerKey.address)))
        let hash = Keccak256.hash(Self.result)
        let digest = ServiceOffer.receiptDigest(escrowID: escrow.id, resultHash: hash)
        let forged = try PrivateKeySigner(seed: 99, index: 2).sign(digest: digest)
        await #expect(throws: PaymentError.self) {
            _ = try await world.service.confirmDelivery(escrowID: escrow.id, evidence: .receipt(resultHash: hash, signature: forged))
        }
        let paid = try await world.service.confirmDelivery(escrowID: escrow.id,
                                                           evidence: .receipt(resultHash: hash, signature: try providerKey.sign(digest: digest)))
        #expect(paid.state == .paidToProvider)
    }

    @Test("a missed deadline refunds the agent on the source chain, less the refund fee stated in the original quote")
    func deadlineRefund() async throws {
        let world = try await TestWorld.make()
        let offer = offer(deliverySeconds: 60)
        let start = try await world.balance(world.agentAccount, on: TestWorld.a)
        let (payment, escrow) = try await fundEscrow(world, offer: offer)
        let statedFee = try #require(payment.quote?.refundFee)
        #expect(escrow.refundFee == statedFee && statedFee > .zero)
        #expect(try await world.service.expireEscrows().isEmpty, "not before the deadline")
        await world.advance(seconds: 120)
        await #expect(throws: PaymentError.self) {
            _ = try await world.service.confirmDelivery(escrowID: escrow.id, evidence: .result(Self.result))
        }
        let refunding = try await world.service.expireEscrows()
        #expect(refunding.map(\.state) == [.refunding])
        var record = try await world.service.escrow(escrow.id)
        var rounds = 0
        while record.refundLockHeight == nil, rounds < 20 {
            rounds += 1
            await world.advance(seconds: 2)
            record = try #require(try await world.service.refreshEscrows().first)
        }
        try await world.release(try #require(record.refundTransfer), on: TestWorld.a)
        record = try #require(try await world.service.refreshEscrows().first)
        #expect(record.state == .refunded)
        let send = try #require(payment.quote?.send)
        let expected = try start - send + (offer.price - statedFee)
        #expect(try await world.balance(world.agentAccount, on: TestWorld.a) == expected)
        #expect(try await world.balance(offer.provider, on: TestWorld.b) == .zero)
        #expect(try await world.service.budget.counts() == ["released": 1])
        let kinds = try await world.service.timeline(payment.id).map(\.kind)
        #expect(kinds.suffix(3) == [.escrowExpired, .escrowRefundLocked, .escrowRefunded])
    }
}
