import FerryChains
import FerryCore
import FerryTestSupport
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// The `ferry` executable built beside this test bundle, if it was built.
private let ferryBinary: URL? = {
    let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    let candidate = bundleDirectory.appendingPathComponent("ferry")
    return FileManager.default.isExecutableFile(atPath: candidate.path) ? candidate : nil
}()

private let environment = ProcessInfo.processInfo.environment

/// The multi-process acceptance check of the relayer: five `ferry relayer run` processes against one `ferry devnet`
/// process; two relayers are `kill -9`ed at seeded-random moments while locks flow both ways, and restarted from the
/// same config and journal. Every lock must be released exactly once, nothing refunded, and value conserved.
///
/// Knobs: `FERRY_PROCESS_TEST_TRANSFERS` (default 2,000, both directions together), `FERRY_PROCESS_TEST_RATE`
/// (locks per second, default 25), `FERRY_PROCESS_TEST_SEED` (which relayers die, and when). The relayers' and the
/// devnet's logs stay in the temporary directory when the test fails (its path is in the failure message).
@Suite("ferry relayer run as five processes against ferry devnet", .serialized, .timeLimit(.minutes(10)))
struct RelayerProcessTests {
    static let chainA = ChainID(8101)  // solana family
    static let chainB = ChainID(8202)  // rollup family
    static let relayerCount = 5
    static let threshold = 3
    static let sendersPerChain = 10
    static let amountEach: UInt64 = 1_000_000
    static let feeEach: UInt64 = 100
    static let password = "relayer process test"

    @Test("kill -9 two of five relayers during the transfers and restart them: 0 lost, 0 released twice, conservation holds",
          .enabled(if: ferryBinary != nil || environment["CI"] != nil,
                   "build the ferry product first (swift build --build-tests, or make test); under CI a missing binary fails instead"))
    func killAndRestart() async throws {
        guard let binary = ferryBinary else {
            Issue.record("no ferry binary beside the test bundle (\(CommandLine.arguments[0])): run `swift build --build-tests` (or `swift build --product ferry`) first")
            return
        }
        let transfers = max(2, Int(environment["FERRY_PROCESS_TEST_TRANSFERS"] ?? "") ?? 2_000)
        let rate = max(1, Double(environment["FERRY_PROCESS_TEST_RATE"] ?? "") ?? 25)
        let seed = UInt64(environment["FERRY_PROCESS_TEST_SEED"] ?? "") ?? 0xF3_44
        let started = ContinuousClock.now

        let lab = try ProcessLab(binary: binary)
        // Deferred in reverse: the processes stop first, then the directory goes (kept with FERRY_PROCESS_TEST_KEEP).
        var keepDirectory = environment["FERRY_PROCESS_TEST_KEEP"] != nil
        defer { if !keepDirectory { lab.removeDirectory() } }
        defer { lab.stopAll() }
        func fail(_ message: String) -> TestFailureWithLogs {
            keepDirectory = true
            return TestFailureWithLogs(message: message, lab: lab)
        }

        // Keys: five attestation keystores (light scrypt) and five CURVE pairs, made by the CLI.
        var addresses: [String] = []
        var curvePublic: [String] = []
        try FileManager.default.createDirectory(at: lab.path("keys"), withIntermediateDirectories: true)
        for i in 0..<Self.relayerCount {
            let key = try await lab.runJSON(["keys", "new", "--keystore", lab.path("keys/relayer-\(i).json").path, "--light", "--json"],
                                            environment: ["FERRY_PASSWORD": Self.password])
            addresses.append(try #require(key["address"]))
            let curve = try await lab.runJSON(["relayer", "keys", "new", "--out", lab.path("keys/relayer-\(i).curve").path, "--json"])
            curvePublic.append(try #require(curve["public_key"]))
        }

        // The devnet: two chains of different families whose gateways trust these five keys at threshold 3.
        try lab.writeChains(directory: "devnet-chains", members: addresses, remoteURL: nil)
        try "chains_dir = \"devnet-chains\"\nseed = 11\n".write(to: lab.path("devnet.toml"), atomically: true, encoding: .utf8)
        let devnet = try await lab.startDevnet(config: lab.path("devnet.toml"))
        let admin = DevnetAdminClient(devnetURL: devnet.url, adminToken: devnet.adminToken)
        let adapters = [
            Self.chainA: try await RemoteChainAdapter.connect(devnetURL: devnet.url, chain: Self.chainA),
            Self.chainB: try await RemoteChainAdapter.connect(devnetURL: devnet.url, chain: Self.chainB),
        ]
        for (chain, adapter) in adapters {
            #expect(try await adapter.relayerSet().threshold == Self.threshold)
            try await admin.addLiquidity("USDC", amount: Amount(1_000_000_000_000_000), on: chain)
            let native = adapter.info.nativeAsset
            for address in addresses {
                try await admin.fund(Address(try EthereumAddress(hex: address).bytes32), asset: native.symbol,
                                     amount: try Amount(decimal: "1000", decimals: native.decimals), on: chain)
            }
        }

        // Senders: ten per chain, funded with gas and exactly the USDC their locks need.
        let perSender = (transfers + 2 * Self.sendersPerChain - 1) / (2 * Self.sendersPerChain)
        var senders: [ChainID: [PrivateKeySigner]] = [:]
        for (chain, adapter) in adapters {
            let native = adapter.info.nativeAsset
            for s in 0..<Self.sendersPerChain {
                let signer = try PrivateKeySigner(seed: 0x5E4D, index: chain.rawValue * 1_000 + UInt64(s))
                let account = Address(signer.address.bytes32)
                try await admin.fund(account, asset: native.symbol, amount: try Amount(decimal: "1000", decimals: native.decimals), on: chain)
                try await admin.fund(account, asset: "USDC", amount: Amount(UInt64(perSender) * (Self.amountEach + Self.feeEach)), on: chain)
                senders[chain, default: []].append(signer)
            }
        }

        // The relayers: registry of sim-remote entries pointing at the devnet, one config each, five processes.
        try lab.writeChains(directory: "relayer-chains", members: addresses, remoteURL: devnet.url)
        let gossipPorts = try (0..<Self.relayerCount).map { _ in try freeLoopbackPort() }
        let metricsPorts = try (0..<Self.relayerCount).map { _ in try freeLoopbackPort() }
        for i in 0..<Self.relayerCount {
            var text = """
                [node]
                id = "relayer-\(i)"
                keystore = "keys/relayer-\(i).json"
                journal = "relayer-\(i).sqlite"
                registry = "relayer-chains"
                chains = [\(Self.chainA.rawValue), \(Self.chainB.rawValue)]
                listen = "tcp://127.0.0.1:\(gossipPorts[i])"
                curve_secret_file = "keys/relayer-\(i).curve"
                metrics = "127.0.0.1:\(metricsPorts[i])"
                threshold = \(Self.threshold)
                grace_ms = 1500

                """
            for j in 0..<Self.relayerCount where j != i {
                text += """

                    [[peers]]
                    id = "relayer-\(j)"
                    endpoint = "tcp://127.0.0.1:\(gossipPorts[j])"
                    curve_public_key = "\(curvePublic[j])"
                    address = "\(addresses[j])"

                    """
            }
            try text.write(to: lab.path("relayer-\(i).toml"), atomically: true, encoding: .utf8)
        }
        let relayerEnvironment = ["FERRY_PASSWORD": Self.password]
        @Sendable func startRelayer(_ i: Int) throws {
            try lab.start(name: "relayer-\(i)", ["relayer", "run", "--config", lab.path("relayer-\(i).toml").path, "--log-level", "warning"],
                          environment: relayerEnvironment)
        }
        for i in 0..<Self.relayerCount { try startRelayer(i) }
        // Ready: every node serves /metrics and has caught up with both chains' heads.
        for i in 0..<Self.relayerCount {
            let heads = [Self.chainA: try await adapters[Self.chainA]!.head().height, Self.chainB: try await adapters[Self.chainB]!.head().height]
            try await poll("relayer-\(i) to serve /metrics and catch up", timeout: .seconds(60), lab: lab) {
                guard let m = await scrapeMetrics(port: metricsPorts[i]) else { return false }
                return heads.allSatisfy { m["ferry_relayer_chain_processed_height{chain=\"\($0.key.rawValue)\"}", default: 0] >= Double($0.value) }
            }
        }
        let setupTime = ContinuousClock.now - started

        // Watch both chains from genesis: every locked, released, cancelled and refunded id.
        let tally = EventTally()
        let watchers = adapters.map { chain, adapter in
            let follower = RemoteChainAdapter(info: adapter.info, devnetURL: devnet.url, pollTimeout: .seconds(2))
            return Task { await tally.follow(follower, chain: chain) }
        }
        defer { for watcher in watchers { watcher.cancel() } }

        // The victims and their moments, from the seed: two distinct relayers, killed during the submission window.
        var rng = SplitMix64(seed: seed)
        let window = Double(transfers) / rate
        let first = Int(rng.next() % UInt64(Self.relayerCount))
        let second = (first + 1 + Int(rng.next() % UInt64(Self.relayerCount - 1))) % Self.relayerCount
        let kills: [(relayer: Int, at: Double, down: Double)] = [
            (first, window * (0.15 + 0.3 * rng.unit()), 1 + 3 * rng.unit()),
            (second, window * (0.5 + 0.3 * rng.unit()), 1 + 3 * rng.unit()),
        ]
        let deadline = UInt64(Date().timeIntervalSince1970) + 86_400
        let usdc = try #require(adapters[Self.chainA]!.info.asset("USDC"))
        let submitStart = ContinuousClock.now
        let workers = 2 * Self.sendersPerChain
        var restartedAt: [Int: ContinuousClock.Instant] = [:]

        try await withThrowingTaskGroup(of: (Int, ContinuousClock.Instant)?.self) { group in
            // Lock number n leaves at submitStart + n/rate, alternating direction; worker w sends n ≡ w (mod workers).
            for w in 0..<workers {
                let source = w % 2 == 0 ? Self.chainA : Self.chainB
                let dest = source == Self.chainA ? Self.chainB : Self.chainA
                let sender = senders[source]![w / 2]
                let adapter = adapters[source]!
                group.addTask {
                    var n = w
                    while n < transfers {
                        try await Task.sleep(until: submitStart + .milliseconds(Int64(Double(n) * 1000 / rate)), clock: .continuous)
                        let transfer = Transfer(
                            sourceChain: source, destChain: dest, nonce: 0, sender: Address(sender.address.bytes32),
                            receiver: receiver(of: sender), sourceAsset: usdc.gatewayID, destAsset: usdc.gatewayID,
                            amount: Amount(Self.amountEach), fee: Amount(Self.feeEach), deadline: deadline)
                        _ = try await adapter.submit(.lock(transfer), signer: sender, priority: .high)
                        n += workers
                    }
                    return nil
                }
            }
            for kill in kills {
                group.addTask {
                    try await Task.sleep(until: submitStart + .milliseconds(Int64(kill.at * 1000)), clock: .continuous)
                    try lab.kill9(name: "relayer-\(kill.relayer)")
                    try await Task.sleep(for: .milliseconds(Int64(kill.down * 1000)))
                    try startRelayer(kill.relayer)
                    return (kill.relayer, ContinuousClock.now)
                }
            }
            for try await restart in group { if let (relayer, at) = restart { restartedAt[relayer] = at } }
        }
        let submitTime = ContinuousClock.now - submitStart
        #expect(restartedAt.count == 2, "both victims restarted")

        // Wait (a deadline, polling the devnet through the event feeds) until every lock is released.
        let waitStart = ContinuousClock.now
        do {
            try await poll("every lock to be released", timeout: .seconds(max(120, Int64(window))), lab: lab) {
                let s = await tally.snapshot
                return s.locked[Self.chainA, default: [:]].count + s.locked[Self.chainB, default: [:]].count == transfers
                    && s.locked.allSatisfy { chain, ids in
                        let dest = chain == Self.chainA ? Self.chainB : Self.chainA
                        return ids.keys.allSatisfy { s.released[dest, default: [:]][$0] != nil }
                    }
            }
        } catch {
            let s = await tally.snapshot
            throw fail("""
                \(error): locked A \(s.locked[Self.chainA, default: [:]].count) B \(s.locked[Self.chainB, default: [:]].count) \
                of \(transfers), released on A \(s.released[Self.chainA, default: [:]].count) on B \(s.released[Self.chainB, default: [:]].count)
                """)
        }
        let drainTime = ContinuousClock.now - waitStart
        // A second release would have to be in a later block: give the chains a few more blocks to show one.
        let settleHeights = [Self.chainA: try await adapters[Self.chainA]!.head().height + 4,
                             Self.chainB: try await adapters[Self.chainB]!.head().height + 4]
        try await poll("a few more blocks", timeout: .seconds(30), lab: lab) {
            let s = await tally.snapshot
            return settleHeights.allSatisfy { s.heads[$0.key, default: 0] >= $0.value }
        }

        // Exactly once, both ways, nothing refunded or cancelled, nothing released that was not locked.
        let s = await tally.snapshot
        #expect(s.reorgs == 0, "no reorg was scheduled, yet \(s.reorgs) happened")
        for (source, dest) in [(Self.chainA, Self.chainB), (Self.chainB, Self.chainA)] {
            let locked = s.locked[source, default: [:]]
            let released = s.released[dest, default: [:]]
            #expect(locked.count == transfers / 2 + (source == Self.chainA ? transfers % 2 : 0), "locks on \(source)")
            #expect(Set(released.keys) == Set(locked.keys), "released on \(dest) = locked on \(source)")
            let twice = released.filter { $0.value != 1 }
            #expect(twice.isEmpty, "released more than once on \(dest): \(twice.count)")
            #expect(s.cancelled[dest, default: [:]].isEmpty && s.refunded[source, default: [:]].isEmpty,
                    "cancelled \(s.cancelled[dest, default: [:]].count), refunded \(s.refunded[source, default: [:]].count)")
        }

        // Value: each receiver got exactly what its sender locked; each chain's conservation equation holds.
        for (source, list) in senders {
            let dest = source == Self.chainA ? Self.chainB : Self.chainA
            for sender in list {
                let count = s.locked[source, default: [:]].values.filter { $0 == Address(sender.address.bytes32) }.count
                let got = try await adapters[dest]!.balance(of: receiver(of: sender), asset: "USDC")
                #expect(got == (try Amount(UInt64(count)) * Amount(Self.amountEach)), "receiver of \(sender.address) on \(dest)")
            }
        }
        for chain in [Self.chainA, Self.chainB] {
            let lines = try await conservation(devnet: devnet, chain: chain)
            #expect(!lines.isEmpty)
            for line in lines { #expect(line.holds, "chain \(chain) \(line.asset): \(line.detail)") }
        }

        // The restarted relayers resumed: alive, caught up with both chains, and since their restart they have
        // seen releases land (the counter restarts with the process; the journal gauge is what survived in the file).
        for relayer in restartedAt.keys.sorted() {
            #expect(lab.isRunning(name: "relayer-\(relayer)"), "relayer-\(relayer) died after its restart")
            try await poll("restarted relayer-\(relayer) to catch up with \(settleHeights)", timeout: .seconds(30), lab: lab) {
                guard let m = await scrapeMetrics(port: metricsPorts[relayer]) else { return false }
                return settleHeights.allSatisfy { m["ferry_relayer_chain_processed_height{chain=\"\($0.key.rawValue)\"}", default: 0] >= Double($0.value) }
            }
            let m = await scrapeMetrics(port: metricsPorts[relayer]) ?? [:]
            let observed = m["ferry_relayer_outcomes_observed_total{state=\"released\"}", default: 0]
            let inJournal = m["ferry_relayer_transfers{state=\"released\"}", default: 0]
            #expect(observed > 0 && inJournal > 0,
                    "relayer-\(relayer) after restart: released observed \(observed), released in journal \(inJournal)")
        }
        for i in 0..<Self.relayerCount { #expect(lab.isRunning(name: "relayer-\(i)"), "relayer-\(i) is not running") }

        let exits = await lab.terminateAll()
        for (name, status) in exits { #expect(status == 0, "\(name) exited \(status) on SIGTERM") }
        print("""
            relayer process test: \(transfers) transfers at \(rate)/s, seed \(seed), killed relayer-\(kills[0].relayer) at \
            \(String(format: "%.1f", kills[0].at)) s for \(String(format: "%.1f", kills[0].down)) s and relayer-\(kills[1].relayer) at \
            \(String(format: "%.1f", kills[1].at)) s for \(String(format: "%.1f", kills[1].down)) s; setup \(setupTime), \
            submitting \(submitTime), draining \(drainTime), total \(ContinuousClock.now - started)
            """)
    }

    /// The account a sender's transfers pay on the destination.
    static func receiverAccount(_ sender: PrivateKeySigner) -> Address { Address(Keccak256.hash("receiver \(sender.address)")) }
}

private func receiver(of sender: PrivateKeySigner) -> Address { RelayerProcessTests.receiverAccount(sender) }

/// A failure that carries where the logs are and their last lines.
struct TestFailureWithLogs: Error, CustomStringConvertible {
    let message: String
    let description: String

    init(message: String, lab: ProcessLab) {
        self.message = message
        description = "\(message)\nlogs in \(lab.directory.path)\n\(lab.logTails())"
    }
}

/// Polls `condition` until it holds; fails after `timeout` with the processes' last log lines.
private func poll(_ what: String, timeout: Duration, lab: ProcessLab, _ condition: () async throws -> Bool) async throws {
    try await waitUntil(what, timeout: timeout, every: .milliseconds(250), condition)
}

/// Everything the two chains said, from genesis, as seen through the devnet's event long-poll.
actor EventTally {
    struct Snapshot: Sendable {
        var locked: [ChainID: [Bytes32: Address]] = [:]  // id -> sender
        var released: [ChainID: [Bytes32: Int]] = [:]
        var cancelled: [ChainID: [Bytes32: Int]] = [:]
        var refunded: [ChainID: [Bytes32: Int]] = [:]
        var heads: [ChainID: UInt64] = [:]
        var reorgs = 0
    }

    private(set) var snapshot = Snapshot()

    func follow(_ adapter: RemoteChainAdapter, chain: ChainID) async {
        do {
            for try await event in adapter.events(from: 0) { record(event, on: chain) }
        } catch {
            // Cancelled at the end of the test; any other failure shows up as missing events.
        }
    }

    private func record(_ event: GatewayEvent, on chain: ChainID) {
        switch event {
        case let .locked(id, transfer, _, _): snapshot.locked[chain, default: [:]][id] = transfer.sender
        case let .released(id, _, _): snapshot.released[chain, default: [:]][id, default: 0] += 1
        case let .cancelled(id, _, _): snapshot.cancelled[chain, default: [:]][id, default: 0] += 1
        case let .refunded(id, _, _): snapshot.refunded[chain, default: [:]][id, default: 0] += 1
        case .reorg: snapshot.reorgs += 1
        case let .head(block): snapshot.heads[chain] = block.height
        }
    }
}

/// A temporary directory with child processes of the `ferry` binary, each logging to `<name>.log` there.
final class ProcessLab: @unchecked Sendable {
    let binary: URL
    let directory: URL
    // Guarded by `lock`.
    private var processes: [String: ChildProcess] = [:]
    private var everStarted: [String] = []
    private let lock = NSLock()

    init(binary: URL) throws {
        self.binary = binary
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-relayer-processes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func path(_ relative: String) -> URL { directory.appendingPathComponent(relative) }

    func removeDirectory() { try? FileManager.default.removeItem(at: directory) }

    /// Starts `ferry arguments...` as `name` (replacing a dead process of that name), appending to `name.log`.
    @discardableResult
    func start(name: String, _ arguments: [String], environment extra: [String: String] = [:], stdout: URL? = nil) throws -> ChildProcess {
        let log = path("\(name).log")
        if !FileManager.default.fileExists(atPath: log.path) { _ = FileManager.default.createFile(atPath: log.path, contents: nil) }
        let errors = try FileHandle(forWritingTo: log)
        errors.seekToEndOfFile()
        let process = ChildProcess()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = ProcessInfo.processInfo.environment.merging(extra) { $1 }
        process.standardError = errors
        if let stdout {
            _ = FileManager.default.createFile(atPath: stdout.path, contents: nil)
            process.standardOutput = try FileHandle(forWritingTo: stdout)
        } else {
            process.standardOutput = errors
        }
        try lock.withLock {
            if let old = processes[name], old.isRunning { throw TestFailure("\(name) is already running") }
            try process.run()
            processes[name] = process
            if !everStarted.contains(name) { everStarted.append(name) }
        }
        return process
    }

    /// Runs a short `ferry` command to completion and decodes its `--json` output as a string map.
    func runJSON(_ arguments: [String], environment extra: [String: String] = [:]) async throws -> [String: String] {
        let name = "cli-\(UUID().uuidString.prefix(8))"
        let out = path("\(name).out")
        let process = try start(name: name, arguments, environment: extra, stdout: out)
        let deadline = ContinuousClock.now + .seconds(60)
        while process.isRunning {
            guard ContinuousClock.now < deadline else { throw TestFailure("ferry \(arguments.joined(separator: " ")) did not finish") }
            try await Task.sleep(for: .milliseconds(20))
        }
        let data = try Data(contentsOf: out)
        guard process.terminationStatus == 0,
              let map = try? JSONDecoder().decode([String: String].self, from: data) else {
            throw TestFailure("ferry \(arguments.joined(separator: " ")) exited \(process.terminationStatus): \(String(decoding: data, as: UTF8.self)) \(logTail(name))")
        }
        return map
    }

    struct Devnet {
        let url: String
        let adminToken: String
    }

    /// Starts `ferry devnet --config config --port 0 --json` and reads its announcement line.
    func startDevnet(config: URL) async throws -> Devnet {
        struct Announcement: Decodable {
            let url: String
            let adminToken: String
        }
        let out = path("devnet.out")
        try start(name: "devnet", ["devnet", "--config", config.path, "--port", "0", "--json"], stdout: out)
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            if let data = FileManager.default.contents(atPath: out.path), let newline = data.firstIndex(of: UInt8(ascii: "\n")) {
                let announcement = try JSONDecoder().decode(Announcement.self, from: data[..<newline])
                return Devnet(url: announcement.url, adminToken: announcement.adminToken)
            }
            guard isRunning(name: "devnet") else { throw TestFailure("ferry devnet exited: \(logTail("devnet"))") }
            guard ContinuousClock.now < deadline else { throw TestFailure("ferry devnet announced nothing: \(logTail("devnet"))") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Registry files for the two test chains; `remoteURL` makes them `sim-remote` entries of that devnet.
    func writeChains(directory name: String, members: [String], remoteURL: String?) throws {
        let folder = path(name)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let chains: [(ChainID, String, String, (String, Int), Int, Int)] = [
            (RelayerProcessTests.chainA, "proc-solana", "solana", ("SOL", 9), 400, 4),
            (RelayerProcessTests.chainB, "proc-rollup", "rollup", ("ETH", 18), 500, 3),
        ]
        let list = members.map { "\"\($0)\"" }.joined(separator: ", ")
        for (id, chainName, family, native, blockTime, finality) in chains {
            let other = id == RelayerProcessTests.chainA ? RelayerProcessTests.chainB : RelayerProcessTests.chainA
            let adapter = remoteURL.map { "adapter = \"sim-remote\"\nrpc_url = \"\($0)\"" } ?? "adapter = \"sim\""
            let text = """
                id = \(id.rawValue)
                name = "\(chainName)"
                family = "\(family)"
                \(adapter)
                finality_depth = \(finality)
                block_time_ms = \(blockTime)

                [native]
                symbol = "\(native.0)"
                decimals = \(native.1)

                [[tokens]]
                symbol = "USDC"
                decimals = 6

                [relayers]
                threshold = \(RelayerProcessTests.threshold)
                members = [\(list)]

                [[lanes]]
                remote_chain = \(other.rawValue)
                asset = "USDC"
                remote_decimals = 6
                mode = "lock-release"

                """
            try text.write(to: folder.appendingPathComponent("\(chainName).toml"), atomically: true, encoding: .utf8)
        }
    }

    func isRunning(name: String) -> Bool { lock.withLock { processes[name]?.isRunning ?? false } }

    /// SIGKILL, and wait until the process is gone.
    func kill9(name: String) throws {
        let process = try lock.withLock {
            guard let p = processes[name], p.isRunning else { throw TestFailure("\(name) is not running") }
            return p
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGTERM to every running process; waits up to 20 s for them; answers each one's exit status.
    func terminateAll() async -> [String: Int32] {
        let running = lock.withLock { processes.filter { $0.value.isRunning } }
        // Relayers first, the devnet last: a relayer draining still talks to the chains.
        for (name, process) in running where name != "devnet" { kill(process.processIdentifier, SIGTERM) }
        let deadline = ContinuousClock.now + .seconds(20)
        while running.contains(where: { $0.key != "devnet" && $0.value.isRunning }), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        if let devnet = running["devnet"] { kill(devnet.processIdentifier, SIGTERM) }
        while running.contains(where: { $0.value.isRunning }), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        var out: [String: Int32] = [:]
        for (name, process) in running {
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                out[name] = -9
            } else {
                out[name] = process.terminationStatus
            }
        }
        return out
    }

    /// The `defer` path: nothing outlives the test. SIGTERM, a short grace, then SIGKILL.
    func stopAll() {
        let running = lock.withLock { processes.values.filter(\.isRunning) }
        for process in running { kill(process.processIdentifier, SIGTERM) }
        let deadline = Date().addingTimeInterval(10)
        while running.contains(where: \.isRunning), Date() < deadline { usleep(20_000) }
        for process in running where process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    func logTail(_ name: String, lines: Int = 15) -> String {
        guard let data = FileManager.default.contents(atPath: path("\(name).log").path) else { return "" }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    func logTails() -> String {
        lock.withLock { everStarted }.filter { !$0.hasPrefix("cli-") }.map { "--- \($0).log\n\(logTail($0))" }.joined(separator: "\n")
    }
}

/// A plain error with a message, for setup problems.
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A loopback TCP port nobody was listening on a moment ago.
func freeLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw TestFailure("socket: \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard bound else { throw TestFailure("bind: \(String(cString: strerror(errno)))") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// `GET /metrics` of a relayer, as `name{labels}` -> value; nil when it does not answer.
func scrapeMetrics(port: Int) async -> [String: Double]? {
    guard let url = URL(string: "http://127.0.0.1:\(port)/metrics") else { return nil }
    var request = URLRequest(url: url)
    request.timeoutInterval = 5
    guard let (data, response) = try? await URLSession.shared.data(for: request),
          (response as? HTTPURLResponse)?.statusCode == 200 else { return nil }
    var out: [String: Double] = [:]
    for line in String(decoding: data, as: UTF8.self).split(separator: "\n") where !line.hasPrefix("#") {
        guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
        out[String(line[..<space])] = value
    }
    return out
}

/// The devnet admin's `GET /devnet/chains/{id}/conservation`.
private func conservation(devnet: ProcessLab.Devnet, chain: ChainID) async throws -> [DevnetAPI.ConservationLine] {
    let url = try #require(URL(string: "\(devnet.url)/devnet/chains/\(chain.rawValue)/conservation"))
    var request = URLRequest(url: url)
    request.setValue(devnet.adminToken, forHTTPHeaderField: "X-Ferry-Devnet-Admin")
    request.timeoutInterval = 10
    let (data, response) = try await URLSession.shared.data(for: request)
    let status = (response as? HTTPURLResponse)?.statusCode ?? 0
    guard status == 200 else { throw TestFailure("conservation on \(chain): HTTP \(status) \(String(decoding: data, as: UTF8.self))") }
    return try JSONDecoder().decode([DevnetAPI.ConservationLine].self, from: data)
}
