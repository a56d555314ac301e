import FerryAgent
import FerryCore
import FerryRouter
import Testing

/// A quote from chain 1 USDC to chain 2 USDC delivering `deliver` with a flat fee, valid until `expires`.
func makeQuote(deliver: UInt64, fee: UInt64, p95: UInt64 = 60_000, takenAt: UInt64 = 1_000, validFor: UInt64 = 30_000,
               receiver: Address = Address(Keccak256.hash("merchant"))) throws -> PaymentQuote {
    let nodes = [RouteNode(id: "1:USDC"), RouteNode(id: "2:USDC")]
    let spec = LaneSpec(id: "ferry", from: "1:USDC", to: "2:USDC", kind: .bridge("ferry"),
                        pricing: .lane(flatFee: Amount(fee), feePPM: 0, gasUnits: 0), latency: Latency(p50Ms: p95 / 2, p95Ms: p95))
    let snapshot = FeeSnapshot(id: "test", takenAtMs: takenAt)
    let graph = try RouteGraph(specs: [spec], nodes: nodes, snapshot: snapshot)
    let route = try Router(graph: graph).quote(.deliver(Amount(deliver), from: "1:USDC", to: "2:USDC"), snapshot: snapshot, validForMs: validFor)
    return PaymentQuote(route: route, source: AssetID(chain: 1, symbol: "USDC"), destination: AssetID(chain: 2, symbol: "USDC"),
                        sourceDecimals: 6, destinationDecimals: 6, receiver: receiver)
}

func usdPrices() throws -> PriceTable {
    var prices = PriceTable()
    try prices.setPrice(AssetID(chain: 1, symbol: "USDC"), decimals: 6, price: 100)
    try prices.setPrice(AssetID(chain: 2, symbol: "USDC"), decimals: 6, price: 100)
    return prices
}

@Suite("Spending policy")
struct PolicyTests {
    static let toml = """
        reference_unit = "USD"
        reference_decimals = 2
        per_payment_cap = "250.00"
        confirm_above = "100.00"
        max_fee_ppm = 20000
        max_latency_ms = 600000

        [budgets]
        USDC = "1000.00"
        "*" = "1500"

        [chains]
        allow = [1, 2]
        deny = [56]

        [assets]
        allow = ["USDC"]
        deny = ["USDT@1"]

        [counterparties]
        deny = ["0x000000000000000000000000000000000000dead"]
        """

    @Test("a TOML policy and its JSON twin parse to the same limits")
    func parsesBothFormats() throws {
        let fromTOML = try SpendingPolicy.parse(Self.toml, format: .toml, file: "policy.toml")
        let json = """
            {"reference_unit": "USD", "reference_decimals": 2, "per_payment_cap": "250.00", "confirm_above": "100.00",
             "max_fee_ppm": 20000, "max_latency_ms": 600000, "budgets": {"USDC": "1000.00", "*": "1500"},
             "chains": {"allow": [1, 2], "deny": [56]}, "assets": {"allow": ["USDC"], "deny": ["USDT@1"]},
             "counterparties": {"deny": ["0x000000000000000000000000000000000000dead"]}}
            """
        let fromJSON = try SpendingPolicy.parse(json, format: .json, file: "policy.json")
        #expect(fromTOML == fromJSON)
        #expect(fromTOML.perPaymentCap == Amount(25_000))
        #expect(fromTOML.budgets == ["USDC": Amount(100_000), "*": Amount(150_000)])
        #expect(fromTOML.allowedChains == [1, 2])
        #expect(fromTOML.windowSeconds == 86_400)
    }

    struct BadPolicy: Sendable, CustomTestStringConvertible {
        let name: String
        let text: String
        let format: PolicyFormat
        let field: String?
        let contains: String
        var testDescription: String { name }
    }

    @Test("malformed policies name the file, the field and the problem", arguments: [
        BadPolicy(name: "TOML syntax", text: "per_payment_cap = \"1\nx", format: .toml, field: nil, contains: "not valid TOML at line"),
        BadPolicy(name: "JSON syntax", text: "{\"per_payment_cap\": ", format: .json, field: nil, contains: "not valid JSON"),
        BadPolicy(name: "unknown field", text: "per_payment_kap = \"1.00\"", format: .toml, field: "per_payment_kap", contains: "unknown field"),
        BadPolicy(name: "too many decimals", text: "[budgets]\nUSDC = \"10.001\"", format: .toml, field: "budgets.USDC",
                  contains: "more than 2 decimal places"),
        BadPolicy(name: "float money", text: "{\"per_payment_cap\": 2.5}", format: .json, field: "per_payment_cap", contains: "must be a string"),
        BadPolicy(name: "float ppm", text: "max_fee_ppm = 0.5", format: .toml, field: "max_fee_ppm", contains: "floating-point"),
        BadPolicy(name: "ppm out of range", text: "max_fee_ppm = 2000000", format: .toml, field: "max_fee_ppm", contains: "between 0 and 1000000"),
        BadPolicy(name: "bad counterparty", text: "[counterparties]\nallow = [\"0x12\"]", format: .toml, field: "counterparties.allow[0]",
                  contains: "invalid address"),
        BadPolicy(name: "bad asset", text: "{\"assets\": {\"deny\": [\"USDC@x\"]}}", format: .json, field: "assets.deny[0]", contains: "is not an asset"),
        BadPolicy(name: "negative money", text: "confirm_above = \"-1\"", format: .toml, field: "confirm_above", contains: "negative"),
    ])
    func malformed(bad: BadPolicy) {
        do {
            _ = try SpendingPolicy.parse(bad.text, format: bad.format, file: "agent-policy")
            Issue.record("\(bad.name) parsed")
        } catch {
            #expect(error.file == "agent-policy")
            #expect(error.field == bad.field, "\(error)")
            #expect(error.problem.contains(bad.contains), "\(error)")
            #expect(error.description.hasPrefix("agent-policy: "))
        }
    }

    @Test("a missing file is named")
    func missingFile() {
        #expect(throws: PolicyFileError(file: "/nonexistent/policy.toml", field: nil, problem: "cannot read the file")) {
            try SpendingPolicy.load(path: "/nonexistent/policy.toml")
        }
    }

    struct Refusal: Sendable, CustomTestStringConvertible {
        let name: String
        let deliver: UInt64
        let fee: UInt64
        let p95: UInt64
        let usage: BudgetUsage
        let receiver: Address
        let rule: PolicyRule
        let message: String
        var testDescription: String { name }
    }

    static let merchant = Address(Keccak256.hash("merchant"))

    @Test("refusals name the rule and the numbers", arguments: [
        Refusal(name: "per-payment cap", deliver: 300_000_000, fee: 0, p95: 1, usage: [:], receiver: merchant,
                rule: .perPaymentCap, message: "per-payment cap: 300.00 USD > 250.00 USD"),
        Refusal(name: "daily budget", deliver: 99_000_000, fee: 1_000_000, p95: 1, usage: ["USDC": Amount(95_000)], receiver: merchant,
                rule: .dailyBudget, message: "daily budget for USDC: 950.00 USD spent + 100.00 USD requested > 1000.00 USD (rolling 24 h)"),
        Refusal(name: "total budget", deliver: 50_000_000, fee: 0, p95: 1, usage: ["USDC": Amount(10_000), "*": Amount(148_000)],
                receiver: merchant, rule: .dailyBudget,
                message: "daily budget for all assets: 1480.00 USD spent + 50.00 USD requested > 1500.00 USD (rolling 24 h)"),
        Refusal(name: "fee ratio", deliver: 10_000_000, fee: 500_000, p95: 1, usage: [:], receiver: merchant,
                rule: .maxFeeRatio, message: "max fee ratio: fees 0.50 USD on 10.00 USD delivered = 50000 ppm > 20000 ppm"),
        Refusal(name: "latency", deliver: 10_000_000, fee: 0, p95: 900_000, usage: [:], receiver: merchant,
                rule: .maxLatency, message: "max latency: p95 900000 ms > 600000 ms"),
        Refusal(name: "counterparty", deliver: 10_000_000, fee: 0, p95: 1, usage: [:],
                receiver: (try? Address(hex: "0x000000000000000000000000000000000000dead")) ?? merchant, rule: .counterpartyNotAllowed,
                message: "receiver 0x000000000000000000000000000000000000dead is on the deny list"),
    ])
    func refusals(r: Refusal) throws {
        let policy = try SpendingPolicy.parse(Self.toml, format: .toml)
        let engine = PolicyEngine(policy: policy, prices: try usdPrices())
        let quote = try makeQuote(deliver: r.deliver, fee: r.fee, p95: r.p95, receiver: r.receiver)
        let decision = engine.check(quote, counterparty: r.receiver, nowMs: 2_000, usage: r.usage)
        guard case let .refused(refusal) = decision else { Issue.record("expected a refusal, got \(decision)"); return }
        #expect(refusal.rule == r.rule)
        #expect(refusal.message == r.message)
    }

    @Test("expired quotes, denied chains and assets, and missing prices are refused; the threshold asks for confirmation")
    func otherRules() throws {
        let policy = try SpendingPolicy.parse(Self.toml, format: .toml)
        let engine = PolicyEngine(policy: policy, prices: try usdPrices())
        let quote = try makeQuote(deliver: 150_000_000, fee: 1_000_000)
        #expect(engine.check(quote, counterparty: Self.merchant, nowMs: 40_000).refusal?.rule == .quoteExpired)
        guard case let .needsConfirmation(ask) = engine.check(quote, counterparty: Self.merchant, nowMs: 2_000) else {
            Issue.record("a 151.00 USD payment should need confirmation"); return
        }
        #expect(ask.message == "151.00 USD > confirmation threshold 100.00 USD; re-send with confirm = true")
        #expect(engine.check(quote, counterparty: Self.merchant, nowMs: 2_000, confirmed: true) == .approved(SpendValue(asset: "USDC", value: Amount(15_100))))
        var narrow = policy
        narrow.allowedChains = [1]
        #expect(PolicyEngine(policy: narrow, prices: try usdPrices()).check(quote, counterparty: Self.merchant, nowMs: 2_000).refusal?.message
                == "route touches chain 2, not in the allowed chains [1]")
        narrow = policy
        narrow.deniedAssets = ["USDC@2"]
        #expect(PolicyEngine(policy: narrow, prices: try usdPrices()).check(quote, counterparty: Self.merchant, nowMs: 2_000).refusal?.rule
                == .assetNotAllowed)
        let unpriced = PolicyEngine(policy: policy, prices: PriceTable())
        #expect(unpriced.check(quote, counterparty: Self.merchant, nowMs: 2_000).refusal?.rule == .priceUnavailable)
    }

    @Test("values round against the agent: spending up, delivery down")
    func rounding() throws {
        let engine = PolicyEngine(policy: SpendingPolicy(), prices: try usdPrices())
        // 1 smallest USDC unit is 0.0001 cents: any spend of it counts as a whole cent.
        #expect(engine.value(Amount(1), of: AssetID(chain: 1, symbol: "USDC"), rounding: .up) == .success(Amount(1)))
        #expect(engine.value(Amount(9_999), of: AssetID(chain: 1, symbol: "USDC"), rounding: .down) == .success(Amount(0)))
    }
}
