internal import CZeroMQ
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// Turns libzmq's errno values into ``WireError`` and retries `EINTR`, like NIO's `syscall(blocking:where:)`.
enum ZMQErrno {
    static func message(_ code: Int32) -> String {
        guard let text = zmq_strerror(code) else { return "unknown error" }
        return String(cString: text)
    }

    /// Maps the current `zmq_errno()` to an error for `operation`.
    static func error(_ operation: String, endpoint: String? = nil) -> WireError {
        let code = zmq_errno()
        return error(code, operation, endpoint: endpoint)
    }

    static func error(_ code: Int32, _ operation: String, endpoint: String? = nil) -> WireError {
        switch code {
        case EAGAIN: return .wouldBlock(operation: operation)
        case ETERM: return .contextTerminated(operation: operation)
        case ENOTSOCK: return .closed("socket (\(operation))")
        default:
            if let endpoint {
                return .invalidEndpoint(endpoint, reason: message(code))
            }
            return .system(operation: operation, errno: code, message: message(code))
        }
    }

    /// Runs a libzmq call returning -1 on failure, retrying while it fails with `EINTR`.
    @discardableResult
    static func retrying(_ operation: String, endpoint: String? = nil, _ call: () -> Int32) throws(WireError) -> Int32 {
        while true {
            let rc = call()
            if rc >= 0 { return rc }
            let code = zmq_errno()
            if code == EINTR { continue }
            throw error(code, operation, endpoint: endpoint)
        }
    }
}
