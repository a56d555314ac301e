#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// A non-blocking pipe that wakes an I/O thread parked in `zmq_poll` (which polls the read end as a plain fd).
///
/// Writing one byte from any thread makes the read end readable; the I/O thread drains it. Both ends are
/// non-blocking, so a full pipe (a wakeup already pending) never blocks the writer.
final class WakeupPipe: @unchecked Sendable {
    // @unchecked Sendable is safe: the two descriptors are immutable after init, and write(2)/read(2) on a pipe
    // are thread-safe system calls. The descriptors are closed only in deinit, when no thread can use them.
    let readEnd: Int32
    private let writeEnd: Int32

    init() throws(WireError) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else {
            throw .resourceUnavailable("pipe(): \(String(cString: strerror(errno)))")
        }
        for fd in fds {
            let flags = fcntl(fd, F_GETFL)
            _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        readEnd = fds[0]
        writeEnd = fds[1]
    }

    /// Makes the read end readable. Never blocks: when the pipe is full a wakeup is already pending.
    func signal() {
        var byte: UInt8 = 1
        while write(writeEnd, &byte, 1) < 0, errno == EINTR {}
    }

    /// Reads everything written so far (called by the I/O thread after `zmq_poll` reports the read end).
    func drain() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) }
            if n > 0 { continue }
            if n < 0, errno == EINTR { continue }
            return
        }
    }

    deinit {
        close(readEnd)
        close(writeEnd)
    }
}
