import FerryAPI
import FerryServer
import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@Suite("Bad input gets a clear 4xx problem; nothing is signed or reserved")
struct BadInputTests {
    static let auth: HTTPFields = [.authorization: "Bearer \(ServerWorld.apiKey)", .contentType: "application/json"]

    static func payHeaders(_ key: String) -> HTTPFields {
        var h = auth
        if let name = HTTPField.Name("Idempotency-Key") { h[name] = key }
        return h
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let body: ByteBuffer
        let status: Int
        let field: String?
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "malformed JSON", body: ByteBuffer(string: "{\"from\": "), status: 400, field: nil),
        Case(name: "unknown source chain", body: Body.json(Body.payment(fromChain: 99)), status: 422, field: "from.chain"),
        Case(name: "unknown destination asset", body: Body.json(Body.payment(toAsset: "DOGE")), status: 422, field: "to.asset"),
        Case(name: "too many decimals", body: Body.json(Body.payment(amount: "1.0000001")), status: 422, field: "amount"),
        Case(name: "amount not a number", body: Body.json(Body.payment(amount: "12,5")), status: 422, field: "amount"),
        Case(name: "amount as a JSON number", body: Body.json(Body.payment().merging(["amount": 5]) { $1 }), status: 422, field: "amount"),
        Case(name: "missing receiver", body: Body.json(Body.payment().filter { $0.key != "receiver" }), status: 422, field: "receiver"),
    ]

    @Test("each bad payment body is refused naming the field", arguments: cases)
    func badBody(_ c: Case) async throws {
        let server = try await ServerWorld.make()
        try await server.router { client in
            for uri in ["/v1/quotes", "/v1/payments"] {
                try await client.execute(uri: uri, method: .post, headers: Self.payHeaders("k-" + c.name.replacingOccurrences(of: " ", with: "-")), body: c.body) { res in
                    #expect(res.status.code == c.status, "\(uri)")
                    #expect(res.headers[.contentType] == "application/problem+json")
                    let problem = try Body.problem(res.body)
                    #expect(problem.field == c.field && problem.status == c.status && !problem.detail.isEmpty, "\(uri) \(problem)")
                }
            }
            #expect(try await server.world.service.budget.counts().isEmpty)
            #expect(await server.world.ledgers[SimulatedWorld.chainA]?.pendingCount == 0)
        }
    }

    @Test("a wrong or missing API key is a 401 problem; a missing Idempotency-Key is refused naming the header")
    func authAndKey() async throws {
        let server = try await ServerWorld.make()
        try await server.router { client in
            for header in ["Bearer nope", "Basic abc", ""] {
                var h: HTTPFields = [.contentType: "application/json"]
                if !header.isEmpty { h[.authorization] = header }
                try await client.execute(uri: "/v1/payments", method: .post, headers: h, body: Body.json(Body.payment())) { res in
                    #expect(res.status == .unauthorized)
                    let problem = try Body.problem(res.body)
                    #expect(problem.field == "Authorization")
                }
            }
            try await client.execute(uri: "/v1/payments", method: .post, headers: Self.auth, body: Body.json(Body.payment())) { res in
                #expect(res.status.code == 422)
                let problem = try Body.problem(res.body)
                #expect(problem.field == "Idempotency-Key")
            }
            #expect(try await server.world.service.budget.counts().isEmpty)
        }
    }

    @Test("paying on an expired quote is refused by quote_expired: nothing reserved, nothing signed")
    func expiredQuote() async throws {
        let server = try await ServerWorld.make()
        try await server.router { client in
            let quote = try await client.execute(uri: "/v1/quotes", method: .post, headers: Self.auth, body: Body.json(Body.payment())) { res in
                #expect(res.status == .ok)
                return try JSONDecoder().decode(APIQuote.self, from: Data(res.body.readableBytesView))
            }
            server.world.clock.advance(by: .seconds(31))
            let body = Body.json(Body.payment().merging(["quote_id": quote.quoteID]) { $1 })
            try await client.execute(uri: "/v1/payments", method: .post, headers: Self.payHeaders("stale"), body: body) { res in
                #expect(res.status.code == 422)
                let problem = try Body.problem(res.body)
                #expect(problem.rule == "quote_expired" && problem.paymentID != nil, "\(problem)")
            }
            #expect(try await server.world.service.budget.counts().isEmpty)
            #expect(await server.world.ledgers[SimulatedWorld.chainA]?.pendingCount == 0)
        }
    }

    @Test("another agent's payment is not found")
    func scoping() async throws {
        let server = try await ServerWorld.make()
        try await server.router { client in
            let id = try await client.execute(uri: "/v1/payments", method: .post, headers: Self.payHeaders("mine"), body: Body.json(Body.payment(amount: "25"))) { res in
                #expect(res.status == .created)
                return try JSONDecoder().decode(APIPayment.self, from: Data(res.body.readableBytesView)).id
            }
            let other: HTTPFields = [.authorization: "Bearer \(ServerWorld.otherKey)"]
            try await client.execute(uri: "/v1/payments/\(id)", method: .get, headers: other) { res in #expect(res.status == .notFound) }
            try await client.execute(uri: "/v1/payments/\(id)", method: .get, headers: Self.auth) { res in #expect(res.status == .ok) }
        }
    }
}
