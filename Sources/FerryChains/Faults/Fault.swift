/// A fault a simulated ledger can be put through, from a test or a scenario file.
///
/// In JSON each fault is an object with a `kind` and its fields, e.g.
/// `{"kind": "feeSpike", "factor": 10}` or `{"kind": "reorg", "depth": 3, "dropTransactions": true}`.
public enum Fault: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Prices multiply by `factor` at once, then relax block by block (EIP-1559 base fee, L1 data fee, tips, fee rates).
    case feeSpike(factor: UInt64)
    /// Other users add `extraLoadPercent` of block capacity for `durationSeconds`: blocks fill, prices climb,
    /// low bids wait.
    case congestion(extraLoadPercent: UInt64, durationSeconds: UInt64)
    /// Every adapter call fails with ``ChainError/unreachable(_:underlying:)`` for `durationSeconds`
    /// (nil: until ``SimulatedLedger/endOutage()``). Blocks keep coming; the adapter just cannot see them.
    case outage(durationSeconds: UInt64?)
    /// The last `depth` blocks are replaced. Their transactions go back to the mempool (and are re-included in
    /// the new blocks), or are dropped when `dropTransactions` is true.
    case reorg(depth: UInt64, dropTransactions: Bool)
    /// Each pending transaction is dropped with probability `perMille`/1000 at every block for `durationSeconds`
    /// (seeded, so runs repeat).
    case dropTransactions(perMille: UInt64, durationSeconds: UInt64)

    private enum CodingKeys: String, CodingKey {
        case kind, factor, extraLoadPercent, durationSeconds, depth, dropTransactions, perMille
    }

    /// Longest fault duration accepted (ten years): times are unix milliseconds, so a duration must not overflow them.
    public static let maxDurationSeconds: UInt64 = 10 * 366 * 86_400
    /// Most extra load a congestion fault adds, in percent of block capacity.
    public static let maxExtraLoadPercent: UInt64 = 10_000

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let kind = try c.decode(String.self, forKey: .kind)
        func duration() throws -> UInt64 {
            let seconds = try c.decodeCount(.durationSeconds)
            guard seconds <= Self.maxDurationSeconds else {
                throw DecodingError.dataCorruptedError(forKey: .durationSeconds, in: c,
                                                       debugDescription: "durationSeconds must be at most \(Self.maxDurationSeconds) (ten years)")
            }
            return seconds
        }
        switch kind {
        case "feeSpike":
            let factor = try c.decodeCount(.factor)
            guard factor >= 1 else {
                throw DecodingError.dataCorruptedError(forKey: .factor, in: c, debugDescription: "factor must be at least 1")
            }
            self = .feeSpike(factor: factor)
        case "congestion":
            let load = try c.decodeCount(.extraLoadPercent)
            guard load <= Self.maxExtraLoadPercent else {
                throw DecodingError.dataCorruptedError(forKey: .extraLoadPercent, in: c,
                                                       debugDescription: "extraLoadPercent must be at most \(Self.maxExtraLoadPercent)")
            }
            self = .congestion(extraLoadPercent: load, durationSeconds: try duration())
        case "outage":
            self = .outage(durationSeconds: try c.contains(.durationSeconds) ? duration() : nil)
        case "reorg":
            let depth = try c.decodeCount(.depth)
            guard depth >= 1 else {
                throw DecodingError.dataCorruptedError(forKey: .depth, in: c, debugDescription: "depth must be at least 1")
            }
            self = .reorg(depth: depth, dropTransactions: try c.decodeIfPresent(Bool.self, forKey: .dropTransactions) ?? false)
        case "dropTransactions":
            let perMille = try c.decodeCount(.perMille)
            guard perMille <= 1000 else {
                throw DecodingError.dataCorruptedError(forKey: .perMille, in: c, debugDescription: "perMille must be 0...1000")
            }
            self = .dropTransactions(perMille: perMille, durationSeconds: try duration())
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .kind, in: c,
                debugDescription: "unknown fault kind \"\(kind)\"; expected feeSpike, congestion, outage, reorg or dropTransactions")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case let .feeSpike(factor):
            try c.encode("feeSpike", forKey: .kind)
            try c.encode(factor, forKey: .factor)
        case let .congestion(load, duration):
            try c.encode("congestion", forKey: .kind)
            try c.encode(load, forKey: .extraLoadPercent)
            try c.encode(duration, forKey: .durationSeconds)
        case let .outage(duration):
            try c.encode("outage", forKey: .kind)
            try c.encodeIfPresent(duration, forKey: .durationSeconds)
        case let .reorg(depth, drop):
            try c.encode("reorg", forKey: .kind)
            try c.encode(depth, forKey: .depth)
            try c.encode(drop, forKey: .dropTransactions)
        case let .dropTransactions(perMille, duration):
            try c.encode("dropTransactions", forKey: .kind)
            try c.encode(perMille, forKey: .perMille)
            try c.encode(duration, forKey: .durationSeconds)
        }
    }

    public var description: String {
        switch self {
        case let .feeSpike(factor): "fee spike x\(factor)"
        case let .congestion(load, duration): "congestion +\(load)% for \(duration) s"
        case let .outage(duration): duration.map { "outage for \($0) s" } ?? "outage until ended"
        case let .reorg(depth, drop): "reorg of depth \(depth)\(drop ? ", dropping its transactions" : "")"
        case let .dropTransactions(perMille, duration): "drop \(perMille)/1000 pending transactions per block for \(duration) s"
        }
    }
}

extension KeyedDecodingContainer {
    /// A non-negative whole number, with a message naming what was wrong (negative, fractional, not a number).
    func decodeCount(_ key: Key) throws -> UInt64 {
        if let value = try? decode(UInt64.self, forKey: key) { return value }
        if let number = try? decode(Double.self, forKey: key) {
            let what = number < 0 ? "negative" : "not a whole number"
            throw DecodingError.dataCorruptedError(forKey: key, in: self,
                                                   debugDescription: "must be a whole number >= 0; \(number) is \(what)")
        }
        return try decode(UInt64.self, forKey: key)  // missing or not a number: the decoder's own message
    }
}
