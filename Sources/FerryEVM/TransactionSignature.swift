public import FerryCore
public import FerryCrypto

/// The signature fields of a transaction: r, s and the y-parity (recovery id) 0 or 1.
///
/// Always valid in the sense of EIP-2: 1 <= r < n, 1 <= s <= n/2, so a decoded transaction cannot be
/// a malleable twin of another.
public struct TransactionSignature: Hashable, Sendable {
    /// r, big-endian.
    public let r: Bytes32
    /// s, big-endian, at most n/2.
    public let s: Bytes32
    /// 0 or 1.
    public let yParity: UInt8

    /// secp256k1's group order n.
    static let curveOrder = Amount(words: (0xBFD2_5E8C_D036_4141, 0xBAAE_DCE6_AF48_A03B, 0xFFFF_FFFF_FFFF_FFFE, 0xFFFF_FFFF_FFFF_FFFF))
    /// floor(n / 2).
    static let halfCurveOrder = Amount(words: (0xDFE9_2F46_681B_20A0, 0x5D57_6E73_57A4_501D, 0xFFFF_FFFF_FFFF_FFFF, 0x7FFF_FFFF_FFFF_FFFF))

    /// Checks and stores the parts.
    /// - Throws: ``TransactionError/invalidSignature(reason:)`` naming the bad part.
    public init(r: Bytes32, s: Bytes32, yParity: UInt8) throws(TransactionError) {
        let rv = Self.amount(r), sv = Self.amount(s)
        guard !rv.isZero, rv < Self.curveOrder else { throw .invalidSignature(reason: "r must be in 1..<n") }
        guard !sv.isZero, sv < Self.curveOrder else { throw .invalidSignature(reason: "s must be in 1..<n") }
        guard !(Self.halfCurveOrder < sv) else { throw .invalidSignature(reason: "s is above n/2 (EIP-2 requires low s)") }
        guard yParity <= 1 else { throw .invalidSignature(reason: "y-parity must be 0 or 1, got \(yParity)") }
        self.r = r
        self.s = s
        self.yParity = yParity
    }

    static func amount(_ b: Bytes32) -> Amount { (try? Amount(bigEndian: b.bytes)) ?? .zero }

    static func bytes32(_ a: Amount) -> Bytes32 { a.bigEndianBytes }
}
