public import FerryCore
public import FerryCrypto

/// Why a call reverted, decoded from its revert data.
public enum RevertReason: Hashable, Sendable, CustomStringConvertible {
    /// No data (a bare `revert()` or an out-of-gas style failure).
    case empty
    /// `Error(string)`: what `require`/`assert` with a message produce, e.g. "ferry: already released".
    case message(String)
    /// `Panic(uint256)`: a Solidity compiler check (overflow 0x11, division by zero 0x12, ...).
    case panic(code: Amount)
    /// Any other custom error: its selector and undecoded arguments.
    case custom(selector: [UInt8], data: [UInt8])

    /// `0x08c379a0`, the selector of `Error(string)`.
    public static let errorSelector: [UInt8] = [0x08, 0xC3, 0x79, 0xA0]
    /// `0x4e487b71`, the selector of `Panic(uint256)`.
    public static let panicSelector: [UInt8] = [0x4E, 0x48, 0x7B, 0x71]

    /// Decodes revert data. Malformed `Error(string)` or `Panic` payloads decode as ``custom(selector:data:)``
    /// rather than failing, so a caller always gets something to show.
    public init(data: some Collection<UInt8>) {
        let d = Array(data)
        guard d.count >= 4 else {
            self = d.isEmpty ? .empty : .custom(selector: d, data: [])
            return
        }
        let selector = Array(d.prefix(4)), rest = Array(d.dropFirst(4))
        if selector == Self.errorSelector, let v = try? ABI.decode([.string], from: rest), case let .string(s)? = v.first {
            self = .message(s)
        } else if selector == Self.panicSelector, let v = try? ABI.decode([.uint(bits: 256)], from: rest), let code = v.first?.amount {
            self = .panic(code: code)
        } else {
            self = .custom(selector: selector, data: rest)
        }
    }

    /// The revert data `revert(reason)` produces: `Error(string)` encoded.
    public static func encodeMessage(_ message: String) -> [UInt8] {
        errorSelector + ABI.encode([.string(message)])
    }

    /// Readable text: the message itself, "panic 0x11", "custom error 0x12345678", or "no reason".
    public var description: String {
        switch self {
        case .empty: "no reason"
        case let .message(s): s
        case let .panic(code): "panic 0x" + Hex.encode(code.bigEndianBytes.bytes.drop { $0 == 0 })
        case let .custom(selector, _): "custom error " + Hex.prefixed(selector)
        }
    }
}
