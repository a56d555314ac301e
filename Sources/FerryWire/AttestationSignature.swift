/// A 65-byte recoverable ECDSA signature `r || s || v`, with `v` ∈ {27, 28} as Ethereum's `ecrecover` takes it.
///
/// The codec checks only the shape; whether it recovers to a relayer, is low-s and covers the right
/// EIP-712 digest is the attestation collector's job.
public struct AttestationSignature: Sendable, Hashable {
    /// The 65 bytes.
    public let bytes: [UInt8]

    /// Wraps 65 bytes.
    /// - Throws: ``FrameError`` (`badField`) for another length or `v` not 27 or 28.
    public init(bytes: [UInt8]) throws(FrameError) {
        guard bytes.count == 65 else { throw FrameError(.badField, "a signature is 65 bytes, got \(bytes.count)") }
        guard bytes[64] == 27 || bytes[64] == 28 else {
            throw FrameError(.badField, "signature v is \(bytes[64]), expected 27 or 28")
        }
        self.bytes = bytes
    }

    /// The 32-byte `r`.
    public var r: ArraySlice<UInt8> { bytes[0..<32] }
    /// The 32-byte `s`.
    public var s: ArraySlice<UInt8> { bytes[32..<64] }
    /// The recovery byte, 27 or 28.
    public var v: UInt8 { bytes[64] }
}
