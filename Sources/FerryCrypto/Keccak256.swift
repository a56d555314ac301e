/// Keccak-256 as Ethereum uses it (original Keccak padding `0x01`, not SHA3-256's `0x06`).
///
/// One-shot: `Keccak256.hash(bytes)`. Incremental: `var h = Keccak256(); h.update(a); h.update(b); h.finalize()`.
public struct Keccak256: Sendable {
    /// Bytes absorbed per permutation (1600 - 2 * 256 bits).
    public static let rate = 136

    private var state: [UInt64] = Array(repeating: 0, count: 25)
    private var buffer: [UInt8] = []

    /// An empty hasher.
    public init() {
        buffer.reserveCapacity(Self.rate)
    }

    /// Absorbs more input.
    public mutating func update(_ bytes: some Sequence<UInt8>) {
        let handled: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        guard handled == nil else { return }
        for b in bytes {
            buffer.append(b)
            if buffer.count == Self.rate { absorbBuffer() }
        }
    }

    /// Absorbs more input from a buffer: tops up any partial block, absorbs whole blocks in place,
    /// and keeps the remainder.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var rest = bytes.baseAddress, bytes.count > 0 else { return }
        var remaining = bytes.count
        if !buffer.isEmpty {
            let take = min(Self.rate - buffer.count, remaining)
            buffer.append(contentsOf: UnsafeRawBufferPointer(start: rest, count: take))
            rest += take
            remaining -= take
            if buffer.count == Self.rate { absorbBuffer() }
        }
        if remaining >= Self.rate {
            state.withUnsafeMutableBufferPointer { s in
                guard let st = s.baseAddress else { return }  // 25 lanes: never nil
                while remaining >= Self.rate {
                    Self.absorbBlock(st, rest)
                    KeccakF1600.permute(st)
                    rest += Self.rate
                    remaining -= Self.rate
                }
            }
        }
        if remaining > 0 {
            buffer.append(contentsOf: UnsafeRawBufferPointer(start: rest, count: remaining))
        }
    }

    private mutating func absorbBuffer() {
        state.withUnsafeMutableBufferPointer { s in
            buffer.withUnsafeBytes { block in
                guard let st = s.baseAddress, let b = block.baseAddress else { return }  // both non-empty
                Self.absorbBlock(st, b)
                KeccakF1600.permute(st)
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Pads, squeezes and returns the 32-byte digest. The hasher is spent afterwards.
    public mutating func finalize() -> Bytes32 {
        let tail = buffer
        return state.withUnsafeMutableBufferPointer { s in
            tail.withUnsafeBytes { t in
                guard let st = s.baseAddress else { return Bytes32.zero }  // 25 lanes: never nil
                return Self.finish(st, tail: t)
            }
        }
    }

    /// Keccak-256 of `bytes`.
    public static func hash(_ bytes: UnsafeRawBufferPointer) -> Bytes32 {
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 25) { s in
            guard let st = s.baseAddress else { return Bytes32.zero }  // capacity 25: never nil
            st.initialize(repeating: 0, count: 25)
            var offset = 0
            let count = bytes.count
            if count >= rate, let base = bytes.baseAddress {
                while count - offset >= rate {
                    absorbBlock(st, base + offset)
                    KeccakF1600.permute(st)
                    offset += rate
                }
            }
            return finish(st, tail: UnsafeRawBufferPointer(rebasing: bytes[offset...]))
        }
    }

    /// Keccak-256 of `bytes`.
    public static func hash(_ bytes: [UInt8]) -> Bytes32 {
        bytes.withUnsafeBytes { hash($0) }
    }

    /// Keccak-256 of any byte collection (contiguous storage is used when available).
    public static func hash(_ bytes: some Collection<UInt8>) -> Bytes32 {
        if let digest = bytes.withContiguousStorageIfAvailable({ hash(UnsafeRawBufferPointer($0)) }) {
            return digest
        }
        return hash(Array(bytes))
    }

    /// Keccak-256 of the UTF-8 bytes of `text`.
    public static func hash(_ text: String) -> Bytes32 {
        var text = text
        return text.withUTF8 { hash(UnsafeRawBufferPointer($0)) }
    }

    /// XORs one full 136-byte block into the state, little-endian lanes.
    @inline(__always)
    private static func absorbBlock(_ st: UnsafeMutablePointer<UInt64>, _ block: UnsafeRawPointer) {
        for i in 0..<(rate / 8) {
            st[i] ^= UInt64(littleEndian: block.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))
        }
    }

    /// Absorbs the final partial block with Keccak padding and squeezes 32 bytes.
    private static func finish(_ st: UnsafeMutablePointer<UInt64>, tail: UnsafeRawBufferPointer) -> Bytes32 {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: rate) { block in
            guard let b = block.baseAddress else { return }  // capacity 136: never nil
            b.initialize(repeating: 0, count: rate)
            if let t = tail.baseAddress, tail.count > 0 {
                b.initialize(from: t.assumingMemoryBound(to: UInt8.self), count: tail.count)
            }
            b[tail.count] ^= 0x01
            b[rate - 1] ^= 0x80
            absorbBlock(st, UnsafeRawPointer(b))
            KeccakF1600.permute(st)
        }
        return Bytes32(storage: (UInt64(littleEndian: st[0]), UInt64(littleEndian: st[1]),
                                 UInt64(littleEndian: st[2]), UInt64(littleEndian: st[3])))
    }
}
