import ArgumentParser
import AsyncHTTPClient
import FerryAPI
import FerryChains
import FerryClient
import FerryCore
import FerryCrypto
import FerryServer
import Foundation
import Logging

/// The README's main job: an embedded Ferry (three simulated chains, three relayers over ZeroMQ, the HTTP API on a
/// loopback port) and an agent that pays through ``FerryClient`` over real HTTP: a service bought through escrow,
/// a provider that misses its deadline and the refund, and a payment the policy refuses.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "A guided tour: an agent buys compute across chains over Ferry's HTTP API (escrow, refund, policy refusal).")

    @Option(help: "Virtual seconds per real second for the simulated chains.")
    var speed: Double = 25

    @Option(help: "Seed for keys and the simulated chains.")
    var seed: UInt64 = 7

    @Flag(help: "Show relayer and server logs (noisy).")
    var verbose = false

    func validate() throws {
        guard speed >= 1, speed <= 1_000 else { throw ValidationError("--speed must be 1...1000, not \(speed)") }
    }

    func run() async throws {
        let logger = verbose ? Logger(label: "ferry.demo") : Logger(label: "ferry.demo", factory: { _ in SwiftLogNoOpLogHandler() })
        let apiKey = "demo-" + UUID().uuidString.lowercased()
        var options = SimulatedWorld.Options()
        options.seed = seed
        let ferry = try await EmbeddedFerry(options: options, keys: try APIKeyStore(plaintext: ["demo-agent": apiKey]), speed: speed,
                                            logger: logger)
        let started = ContinuousClock.now
        try await ferry.serving(logger: logger) { port in
            // Our own HTTP client, shut down before the server so no idle keep-alive connection delays its shutdown.
            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            let client = FerryClient(baseURL: "http://127.0.0.1:\(port)", apiKey: apiKey, httpClient: http)
            do {
                try await DemoScript(ferry: ferry, client: client, port: port).run()
            } catch {
                try? await http.shutdown()
                throw error
            }
            try await http.shutdown()
        }
        let elapsed = ContinuousClock.now - started
        say("\nDone in \(elapsed.formatted(.units(allowed: [.seconds], fractionalPart: .show(length: 1)))) of real time.")
    }
}

/// What the demo plays, printed as it happens.
struct DemoScript: Sendable {
    let ferry: EmbeddedFerry
    let client: FerryClient
    let port: Int
    var world: SimulatedWorld { ferry.world }
    static let a = SimulatedWorld.chainA
    static let b = SimulatedWorld.chainB
    static let c = SimulatedWorld.chainC

    func run() async throws {
        let chains = try await client.chains()
        section("The world")
        let names = Dictionary(chains.chains.map { ($0.id, $0.name) }, uniquingKeysWith: { x, _ in x })
        for c in chains.chains {
            row("chain \(c.id)", "\(c.name) (\(c.family)): \(c.blockTimeMs / 1000 > 0 ? "\(Double(c.blockTimeMs) / 1000) s" : "\(c.blockTimeMs) ms") blocks, final after \(c.finalityDepth) blocks, assets \(c.assets.map(\.symbol).joined(separator: ", "))")
        }
        row("relayers", "\(world.relayers.count) nodes, each signs EIP-712 attestations; gateways need \(world.options.threshold) of \(world.relayers.count); gossip over ZeroMQ (CURVE), SQLite journals")
        row("API", "http://127.0.0.1:\(port)  (bearer key for agent \"demo-agent\"; the agent below uses FerryClient over HTTP)")
        row("time", "simulated chains run \(Int(ferry.driver.speed))x faster than real time; times below are chain time")
        let policy = try await client.policy()
        row("policy", "per payment <= \(policy.perPaymentCap ?? "-") \(policy.referenceUnit), USDC budget \(policy.budgets["USDC"] ?? "-") \(policy.referenceUnit) per 24 h, fees <= \(Amount(UInt64(clamping: policy.maxFeePPM ?? 0)).formatted(decimals: 4)) %, p95 ETA <= \((policy.maxLatencyMs ?? 0) / 1000) s")

        // 1. Buying compute through escrow.
        section("1. An agent on \(names[Self.a.rawValue] ?? "A") buys GPU inference from a provider on \(names[Self.b.rawValue] ?? "B")")
        let provider = Address(Keccak256.hash("demo provider: gpu-inference-a100"))
        let result = "inference job 1: 512 tokens, sha of weights 0x5eed"
        let agentA0 = try await world.balance(world.agentAccount, on: Self.a)
        row("offer", "gpu-inference-a100: 25 USDC on chain \(Self.b.rawValue), deliver within 10 min, verified by result hash")
        row("candidates", "")
        for lane in chains.lanes where lane.from.chain == Self.a.rawValue && lane.to.chain == Self.b.rawValue {
            row("  \(lane.bridge)", "flat \(lane.flatFee) USDC + \(Amount(UInt64(clamping: lane.feePPM)).formatted(decimals: 4)) %, p50 \(lane.latency.p50Ms / 1000) s / p95 \(lane.latency.p95Ms / 1000) s")
        }
        let request = APIPaymentRequest(
            from: APIAsset(chain: Self.a.rawValue, asset: "USDC"), to: APIAsset(chain: Self.b.rawValue, asset: "USDC"), amount: "25",
            escrow: APIEscrowTerms(serviceID: "gpu-inference-a100", provider: provider.description, deliverySeconds: 600,
                                   resultHash: Keccak256.hash(Array(result.utf8)).hex))
        let quote = try await client.quote(request)
        showQuote(quote)
        let key = "demo-job-1"
        let payment = try await client.pay(APIPaymentRequest(from: request.from, to: request.to, amount: request.amount, escrow: request.escrow,
                                                             quoteID: quote.quoteID), idempotencyKey: key)
        row("pay", "\(payment.id): \(payment.state), budget reserved \(payment.budgetReserved ?? "-")")
        let retry = try await client.pay(request, idempotencyKey: key)
        row("retry", "same Idempotency-Key -> \(retry.id == payment.id ? "the same payment, not a second one" : "A DIFFERENT PAYMENT (bug)")")
        say("  timeline:")
        let final = try await follow(payment.id) { event in
            guard event.kind == "escrow_funded", let escrowID = try await client.payment(payment.id).escrow?.id else { return }
            say("    ...the provider delivers; the agent checks the result's hash and confirms")
            _ = try await client.confirmEscrow(escrowID, result: result)
        }
        row("outcome", "payment \(final.state), escrow \(final.escrow?.state ?? "-")")
        try await balances([("agent on A", world.agentAccount, Self.a, agentA0), ("provider on B", provider, Self.b, .zero),
                            ("escrow on B", world.escrowAccount, Self.b, .zero)])

        // 2. A provider that misses its deadline.
        section("2. A provider misses its deadline: the escrow refunds the agent on chain \(Self.a.rawValue)")
        let lateProvider = Address(Keccak256.hash("demo provider: slow-render"))
        let agentA1 = try await world.balance(world.agentAccount, on: Self.a)
        let late = APIPaymentRequest(
            from: request.from, to: request.to, amount: "20",
            escrow: APIEscrowTerms(serviceID: "render-frames-1024", provider: lateProvider.description, deliverySeconds: 30,
                                   resultHash: Keccak256.hash(Array("frames".utf8)).hex))
        let lateQuote = try await client.quote(late)
        row("quote", "send \(lateQuote.send) USDC for 20 USDC of rendering; refund fee if it goes wrong: \(lateQuote.refundFee ?? "-") USDC")
        let latePayment = try await client.pay(late, idempotencyKey: "demo-job-2")
        row("pay", "\(latePayment.id): \(latePayment.state); delivery window 30 s after funding, and the provider stays silent")
        say("  timeline:")
        let refunded = try await follow(latePayment.id) { _ in }
        row("outcome", "payment \(refunded.state), escrow \(refunded.escrow?.state ?? "-")")
        try await balances([("agent on A", world.agentAccount, Self.a, agentA1), ("provider on B", lateProvider, Self.b, .zero)])
        let agentA2 = try await world.balance(world.agentAccount, on: Self.a)
        row("cost", "\(amount(agentA1.saturatingSubtract(agentA2))) USDC = bridge fees both ways + the refund fee stated in the quote")

        // 3. A payment the policy refuses.
        section("3. The policy refuses a payment before anything is signed")
        let big = APIPaymentRequest(from: request.from, to: request.to, amount: "250", receiver: provider.description)
        let before = try await world.balance(world.agentAccount, on: Self.a)
        switch await attempt(big, key: "demo-job-3") {
        case let .success(p):
            row("pay", "UNEXPECTED: \(p.state)")
        case let .failure(error):
            let problem = error.problem
            row("request", "250 USDC of cluster time on chain \(Self.b.rawValue)")
            row("answer", "HTTP \(problem?.status ?? 0) \(problem?.title ?? "")")
            row("rule", problem?.rule ?? "-")
            row("detail", problem?.detail ?? error.description)
        }
        let after = try await world.balance(world.agentAccount, on: Self.a)
        row("wallet", after == before ? "unchanged: nothing signed, nothing reserved" : "CHANGED (bug)")
        let used = try await client.policy()
        row("budget used", "\(used.used["USDC"] ?? "0") of \(used.budgets["USDC"] ?? "-") \(used.referenceUnit) (the refund released its reservation)")

        // 4. A payment no single bridge can make.
        try await twoHops(names: names)
    }

    /// An API on chain C, which no lane joins to A: the router goes through B, the agent signs one lock, and the
    /// gateway on B forwards the value to C in the same transaction that releases it.
    func twoHops(names: [UInt64: String]) async throws {
        section("4. An agent on \(names[Self.a.rawValue] ?? "A") pays an API on \(names[Self.c.rawValue] ?? "C"): no lane joins them, so the route goes through \(names[Self.b.rawValue] ?? "B")")
        let api = Address(Keccak256.hash("demo provider: geodata-api"))
        let request = APIPaymentRequest(from: APIAsset(chain: Self.a.rawValue, asset: "USDC"), to: APIAsset(chain: Self.c.rawValue, asset: "USDC"),
                                        amount: "40", receiver: api.description)
        let quote = try await client.quote(request)
        row("route", quote.hops.map { "\($0.lane) (\($0.input) -> \($0.output) USDC)" }.joined(separator: ", then "))
        row("totals", "send \(quote.send) USDC, deliver \(quote.deliver) USDC, fee \(quote.fee) USDC; ETA p95 \(quote.eta.p95Ms / 1000) s")
        let agentA = try await world.balance(world.agentAccount, on: Self.a), agentB = try await world.balance(world.agentAccount, on: Self.b)
        let payment = try await client.pay(request, idempotencyKey: "demo-job-4")
        row("pay", "\(payment.id): \(payment.state); one signed lock on chain \(Self.a.rawValue) commits to both hops")
        say("  timeline:")
        let done = try await follow(payment.id) { _ in }
        row("outcome", "payment \(done.state)")
        for (index, hop) in (done.hops ?? []).enumerated() {
            row("hop \(index + 1)", "chain \(hop.sourceChain) -> chain \(hop.destChain), message \(Self.shorten(hop.messageID ?? "-"))")
        }
        try await balances([("agent on A", world.agentAccount, Self.a, agentA), ("agent on B", world.agentAccount, Self.b, agentB),
                            ("API on C", api, Self.c, .zero)])
        row("in between", try await world.balance(world.agentAccount, on: Self.b) == agentB
            ? "nothing stayed on chain \(Self.b.rawValue): the release there locked the second hop in the same transaction"
            : "VALUE LEFT ON B (bug)")
    }

    /// A payment attempt whose refusal is an expected outcome, not an error.
    func attempt(_ request: APIPaymentRequest, key: String) async -> Result<APIPayment, FerryClientError> {
        do { return .success(try await client.pay(request, idempotencyKey: key)) } catch { return .failure(error) }
    }

    // MARK: Output

    func section(_ title: String) { say("\n== \(title)") }

    func row(_ label: String, _ text: String) {
        say("  " + label.padding(toLength: max(12, label.count), withPad: " ", startingAt: 0) + "  " + text)
    }

    func amount(_ a: Amount) -> String { a.formatted(decimals: 6) }

    func showQuote(_ q: APIQuote) {
        let hop = q.hops.first
        row("route", "\(hop?.lane ?? "-") won: \(q.reason)")
        for h in q.hops {
            row("fees", "bridge \(h.bridgeFee) USDC + destination gas \(h.gasFee) USDC (\(h.gasNative) ETH)")
        }
        row("totals", "send \(q.send) USDC, deliver \(q.deliver) USDC, fee \(q.fee) USDC")
        row("ETA", "p50 \(q.eta.p50Ms / 1000) s, p95 \(q.eta.p95Ms / 1000) s; quote valid until +\((q.expiresAtMs - world.clock.unixMillis) / 1000) s")
        row("refund fee", "\(q.refundFee ?? "-") USDC if the provider misses its deadline (stated now, charged only then)")
        let p = q.policy
        row("policy", p.decision == "approved" ? "approved: counts \(p.value ?? "-") against the budget" : "\(p.decision): \(p.rule ?? "") \(p.message ?? "")")
    }

    /// Prints the payment's event stream until it ends; `onEvent` runs after each event is printed.
    func follow(_ id: String, onEvent: (APIEvent) async throws -> Void) async throws -> APIPayment {
        var start: UInt64?
        for try await update in client.events(id) {
            switch update {
            case let .event(e):
                let t0 = start ?? e.atMs
                start = t0
                let offset = String(format: "+%5.1f s", Double(e.atMs - t0) / 1000)
                say("    \(offset)  \(e.kind.padding(toLength: 20, withPad: " ", startingAt: 0)) \(Self.shorten(e.detail))")
                try await onEvent(e)
            case let .end(payment):
                return payment
            }
        }
        return try await client.payment(id)
    }

    /// Long hex strings cut to 0x1234..abcd so lines fit a terminal.
    static func shorten(_ text: String) -> String {
        text.split(separator: " ", omittingEmptySubsequences: false).map { word in
            let w = String(word)
            guard w.hasPrefix("0x") || w.hasPrefix("(tx"), w.count > 20 else { return w }
            return String(w.prefix(8)) + ".." + String(w.suffix(4))
        }.joined(separator: " ")
    }

    func balances(_ rows: [(String, Address, ChainID, Amount)]) async throws {
        for (label, account, chain, before) in rows {
            let now = try await world.balance(account, on: chain)
            let delta = now >= before ? "+\(amount(now.saturatingSubtract(before)))" : "-\(amount(before.saturatingSubtract(now)))"
            row(label, "\(amount(now)) USDC (\(delta))")
        }
    }
}

/// Writes a line to stdout unbuffered, so the timeline shows up live even when piped.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
