public import FerryCore
public import FerryCrypto

/// A relayer's 20-byte Ethereum address, as recovered from its attestation signatures.
public struct SignerAddress: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The 20 bytes.
    public let bytes: [UInt8]

    /// Wraps 20 bytes.
    /// - Throws: ``FrameError`` (`badField`) for another length or the zero address (no key signs as zero).
    public init(bytes: [UInt8]) throws(FrameError) {
        guard bytes.count == 20 else { throw FrameError(.badField, "a signer address is 20 bytes, got \(bytes.count)") }
        guard bytes.contains(where: { $0 != 0 }) else { throw FrameError(.badField, "the signer is the zero address") }
        self.bytes = bytes
    }

    /// Parses `0x`-prefixed or bare hex.
    /// - Throws: ``FrameError`` (`badField`).
    public init(hex: String) throws(FrameError) {
        let bytes: [UInt8]
        do { bytes = try Hex.decode(hex) } catch { throw FrameError(.badField, "signer \"\(hex)\": \(error)") }
        try self.init(bytes: bytes)
    }

    public static func < (a: SignerAddress, b: SignerAddress) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }

    /// Lower-case `0x` hex.
    public var description: String { Hex.prefixed(bytes) }
}
