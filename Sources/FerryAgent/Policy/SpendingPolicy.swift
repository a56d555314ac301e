public import FerryCore
import Foundation

/// The hard limits an agent cannot talk itself out of: caps, rolling budgets, allow/deny lists, fee ratio,
/// latency and a confirmation threshold. All money limits are in the policy's reference unit (e.g. USD with
/// 2 decimals), valued through a ``PriceFeed``. `docs/agents.md` § Policy documents the file format.
public struct SpendingPolicy: Sendable, Hashable {
    /// Name of the reference unit budgets are written in ("USD"); only for messages.
    public var referenceUnit: String
    /// Decimal places of the reference unit's smallest unit (2 for cents).
    public var referenceDecimals: Int
    /// Most one payment may spend (value of everything it sends, fees included), in reference smallest units.
    public var perPaymentCap: Amount?
    /// Rolling-window budget per asset symbol, in reference smallest units; key `"*"` limits all assets together.
    public var budgets: [String: Amount]
    /// Length of the rolling budget window, seconds (24 h by default).
    public var windowSeconds: UInt64
    /// Payments worth more than this (reference smallest units) need explicit confirmation.
    public var confirmAbove: Amount?
    /// Most fees may be relative to what is delivered, in parts per million (20000 = 2%).
    public var maxFeePPM: UInt64?
    /// Most the quote's p95 latency may be, milliseconds.
    public var maxLatencyMs: UInt64?
    /// Chains a route may touch (nil: any) and chains it may never touch.
    public var allowedChains: Set<ChainID>?
    public var deniedChains: Set<ChainID>
    /// Assets the agent may spend or deliver: `"USDC"` (any chain) or `"USDC@10"` (one chain). nil: any.
    public var allowedAssets: Set<String>?
    public var deniedAssets: Set<String>
    /// Receivers the agent may pay (nil: any) and receivers it may never pay.
    public var allowedCounterparties: Set<Address>?
    public var deniedCounterparties: Set<Address>

    /// The default window: 24 hours.
    public static let day: UInt64 = 86_400

    /// A policy with no limits but the given reference unit (build one up in code, or parse a file).
    public init(referenceUnit: String = "USD", referenceDecimals: Int = 2, perPaymentCap: Amount? = nil,
                budgets: [String: Amount] = [:], windowSeconds: UInt64 = SpendingPolicy.day, confirmAbove: Amount? = nil,
                maxFeePPM: UInt64? = nil, maxLatencyMs: UInt64? = nil, allowedChains: Set<ChainID>? = nil,
                deniedChains: Set<ChainID> = [], allowedAssets: Set<String>? = nil, deniedAssets: Set<String> = [],
                allowedCounterparties: Set<Address>? = nil, deniedCounterparties: Set<Address> = []) {
        self.referenceUnit = referenceUnit
        self.referenceDecimals = referenceDecimals
        self.perPaymentCap = perPaymentCap
        self.budgets = budgets
        self.windowSeconds = windowSeconds
        self.confirmAbove = confirmAbove
        self.maxFeePPM = maxFeePPM
        self.maxLatencyMs = maxLatencyMs
        self.allowedChains = allowedChains
        self.deniedChains = deniedChains
        self.allowedAssets = allowedAssets
        self.deniedAssets = deniedAssets
        self.allowedCounterparties = allowedCounterparties
        self.deniedCounterparties = deniedCounterparties
    }

    /// A reference-unit amount as people write it ("950.00 USD").
    public func format(_ value: Amount) -> String {
        var text = value.formatted(decimals: referenceDecimals)
        if referenceDecimals > 0 {
            if !text.contains(".") { text += "." }
            let have = text.split(separator: ".", omittingEmptySubsequences: false).last?.count ?? 0
            text += String(repeating: "0", count: max(0, referenceDecimals - have))
        }
        return "\(text) \(referenceUnit)"
    }

    /// True when `asset` passes the asset allow and deny lists.
    public func permits(asset: AssetID) -> Bool {
        let names: Set<String> = [asset.symbol, "\(asset.symbol)@\(asset.chain.rawValue)"]
        if !deniedAssets.isDisjoint(with: names) { return false }
        if let allowed = allowedAssets, allowed.isDisjoint(with: names) { return false }
        return true
    }

    // MARK: Files

    /// Reads and validates a policy file; `.json` files are JSON, anything else TOML.
    /// - Throws: ``PolicyFileError`` naming the file, the field and the problem.
    public static func load(path: String) throws(PolicyFileError) -> SpendingPolicy {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PolicyFileError(file: path, field: nil, problem: "cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw PolicyFileError(file: path, field: nil, problem: "is not UTF-8 text")
        }
        return try parse(text, format: .forFile(path), file: path)
    }

    /// Parses policy text. `file` only labels error messages.
    /// - Throws: ``PolicyFileError`` naming the file, the field and the problem.
    public static func parse(_ text: String, format: PolicyFormat, file: String = "<policy>") throws(PolicyFileError) -> SpendingPolicy {
        let root = try PolicyNode.parse(text, format: format, file: file)
        var r = PolicyReader(table: root, file: file)
        var policy = SpendingPolicy()
        policy.referenceUnit = try r.optionalString("reference_unit") ?? "USD"
        guard !policy.referenceUnit.isEmpty else { throw r.error("reference_unit", "must not be empty") }
        policy.referenceDecimals = Int(try r.optionalInteger("reference_decimals", in: 0...30) ?? 2)
        let decimals = policy.referenceDecimals
        func money(_ reader: inout PolicyReader, _ key: String) throws(PolicyFileError) -> Amount? {
            guard let text = try reader.optionalString(key) else { return nil }
            return try parseMoney(text, decimals: decimals, field: key, reader: reader)
        }
        policy.perPaymentCap = try money(&r, "per_payment_cap")
        policy.confirmAbove = try money(&r, "confirm_above")
        policy.maxFeePPM = try r.optionalInteger("max_fee_ppm", in: 0...1_000_000).map(UInt64.init)
        policy.maxLatencyMs = try r.optionalInteger("max_latency_ms", in: 1...Int64(UInt32.max)).map(UInt64.init)
        policy.windowSeconds = UInt64(try r.optionalInteger("window_hours", in: 1...8_760) ?? 24) * 3_600
        if let budgets = try r.optionalTable("budgets") {
            var b = PolicyReader(table: budgets, file: file, prefix: "budgets.")
            for key in budgets.keys.sorted() {
                guard key == "*" || Self.isSymbol(key) else {
                    throw b.error(key, "budget keys are asset symbols (\"USDC\") or \"*\" for all assets together")
                }
                if let value = try money(&b, key) { policy.budgets[key] = value }
            }
        }
        if let chains = try r.optionalTable("chains") {
            var c = PolicyReader(table: chains, file: file, prefix: "chains.")
            if let allow = try c.optionalChainIDs("allow") { policy.allowedChains = Set(allow.map { ChainID(rawValue: $0) }) }
            let deny = try c.optionalChainIDs("deny") ?? []
            policy.deniedChains = Set(deny.map { ChainID(rawValue: $0) })
            try c.rejectUnknown()
        }
        if let assets = try r.optionalTable("assets") {
            var a = PolicyReader(table: assets, file: file, prefix: "assets.")
            policy.allowedAssets = try Self.assetList(&a, "allow").map(Set.init)
            policy.deniedAssets = Set(try Self.assetList(&a, "deny") ?? [])
            try a.rejectUnknown()
        }
        if let parties = try r.optionalTable("counterparties") {
            var p = PolicyReader(table: parties, file: file, prefix: "counterparties.")
            policy.allowedCounterparties = try Self.addressList(&p, "allow").map(Set.init)
            policy.deniedCounterparties = Set(try Self.addressList(&p, "deny") ?? [])
            try p.rejectUnknown()
        }
        try r.rejectUnknown()
        return policy
    }

    static func parseMoney(_ text: String, decimals: Int, field: String, reader: PolicyReader) throws(PolicyFileError) -> Amount {
        do {
            return try Amount(decimal: text, decimals: decimals)
        } catch let .tooManyDecimals(_, allowed) {
            throw reader.error(field, "\"\(text)\" has more than \(allowed) decimal places (reference_decimals = \(allowed))")
        } catch {
            throw reader.error(field, error.description)
        }
    }

    private static func isSymbol(_ s: String) -> Bool {
        !s.isEmpty && s.count <= 16 && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_") }
    }

    private static func assetList(_ r: inout PolicyReader, _ key: String) throws(PolicyFileError) -> [String]? {
        guard let list = try r.optionalStrings(key) else { return nil }
        for (i, item) in list.enumerated() {
            let parts = item.split(separator: "@", omittingEmptySubsequences: false)
            let ok = parts.count == 1 ? isSymbol(item) : parts.count == 2 && isSymbol(String(parts[0])) && UInt64(parts[1]) != nil
            guard ok else { throw r.error("\(key)[\(i)]", "\"\(item)\" is not an asset: write \"USDC\" or \"USDC@<chain id>\"") }
        }
        return list
    }

    private static func addressList(_ r: inout PolicyReader, _ key: String) throws(PolicyFileError) -> [Address]? {
        guard let list = try r.optionalStrings(key) else { return nil }
        var out: [Address] = []
        for (i, item) in list.enumerated() {
            do { out.append(try Address(hex: item)) } catch { throw r.error("\(key)[\(i)]", error.description) }
        }
        return out
    }
}
