import FerryAgent
import FerryAPI
import FerryCore
import FerryServer
import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@Suite("The API contract: resumable streams never trap, unknown routes and fields are problems naming what is wrong")
struct APIContractTests {
    static let auth = BadInputTests.auth

    /// A payment refused by the per-payment cap (finished at once), its id.
    static func refusedPayment(_ client: any TestClientProtocol, key: String = "refused") async throws -> String {
        try await client.execute(uri: "/v1/payments", method: .post, headers: BadInputTests.payHeaders(key),
                                 body: Body.json(Body.payment(amount: "250"))) { res in
            #expect(res.status.code == 422)
            return try #require(try Body.problem(res.body).paymentID)
        }
    }

    @Test("Last-Event-ID of any size resumes without trapping", arguments: ["9223372036854775807", "99999999999999999999999", "-1", "x", "1"])
    func lastEventID(_ header: String) async throws {
        let server = try await ServerWorld.make()
        try await server.router { client in
            let id = try await Self.refusedPayment(client)
            var headers = Self.auth
            headers[try #require(HTTPField.Name("Last-Event-ID"))] = header
            try await client.execute(uri: "/v1/payments/\(id)/events", method: .get, headers: headers) { res in
                #expect(res.status == .ok)
                let text = String(buffer: res.body)
                #expect(text.contains("event: end"))
                let replayed = text.components(separatedBy: "\nid: ").count - 1
                switch header {
                case "-1", "x": #expect(replayed >= 2, "from the start: quoted ... refused")
                case "1": #expect(text.contains("\nid: 2\n") || replayed == 0, "resumes after entry 1")
                default: #expect(replayed == 0, "nothing after an id past the end")
                }
            }
        }
    }

    @Test("an unknown route is a 404 problem; a known path with the wrong method is a 405 problem with Allow")
    func routes() async throws {
        let server = try await ServerWorld.make()
        try await server.router { client in
            try await client.execute(uri: "/v1/nowhere", method: .get, headers: Self.auth) { res in
                #expect(res.status == .notFound)
                #expect(res.headers[.contentType] == "application/problem+json")
                let problem = try Body.problem(res.body)
                #expect(problem.status == 404)
            }
            try await client.execute(uri: "/v1/payments", method: .get, headers: Self.auth) { res in
                #expect(res.status == .methodNotAllowed)
                #expect(res.headers[.allow] == "POST")
                #expect(res.headers[.contentType] == "application/problem+json")
            }
            try await client.execute(uri: "/v1/payments/pay_1/events", method: .delete, headers: Self.auth) { res in
                #expect(res.status == .methodNotAllowed)
                #expect(res.headers[.allow] == "GET, HEAD")
            }
        }
    }

    struct FieldCase: Sendable, CustomTestStringConvertible {
        let name: String
        let body: @Sendable () -> [String: Any]
        let field: String
        var testDescription: String { name }
    }

    static let fieldCases: [FieldCase] = [
        FieldCase(name: "a typo of confirm", body: { ["confim": true] }, field: "confim"),
        FieldCase(name: "an unknown nested field", body: { ["from": ["chain": 1, "asset": "USDC", "network": "main"]] }, field: "from.network"),
        FieldCase(name: "a negative chain id", body: { ["from": ["chain": -1, "asset": "USDC"]] }, field: "from.chain"),
        FieldCase(name: "a fractional deadline", body: { ["deadline_seconds": 600.5] }, field: "deadline_seconds"),
        FieldCase(name: "a negative delivery time",
                  body: { ["escrow": ["service_id": "s", "provider": "0x00000000000000000000000000000000000000aa", "delivery_seconds": -3,
                                      "verification": "result_hash"]] },
                  field: "escrow.delivery_seconds"),
    ]

    @Test("bad fields are refused naming the field", arguments: fieldCases)
    func fields(_ c: FieldCase) async throws {
        let server = try await ServerWorld.make()
        try await server.router { client in
            var body = Body.payment()
            for (key, value) in c.body() { body[key] = value }
            for uri in ["/v1/quotes", "/v1/payments"] {
                try await client.execute(uri: uri, method: .post, headers: BadInputTests.payHeaders("f-\(c.field)"), body: Body.json(body)) { res in
                    #expect(res.status.code == 422, "\(uri)")
                    let problem = try Body.problem(res.body)
                    #expect(problem.field == c.field, "\(uri) \(problem)")
                }
            }
            #expect(try await server.world.service.budget.counts().isEmpty)
        }
    }

    @Test("a string or an out-of-range number in an integer field names the field and what it must be, not Swift's types",
          arguments: [("\"60\"", "from.chain must be a whole number"), ("1e999", "from.chain is out of range")])
    func integerFieldWords(_ raw: String, _ detail: String) async throws {
        let server = try await ServerWorld.make()
        try await server.router { client in
            let json = String(buffer: Body.json(Body.payment(fromChain: 987_654_321)))
                .replacingOccurrences(of: "987654321", with: raw)
            try await client.execute(uri: "/v1/quotes", method: .post, headers: Self.auth, body: ByteBuffer(string: json)) { res in
                #expect(res.status.code == 422)
                let problem = try Body.problem(res.body)
                #expect(problem.field == "from.chain")
                #expect(problem.detail.contains(detail), "\(problem)")
                #expect(!problem.detail.contains("UInt64") && !problem.detail.contains("Expected to decode"))
            }
        }
    }

    @Test("a confirm body with an unknown field is refused naming it")
    func confirmField() async throws {
        let server = try await ServerWorld.make()
        try await server.router { client in
            try await client.execute(uri: "/v1/escrows/esc_x/confirm", method: .post, headers: Self.auth,
                                     body: Body.json(["result": "r", "reslt": "r"])) { res in
                let problem = try Body.problem(res.body)
                #expect(problem.field == "reslt" || res.status == .notFound)
            }
        }
    }

    @Test("a payment awaiting confirmation ends its stream: nothing more happens to it through the API")
    func awaitingConfirmationEnds() async throws {
        let policy = SpendingPolicy(perPaymentCap: Amount(10_000), budgets: ["USDC": Amount(50_000)], confirmAbove: Amount(1_000))
        let server = try await ServerWorld.make(policy: policy)
        try await server.router { client in
            let id = try await client.execute(uri: "/v1/payments", method: .post, headers: BadInputTests.payHeaders("big"),
                                              body: Body.json(Body.payment(amount: "50"))) { res in
                #expect(res.status == .accepted)
                let payment = try JSONDecoder().decode(APIPayment.self, from: Data(res.body.readableBytesView))
                #expect(payment.state == "awaiting_confirmation" && payment.finished)
                return payment.id
            }
            try await client.execute(uri: "/v1/payments/\(id)/events", method: .get, headers: Self.auth) { res in
                #expect(String(buffer: res.body).contains("event: end"))
            }
        }
    }
}
