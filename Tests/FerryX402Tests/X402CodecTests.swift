import FerryCore
import FerryCrypto
import FerryX402
import Foundation
import Testing

@Suite("x402 header codec")
struct X402CodecTests {
    static let token = "0x" + String(repeating: "1f", count: 20)
    static let seller = "0x" + String(repeating: "2e", count: 20)

    static func requirement(amount: Amount = 1500, network: NetworkID = .eip155(chainId: 1337)) -> PaymentRequirements {
        PaymentRequirements(scheme: "exact", network: network, asset: token, amount: amount, payTo: seller,
                            maxTimeoutSeconds: 60, extra: ["name": .string("Test Token"), "version": .string("1")])
    }

    /// A requirement's JSON text with one member replaced (or removed with `nil`).
    static func requirementJSON(_ key: String, _ value: String?) -> String {
        var members = [
            "scheme": "\"exact\"", "network": "\"eip155:1337\"", "asset": "\"\(token)\"", "amount": "\"1500\"",
            "payTo": "\"\(seller)\"", "maxTimeoutSeconds": "60", "extra": "{\"name\":\"Test Token\",\"version\":\"1\"}",
        ]
        members[key] = value
        return "{" + members.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",") + "}"
    }

    static func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }

    @Test("PaymentRequired, PaymentPayload and SettleResponse round-trip through their headers")
    func roundTrips() throws {
        let key = try PrivateKey(hex: "0x" + String(repeating: "11", count: 32))
        let exact = Self.requirement(amount: .max)
        let required = PaymentRequired(
            resource: ResourceInfo(url: "http://127.0.0.1/x", description: "d", mimeType: "text/plain", serviceName: "s",
                                   tags: ["a"], iconUrl: "https://i"),
            accepts: [exact, Self.requirement(network: .ferrySimulated(chainId: 3))],
            extensions: ["cross-chain": .object(["info": .object(["origins": .array([.null, .bool(true), .number(1.5), .integer(-7)])])])])
        let header = try required.headerValue()
        #expect(Data(base64Encoded: header) != nil)  // standard alphabet with padding, as Python's b64encode
        #expect(try PaymentRequired(headerValue: header) == required)

        let authorization = EIP3009Authorization(from: key.address, to: try exact.evmPayTo(), value: .max, validAfter: 0,
                                                 validBefore: 1_800_000_000, nonce: try Bytes32(hex: "0x" + String(repeating: "ab", count: 32)))
        let signed = try authorization.sign(with: key, in: try exact.eip3009Domain())
        let payment = PaymentPayload(payload: signed.jsonObject, accepted: exact)
        let decoded = try PaymentPayload(headerValue: try payment.headerValue())
        #expect(decoded == payment)
        #expect(try ExactEVMPayload(payload: decoded.payload) == signed)

        let settle = SettleResponse(success: false, errorReason: "invalid_exact_evm_payload_signature", errorMessage: "m",
                                    transaction: "", network: .eip155(chainId: 1337))
        #expect(try SettleResponse(headerValue: try settle.headerValue()) == settle)
        // Absent optionals are omitted, not null (the SDK's exclude_none).
        let text = String(decoding: try X402Codec.encodeJSON(settle), as: UTF8.self)
        #expect(!text.contains("null") && !text.contains("amount") && !text.contains("payer"))

        let verify = VerifyRequest(paymentPayload: payment, paymentRequirements: exact)
        #expect(try X402Codec.decodeBody(VerifyRequest.self, from: X402Codec.encodeJSON(verify), source: "POST /verify") == verify)
        let supported = SupportedResponse(kinds: [SupportedKind(scheme: "exact", network: "eip155:1337")], extensions: ["cross-chain"],
                                          signers: ["eip155:*": [Self.seller]])
        #expect(try X402Codec.decodeBody(SupportedResponse.self, from: X402Codec.encodeJSON(supported), source: "GET /supported") == supported)
        let answer = VerifyResponse(isValid: false, invalidReason: "network_mismatch", payer: Self.seller)
        #expect(try X402Codec.decodeBody(VerifyResponse.self, from: X402Codec.encodeJSON(answer), source: "POST /verify") == answer)
    }

    @Test("header names match in any letter case, as the SDK's client and server match them")
    func headerNames() {
        #expect(X402Header(name: "payment-signature") == .paymentSignature)
        #expect(X402Header(name: "Payment-Required") == .paymentRequired)
        #expect(X402Header(name: "PAYMENT-RESPONSE") == .paymentResponse)
        #expect(X402Header(name: "X-PAYMENT") == nil)
    }

    @Test("CAIP-2 network ids parse into NetworkID and print back", arguments: [
        ("eip155:1", NetworkID.eip155(chainId: 1)), ("eip155:8453", .eip155(chainId: 8453)),
        ("eip155:18446744073709551615", .eip155(chainId: .max)), ("ferrysim:3", .ferrySimulated(chainId: 3)),
        ("solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp", .other(namespace: "solana", reference: "5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp")),
    ])
    func networks(text: String, expected: NetworkID) throws {
        #expect(try NetworkID(parsing: text) == expected)
        #expect(expected.description == text)
    }

    @Test("malformed network ids are refused with a reason", arguments: [
        "", "eip155", "base-mainnet", "eip155:", "eip155:abc", "eip155:0x2105", "eip155:01", "eip155:18446744073709551616",
        "EIP155:1", "ab:1", "eip155:-1", "eip155:1 ",
    ])
    func badNetworks(text: String) {
        #expect(throws: X402Error.self) { try NetworkID(parsing: text) }
    }

    @Test("a network that is not EVM is refused where an EVM chain is needed")
    func unsupportedNetwork() {
        let solana = NetworkID.other(namespace: "solana", reference: "devnet")
        #expect(throws: X402Error.unsupportedNetwork(solana, expected: "an eip155:<chainId> network")) { try solana.requireEVM() }
        #expect(throws: ExactEVMRefusal.unsupportedNetwork) { try Self.requirement(network: solana).eip3009Domain() }
    }
}
