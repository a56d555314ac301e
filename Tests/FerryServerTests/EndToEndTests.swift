import FerryAPI
import FerryClient
import FerryCore
import FerryCrypto
import FerryServer
import Foundation
import Testing

@Suite("End to end over real HTTP on loopback", .serialized)
struct EndToEndTests {
    static let result = "inference output 42"

    static func escrowRequest(amount: String, deliverySeconds: UInt64, provider: Address) -> APIPaymentRequest {
        APIPaymentRequest(from: APIAsset(chain: 1, asset: "USDC"), to: APIAsset(chain: 8453, asset: "USDC"), amount: amount,
                          escrow: APIEscrowTerms(serviceID: "gpu", provider: provider.description, deliverySeconds: deliverySeconds,
                                                 resultHash: Keccak256.hash(Array(result.utf8)).hex))
    }

    /// The kinds of a payment's events, in order, and the payment the stream ends with.
    static func follow(_ id: String, _ client: FerryClient) async throws -> ([String], APIPayment?) {
        var kinds: [String] = []
        var final: APIPayment?
        for try await update in client.events(id) {
            switch update {
            case let .event(e): kinds.append(e.kind)
            case let .end(p): final = p
            }
        }
        return (kinds, final)
    }

    @Test("quote, pay on the quote, stream events, confirm the escrow: balances are right on both chains, and a retry pays once")
    func payAndConfirm() async throws {
        let server = try await ServerWorld.make()
        let world = server.world
        let provider = Address(Keccak256.hash("e2e provider"))
        let start = try await world.balance(world.agentAccount, on: SimulatedWorld.chainA)
        try await server.live { client, _ in
            let request = Self.escrowRequest(amount: "25", deliverySeconds: 3_600, provider: provider)
            let quote = try await client.quote(request)
            #expect(quote.deliver == "25" && quote.policy.decision == "approved" && quote.refundFee != nil)
            var onQuote = request
            onQuote.quoteID = quote.quoteID
            let payment = try await client.pay(onQuote, idempotencyKey: "job-1")
            #expect(payment.state == "submitted")
            let again = try await client.pay(onQuote, idempotencyKey: "job-1")
            #expect(again.id == payment.id)
            var kinds: [String] = []
            var final: APIPayment?
            for try await update in client.events(payment.id) {
                switch update {
                case let .event(e):
                    kinds.append(e.kind)
                    if e.kind == "escrow_funded" {
                        let escrowID = try #require(try await client.payment(payment.id).escrow?.id)
                        await #expect(throws: FerryClientError.self) { _ = try await client.confirmEscrow(escrowID, result: "wrong") }
                        let paid = try await client.confirmEscrow(escrowID, result: Self.result)
                        #expect(paid.state == "paid_to_provider")
                    }
                case let .end(p): final = p
                }
            }
            #expect(kinds.prefix(3) == ["quoted", "authorized", "submitted"])
            #expect(kinds.suffix(4) == ["delivered", "escrow_funded", "escrow_confirmed", "escrow_paid"])
            #expect(kinds.contains("attested") && kinds.contains("locked") && kinds.contains("released"))
            #expect(final?.state == "delivered" && final?.escrow?.state == "paid_to_provider" && final?.finished == true)
            let send = try Amount(decimal: try #require(final?.quote?.send), decimals: 6)
            #expect(try await world.balance(world.agentAccount, on: SimulatedWorld.chainA) == (try start - send), "paid exactly once")
            #expect(try await world.balance(provider, on: SimulatedWorld.chainB) == Amount(25_000_000))
            #expect(try await world.balance(world.escrowAccount, on: SimulatedWorld.chainB) == .zero)
        }
    }

    @Test("a provider that misses its deadline: the escrow refunds the agent on the source chain, less the stated refund fee")
    func refund() async throws {
        let server = try await ServerWorld.make()
        let world = server.world
        let provider = Address(Keccak256.hash("late provider"))
        let start = try await world.balance(world.agentAccount, on: SimulatedWorld.chainA)
        try await server.live { client, _ in
            let payment = try await client.pay(Self.escrowRequest(amount: "20", deliverySeconds: 30, provider: provider), idempotencyKey: "late")
            let (kinds, final) = try await Self.follow(payment.id, client)
            #expect(kinds.suffix(3) == ["escrow_expired", "escrow_refund_locked", "escrow_refunded"])
            let p = try #require(final)
            #expect(p.escrow?.state == "refunded")
            let send = try Amount(decimal: try #require(p.quote?.send), decimals: 6)
            let fee = try Amount(decimal: try #require(p.quote?.refundFee), decimals: 6)
            let expected = try (try start - send) + (Amount(20_000_000) - fee)
            #expect(try await world.balance(world.agentAccount, on: SimulatedWorld.chainA) == expected)
            #expect(try await world.balance(provider, on: SimulatedWorld.chainB) == .zero)
            let policy = try await client.policy()
            #expect((policy.used["USDC"] ?? "0") == "0", "the refund released the reservation")
        }
    }

    @Test("a payment to a chain no lane reaches from A takes two hops through B: one lock, forwarded, delivered, both hops listed")
    func twoHops() async throws {
        let server = try await ServerWorld.make()
        let world = server.world
        let api = Address(Keccak256.hash("e2e api on C"))
        let start = try await world.balance(world.agentAccount, on: SimulatedWorld.chainA)
        try await server.live { client, _ in
            let request = APIPaymentRequest(from: APIAsset(chain: 1, asset: "USDC"), to: APIAsset(chain: SimulatedWorld.chainC.rawValue, asset: "USDC"),
                                            amount: "40", receiver: api.description)
            let quote = try await client.quote(request)
            #expect(quote.hops.map(\.to) == ["8453:USDC", "900:USDC"])
            let payment = try await client.pay(request, idempotencyKey: "two-hops")
            let (kinds, final) = try await Self.follow(payment.id, client)
            #expect(kinds.suffix(3) == ["forwarded", "released", "delivered"])
            let p = try #require(final)
            #expect(p.state == "delivered")
            let hops = try #require(p.hops)
            #expect(hops.map(\.sourceChain) == [1, 8453] && hops.map(\.destChain) == [8453, 900])
            #expect(hops.first?.messageID == p.messageID && hops.allSatisfy { $0.messageID != nil })
            let send = try Amount(decimal: try #require(p.quote?.send), decimals: 6)
            #expect(try await world.balance(world.agentAccount, on: SimulatedWorld.chainA) == (try start - send))
            #expect(try await world.balance(world.agentAccount, on: SimulatedWorld.chainB) == .zero, "nothing left between the hops")
            #expect(try await world.balance(api, on: SimulatedWorld.chainC) == Amount(40_000_000))
        }
    }
}
