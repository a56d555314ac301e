import AsyncHTTPClient
import FerryAdapterConformance
import FerryChains
import FerryCore
import FerryCrypto
import FerryDevnet
import Foundation
import Logging
import ServiceLifecycle
import Testing

/// A devnet of four fast chains (one per family, 1 s blocks, finality depth 6) for tests, written to a temporary
/// registry directory, and a way to serve it on loopback in process.
struct TestDevnet {
    static let ids: [ChainFamily: ChainID] = [.evm: 7001, .rollup: 7002, .solana: 7003, .bitcoin: 7004]
    static let adminToken = "test-admin-token"
    static let relayers: [PrivateKeySigner] = (0..<3).compactMap { try? PrivateKeySigner(seed: 1, index: $0) }

    let devnet: Devnet
    let directory: URL

    /// Registry TOML for chain `id` of `family` with USDC lanes to every other test chain.
    static func toml(id: ChainID, family: ChainFamily, blockTimeMillis: UInt64 = 1000) -> String {
        let native = switch family { case .evm, .rollup: ("ETH", 18); case .solana: ("SOL", 9); case .bitcoin: ("BTC", 8) }
        let members = relayers.map { "\"\($0.address.checksummed)\"" }.joined(separator: ", ")
        var text = """
            id = \(id.rawValue)
            name = "fast-\(family.rawValue)"
            family = "\(family.rawValue)"
            adapter = "sim"
            finality_depth = 6
            block_time_ms = \(blockTimeMillis)

            [native]
            symbol = "\(native.0)"
            decimals = \(native.1)

            [[tokens]]
            symbol = "USDC"
            decimals = 6

            [relayers]
            threshold = 2
            members = [\(members)]

            """
        for other in ids.values.sorted() where other != id {
            text += """

                [[lanes]]
                remote_chain = \(other.rawValue)
                asset = "USDC"
                remote_decimals = 6
                mode = "lock-release"

                """
        }
        return text
    }

    /// Writes the registry and builds the devnet (not yet served), with 1,000,000 USDC of pool liquidity per chain.
    static func make(adminToken: String? = adminToken) async throws -> TestDevnet {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-devnet-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (family, id) in ids {
            try toml(id: id, family: family).write(to: directory.appendingPathComponent("\(family.rawValue).toml"),
                                                    atomically: true, encoding: .utf8)
        }
        let registry = try ChainRegistry.load(directory: directory.path)
        let devnet = try await Devnet(registry: registry, seed: 7, adminToken: adminToken)
        for ledger in devnet.ledgers.values { try await ledger.addLiquidity("USDC", amount: 1_000_000_000_000) }
        return TestDevnet(devnet: devnet, directory: directory)
    }

    static let quiet = Logger(label: "ferry.devnet.test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Serves the devnet on `127.0.0.1:port` (0: a free port) while `body` runs, then shuts it down gracefully.
    func serve<T: Sendable>(port: Int = 0, _ body: @Sendable (Served) async throws -> T) async throws -> T {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = try DevnetServer.application(devnet: devnet, port: port, logger: Self.quiet) { port in continuation.yield(port) }
        let group = ServiceGroup(services: [app], logger: Self.quiet)
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            guard let bound = await iterator.next() else { throw TestFailure("the devnet server never reported its port") }
            let served = Served(devnet: self, port: bound)
            do {
                let result = try await body(served)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
        }
    }

    /// A served devnet: its URL, clients, and adapters.
    struct Served: Sendable {
        let devnet: TestDevnet
        let port: Int
        var url: String { "http://127.0.0.1:\(port)" }
        var admin: DevnetAdminClient { DevnetAdminClient(devnetURL: url, adminToken: TestDevnet.adminToken) }

        func adapter(_ family: ChainFamily, pollTimeout: Duration = .seconds(5)) throws -> RemoteChainAdapter {
            let ledger = try ledger(family)
            return RemoteChainAdapter(info: ledger.config.info, devnetURL: url, requestTimeout: .seconds(10), pollTimeout: pollTimeout)
        }

        func ledger(_ family: ChainFamily) throws -> SimulatedLedger {
            let id = try #require(TestDevnet.ids[family])
            return try #require(devnet.devnet.ledgers[id])
        }

        /// The conformance harness for `family`'s chain, on a lane to another test chain.
        func harness(_ family: ChainFamily, seed: UInt64) throws -> DevnetConformanceHarness {
            let remote = try adapter(family)
            let other = try #require(TestDevnet.ids.values.sorted().first { $0 != remote.info.id })
            let otherInfo = try #require(devnet.devnet.ledgers[other]).config.info
            let lane = ConformanceLane(asset: "USDC", remoteChain: other, remoteGateway: otherInfo.gateway,
                                       remoteAsset: try #require(otherInfo.asset("USDC")).gatewayID, remoteDecimals: 6,
                                       amount: Amount(2_000_000), fee: Amount(1_000))
            return DevnetConformanceHarness(remote: remote, admin: admin, lane: lane, relayers: TestDevnet.relayers, seed: seed)
        }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Raw HTTP for tests that send what a well-behaved client never would.
enum RawHTTP {
    static func send(_ method: String, _ url: String, body: String? = nil,
                     headers: [(String, String)] = []) async throws -> (status: Int, body: String) {
        var request = HTTPClientRequest(url: url)
        request.method = .init(rawValue: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(Array(body.utf8)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: bytes))
    }

    /// The error body of a failed answer.
    static func error(_ text: String) throws -> DevnetErrorBody {
        try JSONDecoder().decode(DevnetErrorBody.self, from: Data(text.utf8))
    }
}
