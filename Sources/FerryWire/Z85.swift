internal import CZeroMQ

/// ZeroMQ's Z85 text encoding (RFC 32), as libzmq implements it: 4 bytes become 5 printable characters.
public enum Z85 {
    /// Encodes bytes whose count is a multiple of 4.
    /// - Throws: ``WireError/invalidKey(reason:)`` when the count is not a multiple of 4.
    public static func encode(_ bytes: [UInt8]) throws(WireError) -> String {
        guard bytes.count % 4 == 0 else {
            throw .invalidKey(reason: "Z85 encodes multiples of 4 bytes, got \(bytes.count)")
        }
        if bytes.isEmpty { return "" }
        var out = [CChar](repeating: 0, count: bytes.count * 5 / 4 + 1)
        let ok = bytes.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                zmq_z85_encode(dst.baseAddress, src.baseAddress, src.count) != nil
            }
        }
        guard ok else { throw .invalidKey(reason: "zmq_z85_encode refused \(bytes.count) bytes") }
        return String(decoding: out.prefix(bytes.count * 5 / 4).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Decodes Z85 text whose length is a multiple of 5.
    /// - Throws: ``WireError/invalidKey(reason:)`` for a bad length or a character outside the Z85 alphabet.
    public static func decode(_ text: String) throws(WireError) -> [UInt8] {
        let chars = Array(text.utf8)
        guard chars.count % 5 == 0 else {
            throw .invalidKey(reason: "Z85 text length must be a multiple of 5, got \(chars.count)")
        }
        // libzmq does not reject every character outside the alphabet, so check here.
        guard chars.allSatisfy({ alphabet.contains($0) }) else {
            throw .invalidKey(reason: "\"\(text)\" contains a character outside the Z85 alphabet")
        }
        if chars.isEmpty { return [] }
        var out = [UInt8](repeating: 0, count: chars.count * 4 / 5)
        let cString = chars.map { CChar(bitPattern: $0) } + [0]
        let ok = cString.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                zmq_z85_decode(dst.baseAddress, src.baseAddress) != nil
            }
        }
        guard ok else { throw .invalidKey(reason: "\"\(text)\" is not valid Z85") }
        return out
    }

    private static let alphabet = Set(
        "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#".utf8)
}
