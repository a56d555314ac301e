import FerryTestSupport
import FerryCore
import FerryCrypto
import Foundation
import Testing

@testable import FerryEVM

/// `Tests/vectors/fake_rpc.py`: an endpoint that answers every method wrongly in its own way.
final class FakeRPC: @unchecked Sendable {  // immutable after init; the process is only terminated
    let process: ChildProcess
    let input: Pipe
    let port: Int

    init() throws {
        let peer = try startPythonLoopbackPeer("fake_rpc.py")
        port = peer.port
        process = peer.process
        self.input = peer.input
    }

    deinit { if process.isRunning { process.terminate() } }

    func client(retry: JSONRPCClient.RetryPolicy = .init(maxAttempts: 3, initialBackoff: .milliseconds(20)),
                timeout: Duration = .seconds(5)) -> JSONRPCClient {
        JSONRPCClient(endpoint: "http://127.0.0.1:\(port)", configuration: .init(timeout: timeout, retry: retry))
    }
}

@Suite("Hex quantities are parsed strictly")
struct HexQuantityTests {
    @Test("canonical quantities parse", arguments: [("0x0", 0), ("0x1", 1), ("0x1f4", 500), ("0xFF", 255), ("0xffffffffffffffff", UInt64.max)])
    func canonical(text: String, value: UInt64) throws {
        #expect(try HexQuantity.uint64(text) == value)
        #expect(try HexQuantity.amount(text) == Amount(value))
    }

    @Test("non-canonical quantities are refused with the reason",
          arguments: [("0x", HexQuantity.Failure.empty), ("0x01", .leadingZero), ("0x00", .leadingZero), ("1f", .missingPrefix),
                      ("0X1", .missingPrefix), ("0xg", .notHex(character: "g")), ("0x1ffffffffffffffff", .tooLarge(bits: 64)),
                      ("-0x1", .missingPrefix), ("", .missingPrefix)])
    func refused(text: String, failure: HexQuantity.Failure) {
        #expect(throws: failure) { try HexQuantity.uint64(text) }
    }

    @Test("256-bit quantities round-trip through the canonical encoding")
    func amounts() throws {
        let big = try Amount(bigEndian: [UInt8](repeating: 0xAB, count: 32))
        #expect(try HexQuantity.amount(HexQuantity.encode(big)) == big)
        #expect(HexQuantity.encode(Amount.zero) == "0x0")
        #expect(HexQuantity.encode(Amount(500)) == "0x1f4")
        #expect(throws: HexQuantity.Failure.tooLarge(bits: 256)) { try HexQuantity.amount("0x1" + String(repeating: "0", count: 64)) }
    }

    @Test("data must have an even number of digits and the pinned length")
    func data() throws {
        #expect(try HexQuantity.data("0x") == [])
        #expect(try HexQuantity.data("0x00ff") == [0, 255])
        #expect(throws: HexQuantity.Failure.oddLength) { try HexQuantity.data("0xabc") }
        #expect(throws: HexQuantity.Failure.wrongLength(expected: 32, got: 2)) { try HexQuantity.data("0x00ff", length: 32) }
    }

    @Test("backoff grows exponentially up to its cap")
    func backoff() {
        let policy = JSONRPCClient.RetryPolicy(maxAttempts: 10, initialBackoff: .milliseconds(100), multiplier: 2, maxBackoff: .seconds(1))
        #expect((1...6).map { policy.backoff(afterAttempt: $0) }
                == [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1), .seconds(1)])
    }
}

@Suite("JSON-RPC client", .serialized)
struct JSONRPCClientTests {
    @Test("malformed answers are typed errors naming the method and field", arguments: [
        ("eth_blockNumber", "result", "leading zero"),
        ("eth_chainId", "result", "expected a string"),
        ("eth_getBalance", "result", "not a hex digit"),
        ("eth_getBlockByNumber", "hash", "missing"),
        ("eth_call", "result", "odd number"),
    ])
    func malformed(method: String, field: String, fragment: String) async throws {
        let fake = try FakeRPC()
        let client = fake.client()
        let owner = try EthereumAddress(hex: "0x" + String(repeating: "1", count: 40))
        do {
            switch method {
            case "eth_blockNumber": _ = try await client.blockNumber()
            case "eth_chainId": _ = try await client.chainID()
            case "eth_getBalance": _ = try await client.balance(of: owner)
            case "eth_getBlockByNumber": _ = try await client.block(.latest)
            default: _ = try await client.call(EVMCall(to: owner, data: []))
            }
            Issue.record("\(method) decoded a malformed answer")
        } catch {
            guard case let .malformed(m, f, reason) = error else { Issue.record("expected .malformed, got \(error)"); return }
            #expect(m == method)
            #expect(f == field)
            #expect(reason.contains(fragment), "\(reason)")
            #expect(!error.isTransient)
        }
    }

    @Test("HTTP 5xx is retried with backoff and then succeeds; without retries it fails as a transient HTTP error")
    func retriesTransient() async throws {
        let fake = try FakeRPC()
        #expect(try await fake.client().call("flaky_503") == "0x2a")
        #expect(try await fake.client().call("count", ["flaky_503"]) == "0x3")
        let again = try FakeRPC()
        await #expect(throws: RPCError.http(endpoint: "http://127.0.0.1:\(again.port)", method: "flaky_503", status: 503, body: "overloaded")) {
            try await again.client(retry: .none).call("flaky_503")
        }
    }

    @Test("HTTP 429 is retried until the attempts run out")
    func rateLimited() async throws {
        let fake = try FakeRPC()
        do {
            _ = try await fake.client().call("always_429")
            Issue.record("429 succeeded")
        } catch {
            guard case .http(_, _, 429, _) = error else { Issue.record("got \(error)"); return }
            #expect(error.isTransient)
        }
        #expect(try await fake.client().call("count", ["always_429"]) == "0x3")
    }

    @Test("JSON-RPC errors are not retried; bad JSON and wrong ids are malformed")
    func notRetried() async throws {
        let fake = try FakeRPC()
        let client = fake.client()
        do {
            _ = try await client.call("no_such_method")
            Issue.record("unknown method succeeded")
        } catch {
            #expect(error == .node(method: "no_such_method", code: -32601, message: "the method no_such_method does not exist", data: nil, revert: nil))
        }
        #expect(try await client.call("count", ["no_such_method"]) == "0x1")
        await #expect(throws: RPCError.self) { try await client.call("bad_json") }
        do { _ = try await client.call("wrong_id"); Issue.record("wrong id accepted") } catch {
            guard case .malformed(_, "id", _) = error else { Issue.record("got \(error)"); return }
        }
    }

    @Test("a call that outlives its timeout is a timeout error")
    func timeout() async throws {
        let fake = try FakeRPC()
        do {
            _ = try await fake.client(retry: .none, timeout: .milliseconds(300)).call("slow")
            Issue.record("slow call succeeded")
        } catch {
            guard case .timeout(_, "slow", _) = error else { Issue.record("got \(error)"); return }
            #expect(error.isTransient)
        }
    }

    @Test("a closed port is unreachable after the retries")
    func refused() async throws {
        // Port 1 (tcpmux) has no listener on loopback.
        let client = JSONRPCClient(endpoint: "http://127.0.0.1:1",
                                   configuration: .init(timeout: .milliseconds(500), retry: .init(maxAttempts: 2, initialBackoff: .milliseconds(10))))
        do {
            _ = try await client.blockNumber()
            Issue.record("a stopped node answered")
        } catch {
            guard case .unreachable(_, "eth_blockNumber", _) = error else { Issue.record("got \(error)"); return }
            #expect(error.isTransient)
        }
    }

    @Test("a refused connection is unreachable at once, not when the deadline fires; so is a batch")
    func refusedAtOnce() async throws {
        // HTTPClient.shared retried the refused connect until the deadline and only then reported the refusal,
        // racing the client's own deadline 0.1 s later: on a loaded machine a stopped node read as a timeout.
        let client = JSONRPCClient(endpoint: "http://127.0.0.1:1", configuration: .init(timeout: .seconds(30), retry: .none))
        let clock = ContinuousClock()
        let start = clock.now
        do {
            _ = try await client.batch([RPCRequest("eth_chainId"), RPCRequest("eth_getBlockByNumber", ["latest", false])])
            Issue.record("a closed port answered")
        } catch {
            guard case .unreachable(_, "batch[2] eth_chainId,eth_getBlockByNumber", _) = error else { Issue.record("got \(error)"); return }
        }
        // The bound only tells "at once" (milliseconds) from "at the deadline" (30 s), with room for a loaded machine.
        #expect(clock.now - start < .seconds(15))
    }

    @Test("an exchange the deadline cuts off reports what it had heard before (a refusal), a timeout only if nothing")
    func overdueReportsWhatWasHeard() async throws {
        struct Refused: Error {}
        // Like async-http-client's pool retrying a refused connect: cancelled, it fails with the refusal it saw.
        do {
            let value = try await JSONRPCClient.within(.milliseconds(10)) { () async throws -> Int in
                try? await Task.sleep(for: .seconds(3_600))
                throw Refused()
            }
            Issue.record("the deadline hid the refusal: \(String(describing: value))")
        } catch let overdue as JSONRPCClient.Overdue {
            #expect(overdue.heard is Refused)
        }
        // Nothing heard: the exchange ends with its cancellation, which the client reports as a timeout ("slow" above).
        do {
            let value = try await JSONRPCClient.within(.milliseconds(10)) { () async throws -> Int in
                try await Task.sleep(for: .seconds(3_600))
                return 1
            }
            Issue.record("a silent exchange returned \(String(describing: value))")
        } catch let overdue as JSONRPCClient.Overdue {
            #expect(overdue.heard is CancellationError)
        }
    }

    @Test("a batch against the real node answers each call in order, errors per call")
    func batch() async throws {
        let node = try DevNode(chainId: 31_337)
        defer { node.stop() }
        let client = JSONRPCClient(endpoint: node.url)
        let answers = try await client.batch([
            RPCRequest("eth_chainId"), RPCRequest("no_such_method"), RPCRequest("eth_blockNumber"),
            RPCRequest("eth_getBalance", ["0x7e5f4552091a69125d5dfcb7b8c2659029395bdf", "latest"]),
        ])
        #expect(answers.count == 4)
        #expect(try answers[0].get().quantity(method: "eth_chainId", field: "result") == 31_337)
        guard case let .failure(.node(method, code, _, _, _)) = answers[1] else { Issue.record("no per-call error: \(answers[1])"); return }
        #expect(method == "no_such_method" && code == -32601)
        #expect(try answers[2].get().quantity(method: "eth_blockNumber", field: "result") == 0)
        #expect(try answers[3].get().amount(method: "eth_getBalance", field: "result") == Amount(1_000_000) * EVMTestbed.ether)
        #expect(try await client.batch([]).isEmpty)
    }

    @Test("a reverting eth_call maps to a node error carrying the decoded revert reason")
    func revertReason() async throws {
        let bed = try await EVMTestbed.start(chainId: 4_301, remoteChain: 4_302)
        defer { bed.node.stop() }
        let inbound = Transfer(sourceChain: ChainID(4_302), destChain: ChainID(4_301), nonce: 1, sender: Address(bed.owner.address.bytes32),
                               receiver: Address(bed.owner.address.bytes32), sourceAsset: .zero, destAsset: .zero, amount: Amount(5),
                               fee: .zero, deadline: 4_000_000_000)
        do {
            _ = try await bed.client.call(EVMCall(to: bed.gateway, data: GatewayABI.release(inbound, signatures: [])))
            Issue.record("release without signatures did not revert")
        } catch {
            guard case let .node(method, code, message, data, revert) = error else { Issue.record("got \(error)"); return }
            #expect(method == "eth_call" && code == 3)
            #expect(message == "execution reverted: ferry: not enough signatures")
            #expect(data == RevertReason.encodeMessage("ferry: not enough signatures"))
            #expect(revert == .message("ferry: not enough signatures"))
            #expect(error.chainError(ChainID(4_301)) == .rejected(ChainID(4_301), reason: "ferry: not enough signatures"))
        }
    }
}
