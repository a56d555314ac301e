import FerryCore
import FerryCrypto
import FerryTestSupport
import FerryX402
import Foundation
import Testing

/// Interop with the reference SDK (`x402` 2.25.0 in the test venv) through `Tests/vectors/x402_wire_peer.py`.
@Suite("x402 interop with the reference SDK")
struct X402InteropTests {
    struct SDKHeaders: Decodable {
        struct Headers: Decodable { let paymentRequired, paymentSignature, paymentResponse: String }
        struct Models: Decodable { let paymentRequired, paymentPayload, settleResponse: JSONValue }
        let headers: Headers
        let models: Models
        let payer: String
        let digest: String
    }

    struct SDKCheck: Decodable {
        struct Models: Decodable { let paymentRequired, paymentPayload, settleResponse: JSONValue }
        let models: Models
        let recovered: String
        let digest: String
    }

    /// The JSON tree Swift writes for `value`, to compare with the SDK's `model_dump` field for field.
    static func tree(_ value: some Encodable) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(X402Codec.encodeJSON(value)))
    }

    @Test("headers the SDK encodes (its own client's signed exact payload) decode in Swift field for field, and the EIP-3009 signature verifies",
          arguments: [7, 8, 9])
    func sdkToSwift(seed: Int) throws {
        let sdk = try JSONDecoder().decode(SDKHeaders.self, from: PythonVectors.run("x402_wire_peer.py", ["sdk-headers", String(seed)]))

        let required = try PaymentRequired(headerValue: sdk.headers.paymentRequired)
        #expect(try Self.tree(required) == sdk.models.paymentRequired)
        #expect(required.x402Version == 2)
        #expect(required.accepts.count == 2)
        let exact = try #require(required.accepts.first)
        #expect(exact.network == .eip155(chainId: 1337))
        #expect(required.accepts[1].network == .other(namespace: "solana", reference: "5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp"))
        #expect(exact.amount.description == sdk.models.paymentRequired["accepts"].flatMap { if case let .array(a) = $0 { a.first } else { nil } }?["amount"]?.stringValue)
        #expect(required.resource?.mimeType == "application/json")
        #expect(required.extensions?["cross-chain"]?["info"]?["version"] == .string("1"))

        let payment = try PaymentPayload(headerValue: sdk.headers.paymentSignature)
        #expect(try Self.tree(payment) == sdk.models.paymentPayload)
        #expect(payment.accepted == exact)
        let evm = try ExactEVMPayload(payload: payment.payload)
        #expect(evm.authorization.from == (try EthereumAddress(hex: sdk.payer)))
        #expect(evm.authorization.to == (try exact.evmPayTo()))
        #expect(evm.authorization.value == exact.amount)
        #expect(evm.authorization.validAfter == .zero)
        let domain = try exact.eip3009Domain()
        #expect(evm.authorization.digest(in: domain).hex == sdk.digest)
        #expect(try evm.signer(in: domain) == evm.authorization.from)
        let now = try #require(evm.authorization.validBefore.uint64) - 60
        #expect(try ExactEVMVerification.check(evm, accepted: payment.accepted, requirements: exact, now: now) == evm.authorization.from)
        #expect(evm.jsonObject == payment.payload)

        let settle = try SettleResponse(headerValue: sdk.headers.paymentResponse)
        #expect(try Self.tree(settle) == sdk.models.settleResponse)
        #expect(settle.success && settle.network == .eip155(chainId: 1337) && settle.amount == exact.amount)
    }

    @Test("headers Swift encodes are accepted by the SDK's decoders and pydantic models, and a Swift-signed EIP-3009 authorization verifies with eth-account")
    func swiftToSDK() throws {
        let payer = try PrivateKey(hex: "0x" + String(repeating: "5a", count: 32))
        let token = try EthereumAddress(hex: "0x" + String(repeating: "1f", count: 20))
        let seller = try EthereumAddress(hex: "0x" + String(repeating: "2e", count: 20))
        let amount = try Amount(parsing: "115792089237316195423570985008687907853269984665640564039457584007913129639935")  // 2^256-1
        let exact = PaymentRequirements(
            scheme: "exact", network: .eip155(chainId: 8453), asset: token.checksummed, amount: amount,
            payTo: seller.checksummed, maxTimeoutSeconds: 300, extra: ["name": .string("USD Coin"), "version": .string("2")])
        let channel = PaymentRequirements(
            scheme: "ferry-channel", network: .eip155(chainId: 1337), asset: token.checksummed, amount: 1000,
            payTo: seller.checksummed, maxTimeoutSeconds: 60,
            extra: ["channelContract": .string("0x" + String(repeating: "33", count: 20)), "minExpirySeconds": .integer(3600)])
        let required = PaymentRequired(
            error: "Payment required", resource: ResourceInfo(url: "https://api.example/v1/gpu", serviceName: "GPU seconds"),
            accepts: [exact, channel])
        let authorization = EIP3009Authorization(
            from: payer.address, to: seller, value: amount, validAfter: 0, validBefore: 1_900_000_000,
            nonce: try Bytes32(hex: "0x" + String(repeating: "c3", count: 32)))
        let signed = try authorization.sign(with: payer, in: try exact.eip3009Domain())
        let payment = PaymentPayload(payload: signed.jsonObject, accepted: exact, resource: required.resource,
                                     extensions: ["cross-chain": .object(["info": .object(["version": .string("1")])])])
        let settle = SettleResponse(success: true, payer: payer.address.checksummed, transaction: "", network: .eip155(chainId: 8453),
                                    amount: amount, extra: ["channelId": .string(Bytes32.zero.hex)])

        let output = try PythonVectors.run("x402_wire_peer.py", [
            "check-swift", try required.headerValue(), try payment.headerValue(), try settle.headerValue(),
        ])
        let sdk = try JSONDecoder().decode(SDKCheck.self, from: output)
        #expect(sdk.models.paymentRequired == (try Self.tree(required)))
        #expect(sdk.models.paymentPayload == (try Self.tree(payment)))
        #expect(sdk.models.settleResponse == (try Self.tree(settle)))
        #expect(try EthereumAddress(hex: sdk.recovered) == payer.address)
        #expect(sdk.digest == authorization.digest(in: try exact.eip3009Domain()).hex)
    }

    struct SDKServerCheck: Decodable { let matched: Bool; let echoValid: Bool }

    @Test("an SDK resource server matches a Swift cross-chain payment to its exact requirement and accepts its extension echo, and refuses an echo that drops an advertised field")
    func crossChainThroughSDKServer() throws {
        let exact = X402CodecTests.requirement()
        let offer = CrossChainInfo(origins: [CrossChainOffer(network: .eip155(chainId: 1338), assets: [X402CodecTests.token])])
        let required = PaymentRequired(accepts: [exact], extensions: [CrossChainExtension.key: try CrossChainExtension.entry(offer)])
        var echo = offer
        echo.origin = CrossChainOrigin(network: .eip155(chainId: 1338), asset: X402CodecTests.token, payer: FerryX402SchemeTests.agent.address)
        let payload = try CrossChainPayload(crossChain: FerryX402SchemeTests.lock()).jsonObject()
        let payment = PaymentPayload(payload: payload, accepted: exact, extensions: [CrossChainExtension.key: try CrossChainExtension.entry(echo)])
        let ok = try JSONDecoder().decode(SDKServerCheck.self, from: PythonVectors.run(
            "x402_wire_peer.py", ["check-swift-cross-chain", try required.headerValue(), try payment.headerValue()]))
        #expect(ok.matched && ok.echoValid)

        var dropped = echo
        dropped.protocols = nil
        let bad = PaymentPayload(payload: payload, accepted: exact, extensions: [CrossChainExtension.key: try CrossChainExtension.entry(dropped)])
        let refused = try JSONDecoder().decode(SDKServerCheck.self, from: PythonVectors.run(
            "x402_wire_peer.py", ["check-swift-cross-chain", try required.headerValue(), try bad.headerValue()]))
        #expect(refused.matched && !refused.echoValid)
    }
}
