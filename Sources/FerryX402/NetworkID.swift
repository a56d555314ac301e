/// A CAIP-2 network id (`namespace:reference`), as x402 names chains: `eip155:8453` for EVM chain 8453.
///
/// `eip155` ids are parsed into their chain id; `ferrysim:<id>` names Ferry's simulated chains (never offered
/// to other x402 peers). Any other well-formed id (`solana:5eykt4...`) is kept as ``other(namespace:reference:)``
/// so a requirement list that also names chains Ferry does not serve still decodes; an operation that needs an
/// EVM chain refuses it with ``X402Error/unsupportedNetwork(_:expected:)``.
public enum NetworkID: Hashable, Sendable, CustomStringConvertible, Codable {
    /// An EVM chain, `eip155:<chainId>`.
    case eip155(chainId: UInt64)
    /// A Ferry simulated chain, `ferrysim:<chainId>`.
    case ferrySimulated(chainId: UInt64)
    /// Another CAIP-2 network.
    case other(namespace: String, reference: String)

    /// Parses CAIP-2 text: namespace `[-a-z0-9]{3,8}`, reference `[-_a-zA-Z0-9]{1,32}`; for `eip155` and
    /// `ferrysim` the reference is a decimal chain id without leading zeros that fits 64 bits.
    /// - Throws: ``X402Error/invalidNetwork(source:field:text:reason:)`` naming `field`.
    public init(parsing text: String, source: String = "CAIP-2", field: String = "network id") throws(X402Error) {
        do {
            self = try Self.parse(text)
        } catch {
            throw .invalidNetwork(source: source, field: field, text: String(text.prefix(80)), reason: error.reason)
        }
    }

    private struct Refusal: Error { let reason: String }

    private static func parse(_ text: String) throws(Refusal) -> NetworkID {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw Refusal(reason: "expected namespace:reference, e.g. eip155:8453") }
        let namespace = parts[0], reference = parts[1]
        guard (3...8).contains(namespace.utf8.count),
              namespace.utf8.allSatisfy({ isLowerAlnum($0) || $0 == UInt8(ascii: "-") })
        else { throw Refusal(reason: "the namespace must be 3 to 8 characters of a-z, 0-9 and -") }
        guard (1...32).contains(reference.utf8.count),
              reference.utf8.allSatisfy({ isLowerAlnum($0) || isUpper($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") })
        else { throw Refusal(reason: "the reference must be 1 to 32 characters of a-z, A-Z, 0-9, - and _") }
        switch namespace {
        case "eip155": return .eip155(chainId: try chainId(reference))
        case "ferrysim": return .ferrySimulated(chainId: try chainId(reference))
        default: return .other(namespace: String(namespace), reference: String(reference))
        }
    }

    private static func chainId(_ reference: Substring) throws(Refusal) -> UInt64 {
        guard reference.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              reference == "0" || !reference.hasPrefix("0"),
              let id = UInt64(reference)
        else { throw Refusal(reason: "the chain id must be a decimal number below 2^64 without leading zeros") }
        return id
    }

    private static func isLowerAlnum(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
    }

    private static func isUpper(_ c: UInt8) -> Bool { c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z") }

    /// The CAIP-2 text, e.g. `eip155:8453`.
    public var description: String {
        switch self {
        case let .eip155(chainId): "eip155:\(chainId)"
        case let .ferrySimulated(chainId): "ferrysim:\(chainId)"
        case let .other(namespace, reference): "\(namespace):\(reference)"
        }
    }

    /// The EVM chain id, or nil for a network that is not `eip155`.
    public var evmChainId: UInt64? {
        if case let .eip155(chainId) = self { return chainId }
        return nil
    }

    /// The EVM chain id.
    /// - Throws: ``X402Error/unsupportedNetwork(_:expected:)`` for a network that is not `eip155`.
    public func requireEVM() throws(X402Error) -> UInt64 {
        guard let id = evmChainId else { throw .unsupportedNetwork(self, expected: "an eip155:<chainId> network") }
        return id
    }

    /// Decodes CAIP-2 text; a malformed id is a ``FieldProblem`` that the codec reports with its path.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            self = try Self.parse(text)
        } catch {
            throw FieldProblem(decoder.codingPath, .network(text: String(text.prefix(80)), reason: error.reason))
        }
    }

    /// Encodes the CAIP-2 text.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
