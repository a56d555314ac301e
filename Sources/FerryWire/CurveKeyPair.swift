internal import CZeroMQ

/// A CURVE key pair: a node's long-term identity on the wire.
public struct CurveKeyPair: Sendable, Hashable, CustomStringConvertible {
    /// Shared with peers (they put it in their allow-list and, as clients, use it as the server key).
    public let publicKey: CurvePublicKey
    /// Kept by the node.
    public let secretKey: CurveSecretKey

    /// Pairs two keys. The caller vouches that they belong together (a mismatched pair fails the CURVE handshake).
    public init(publicKey: CurvePublicKey, secretKey: CurveSecretKey) {
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    /// Generates a fresh key pair with `zmq_curve_keypair` (libsodium's randomness).
    /// - Throws: ``WireError/unsupported(capability:)`` when libzmq lacks CURVE.
    public static func generate() throws(WireError) -> CurveKeyPair {
        guard ZMQContext.hasCurve else { throw .unsupported(capability: "curve") }
        var pub = [CChar](repeating: 0, count: 41), sec = [CChar](repeating: 0, count: 41)
        let rc = zmq_curve_keypair(&pub, &sec)
        guard rc == 0 else { throw ZMQErrno.error("zmq_curve_keypair") }
        defer { for i in sec.indices { sec[i] = 0 } }
        func text(_ c: [CChar]) -> String { String(decoding: c.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self) }
        return CurveKeyPair(publicKey: try CurvePublicKey(z85: text(pub)), secretKey: try CurveSecretKey(z85: text(sec)))
    }

    public var description: String { "CurveKeyPair(public: \(publicKey.z85), secret: redacted)" }
}
