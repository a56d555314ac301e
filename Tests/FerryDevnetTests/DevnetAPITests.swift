import FerryChains
import FerryCore
import FerryCrypto
import FerryDevnet
import Foundation
import Testing

/// One request a client should never send, and what the devnet must answer.
struct BadRequest: Sendable, CustomTestStringConvertible {
    let name: String
    let method: String
    let path: String
    let body: String?
    var admin = false
    let status: Int
    let field: String?

    var testDescription: String { name }
}

@Suite("Devnet HTTP API", .timeLimit(.minutes(1)))
struct DevnetAPITests {
    static let account = "0x00000000000000000000000000000000000000aa"
    static let cursor = #"{"nextHeight": 0, "delivered": []}"#

    static let badRequests: [BadRequest] = [
        BadRequest(name: "body that is not JSON", method: "POST", path: "/v1/chains/7001/transactions", body: "not json",
                   status: 400, field: "(body)"),
        BadRequest(name: "transaction without a signature", method: "POST", path: "/v1/chains/7001/transactions",
                   body: #"{"chain": 7001}"#, status: 400, field: "signature"),
        BadRequest(name: "transaction with a short signature", method: "POST", path: "/v1/chains/7001/transactions",
                   body: #"{"chain": 7001, "signature": "0x1234"}"#, status: 400, field: "signature"),
        BadRequest(name: "negative amount in a fund call", method: "POST", path: "/devnet/chains/7001/fund",
                   body: #"{"account": "\#(account)", "asset": "USDC", "amount": "-5"}"#, admin: true, status: 400, field: "amount"),
        BadRequest(name: "amount as a JSON number", method: "POST", path: "/devnet/chains/7001/fund",
                   body: #"{"account": "\#(account)", "asset": "USDC", "amount": 5}"#, admin: true, status: 400, field: "amount"),
        BadRequest(name: "fund without an account", method: "POST", path: "/devnet/chains/7001/fund",
                   body: #"{"asset": "USDC", "amount": "5"}"#, admin: true, status: 400, field: "account"),
        BadRequest(name: "fund of an unknown asset", method: "POST", path: "/devnet/chains/7001/fund",
                   body: #"{"account": "\#(account)", "asset": "DOGE", "amount": "5"}"#, admin: true, status: 404, field: nil),
        BadRequest(name: "poll timeout above the cap", method: "POST", path: "/v1/chains/7001/events",
                   body: #"{"cursor": \#(cursor), "timeoutMillis": 99999}"#, status: 400, field: "timeoutMillis"),
        BadRequest(name: "poll with a negative height", method: "POST", path: "/v1/chains/7001/events",
                   body: #"{"cursor": {"nextHeight": -1, "delivered": []}}"#, status: 400, field: "cursor.nextHeight"),
        BadRequest(name: "cursor hash of the wrong length", method: "POST", path: "/v1/chains/7001/events",
                   body: #"{"cursor": {"nextHeight": 2, "delivered": [{"height": 1, "hash": "0xabcd"}]}}"#,
                   status: 400, field: "cursor.delivered[0].hash"),
        BadRequest(name: "fault of an unknown kind", method: "POST", path: "/devnet/chains/7001/faults",
                   body: #"{"kind": "meteor"}"#, admin: true, status: 400, field: "kind"),
        BadRequest(name: "outage longer than ten years", method: "POST", path: "/devnet/chains/7001/faults",
                   body: #"{"kind": "outage", "durationSeconds": 18446744073709551615}"#, admin: true, status: 400, field: "durationSeconds"),
        BadRequest(name: "congestion of absurd load", method: "POST", path: "/devnet/chains/7001/faults",
                   body: #"{"kind": "congestion", "extraLoadPercent": 18446744073709551615, "durationSeconds": 5}"#, admin: true,
                   status: 400, field: "extraLoadPercent"),
        BadRequest(name: "reorg deeper than the kept history", method: "POST", path: "/devnet/chains/7001/faults",
                   body: #"{"kind": "reorg", "depth": 500}"#, admin: true, status: 422, field: nil),
        BadRequest(name: "time moved backwards", method: "POST", path: "/devnet/time",
                   body: #"{"milliseconds": -1000}"#, admin: true, status: 400, field: "milliseconds"),
        BadRequest(name: "template with an unknown priority", method: "GET",
                   path: "/v1/chains/7001/transaction-template?from=\(account)&call=lock&priority=urgent", body: nil,
                   status: 400, field: "priority"),
        BadRequest(name: "template without a sender", method: "GET", path: "/v1/chains/7001/transaction-template?call=lock&priority=low",
                   body: nil, status: 400, field: "from"),
        BadRequest(name: "balance of a malformed account", method: "GET", path: "/v1/chains/7001/accounts/0x12/balances/USDC",
                   body: nil, status: 400, field: "account"),
        BadRequest(name: "transaction id that is not hex", method: "GET", path: "/v1/chains/7001/transactions/0xnothex",
                   body: nil, status: 400, field: "tx"),
        BadRequest(name: "chain id that is not a number", method: "GET", path: "/v1/chains/eth/head", body: nil, status: 400, field: "chain"),
        BadRequest(name: "chain the devnet does not serve", method: "GET", path: "/v1/chains/42/head", body: nil, status: 404, field: nil),
        BadRequest(name: "unknown endpoint", method: "GET", path: "/v1/teapot", body: nil, status: 404, field: nil),
        BadRequest(name: "admin call without the token", method: "POST", path: "/devnet/time", body: #"{"milliseconds": 1}"#,
                   status: 403, field: nil),
    ]

    @Test("malformed requests get a 4xx JSON error naming the field, and the devnet keeps serving", arguments: badRequests)
    func badRequestsAreRefused(bad: BadRequest) async throws {
        let testnet = try await TestDevnet.make()
        try await testnet.serve { served in
            let headers = bad.admin ? [(DevnetAPI.adminTokenHeader, TestDevnet.adminToken)] : []
            let (status, body) = try await RawHTTP.send(bad.method, served.url + bad.path, body: bad.body, headers: headers)
            #expect(status == bad.status, "\(body)")
            let error = try RawHTTP.error(body)
            #expect(error.code.httpStatus == status)
            if let field = bad.field {
                #expect(error.field == field, "\(body)")
                #expect(error.message.contains(field), "\(body)")
            }
            // Still serving.
            let (after, _) = try await RawHTTP.send("GET", served.url + "/v1/chains/7001/head")
            #expect(after == 200)
        }
    }

    @Test("an admin call with the wrong token is refused; with no token configured the admin API is off")
    func adminGuard() async throws {
        let testnet = try await TestDevnet.make()
        try await testnet.serve { served in
            let (status, _) = try await RawHTTP.send("POST", served.url + "/devnet/time", body: #"{"milliseconds": 1}"#,
                                                     headers: [(DevnetAPI.adminTokenHeader, "test-admin-tokeN")])
            #expect(status == 403)
        }
        let closed = try await TestDevnet.make(adminToken: nil)
        try await closed.serve { served in
            let (status, body) = try await RawHTTP.send("POST", served.url + "/devnet/time", body: #"{"milliseconds": 1}"#,
                                                        headers: [(DevnetAPI.adminTokenHeader, TestDevnet.adminToken)])
            #expect(status == 403 && body.contains("disabled"), "\(body)")
        }
    }

    @Test("the server verifies transaction signatures: one signed by another key is rejected")
    func forgedTransactionRejected() async throws {
        let testnet = try await TestDevnet.make()
        try await testnet.serve { served in
            let victim = try PrivateKeySigner(seed: 5, index: 1)
            let forger = try PrivateKeySigner(seed: 5, index: 2)
            let chain = ChainID(7001)
            let from = Address(victim.address.bytes32)
            let template = try await JSONDecoder().decode(DevnetAPI.TransactionTemplate.self, from: Data(RawHTTP.send(
                "GET", served.url + "/v1/chains/7001/transaction-template?from=\(from.bytes32.hex)&call=lock&priority=high").body.utf8))
            let transfer = Transfer(sourceChain: chain, destChain: 7002, nonce: 0, sender: from, receiver: from, sourceAsset: .zero,
                                    destAsset: .zero, amount: 1, fee: 0, deadline: .max)
            let digest = SimTransaction.signingHash(chain: chain, from: from, nonce: template.nonce, call: .lock(transfer), bid: template.bid)
            let forged = SimTransaction(chain: chain, from: from, nonce: template.nonce, call: .lock(transfer), bid: template.bid,
                                        signature: try forger.sign(digest: digest))
            let body = String(decoding: try JSONEncoder().encode(forged), as: UTF8.self)
            let (status, answer) = try await RawHTTP.send("POST", served.url + "/v1/chains/7001/transactions", body: body)
            #expect(status == 422, "\(answer)")
            let error = try RawHTTP.error(answer)
            #expect(error.code == .rejected && (error.detail ?? "").contains("not by its sender"), "\(answer)")
        }
    }

    @Test("long polls wait for the next block instead of answering empty at once")
    func longPollWaitsForBlocks() async throws {
        let testnet = try await TestDevnet.make()
        try await testnet.serve { served in
            let head = try await served.adapter(.evm).head().height
            let request = #"{"cursor": {"nextHeight": \#(head + 1), "delivered": []}, "timeoutMillis": 10000}"#
            let (status, body) = try await RawHTTP.send("POST", served.url + "/v1/chains/7001/events", body: request)
            #expect(status == 200)
            let answer = try JSONDecoder().decode(DevnetAPI.PollResponse.self, from: Data(body.utf8))
            // Blocks come by themselves on wall-clock time (1 s here): the answer carries the next head.
            guard case let .head(block) = try #require(answer.events.last) else { throw TestFailure("no head in \(body)") }
            #expect(block.height >= head + 1 && answer.cursor.nextHeight == block.height + 1)
        }
    }

    @Test("devnet configs: loopback only, ports in range, paths relative to the file")
    func configValidation() throws {
        let good = try DevnetConfig.parse(toml: "chains_dir = \"devnet\"\nport = 0\n", source: "chains/devnet.toml")
        #expect(good.chainsDirectory == "chains/devnet" && good.port == 0 && good.host == "127.0.0.1")
        for (text, field) in [("chains_dir = \"d\"\nhost = \"0.0.0.0\"", "host"), ("chains_dir = \"d\"\nport = 70000", "port"),
                              ("port = 1", "chains_dir"), ("chains_dir = \"d\"\nseed = -1", "seed")] {
            #expect(throws: RegistryError.self) { _ = try DevnetConfig.parse(toml: text, source: "x.toml") }
            do {
                _ = try DevnetConfig.parse(toml: text, source: "x.toml")
            } catch {
                #expect(error.field == field && error.file == "x.toml", "\(error)")
            }
        }
        #expect(DevnetConfig.isLoopback("127.0.0.2") && DevnetConfig.isLoopback("::1") && !DevnetConfig.isLoopback("10.0.0.1"))
    }

    @Test("the server refuses to listen beyond loopback")
    func serverIsLoopbackOnly() async throws {
        let testnet = try await TestDevnet.make()
        #expect(throws: DevnetServerError.notLoopback("0.0.0.0")) {
            _ = try DevnetServer.application(devnet: testnet.devnet, host: "0.0.0.0", port: 0, logger: TestDevnet.quiet)
        }
    }
}
