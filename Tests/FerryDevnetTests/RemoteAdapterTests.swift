import FerryChains
import FerryCore
import FerryCrypto
import FerryDevnet
import AsyncHTTPClient
import Hummingbird
import Logging
import ServiceLifecycle
import Testing

@Suite("Remote chain adapter", .timeLimit(.minutes(1)))
struct RemoteAdapterTests {
    @Test("remote answers match the in-process adapter over the same ledger")
    func answersMatchInProcess() async throws {
        let testnet = try await TestDevnet.make()
        try await testnet.serve { served in
            let remote = try served.adapter(.evm)
            let local = SimulatedChainAdapter(ledger: try served.ledger(.evm))
            let connected = try await RemoteChainAdapter.connect(devnetURL: served.url, chain: remote.info.id)
            #expect(connected.info == local.info)
            try await served.admin.advanceTime(milliseconds: 10_000)
            let head = try await remote.head()
            let finalized = try await remote.finalizedHeight()
            let localHead = try await local.head()
            #expect(head.height >= 10 && head.height <= localHead.height)
            #expect(finalized + 6 >= head.height && finalized + 6 <= localHead.height, "finalized \(finalized), head \(head.height)")
            #expect(try await remote.relayerSet() == local.relayerSet())
            let account = Address(TestDevnet.relayers[0].address.bytes32)
            try await served.admin.fund(account, asset: "USDC", amount: 1_234_567, on: remote.info.id)
            #expect(try await remote.balance(of: account, asset: "USDC") == Amount(1_234_567))
            #expect(try await remote.gatewayState(of: Keccak256.hash("nothing")) == GatewayRecord.none)
            let fees = try await remote.feeEstimate()
            #expect(!fees.low.isZero && fees.low <= fees.median && fees.median <= fees.high)
        }
    }

    @Test("unknown assets, transactions and chains are typed errors")
    func unknownThings() async throws {
        let testnet = try await TestDevnet.make()
        try await testnet.serve { served in
            let remote = try served.adapter(.solana)
            let chain = remote.info.id
            let someone = Address(Keccak256.hash("someone"))
            let asset = await failure { () throws(ChainError) in try await remote.balance(of: someone, asset: "DOGE") }
            guard case let .unknown(id, what) = asset else { throw TestFailure("expected .unknown, got \(String(describing: asset))") }
            #expect(id == chain && what.contains("DOGE"), "\(what)")
            let tx = await failure { () throws(ChainError) in try await remote.transaction(TxID(Keccak256.hash("no such tx"))) }
            guard case .unknown = tx else { throw TestFailure("expected .unknown, got \(String(describing: tx))") }
            let missing = await failure { () throws(ChainError) in try await RemoteChainAdapter.connect(devnetURL: served.url, chain: 9) }
            guard case let .unknown(nine, served9) = missing else { throw TestFailure("expected .unknown, got \(String(describing: missing))") }
            #expect(nine == 9 && served9.contains("7001"), "\(served9)")
        }
    }

    @Test("a transaction the chain refuses comes back as .rejected with the chain's reason")
    func rejectedCarriesReason() async throws {
        let testnet = try await TestDevnet.make()
        try await testnet.serve { served in
            let remote = try served.adapter(.evm)
            let signer = try PrivateKeySigner(seed: 99, index: 1)
            let transfer = Transfer(sourceChain: 7002, destChain: remote.info.id, nonce: 1, sender: Address(Keccak256.hash("s")),
                                    receiver: Address(Keccak256.hash("r")), sourceAsset: .zero,
                                    destAsset: try #require(remote.info.asset("USDC")).gatewayID, amount: 5, fee: 0, deadline: .max)
            let unfunded = await failure { () throws(ChainError) in
                try await remote.submit(.release(transfer, signatures: []), signer: signer, priority: .high)
            }
            guard case let .insufficientFunds(chain, asset, _, available) = unfunded else {
                throw TestFailure("expected insufficient funds, got \(String(describing: unfunded))")
            }
            #expect(chain == remote.info.id && asset == "ETH" && available.isZero)
            try await served.admin.fund(Address(signer.address.bytes32), asset: "ETH", amount: Amount(parsing: "1000000000000000000"),
                                        on: remote.info.id)
            let unsigned = await failure { () throws(ChainError) in
                try await remote.submit(.release(transfer, signatures: []), signer: signer, priority: .high)
            }
            guard case let .rejected(_, reason) = unsigned else { throw TestFailure("expected .rejected, got \(String(describing: unsigned))") }
            #expect(!reason.isEmpty)
        }
    }

    @Test("a simulated outage is .unreachable; calls and open event streams recover when it ends")
    func outageAndRecovery() async throws {
        let testnet = try await TestDevnet.make()
        try await testnet.serve { served in
            let remote = try served.adapter(.rollup, pollTimeout: .milliseconds(500))
            let chain = remote.info.id
            let start = try await remote.head().height
            var events = remote.events(from: start + 1).makeAsyncIterator()
            try await served.admin.apply(.outage(durationSeconds: nil), on: chain)
            let down = await failure { () throws(ChainError) in try await remote.head() }
            guard case let .unreachable(id, underlying) = down else { throw TestFailure("expected .unreachable, got \(String(describing: down))") }
            #expect(id == chain && underlying.contains("outage"), "\(underlying)")
            try await served.admin.advanceTime(milliseconds: 3_000)
            try await served.admin.endOutage(on: chain)
            #expect(try await remote.head().height >= start + 3)
            // The stream opened before the outage delivers the blocks made during it.
            var reached: UInt64 = 0
            while reached < start + 3, let event = try await events.next() {
                if case let .head(block) = event { reached = block.height }
            }
            #expect(reached >= start + 3)
        }
    }

    @Test("a stopped devnet is .unreachable; restarted on the same port, calls and open streams resume")
    func serverDownAndBack() async throws {
        let testnet = try await TestDevnet.make()
        let (adapter, port, firstHead) = try await testnet.serve { served in
            let remote = try served.adapter(.bitcoin, pollTimeout: .milliseconds(300))
            return (remote, served.port, try await remote.head().height)
        }
        let down = await failure { () throws(ChainError) in try await adapter.head() }
        guard case let .unreachable(chain, underlying) = down else { throw TestFailure("expected .unreachable, got \(String(describing: down))") }
        #expect(chain == adapter.info.id && underlying.contains("127.0.0.1:\(port)"), "\(underlying)")
        // A stream read while the devnet is down keeps retrying, and delivers once it is back.
        let stream = adapter.events(from: firstHead + 1)
        let (attempted, attempt) = AsyncStream.makeStream(of: Void.self)
        let (delivered, deliver) = AsyncStream.makeStream(of: UInt64.self)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                defer { deliver.finish() }
                attempt.yield()
                for try await event in stream {
                    if case let .head(block) = event, block.height >= firstHead + 2 {
                        deliver.yield(block.height)
                        return
                    }
                }
                throw TestFailure("the stream ended")
            }
            var started = attempted.makeAsyncIterator()
            await started.next()
            try await testnet.serve(port: port) { served in
                // HTTPClient.shared retries refused connections, so this call cannot race the stream's retries.
                let admin = DevnetAdminClient(devnetURL: served.url, adminToken: TestDevnet.adminToken, httpClient: .shared)
                try await admin.advanceTime(milliseconds: 2_000)
                var heads = delivered.makeAsyncIterator()
                #expect(await heads.next() != nil, "the stream did not resume after the restart")
                #expect(try await adapter.head().height >= firstHead + 2)
            }
            try await tasks.waitForAll()
        }
    }

    @Test("answers that break the API are .unreachable and name the field")
    func strictDecoding() async throws {
        let router = Router()
        router.get("/v1/chains/5/head") { _, _ in #"{"height": 3, "hash": "0x1234", "timestampMillis": 1}"# }
        router.get("/v1/chains/5/finalized") { _, _ in #"{"height": -1}"# }
        router.get("/v1/chains/5/relayers") { _, _ in Response(status: .badGateway) }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }, logger: TestDevnet.quiet)
        let group = ServiceGroup(services: [app], logger: TestDevnet.quiet)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            let info = try #require(try await TestDevnet.make().devnet.ledgers[7001]).config.info
            let adapter = RemoteChainAdapter(info: ChainInfo(id: 5, name: "liar", family: .evm, nativeAsset: info.nativeAsset,
                                                             assets: info.assets, finalityDepth: 6, blockTimeMillis: 1000,
                                                             gateway: info.gateway),
                                             devnetURL: "http://127.0.0.1:\(port)")
            let outcomes: [(String, ChainError?, String)] = [
                ("head", await failure { () throws(ChainError) in try await adapter.head() }, "field `hash`"),
                ("finalized", await failure { () throws(ChainError) in try await adapter.finalizedHeight() }, "field `height`"),
                ("relayers", await failure { () throws(ChainError) in try await adapter.relayerSet() }, "HTTP 502"),
            ]
            for (label, outcome, expected) in outcomes {
                guard case let .unreachable(_, underlying) = outcome else {
                    Issue.record("\(label): expected .unreachable, got \(String(describing: outcome))")
                    continue
                }
                #expect(underlying.contains("malformed") && underlying.contains(expected), "\(label): \(underlying)")
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }
}

/// The error `body` fails with, or nil when it succeeds.
func failure<T>(_ body: () async throws(ChainError) -> T) async -> ChainError? {
    do {
        _ = try await body()
        return nil
    } catch {
        return error
    }
}
