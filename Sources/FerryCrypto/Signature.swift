/// A recoverable secp256k1 ECDSA signature in Ethereum's form: r, s and a recovery id.
///
/// Every value satisfies 1 <= r < n, 1 <= s <= n/2 (low-s, EIP-2) and v in {0, 1}; the
/// initializers reject anything else, so a `Signature` is always one `ecrecover` accepts.
public struct Signature: Hashable, Sendable, CustomStringConvertible {
    /// r, big-endian.
    public let r: Bytes32
    /// s, big-endian, at most n/2.
    public let s: Bytes32
    /// The recovery id, 0 or 1 (`rsv` writes it as 27 or 28).
    public let v: UInt8

    /// The secp256k1 group order n.
    static let curveOrder = Bytes32(storage: (
        UInt64(0xFFFF_FFFF_FFFF_FFFF).bigEndian, UInt64(0xFFFF_FFFF_FFFF_FFFE).bigEndian,
        UInt64(0xBAAE_DCE6_AF48_A03B).bigEndian, UInt64(0xBFD2_5E8C_D036_4141).bigEndian))
    /// floor(n / 2): the largest low s.
    static let halfCurveOrder = Bytes32(storage: (
        UInt64(0x7FFF_FFFF_FFFF_FFFF).bigEndian, UInt64(0xFFFF_FFFF_FFFF_FFFF).bigEndian,
        UInt64(0x5D57_6E73_57A4_501D).bigEndian, UInt64(0xDFE9_2F46_681B_20A0).bigEndian))

    /// Builds a signature from its parts. `v` may be a recovery id (0, 1) or Ethereum's 27/28.
    /// - Throws: `CryptoError.invalidSignature` when r or s is zero or not below n,
    ///   `CryptoError.highS` when s > n/2, `CryptoError.invalidRecoveryID` for another v.
    public init(r: Bytes32, s: Bytes32, v: UInt8) throws(CryptoError) {
        guard !r.isZero else { throw .invalidSignature(reason: "r is zero") }
        guard r < Self.curveOrder else { throw .invalidSignature(reason: "r is not below the curve order n") }
        guard !s.isZero else { throw .invalidSignature(reason: "s is zero") }
        guard s < Self.curveOrder else { throw .invalidSignature(reason: "s is not below the curve order n") }
        guard !(Self.halfCurveOrder < s) else { throw .highS }
        switch v {
        case 0, 1: self.v = v
        case 27, 28: self.v = v - 27
        default: throw .invalidRecoveryID(v)
        }
        self.r = r
        self.s = s
    }

    /// Parses the 65-byte `r || s || v` form; v may be 0, 1, 27 or 28.
    /// - Throws: `CryptoError.invalidLength` for another length, and the errors of `init(r:s:v:)`.
    public init(rsv: some Collection<UInt8>) throws(CryptoError) {
        let bytes = Array(rsv)
        guard bytes.count == 65 else { throw .invalidLength(what: "r || s || v signature", expected: 65, actual: bytes.count) }
        try self.init(r: Bytes32(bytes[0..<32]), s: Bytes32(bytes[32..<64]), v: bytes[64])
    }

    /// Parses hex of the 65-byte `r || s || v` form, with or without `0x`.
    /// - Throws: `CryptoError.invalidHex` and the errors of `init(rsv:)`.
    public init(hex: String) throws(CryptoError) {
        try self.init(rsv: Hex.decode(hex))
    }

    /// The 65-byte `r || s || v` form with v = 27 or 28, as Ethereum tools and `ecrecover` take it.
    public var rsv: [UInt8] { r.bytes + s.bytes + [v + 27] }

    /// True when s <= n/2. Always true: the initializers reject high-s signatures.
    public var isLowS: Bool { !(Self.halfCurveOrder < s) }

    /// Recovers the public key that made this signature over `digest`.
    /// - Throws: `CryptoError.recoveryFailed` when no key matches (r is not an x coordinate on the curve, ...).
    public func recoverPublicKey(digest: Bytes32) throws(CryptoError) -> PublicKey {
        let (x, y) = try Secp256k1Context.get().recover(r: r, s: s, v: v, digest: digest)
        return PublicKey(x: x, y: y)
    }

    /// Recovers the signer's address, as Solidity/Vyper `ecrecover` does.
    /// - Throws: `CryptoError.recoveryFailed` when no key matches.
    public func recoverAddress(digest: Bytes32) throws(CryptoError) -> EthereumAddress {
        let hash = try Secp256k1Context.get().recoverAddress(r: r, s: s, v: v, digest: digest)
        return EthereumAddress(lastTwentyBytesOf: hash)
    }

    /// `0x` + hex of `rsv`.
    public var description: String { Hex.prefixed(rsv) }
}
