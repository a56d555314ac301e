import FerryAgent
import FerryAPI
import FerryCore
import FerryCrypto
import Foundation

/// Turns API bodies into domain requests, naming the field at fault in every error.
struct RequestMapping: Sendable {
    let service: PaymentService

    /// Decodes `T` from a request body; malformed JSON is a 400 naming the field when there is one.
    /// `schema`, when given, is checked first (unknown fields, negative or fractional integers).
    static func decode<T: Decodable>(_ type: T.Type, from data: Data, schema: RequestSchema? = nil) throws(ProblemError) -> T {
        guard !data.isEmpty else { throw .malformed("the request body is empty; send a JSON object") }
        try schema?.check(data)
        do {
            return try FerryJSON.decoder().decode(type, from: data)
        } catch let error as DecodingError {
            switch error {
            case let .keyNotFound(key, context):
                let field = path(context.codingPath + [key])
                throw .invalidField(field, "\(field) is required")
            case let .typeMismatch(type, context), let .valueNotFound(type, context):
                guard !context.codingPath.isEmpty else { throw .malformed("the request body must be a JSON object") }
                let field = path(context.codingPath)
                throw .invalidField(field, "\(field) must be \(expected(type))")
            case let .dataCorrupted(context):
                if context.codingPath.isEmpty {
                    throw .malformed("the request body is not valid JSON: \(context.underlyingError.map { "\($0)" } ?? context.debugDescription)")
                }
                let field = path(context.codingPath)
                // Foundation says "Parsed JSON number <1e999> does not fit in UInt64."; say it in the API's words.
                if context.debugDescription.contains("does not fit") {
                    throw .invalidField(field, "\(field) is out of range for its type")
                }
                throw .invalidField(field, "\(field): \(context.debugDescription)")
            @unknown default:
                throw .malformed("the request body could not be decoded: \(error)")
            }
        } catch {
            throw .malformed("the request body could not be decoded: \(error)")
        }
    }

    /// What a JSON value of `type` looks like, for "field must be ..." messages (not Swift's type names).
    static func expected(_ type: Any.Type) -> String {
        switch type {
        case is any FixedWidthInteger.Type: "a whole number, not a string or a fraction"
        case is any BinaryFloatingPoint.Type: "a number"
        case is String.Type, is Substring.Type: "a string"
        case is Bool.Type: "true or false"
        default: "present and of its documented type (docs/openapi.yaml)"
        }
    }

    static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
    }

    /// The domain request for an API body, with chain, asset, amount and address checks.
    func paymentRequest(_ body: APIPaymentRequest) throws(ProblemError) -> PaymentRequest {
        let source = try asset(body.from, field: "from")
        let destination = try asset(body.to, field: "to")
        let decimals: Int
        do { decimals = try service.decimals(of: destination) } catch { throw ProblemError.from(error, chainField: "to.chain", assetField: "to.asset") }
        let amount: Amount
        do { amount = try PaymentService.parseAmount(body.amount, decimals: decimals, field: "amount") } catch {
            throw ProblemError.from(error)
        }
        guard !amount.isZero else { throw .invalidField("amount", "amount: must be greater than zero") }
        var escrow: EscrowTerms?
        var receiver: Address
        if let terms = body.escrow {
            let provider = try address(terms.provider, field: "escrow.provider")
            let verification: DeliveryVerification
            switch terms.verification {
            case "result_hash": verification = .resultHash
            case "provider_receipt":
                guard let key = terms.providerKey else {
                    throw .invalidField("escrow.provider_key", "escrow.provider_key is required when verification is provider_receipt")
                }
                do { verification = .providerReceipt(try EthereumAddress(hex: key)) } catch {
                    throw .invalidField("escrow.provider_key", "escrow.provider_key: \(error)")
                }
            default:
                throw .invalidField("escrow.verification", "escrow.verification must be result_hash or provider_receipt, not \"\(terms.verification)\"")
            }
            var hash: Bytes32?
            if let text = terms.resultHash {
                do { hash = try Bytes32(hex: text) } catch { throw .invalidField("escrow.result_hash", "escrow.result_hash: \(error)") }
            }
            guard terms.deliverySeconds > 0, terms.deliverySeconds <= 30 * 86_400 else {
                throw .invalidField("escrow.delivery_seconds", "escrow.delivery_seconds must be 1...2592000 (30 days)")
            }
            guard !terms.serviceID.isEmpty, terms.serviceID.count <= 200 else {
                throw .invalidField("escrow.service_id", "escrow.service_id must be 1...200 characters")
            }
            let offer = ServiceOffer(serviceID: terms.serviceID, provider: provider, price: amount, asset: destination,
                                     deliverySeconds: terms.deliverySeconds, verification: verification)
            escrow = EscrowTerms(offer: offer, resultHash: hash)
            receiver = provider
            if let given = body.receiver { receiver = try address(given, field: "receiver") }
        } else {
            guard let given = body.receiver else { throw .invalidField("receiver", "receiver is required (0x hex address) unless escrow is given") }
            receiver = try address(given, field: "receiver")
        }
        let deadline = body.deadlineSeconds ?? 3_600
        guard deadline >= 60, deadline <= 7 * 86_400 else {
            throw .invalidField("deadline_seconds", "deadline_seconds must be 60...604800 (one week), not \(deadline)")
        }
        return PaymentRequest(source: source, destination: destination, amount: amount, receiver: receiver,
                              confirm: body.confirm ?? false, escrow: escrow, deadlineSeconds: deadline)
    }

    func asset(_ a: APIAsset, field: String) throws(ProblemError) -> AssetID {
        let id = AssetID(chain: ChainID(a.chain), symbol: a.asset)
        do { _ = try service.decimals(of: id) } catch { throw ProblemError.from(error, chainField: "\(field).chain", assetField: "\(field).asset") }
        return id
    }

    func address(_ text: String, field: String) throws(ProblemError) -> Address {
        do { return try Address(hex: text) } catch { throw .invalidField(field, "\(field): \(error)") }
    }

    /// Delivery evidence from a confirm body: exactly one of `result`, `result_hex`, `receipt`.
    static func evidence(_ body: APIConfirmRequest) throws(ProblemError) -> EscrowEvidence {
        let given = [body.result != nil, body.resultHex != nil, body.receipt != nil].filter { $0 }.count
        guard given == 1 else { throw .invalidField("result", "send exactly one of result (text), result_hex or receipt; got \(given)") }
        if let text = body.result { return .result(Array(text.utf8)) }
        if let hex = body.resultHex {
            do { return .result(try Hex.decode(hex)) } catch { throw .invalidField("result_hex", "result_hex: \(error)") }
        }
        guard let receipt = body.receipt else { throw .invalidField("receipt", "receipt is required") }
        let hash: Bytes32
        do { hash = try Bytes32(hex: receipt.resultHash) } catch { throw .invalidField("receipt.result_hash", "receipt.result_hash: \(error)") }
        do {
            return .receipt(resultHash: hash, signature: try Signature(hex: receipt.signature))
        } catch {
            throw .invalidField("receipt.signature", "receipt.signature: \(error)")
        }
    }
}
