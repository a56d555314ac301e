internal import CZeroMQ

extension CurveKeyPair {
    /// The key pair whose secret half is `secretKey`: the public key is derived with `zmq_curve_public`, so a
    /// node's key file only needs to hold the secret.
    /// - Throws: ``WireError/unsupported(capability:)`` when libzmq lacks CURVE, ``WireError/invalidKey(reason:)``
    ///   when libzmq refuses the secret.
    public init(secretKey: CurveSecretKey) throws(WireError) {
        guard ZMQContext.hasCurve else { throw .unsupported(capability: "curve") }
        var secret = Array(secretKey.z85.utf8CString)
        defer { for i in secret.indices { secret[i] = 0 } }
        var pub = [CChar](repeating: 0, count: 41)
        guard zmq_curve_public(&pub, secret) == 0 else { throw .invalidKey(reason: "libzmq could not derive a public key from the secret") }
        let text = String(decoding: pub.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        self.init(publicKey: try CurvePublicKey(z85: text), secretKey: secretKey)
    }
}
