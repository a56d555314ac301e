public import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child process for tests, started with `posix_spawn`: the part of `Foundation.Process` the tests use.
///
/// Foundation's `Process.run()` on Linux crashed the whole test bundle now and then (SIGSEGV in a `memmove`
/// inside `run()`, at a page boundary). To find the descriptors to close in the child, swift-corelibs-foundation
/// copies each `/proc/self/fd` entry's whole 256-byte `d_name` (`var entryName = dirEntPtr.pointee.d_name`). A
/// record is often shorter than that, so the copy can read past the end of the directory buffer. A test process
/// holds many descriptors (ZeroMQ sockets, SQLite files). This type does the same work and reads names in place.
public final class ChildProcess: @unchecked Sendable {  // configured before run(); state after it is under `lock`
    /// How a child ended.
    public enum TerminationReason: Sendable, Equatable { case exit, uncaughtSignal }

    public var executableURL: URL?
    public var arguments: [String] = []
    /// The child's whole environment; nil inherits this process's.
    public var environment: [String: String]?
    public var currentDirectoryURL: URL?
    /// A `Pipe` or a `FileHandle`; nil inherits this process's.
    public var standardInput: Any?
    public var standardOutput: Any?
    public var standardError: Any?
    /// Called once, on a background thread, when the child has ended.
    public var terminationHandler: (@Sendable (ChildProcess) -> Void)?

    private let lock = NSCondition()
    private var pid: pid_t = 0
    private var running = false
    private var status: Int32 = 0
    private var reason = TerminationReason.exit

    public init() {}

    public var processIdentifier: Int32 { lock.withLock { pid } }
    public var isRunning: Bool { lock.withLock { running } }
    /// The exit code, or the signal that ended the child. Valid once it is not running.
    public var terminationStatus: Int32 { lock.withLock { status } }
    public var terminationReason: TerminationReason { lock.withLock { reason } }

    /// Sends SIGTERM.
    public func terminate() {
        let pid = processIdentifier
        if pid > 0 { kill(pid, SIGTERM) }
    }

    /// Blocks the calling thread until the child has ended.
    public func waitUntilExit() {
        lock.lock()
        while running { lock.wait() }
        lock.unlock()
    }

    /// Starts the child.
    /// - Throws: `POSIXError` when the program cannot be spawned.
    public func run() throws {
        guard let path = executableURL?.path else { throw POSIXError(.ENOENT) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }

        // Descriptors the child gets as 0, 1, 2; the parent's ends of pipes are closed in the child.
        var dups: [(from: Int32, to: Int32)] = []
        var childEnds: [FileHandle] = []
        for (target, stream, reading) in [(Int32(0), standardInput, true), (1, standardOutput, false), (2, standardError, false)] {
            switch stream {
            case let pipe as Pipe:
                let child = reading ? pipe.fileHandleForReading : pipe.fileHandleForWriting
                dups.append((child.fileDescriptor, target))
                childEnds.append(child)
            case let handle as FileHandle:
                dups.append((handle.fileDescriptor, target))
            default:
                break
            }
        }
        for (from, to) in dups { posix_spawn_file_actions_adddup2(&actions, from, to) }
        // Everything else this process has open stays out of the child (sockets, journals, listeners).
        let keep = Set(dups.map(\.to))
        for fd in Self.openDescriptors() where fd > 2 && !keep.contains(fd) {
            posix_spawn_file_actions_addclose(&actions, fd)
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))

        // A working directory goes through `sh`, which changes to it and execs the program in its place
        // (glibc's posix_spawn_file_actions_addchdir_np is not visible to Swift).
        var command = [path] + arguments
        var program = path
        if let directory = currentDirectoryURL?.path {
            command = ["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", directory] + command
            program = "/bin/sh"
        }
        let argv = command.map { strdup($0) } + [nil]
        let env = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in argv { free(p) }
            for p in env { free(p) }
        }
        var child: pid_t = 0
        let result = posix_spawn(&child, program, &actions, &attributes, argv, env)
        guard result == 0 else { throw POSIXError(POSIXErrorCode(rawValue: result) ?? .EINVAL) }
        lock.withLock {
            pid = child
            running = true
        }
        // The child holds its ends now; the parent closes them so readers see end-of-file when the child exits.
        for handle in childEnds { try? handle.close() }
        let spawned = child
        let waiter = Thread { [self] in self.reap(spawned) }
        waiter.start()
    }

    private func reap(_ child: pid_t) {
        var raw: Int32 = 0
        while waitpid(child, &raw, 0) == -1 && errno == EINTR {}
        let signal = raw & 0x7f
        lock.withLock {
            if signal == 0 {
                status = (raw >> 8) & 0xff
                reason = .exit
            } else {
                status = signal
                reason = .uncaughtSignal
            }
            running = false
            lock.broadcast()
        }
        terminationHandler?(self)
    }

    /// The descriptors this process has open, from `/proc/self/fd`.
    static func openDescriptors() -> [Int32] {
        guard let dir = opendir("/proc/self/fd") else { return [] }
        defer { closedir(dir) }
        let own = dirfd(dir)
        guard let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name) else { return [] }
        var out: [Int32] = []
        while let entry = readdir(dir) {
            // The name is read in place, up to its terminator: never the whole 256-byte field, which the kernel's
            // record may not fill (copying it is what crashed Foundation's Process.run).
            let name = String(cString: UnsafeRawPointer(entry).advanced(by: nameOffset).assumingMemoryBound(to: CChar.self))
            if let fd = Int32(name), fd != own { out.append(fd) }
        }
        return out
    }
}
