internal import CZeroMQ

/// One connection event of a monitored socket (see ``ZMQSocket/monitor(_:events:)``).
public struct ZMQSocketEvent: Sendable, Hashable, CustomStringConvertible {
    /// Event kinds, as a set for choosing what to monitor.
    public struct Kinds: OptionSet, Sendable, Hashable {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }

        /// A connection was established (TCP level).
        public static let connected = Kinds(rawValue: ZMQ_EVENT_CONNECTED)
        /// A connection was lost; libzmq may or may not reconnect (it does not after a protocol error).
        public static let disconnected = Kinds(rawValue: ZMQ_EVENT_DISCONNECTED)
        /// The security handshake (CURVE + ZAP) completed.
        public static let handshakeSucceeded = Kinds(rawValue: ZMQ_EVENT_HANDSHAKE_SUCCEEDED)
        /// The handshake failed for a system reason (e.g. the peer closed).
        public static let handshakeFailedNoDetail = Kinds(rawValue: ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL)
        /// The handshake failed on a protocol error (wrong server key, malformed command).
        public static let handshakeFailedProtocol = Kinds(rawValue: ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL)
        /// The peer's ZAP handler refused us.
        public static let handshakeFailedAuth = Kinds(rawValue: ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
        /// The monitor ended (the socket was closed).
        public static let monitorStopped = Kinds(rawValue: ZMQ_EVENT_MONITOR_STOPPED)
        /// Any handshake failure.
        public static let handshakeFailed: Kinds = [.handshakeFailedNoDetail, .handshakeFailedProtocol, .handshakeFailedAuth]
    }

    /// The value of a `handshakeFailedProtocol` event when the peer spoke another security mechanism (NULL or
    /// PLAIN to a CURVE server).
    public static let mechanismMismatch = UInt32(ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH)

    /// The event (one kind).
    public let kind: Kinds
    /// The event's value (an errno, a file descriptor or a ZMTP error code, depending on the kind).
    public let value: UInt32
    /// The endpoint concerned.
    public let endpoint: String

    /// Decodes a monitor message: part 1 is the event (u16) and value (u32) in native byte order, part 2 the
    /// endpoint. Returns `nil` for anything else.
    public init?(parts: [[UInt8]]) {
        guard parts.count == 2, parts[0].count == 6 else { return nil }
        let head = parts[0]
        kind = Kinds(rawValue: Int32(head.withUnsafeBytes { $0.loadUnaligned(as: UInt16.self) }))
        value = head.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 2, as: UInt32.self) }
        endpoint = String(decoding: parts[1], as: UTF8.self)
    }

    public var description: String { "event 0x\(String(kind.rawValue, radix: 16)) value \(value) on \(endpoint)" }
}
