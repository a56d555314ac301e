public import FerryCore

/// The body of every devnet error answer: `{"error": {"code": "…", "message": "…", …}}`.
///
/// `code` says what kind of failure it is; `message` is one sentence for people. Chain failures carry the
/// ``ChainError`` facts so ``RemoteChainAdapter`` rebuilds the same typed error; request failures name the
/// `field` that was wrong.
public struct DevnetErrorBody: Codable, Sendable, Hashable, Error, CustomStringConvertible {
    /// Kinds of failure, with the HTTP status each is sent with.
    public enum Code: String, Codable, Sendable, CaseIterable {
        /// 400: the request body or a path or query value is malformed; `field` names it.
        case badRequest = "bad-request"
        /// 404: no such route or chain.
        case notFound = "not-found"
        /// 403: an admin call without the right admin token, or admin calls are disabled.
        case forbidden
        /// 503: ``ChainError/unreachable(_:underlying:)`` (a simulated outage).
        case unreachable
        /// 422: ``ChainError/rejected(_:reason:)``.
        case rejected
        /// 422: ``ChainError/insufficientFunds(_:asset:needed:available:)``.
        case insufficientFunds = "insufficient-funds"
        /// 409: ``ChainError/reorged(_:fromHeight:)``.
        case reorged
        /// 504: ``ChainError/timeout(_:operation:)``.
        case timeout
        /// 404: ``ChainError/unknown(_:what:)`` (asset, transaction).
        case unknown
        /// 500: the server failed (a bug); the message says how.
        case internalError = "internal"

        /// The HTTP status code the server answers with.
        public var httpStatus: Int {
            switch self {
            case .badRequest: 400
            case .notFound, .unknown: 404
            case .forbidden: 403
            case .unreachable: 503
            case .rejected, .insufficientFunds: 422
            case .reorged: 409
            case .timeout: 504
            case .internalError: 500
            }
        }
    }

    /// What kind of failure.
    public var code: Code
    /// One sentence for people, naming the chain, field or numbers involved.
    public var message: String
    /// The chain a chain failure is about.
    public var chain: ChainID?
    /// `bad-request`: the field (`call.transfer.amount`, `account`, `priority`) that was wrong.
    public var field: String?
    /// The chain's words (`rejected`), the cause (`unreachable`), the operation (`timeout`), the thing (`unknown`).
    public var detail: String?
    /// `insufficient-funds`: asset, amount needed and available (smallest units).
    public var asset: String?
    /// `insufficient-funds`: smallest units needed.
    public var needed: Amount?
    /// `insufficient-funds`: smallest units available.
    public var available: Amount?
    /// `reorged`: the first replaced height.
    public var fromHeight: UInt64?

    /// Memberwise initializer.
    public init(code: Code, message: String, chain: ChainID? = nil, field: String? = nil, detail: String? = nil) {
        self.code = code
        self.message = message
        self.chain = chain
        self.field = field
        self.detail = detail
    }

    /// A bad-request error about `field`: "field `amount`: must be a base-10 string".
    public static func badRequest(field: String, _ problem: String) -> DevnetErrorBody {
        DevnetErrorBody(code: .badRequest, message: "field `\(field)` \(problem)", field: field)
    }

    /// A bad-request error from a body that did not decode, naming the field.
    public static func badRequest(_ error: DecodingError) -> DevnetErrorBody {
        badRequest(field: error.fieldPath.isEmpty ? "(body)" : error.fieldPath, error.problem)
    }

    /// The error answer for a chain failure.
    public init(_ error: ChainError) {
        message = error.description
        switch error {
        case let .unreachable(chain, underlying):
            (code, self.chain, detail) = (.unreachable, chain, underlying)
        case let .rejected(chain, reason):
            (code, self.chain, detail) = (.rejected, chain, reason)
        case let .insufficientFunds(chain, asset, needed, available):
            (code, self.chain) = (.insufficientFunds, chain)
            (self.asset, self.needed, self.available) = (asset, needed, available)
        case let .reorged(chain, from):
            (code, self.chain, fromHeight) = (.reorged, chain, from)
        case let .timeout(chain, operation):
            (code, self.chain, detail) = (.timeout, chain, operation)
        case let .unknown(chain, what):
            (code, self.chain, detail) = (.unknown, chain, what)
        }
    }

    /// The ``ChainError`` this answer stands for, if it is a chain failure with all its facts.
    public var chainError: ChainError? {
        guard let chain else { return nil }
        switch code {
        case .unreachable: return detail.map { .unreachable(chain, underlying: $0) }
        case .rejected: return detail.map { .rejected(chain, reason: $0) }
        case .insufficientFunds:
            guard let asset, let needed, let available else { return nil }
            return .insufficientFunds(chain, asset: asset, needed: needed, available: available)
        case .reorged: return fromHeight.map { .reorged(chain, fromHeight: $0) }
        case .timeout: return detail.map { .timeout(chain, operation: $0) }
        case .unknown: return detail.map { .unknown(chain, what: $0) }
        case .badRequest, .notFound, .forbidden, .internalError: return nil
        }
    }

    public var description: String { "\(code.rawValue): \(message)" }

    // The body nests everything under "error" so success and failure bodies never share a shape.
    private enum OuterKeys: String, CodingKey { case error }
    private enum CodingKeys: String, CodingKey {
        case code, message, chain, field, detail, asset, needed, available, fromHeight
    }

    public init(from decoder: any Decoder) throws {
        let outer = try decoder.container(keyedBy: OuterKeys.self)
        let c = try outer.nestedContainer(keyedBy: CodingKeys.self, forKey: .error)
        code = try c.decode(Code.self, forKey: .code)
        message = try c.decode(String.self, forKey: .message)
        chain = try c.decodeCountIfPresent(.chain).map { ChainID($0) }
        field = try c.decodeIfPresent(String.self, forKey: .field)
        detail = try c.decodeIfPresent(String.self, forKey: .detail)
        asset = try c.decodeIfPresent(String.self, forKey: .asset)
        needed = try c.decodeIfPresent(Amount.self, forKey: .needed)
        available = try c.decodeIfPresent(Amount.self, forKey: .available)
        fromHeight = try c.decodeCountIfPresent(.fromHeight)
    }

    public func encode(to encoder: any Encoder) throws {
        var outer = encoder.container(keyedBy: OuterKeys.self)
        var c = outer.nestedContainer(keyedBy: CodingKeys.self, forKey: .error)
        try c.encode(code, forKey: .code)
        try c.encode(message, forKey: .message)
        try c.encodeIfPresent(chain, forKey: .chain)
        try c.encodeIfPresent(field, forKey: .field)
        try c.encodeIfPresent(detail, forKey: .detail)
        try c.encodeIfPresent(asset, forKey: .asset)
        try c.encodeIfPresent(needed, forKey: .needed)
        try c.encodeIfPresent(available, forKey: .available)
        try c.encodeIfPresent(fromHeight, forKey: .fromHeight)
    }
}
