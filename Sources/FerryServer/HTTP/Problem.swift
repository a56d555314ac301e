public import FerryAgent
public import FerryAPI
import FerryChains
import Foundation
public import HTTPTypes
public import Hummingbird

/// An error the API answers with an RFC 9457 `application/problem+json` body.
public struct ProblemError: Error, Sendable, CustomStringConvertible {
    /// The body.
    public let problem: APIProblem
    /// Seconds sent as `Retry-After` (429 and 503 answers that a client may retry), nil for none.
    public var retryAfter: Int?

    public var description: String { "\(problem.status) \(problem.title): \(problem.detail)" }

    /// Creates a problem of `kind` (the last part of its type URI).
    public init(_ status: HTTPResponse.Status, _ kind: String, _ title: String, detail: String, field: String? = nil,
                rule: String? = nil, paymentID: String? = nil) {
        problem = APIProblem(type: Self.typeBase + kind, title: title, status: status.code, detail: detail, field: field,
                             rule: rule, paymentID: paymentID)
    }

    /// Prefix of every problem type URI.
    public static let typeBase = "https://ferry.dev/problems/"

    /// A field of the request is malformed or out of range (422).
    public static func invalidField(_ field: String, _ detail: String) -> ProblemError {
        ProblemError(.unprocessableContent, "invalid-field", "Invalid request field", detail: detail, field: field)
    }

    /// The body is not the JSON the endpoint expects (400).
    public static func malformed(_ detail: String, field: String? = nil) -> ProblemError {
        ProblemError(.badRequest, "malformed-request", "Malformed request body", detail: detail, field: field)
    }

    /// Too many event streams open (429): the agent's own cap, or the server's cap over all agents.
    static func tooManyStreams(_ refusal: StreamSlots.Refusal, limit: Int, retryAfter: Int) -> ProblemError {
        let detail = switch refusal {
        case .agent: "this API key already holds \(limit) open event streams (the per-agent cap); close one, or reuse one stream per payment"
        case .total: "the server already holds \(limit) open event streams (its cap over all agents); retry later"
        }
        var error = ProblemError(.tooManyRequests, "too-many-streams", "Too many event streams", detail: detail)
        error.retryAfter = retryAfter
        return error
    }

    /// No or a wrong bearer key (401).
    public static let unauthorized = ProblemError(
        .unauthorized, "unauthorized", "Missing or wrong API key",
        detail: "send `Authorization: Bearer <your API key>`; the key must be one of the server's configured agent keys",
        field: "Authorization")

    /// A policy refusal, naming the rule and its numbers (422).
    public static func refused(_ refusal: PolicyRefusal, paymentID: String?) -> ProblemError {
        ProblemError(.unprocessableContent, "policy-refused", "Refused by the spending policy", detail: refusal.description,
                     rule: refusal.rule.rawValue, paymentID: paymentID)
    }

    /// Maps a payment-layer error; `fields` names request fields for chain and asset errors.
    public static func from(_ error: PaymentError, chainField: String = "chain", assetField: String = "asset") -> ProblemError {
        switch error {
        case .unknownChain:
            return ProblemError(.unprocessableContent, "unknown-chain", "Unknown chain", detail: error.description, field: chainField)
        case .unknownAsset:
            return ProblemError(.unprocessableContent, "unknown-asset", "Unknown asset", detail: error.description, field: assetField)
        case let .invalidField(field, reason):
            return .invalidField(field, "\(field): \(reason)")
        case .noRoute:
            return ProblemError(.unprocessableContent, "no-route", "No route", detail: error.description)
        case .idempotencyKeyReused:
            return ProblemError(.conflict, "idempotency-key-reused", "Idempotency key reused", detail: error.description,
                                field: "Idempotency-Key")
        case .notFound:
            return ProblemError(.notFound, "not-found", "Not found", detail: error.description)
        case .wrongState:
            return ProblemError(.conflict, "wrong-state", "Not possible in the current state", detail: error.description)
        case .escrowEvidenceRejected:
            return ProblemError(.unprocessableContent, "evidence-rejected", "Delivery evidence rejected", detail: error.description,
                                field: "result")
        case let .chain(chainError):
            return ProblemError(chainError.isTransient ? .serviceUnavailable : .badGateway, "chain-error", "Chain error",
                                detail: "\(chainError.description); nothing was changed, retry later")
        case .wallet:
            return ProblemError(.internalServerError, "wallet-error", "Wallet error", detail: error.description)
        case .store:
            return ProblemError(.internalServerError, "store-error", "Storage error", detail: error.description)
        }
    }

    /// The HTTP response.
    public func response() -> Response {
        let body = (try? FerryJSON.encoder().encode(problem)) ?? Data(#"{"title":"Internal error"}"#.utf8)
        var headers = HTTPFields()
        headers[.contentType] = "application/problem+json"
        if let retryAfter { headers[.retryAfter] = "\(retryAfter)" }
        return Response(status: HTTPResponse.Status(code: problem.status), headers: headers,
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}
