/// Errors from FerryWire's ZeroMQ layer: every failing libzmq call becomes one of these.
///
/// Frame decoding has its own error, ``FrameError``; this type is about sockets, keys and threads.
public enum WireError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A non-blocking operation could not proceed now (libzmq's `EAGAIN`): retry later or wait for readiness.
    case wouldBlock(operation: String)
    /// The context was shut down or terminated (`ETERM`): the socket can only be closed.
    case contextTerminated(operation: String)
    /// An endpoint string was refused (bad syntax, unknown transport, address in use, cannot resolve).
    case invalidEndpoint(String, reason: String)
    /// A socket option was refused by libzmq.
    case invalidOption(name: String, reason: String)
    /// A CURVE key is not a 32-byte key or a 40-character Z85 string.
    case invalidKey(reason: String)
    /// This libzmq was built without a capability Ferry needs (e.g. `curve`).
    case unsupported(capability: String)
    /// The socket, poller or node was already closed.
    case closed(String)
    /// A bounded queue is full (e.g. too many sends waiting for the I/O thread); retry after the backlog drains.
    case queueFull(what: String, capacity: Int)
    /// The operating system refused a resource (thread, pipe, file descriptor).
    case resourceUnavailable(String)
    /// Any other libzmq failure, with its errno and `zmq_strerror` text.
    case system(operation: String, errno: Int32, message: String)

    public var description: String {
        switch self {
        case let .wouldBlock(op): "\(op) would block (EAGAIN): retry when the socket is ready"
        case let .contextTerminated(op): "\(op) failed: the ZeroMQ context was terminated; close the socket"
        case let .invalidEndpoint(ep, reason): "endpoint \"\(ep)\" refused: \(reason)"
        case let .invalidOption(name, reason): "socket option \(name) refused: \(reason)"
        case let .invalidKey(reason): "invalid CURVE key: \(reason)"
        case let .unsupported(cap): "this libzmq lacks the \"\(cap)\" capability; install a libzmq built with libsodium (libzmq3-dev on Debian)"
        case let .closed(what): "\(what) is closed"
        case let .queueFull(what, capacity): "\(what) is full (\(capacity) entries): retry after it drains"
        case let .resourceUnavailable(what): "the system refused a resource: \(what)"
        case let .system(op, errno, message): "\(op) failed: \(message) (errno \(errno))"
        }
    }
}
