import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What one relayer benchmark run measured.
public struct BenchReport: Sendable, Hashable, Codable {
    /// Transfers locked and released.
    public var transfers: Int
    public var relayers: Int
    public var threshold: Int
    /// Cores the process may use.
    public var cores: Int
    /// Wall seconds from the first lock to the last release.
    public var seconds: Double
    /// `transfers / seconds`.
    public var transfersPerSecond: Double
    /// Lock submission to release observed, wall milliseconds.
    public var latencyP50Millis: Double
    public var latencyP99Millis: Double
    /// Peak resident memory of the process (`VmHWM`), bytes; and the resident set when the run started and ended.
    public var peakMemoryBytes: UInt64
    public var residentAtStartBytes: UInt64
    public var residentAtEndBytes: UInt64
    /// Seconds the same cores took for the raw crypto of `transfers` transfers (n signatures + k recoveries each).
    public var cryptoSeconds: Double
    /// `transfers / cryptoSeconds`.
    public var cryptoTransfersPerSecond: Double
    /// End-to-end rate as a fraction of the crypto bound.
    public var ratio: Double
    /// Single-core seconds per signature and per recovery, measured in the same run.
    public var signSeconds: Double = 0
    public var recoverSeconds: Double = 0
    /// Signatures and recoveries the run performed. Relayers: attestations, gateway transactions, checks of peers'
    /// attestations. The rest: the agents' lock transactions, and the simulated chains' checks of every
    /// transaction's signature and of the `k` attestations of every release (each checked once).
    public var relayerSignatures = 0
    public var relayerRecoveries = 0
    public var chainSignatures = 0
    public var chainRecoveries = 0
    /// Release events on the destination chains (must equal `transfers`).
    public var releaseEvents: Int
    /// Per-node work, summed over the nodes: attestations signed, peer attestations verified and accepted,
    /// gateway calls submitted and refused.
    public var signed: Int
    public var accepted: Int
    public var rejected: Int
    public var replays: Int
    public var submitted: Int
    public var failedSubmissions: Int
    /// Virtual chain time that passed, seconds, and the number of clock steps.
    public var chainSeconds: Double
    public var steps: Int
    /// Wall seconds the driver spent submitting locks (signing and the ledger's checks).
    public var lockSubmitSeconds: Double
    /// Resident memory when a quarter, half, three quarters and all of the transfers were released, bytes.
    public var residentByQuarterBytes: [UInt64]
    /// CPU seconds (user + system) the process used during the run, all threads.
    public var cpuSeconds: Double

    /// Single-core seconds of all the crypto the run performed.
    public var cryptoDoneSeconds: Double {
        Double(relayerSignatures + chainSignatures) * signSeconds + Double(relayerRecoveries + chainRecoveries) * recoverSeconds
    }

    /// The report as the `ferry bench relayer` command prints it.
    public var text: String {
        func f(_ x: Double, _ digits: Int = 0) -> String { String(format: "%.\(digits)f", x) }
        func mib(_ b: UInt64) -> String { f(Double(b) / 1_048_576, 1) + " MiB" }
        return """
            ferry bench relayer: \(transfers) transfers, \(relayers) relayers, threshold \(threshold), \(cores) cores
              end-to-end          \(f(transfersPerSecond)) transfers/s (\(transfers) released in \(f(seconds, 2)) s)
              lock-to-release     p50 \(f(latencyP50Millis, 1)) ms, p99 \(f(latencyP99Millis, 1)) ms (wall clock)
              peak memory         \(mib(peakMemoryBytes)) (VmHWM; resident \(mib(residentAtStartBytes)) at start, \(mib(residentAtEndBytes)) at end)
              memory over the run \(residentByQuarterBytes.map(mib).joined(separator: " -> ")) (resident at 25/50/75/100% released)
              cpu                 \(f(cpuSeconds, 2)) s user+system over \(f(seconds, 2)) s wall (\(f(cpuSeconds / max(seconds, 1e-9) * 100 / Double(max(cores, 1)))) % of \(cores) cores)
              crypto bound        \(f(cryptoTransfersPerSecond)) transfers/s (\(relayers) signatures + \(threshold) recoveries per transfer on \(cores) cores: \(f(cryptoSeconds, 2)) s)
              ratio               \(f(ratio * 100, 1))% of the crypto bound
              crypto done         relayers \(relayerSignatures) signatures + \(relayerRecoveries) recoveries; agents and chains \(chainSignatures) + \(chainRecoveries)
                                  (\(f(signSeconds * 1e6, 1)) µs and \(f(recoverSeconds * 1e6, 1)) µs each on one core): \(f(cryptoDoneSeconds, 2)) CPU-s, \(f(cryptoDoneSeconds / max(cpuSeconds, 1e-9) * 100)) % of the run's CPU
              exactly once        \(releaseEvents) release events for \(transfers) transfers
              node work (sum)     signed \(signed), peer attestations accepted \(accepted), rejected \(rejected), replays \(replays), submitted \(submitted), refused \(failedSubmissions)
              chain time          \(f(chainSeconds, 1)) s of virtual time in \(steps) clock steps; \(f(lockSubmitSeconds, 2)) s wall spent submitting locks
            """
    }
}

/// Reads `/proc/self/status` (Linux); zero elsewhere.
enum ProcessMemory {
    /// User + system CPU seconds of the whole process so far.
    static var cpuSeconds: Double {
        var usage = rusage()
        guard getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage) == 0 else { return 0 }
        func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return s(usage.ru_utime) + s(usage.ru_stime)
    }

    /// Peak resident set (`VmHWM`), bytes.
    static var peak: UInt64 { field("VmHWM:") }
    /// Current resident set (`VmRSS`), bytes.
    static var resident: UInt64 { field("VmRSS:") }

    private static func field(_ name: String) -> UInt64 {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix(name) {
            let kib = line.dropFirst(name.count).split(whereSeparator: { $0 == " " || $0 == "\t" }).first.flatMap { UInt64($0) } ?? 0
            return kib * 1024
        }
        return 0
    }
}
