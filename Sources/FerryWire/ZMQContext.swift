internal import CZeroMQ

/// Owns one libzmq context: the I/O threads and the registry of sockets that share `inproc://` endpoints.
///
/// Every ``ZMQSocket`` keeps its context alive, so the context is terminated (`zmq_ctx_term`) exactly when the
/// last socket made from it and the last other reference are gone. Contexts are created with `ZMQ_BLOCKY`
/// off, so sockets default to a linger of 0 and termination never waits for unsent messages.
/// Call ``shutdown()`` to make every blocking call on its sockets return ``WireError/contextTerminated(operation:)``.
public final class ZMQContext: @unchecked Sendable {
    // @unchecked Sendable is safe: `raw` is immutable after init, and libzmq documents contexts as thread-safe
    // (zmq_socket, zmq_ctx_shutdown and zmq_ctx_term may be called from any thread).
    let raw: UnsafeMutableRawPointer

    /// Creates a context.
    /// - Parameter ioThreads: libzmq background I/O threads (1 handles well over 100k messages/s on loopback).
    /// - Throws: ``WireError/resourceUnavailable(_:)`` when libzmq cannot create one (out of file descriptors).
    public init(ioThreads: Int = 1) throws(WireError) {
        guard let ctx = zmq_ctx_new() else {
            throw .resourceUnavailable("zmq_ctx_new: \(ZMQErrno.message(zmq_errno()))")
        }
        _ = zmq_ctx_set(ctx, ZMQ_IO_THREADS, Int32(clamping: max(1, ioThreads)))
        _ = zmq_ctx_set(ctx, ZMQ_BLOCKY, 0)
        raw = ctx
    }

    /// Interrupts every blocking operation on this context's sockets (they fail with `contextTerminated`).
    /// Sockets must still be closed; termination itself happens when the last reference goes.
    public func shutdown() {
        _ = zmq_ctx_shutdown(raw)
    }

    deinit {
        // All sockets hold a strong reference, so none is open here: zmq_ctx_term returns promptly.
        while zmq_ctx_term(raw) != 0, zmq_errno() == EINTR {}
    }

    /// True when this libzmq supports CURVE security (built with libsodium).
    public static var hasCurve: Bool { zmq_has("curve") != 0 }

    /// The libzmq version, e.g. `(4, 3, 4)`.
    public static var libraryVersion: (major: Int, minor: Int, patch: Int) {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        return (Int(major), Int(minor), Int(patch))
    }
}
