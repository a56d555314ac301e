public import FerryCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A fault at a point in chain time.
public struct ScheduledFault: Sendable, Hashable, Codable {
    /// The chain it applies to; nil for every chain the scenario is applied to.
    public var chain: ChainID?
    /// Seconds after the ledger's genesis.
    public var atSeconds: UInt64
    public var fault: Fault

    public init(chain: ChainID? = nil, atSeconds: UInt64, fault: Fault) {
        self.chain = chain
        self.atSeconds = atSeconds
        self.fault = fault
    }

    private enum CodingKeys: String, CodingKey { case chain, atSeconds, fault }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        chain = try c.contains(.chain) ? ChainID(c.decodeCount(.chain)) : nil
        atSeconds = try c.decodeCount(.atSeconds)
        guard atSeconds <= Fault.maxDurationSeconds else {
            throw DecodingError.dataCorruptedError(forKey: .atSeconds, in: c, debugDescription: "atSeconds must be at most \(Fault.maxDurationSeconds) (ten years)")
        }
        fault = try c.decode(Fault.self, forKey: .fault)
    }
}

/// A scripted run of faults, loaded from JSON (see `docs/scenarios.md`):
/// ```json
/// { "seed": 7,
///   "faults": [
///     { "chain": 1, "atSeconds": 60,  "fault": { "kind": "feeSpike", "factor": 10 } },
///     { "chain": 1, "atSeconds": 120, "fault": { "kind": "outage", "durationSeconds": 30 } },
///     { "atSeconds": 300, "fault": { "kind": "reorg", "depth": 3, "dropTransactions": true } } ] }
/// ```
public struct FaultScenario: Sendable, Hashable, Codable {
    /// Seed for the ledgers' randomness (dropped transactions); nil keeps each ledger's own.
    public var seed: UInt64?
    public var faults: [ScheduledFault]

    public init(seed: UInt64? = nil, faults: [ScheduledFault]) {
        self.seed = seed
        self.faults = faults
    }

    /// The faults for `chain`, in time order.
    public func faults(for chain: ChainID) -> [ScheduledFault] {
        faults.filter { $0.chain == nil || $0.chain == chain }.sorted { $0.atSeconds < $1.atSeconds }
    }

    /// Parses a scenario from JSON text.
    /// - Parameter source: a name for messages (a file path).
    /// - Throws: ``ScenarioError`` naming the source, the field and the problem.
    public static func decode(json: String, source: String = "scenario") throws(ScenarioError) -> FaultScenario {
        do {
            return try JSONDecoder().decode(FaultScenario.self, from: Data(json.utf8))
        } catch let error as DecodingError {
            throw ScenarioError(source: source, field: error.fieldPath, problem: error.problem)
        } catch {
            throw ScenarioError(source: source, field: "", problem: "\(error)")
        }
    }
}

/// A scenario file that could not be used: which file, which field, what is wrong.
public struct ScenarioError: Error, Sendable, Hashable, CustomStringConvertible {
    public let source: String
    /// Dotted path of the field ("faults[2].fault.depth"), empty when the whole file is unreadable.
    public let field: String
    public let problem: String

    public var description: String {
        field.isEmpty ? "\(source): \(problem)" : "\(source): field \(field): \(problem)"
    }
}
