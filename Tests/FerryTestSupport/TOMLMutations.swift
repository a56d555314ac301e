/// Seeded random edits of a TOML text (1 to 4 byte insertions, deletions or replacements from an alphabet of TOML
/// punctuation, digits and letters), for tests that a loader never traps on malformed files.
public struct TOMLMutations: Sequence, IteratorProtocol {
    private static let alphabet = Array("[]{}=\"'#,.\n\r\\ 0123456789abcxyz+-_:TZe".utf8)
    private let original: [UInt8]
    private var rng: SplitMix64
    private var left: Int

    /// `count` mutations of `text`, reproducible from `seed`.
    public init(of text: String, count: Int, seed: UInt64) {
        original = Array(text.utf8)
        rng = SplitMix64(seed: seed)
        left = count
    }

    public mutating func next() -> String? {
        guard left > 0 else { return nil }
        left -= 1
        var bytes = original
        for _ in 0..<(1 + Int(rng.next() % 4)) {
            let at = Int(rng.next() % UInt64(bytes.count + 1))
            let byte = Self.alphabet[Int(rng.next() % UInt64(Self.alphabet.count))]
            switch rng.next() % 3 {
            case 0: bytes.insert(byte, at: at)
            case 1: if at < bytes.count { bytes.remove(at: at) }
            default: if at < bytes.count { bytes[at] = byte }
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
