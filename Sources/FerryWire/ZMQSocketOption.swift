/// A socket option ``ZMQSocket/setOption(_:)`` understands. Times are in milliseconds (-1: infinite).
public enum ZMQSocketOption: Sendable, Hashable {
    /// How long unsent messages are kept after close (`ZMQ_LINGER`); 0 drops them.
    case linger(milliseconds: Int)
    /// Outbound queue limit in messages (`ZMQ_SNDHWM`); PUB drops beyond it, others block or fail.
    case sendHighWaterMark(Int)
    /// Inbound queue limit in messages (`ZMQ_RCVHWM`).
    case receiveHighWaterMark(Int)
    /// Largest inbound message in bytes (`ZMQ_MAXMSGSIZE`): libzmq drops the connection of a peer that sends more.
    case maxMessageSize(Int)
    /// Blocking send timeout (`ZMQ_SNDTIMEO`).
    case sendTimeout(milliseconds: Int)
    /// Blocking receive timeout (`ZMQ_RCVTIMEO`).
    case receiveTimeout(milliseconds: Int)
    /// Delay before reconnecting a dropped connection (`ZMQ_RECONNECT_IVL`).
    case reconnectInterval(milliseconds: Int)
    /// Limit for the security handshake (`ZMQ_HANDSHAKE_IVL`).
    case handshakeInterval(milliseconds: Int)
    /// Queue only to completed connections (`ZMQ_IMMEDIATE`).
    case immediate(Bool)
    /// XPUB: pass every subscription up, not only the first per topic (`ZMQ_XPUB_VERBOSE`).
    case xpubVerbose(Bool)
    /// The ZAP domain sent with authentication requests (`ZMQ_ZAP_DOMAIN`).
    case zapDomain(String)
    /// Make this socket a CURVE server with its secret key (`ZMQ_CURVE_SERVER` + `ZMQ_CURVE_SECRETKEY`).
    case curveServer(secretKey: CurveSecretKey)
    /// Make this socket a CURVE client of the server holding `serverKey`, identified by `keyPair`.
    case curveClient(serverKey: CurvePublicKey, keyPair: CurveKeyPair)
    /// Make this socket a PLAIN client (`ZMQ_PLAIN_USERNAME` + `ZMQ_PLAIN_PASSWORD`). Ferry never speaks PLAIN;
    /// tests use it to check that gossip servers refuse and count it.
    case plainClient(username: String, password: String)
}
