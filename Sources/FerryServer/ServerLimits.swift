import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Connection limits of ``FerryServer``: how long a client may take, how many may be connected, how many event
/// streams an agent and all agents may hold, how often an event stream shows it is alive. The defaults are documented in docs/operators.md.
public struct ServerLimits: Sendable, Hashable {
    /// A connection that has sent no complete request head for this long (fresh, or idle between requests) is
    /// closed: the header-read and keep-alive idle timeout. Default 30 s.
    public var idleTimeout: Duration
    /// One request, from its head to the end of its body, must arrive within this. Default 30 s.
    public var requestReadTimeout: Duration
    /// Most connections open at once; further clients wait in the listen backlog (and are refused when it is full)
    /// instead of exhausting file descriptors. Also capped below the process's descriptor limit. Default 1,000.
    public var maxConnections: Int
    /// Descriptors kept free, beyond those already open when the server starts, for what the process opens later
    /// (database readers, gossip reconnections, logs) when capping by the descriptor limit. Default 128.
    public var reservedDescriptors: Int
    /// A comment line is sent on an event stream after this much silence. Default 15 s.
    public var streamKeepAlive: Duration
    /// Most event streams one agent (API key) may hold open at once; the next is refused with 429. Default 16.
    public var maxStreamsPerAgent: Int
    /// Most event streams open at once over all agents; nil: half of ``effectiveMaxConnections`` (at least 1), so
    /// streams can never take every connection and lock out other requests. Default nil.
    public var maxStreams: Int?

    /// The defaults.
    public init(idleTimeout: Duration = .seconds(30), requestReadTimeout: Duration = .seconds(30), maxConnections: Int = 1_000,
                reservedDescriptors: Int = 128, streamKeepAlive: Duration = .seconds(15), maxStreamsPerAgent: Int = 16,
                maxStreams: Int? = nil) {
        self.idleTimeout = idleTimeout
        self.requestReadTimeout = requestReadTimeout
        self.maxConnections = maxConnections
        self.reservedDescriptors = reservedDescriptors
        self.streamKeepAlive = streamKeepAlive
        self.maxStreamsPerAgent = maxStreamsPerAgent
        self.maxStreams = maxStreams
    }

    /// ``maxStreams``, or half of ``effectiveMaxConnections`` when unset; at least 1.
    public var effectiveMaxStreams: Int { max(1, maxStreams ?? effectiveMaxConnections / 2) }

    /// ``maxConnections``, lowered so that the descriptors open now, plus ``reservedDescriptors``, plus one per
    /// connection fit the soft descriptor limit (`ulimit -n`); at least 1. Read when the server is built: running
    /// out of descriptors must refuse connections, never fail the database or the gossip sockets (libzmq aborts
    /// the process when it cannot create its own descriptors).
    public var effectiveMaxConnections: Int {
        var limit = rlimit()
        guard getrlimit(Self.noFile, &limit) == 0, limit.rlim_cur != rlim_t.max else { return max(1, maxConnections) }
        let available = Int(clamping: limit.rlim_cur) - Self.openDescriptors - reservedDescriptors
        return max(1, min(maxConnections, available))
    }

    /// Descriptors this process has open now (0 where `/proc/self/fd` cannot be read).
    static var openDescriptors: Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
    }

    #if canImport(Glibc)
    static let noFile = Int32(RLIMIT_NOFILE.rawValue)
    #else
    static let noFile = RLIMIT_NOFILE
    #endif

    /// Raises the soft descriptor limit to the hard one (what servers usually do at start); returns the new soft
    /// limit, or nil when it could not be read.
    @discardableResult
    public static func raiseDescriptorLimit() -> UInt64? {
        var limit = rlimit()
        guard getrlimit(noFile, &limit) == 0 else { return nil }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(noFile, &raised) == 0 { return UInt64(raised.rlim_cur) }
        }
        return UInt64(limit.rlim_cur)
    }
}
