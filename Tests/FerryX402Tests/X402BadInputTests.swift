import FerryCore
import FerryCrypto
import FerryX402
import Foundation
import Testing
import FerryTestSupport

/// Hostile header values: each ends in a typed error naming the header and the field, never a crash.
@Suite("x402 bad input")
struct X402BadInputTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let header: X402Header
        let value: String
        let expected: @Sendable (X402Error) -> Bool
        var testDescription: String { name }
    }

    static func required(_ accepts: String, version: String = "2") -> String {
        X402CodecTests.base64("{\"x402Version\":\(version),\"accepts\":[\(accepts)]}")
    }

    static func req(_ key: String, _ value: String?) -> String { required(X402CodecTests.requirementJSON(key, value)) }

    static let cases: [Case] = [
        Case(name: "not base64", header: .paymentSignature, value: "eyJ4!!!") {
            if case .malformedBase64(source: "PAYMENT-SIGNATURE", _) = $0 { true } else { false }
        },
        Case(name: "base64url alphabet", header: .paymentRequired, value: "eyJ-_w") {
            if case .malformedBase64 = $0 { true } else { false }
        },
        Case(name: "bad padding", header: .paymentRequired, value: "e===") {
            if case .malformedBase64 = $0 { true } else { false }
        },
        Case(name: "not JSON", header: .paymentRequired, value: X402CodecTests.base64("hello")) {
            if case .malformedJSON(source: "PAYMENT-REQUIRED", _) = $0 { true } else { false }
        },
        Case(name: "truncated JSON", header: .paymentRequired, value: X402CodecTests.base64("{\"x402Version\":2,\"accepts\":[")) {
            if case .malformedJSON = $0 { true } else { false }
        },
        Case(name: "a JSON array", header: .paymentResponse, value: X402CodecTests.base64("[1,2]")) {
            if case .malformedJSON = $0 { true } else { false }
        },
        Case(name: "not UTF-8", header: .paymentRequired, value: Data([0x7B, 0xFF, 0xFE, 0x7D]).base64EncodedString()) {
            if case .malformedJSON = $0 { true } else { false }
        },
        Case(name: "empty", header: .paymentRequired, value: "") {
            if case .malformedJSON = $0 { true } else { false }
        },
        Case(name: "missing accepts", header: .paymentRequired, value: X402CodecTests.base64("{\"x402Version\":2}")) {
            $0 == .missingField(source: "PAYMENT-REQUIRED", field: "accepts")
        },
        Case(name: "missing payTo", header: .paymentRequired, value: req("payTo", nil)) {
            $0 == .missingField(source: "PAYMENT-REQUIRED", field: "accepts[0].payTo")
        },
        Case(name: "missing amount", header: .paymentRequired, value: req("amount", nil)) {
            $0 == .missingField(source: "PAYMENT-REQUIRED", field: "accepts[0].amount")
        },
        Case(name: "amount 2^256", header: .paymentRequired,
             value: req("amount", "\"115792089237316195423570985008687907853269984665640564039457584007913129639936\"")) {
            if case .invalidAmount(source: "PAYMENT-REQUIRED", field: "accepts[0].amount", reason: .overflow) = $0 { true } else { false }
        },
        Case(name: "negative amount", header: .paymentRequired, value: req("amount", "\"-1\"")) {
            if case .invalidAmount(_, field: "accepts[0].amount", reason: .invalid) = $0 { true } else { false }
        },
        Case(name: "decimal amount", header: .paymentRequired, value: req("amount", "\"1.5\"")) {
            if case .invalidAmount(_, field: "accepts[0].amount", _) = $0 { true } else { false }
        },
        Case(name: "amount as a JSON number", header: .paymentRequired, value: req("amount", "1500")) {
            if case .invalidField(_, field: "accepts[0].amount", _) = $0 { true } else { false }
        },
        Case(name: "v1 network name", header: .paymentRequired, value: req("network", "\"base-sepolia\"")) {
            if case .invalidNetwork(_, field: "accepts[0].network", text: "base-sepolia", _) = $0 { true } else { false }
        },
        Case(name: "eip155 chain id over 2^64", header: .paymentRequired, value: req("network", "\"eip155:18446744073709551616\"")) {
            if case .invalidNetwork(_, field: "accepts[0].network", _, _) = $0 { true } else { false }
        },
        Case(name: "negative timeout", header: .paymentRequired, value: req("maxTimeoutSeconds", "-5")) {
            if case .invalidField(_, field: "accepts[0].maxTimeoutSeconds", _) = $0 { true } else { false }
        },
        Case(name: "x402Version 1", header: .paymentRequired, value: required(X402CodecTests.requirementJSON("scheme", "\"exact\""), version: "1")) {
            $0 == .unsupportedVersion(source: "PAYMENT-REQUIRED", version: 1)
        },
        Case(name: "33 requirements", header: .paymentRequired,
             value: required(Array(repeating: X402CodecTests.requirementJSON("scheme", "\"exact\""), count: 33).joined(separator: ","))) {
            $0 == .tooMany(source: "PAYMENT-REQUIRED", field: "accepts", count: 33, limit: 32)
        },
        Case(name: "oversized header", header: .paymentSignature, value: String(repeating: "A", count: X402Codec.maxHeaderLength + 4)) {
            $0 == .tooLarge(source: "PAYMENT-SIGNATURE", length: X402Codec.maxHeaderLength + 4, limit: X402Codec.maxHeaderLength)
        },
        Case(name: "extra nested 200 deep", header: .paymentRequired,
             value: req("extra", String(repeating: "[", count: 200) + String(repeating: "]", count: 200))) {
            if case .invalidField = $0 { true } else if case .malformedJSON = $0 { true } else { false }
        },
        Case(name: "payload missing accepted", header: .paymentSignature, value: X402CodecTests.base64("{\"x402Version\":2,\"payload\":{}}")) {
            $0 == .missingField(source: "PAYMENT-SIGNATURE", field: "accepted")
        },
        Case(name: "settle missing transaction", header: .paymentResponse,
             value: X402CodecTests.base64("{\"success\": true, \"network\": \"eip155:1\"}")) {
            $0 == .missingField(source: "PAYMENT-RESPONSE", field: "transaction")
        },
        Case(name: "settle amount over 2^256-1", header: .paymentResponse,
             value: X402CodecTests.base64("{\"success\":true,\"transaction\":\"\",\"network\":\"eip155:1\",\"amount\":\"" + String(repeating: "9", count: 79) + "\"}")) {
            if case .invalidAmount(source: "PAYMENT-RESPONSE", field: "amount", _) = $0 { true } else { false }
        },
    ]

    @Test("each malformed header value is a typed error naming the header and field", arguments: cases)
    func refused(c: Case) {
        do {
            switch c.header {
            case .paymentRequired: _ = try PaymentRequired(headerValue: c.value)
            case .paymentSignature: _ = try PaymentPayload(headerValue: c.value)
            case .paymentResponse: _ = try SettleResponse(headerValue: c.value)
            }
            Issue.record("\(c.name) was accepted")
        } catch {
            #expect(c.expected(error), "\(c.name): \(error)")
            #expect(!error.description.isEmpty)
        }
    }

    static func exactPayload(_ mutate: (inout [String: JSONValue], inout [String: JSONValue]) -> Void) -> [String: JSONValue] {
        var authorization: [String: JSONValue] = [
            "from": .string("0x" + String(repeating: "aa", count: 20)), "to": .string(X402CodecTests.seller),
            "value": .string("1500"), "validAfter": .string("0"), "validBefore": .string("1800000000"),
            "nonce": .string("0x" + String(repeating: "01", count: 32)),
        ]
        var outer: [String: JSONValue] = ["signature": .string("0x" + String(repeating: "11", count: 64) + "1b")]
        mutate(&authorization, &outer)
        outer["authorization"] = .object(authorization)
        return outer
    }

    @Test("a malformed exact payload is a typed error naming the field")
    func badExactPayload() {
        let table: [(String, [String: JSONValue], String)] = [
            ("value over 2^256-1", Self.exactPayload { a, _ in a["value"] = .string(String(repeating: "9", count: 78)) }, "authorization.value"),
            ("negative validBefore", Self.exactPayload { a, _ in a["validBefore"] = .string("-1") }, "authorization.validBefore"),
            ("short nonce", Self.exactPayload { a, _ in a["nonce"] = .string("0x01") }, "authorization.nonce"),
            ("bad checksum", Self.exactPayload { a, _ in a["from"] = .string("0xAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa") }, "authorization.from"),
            ("64-byte signature", Self.exactPayload { _, o in o["signature"] = .string("0x" + String(repeating: "11", count: 64)) }, "signature"),
            ("high-s signature", Self.exactPayload { _, o in o["signature"] = .string("0x" + String(repeating: "11", count: 32) + String(repeating: "ff", count: 32) + "1b") }, "signature"),
            ("missing signature", Self.exactPayload { _, o in o["signature"] = nil }, "signature"),
            ("missing nonce", Self.exactPayload { a, _ in a["nonce"] = nil }, "authorization.nonce"),
        ]
        for (name, payload, field) in table {
            do {
                _ = try ExactEVMPayload(payload: payload)
                Issue.record("\(name) was accepted")
            } catch {
                let named: String? = switch error {
                case let .missingField(_, f), let .invalidField(_, f, _), let .invalidAmount(_, f, _): f
                default: nil
                }
                #expect(named == field, "\(name): \(error)")
            }
        }
    }

    @Test("the exact checks refuse in the SDK's order with its reason strings")
    func exactRefusals() throws {
        let payer = try PrivateKey(hex: "0x" + String(repeating: "21", count: 32))
        let other = try PrivateKey(hex: "0x" + String(repeating: "22", count: 32))
        let req = X402CodecTests.requirement()
        let domain = try req.eip3009Domain()
        let good = EIP3009Authorization(from: payer.address, to: try req.evmPayTo(), value: 1500, validAfter: 100, validBefore: 1000,
                                        nonce: try Bytes32(hex: "0x" + String(repeating: "07", count: 32)))
        let signed = try good.sign(with: payer, in: domain)
        #expect(try ExactEVMVerification.check(signed, accepted: req, requirements: req, now: 500) == payer.address)

        func refusal(_ payload: ExactEVMPayload, accepted: PaymentRequirements = req, requirements: PaymentRequirements = req,
                     now: UInt64 = 500) -> ExactEVMRefusal? {
            do { _ = try ExactEVMVerification.check(payload, accepted: accepted, requirements: requirements, now: now); return nil } catch { return error }
        }
        var channel = req
        channel.scheme = "ferry-channel"
        #expect(refusal(signed, accepted: channel) == .unsupportedScheme)
        #expect(refusal(signed, accepted: X402CodecTests.requirement(network: .eip155(chainId: 1))) == .networkMismatch)
        var noDomain = req
        noDomain.extra = [:]
        #expect(refusal(signed, requirements: noDomain) == .missingEIP712Domain)
        var elsewhere = good
        elsewhere.to = payer.address
        #expect(refusal(try elsewhere.sign(with: payer, in: domain)) == .recipientMismatch)
        var more = good
        more.value = 1501
        #expect(refusal(try more.sign(with: payer, in: domain)) == .valueMismatch)
        #expect(refusal(signed, now: 995) == .validBeforeExpired)
        #expect(refusal(signed, now: UInt64.max) == .validBeforeExpired)
        #expect(refusal(signed, now: 99) == .validAfterFuture)
        let forged = ExactEVMPayload(authorization: good, signature: try other.sign(digest: good.digest(in: domain)))
        #expect(refusal(forged) == .invalidSignature)
        var raised = signed
        raised.authorization.value = 1501
        var pricier = req
        pricier.amount = 1501
        #expect(refusal(raised, accepted: pricier, requirements: pricier) == .invalidSignature)
        #expect(ExactEVMRefusal.invalidSignature.rawValue == "invalid_exact_evm_payload_signature")
    }

    @Test("random damage to valid headers (base64 text or the JSON inside) ends in a value or a typed error, never a crash")
    func fuzz() throws {
        let seed: UInt64 = 0x402_2026
        var rng = SplitMix64(seed: seed)
        let key = try PrivateKey(hex: "0x" + String(repeating: "31", count: 32))
        let exact = X402CodecTests.requirement(amount: .max)
        let signed = try EIP3009Authorization(from: key.address, to: try exact.evmPayTo(), value: .max, validAfter: 0, validBefore: 9,
                                              nonce: .zero).sign(with: key, in: try exact.eip3009Domain())
        let payment = PaymentPayload(payload: signed.jsonObject, accepted: exact, resource: ResourceInfo(url: "u"))
        let json = try X402Codec.encodeJSON(payment)
        let alphabet = Array("{}[]\":,0123456789-.eE aZ\\u+/=".utf8)
        var refused = 0
        for round in 0..<3000 {
            var bytes = json
            for _ in 0..<(1 + Int(rng.next() % 3)) {
                let at = Int(rng.next() % UInt64(bytes.count))
                switch rng.next() % 3 {
                case 0: bytes[at] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
                case 1: bytes.remove(at: at)
                default: bytes.insert(UInt8(truncatingIfNeeded: rng.next()), at: at)
                }
            }
            var text = Data(bytes).base64EncodedString()
            if round % 4 == 0, !text.isEmpty {  // damage the base64 text itself
                var chars = Array(text.utf8)
                chars[Int(rng.next() % UInt64(chars.count))] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
                text = String(decoding: chars, as: UTF8.self)
            }
            do {
                let decoded = try PaymentPayload(headerValue: text)
                _ = try? ExactEVMPayload(payload: decoded.payload)
            } catch {
                refused += 1
                #expect(!error.description.isEmpty)
            }
        }
        #expect(refused > 2000, "seed \(seed)")
    }
}
