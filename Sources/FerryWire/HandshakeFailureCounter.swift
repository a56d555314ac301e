import Synchronization

/// Counts clients of a CURVE server socket whose handshake failed before ZAP was asked: libzmq refuses a client
/// that speaks another security mechanism (NULL, PLAIN) at the greeting, so such attempts reach no ZAP handler and
/// only the socket's monitor sees them.
public final class HandshakeFailureCounter: Sendable {
    /// Counts since the socket was bound.
    public struct Statistics: Sendable, Hashable {
        /// Clients that offered another security mechanism than CURVE (NULL or PLAIN).
        public var wrongMechanism = 0
        /// Other protocol failures during the handshake (malformed greetings or commands).
        public var protocolErrors = 0
        /// Clients that hung up during the handshake. A NULL or PLAIN client that reads the server's CURVE greeting
        /// before the server reads its own hangs up first, so libzmq reports it to the server this way, not as a
        /// mechanism mismatch (and such a client never reconnects: a protocol error ends its session).
        public var abandoned = 0
    }

    private let wrongMechanism = Atomic<Int>(0)
    private let protocolErrors = Atomic<Int>(0)
    private let abandoned = Atomic<Int>(0)

    /// A counter at zero.
    public init() {}

    /// The counts now.
    public var statistics: Statistics {
        Statistics(wrongMechanism: wrongMechanism.load(ordering: .relaxed), protocolErrors: protocolErrors.load(ordering: .relaxed),
                   abandoned: abandoned.load(ordering: .relaxed))
    }

    /// Records one monitor event of the server socket (other kinds are ignored).
    func record(_ event: ZMQSocketEvent) {
        if event.kind == .handshakeFailedNoDetail {
            abandoned.add(1, ordering: .relaxed)
            return
        }
        guard event.kind == .handshakeFailedProtocol else { return }
        if event.value == ZMQSocketEvent.mechanismMismatch {
            wrongMechanism.add(1, ordering: .relaxed)
        } else {
            protocolErrors.add(1, ordering: .relaxed)
        }
    }
}
