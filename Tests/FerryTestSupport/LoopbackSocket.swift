import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A raw TCP client on 127.0.0.1 for tests that are about sockets: half-sent requests, clients that vanish, many
/// connections. Blocking calls run on a dedicated thread, never on the cooperative pool.
public final class LoopbackSocket: @unchecked Sendable {  // `fd` is set once in init; close() is idempotent under `lock`
    private var fd: Int32
    private let lock = NSLock()

    /// Connects to `127.0.0.1:port`.
    /// - Throws: `POSIXError` when the socket cannot be made or connected.
    public init(port: Int) async throws {
        fd = -1
        let made: Int32 = try await Self.blocking {
            let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard s >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let rc = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(s, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard rc == 0 else {
                let code = errno
                Glibc.close(s)
                throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
            }
            return s
        }
        fd = made
    }

    deinit { close() }

    /// Sends all of `text`.
    public func send(_ text: String) async throws {
        let fd = self.fd
        let bytes = Array(text.utf8)
        try await Self.blocking {
            var sent = 0
            while sent < bytes.count {
                let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                guard n > 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
                sent += n
            }
        }
    }

    /// What the server sent within `timeout`, until it closed the connection or `until` appears in the text.
    /// `closed` is true when the server closed (or reset) the connection.
    public func receive(timeout: Duration, until marker: String? = nil) async -> (text: String, closed: Bool) {
        let fd = self.fd
        return await Self.blockingValue {
            var data = [UInt8]()
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                let left = deadline - ContinuousClock.now
                let ms = Int32(clamping: left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000)
                guard poll(&pfd, 1, max(1, ms)) > 0 else { continue }
                var buffer = [UInt8](repeating: 0, count: 4096)
                let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n <= 0 { return (String(decoding: data, as: UTF8.self), true) }
                data += buffer[0..<n]
                if let marker, String(decoding: data, as: UTF8.self).contains(marker) { break }
            }
            return (String(decoding: data, as: UTF8.self), false)
        }
    }

    /// Closes the socket (the server sees the client go away).
    public func close() {
        lock.lock()
        defer { lock.unlock() }
        if fd >= 0 {
            Glibc.close(fd)
            fd = -1
        }
    }

    static func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
        }
    }

    static func blockingValue<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: body()) }
        }
    }
}
