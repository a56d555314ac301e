/// Why a JSON-RPC call failed. Every case names the method, so a message can say what was being asked.
public enum RPCError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The endpoint could not be reached, refused the connection, or dropped it. Transient.
    case unreachable(endpoint: String, method: String, underlying: String)
    /// No complete answer arrived within the call's timeout. Transient: the call's effect is unknown.
    case timeout(endpoint: String, method: String, after: Duration)
    /// The endpoint answered with an HTTP status other than 200. Transient for 5xx and 429.
    case http(endpoint: String, method: String, status: Int, body: String)
    /// The node answered with a JSON-RPC error object; `revert` is the decoded reason when `data` carries revert data.
    case node(method: String, code: Int, message: String, data: [UInt8]?, revert: RevertReason?)
    /// The answer is not what `method` returns: bad JSON, a missing or wrong-typed `field`, a non-canonical quantity.
    case malformed(method: String, field: String, reason: String)
    /// The answer passed the size cap for `method` (see ``JSONRPCClient/Configuration/responseLimit(for:)``); it
    /// was dropped unread. Not transient: the same question gets the same answer (ask for less, e.g. a shorter
    /// block range).
    case tooLarge(endpoint: String, method: String, limit: Int)
    /// The endpoint URL cannot be used at all (no host, unsupported scheme).
    case invalidEndpoint(endpoint: String, reason: String)
    /// The calling task was cancelled.
    case cancelled(method: String)

    /// True for failures a retry may cure: connection problems, timeouts, HTTP 5xx and 429.
    public var isTransient: Bool {
        switch self {
        case .unreachable, .timeout: true
        case let .http(_, _, status, _): status >= 500 || status == 429
        case .node, .malformed, .tooLarge, .invalidEndpoint, .cancelled: false
        }
    }

    /// True for ``tooLarge(endpoint:method:limit:)``.
    var isTooLarge: Bool {
        if case .tooLarge = self { return true }
        return false
    }

    /// The node's error message (for `.node`), lower-cased for matching ("nonce too low").
    var nodeMessage: String? {
        if case let .node(_, _, message, _, _) = self { return message.lowercased() }
        return nil
    }

    public var description: String {
        switch self {
        case let .unreachable(endpoint, method, underlying):
            "\(method): cannot reach \(endpoint): \(underlying)"
        case let .timeout(endpoint, method, after):
            "\(method): no answer from \(endpoint) within \(after); the call's effect is unknown"
        case let .http(endpoint, method, status, body):
            "\(method): \(endpoint) answered HTTP \(status)" + (body.isEmpty ? "" : ": \(body)")
        case let .node(method, code, message, _, revert):
            if let revert, !message.contains(revert.description) {
                "\(method): node error \(code): \(message) (revert reason: \(revert))"
            } else {
                "\(method): node error \(code): \(message)"
            }
        case let .malformed(method, field, reason):
            "\(method): malformed answer at \(field): \(reason)"
        case let .tooLarge(endpoint, method, limit):
            "\(method): \(endpoint) answered more than \(limit) bytes; the answer was refused unread"
        case let .invalidEndpoint(endpoint, reason):
            "invalid JSON-RPC endpoint \(endpoint): \(reason)"
        case let .cancelled(method):
            "\(method): cancelled"
        }
    }
}
