public import AsyncHTTPClient
public import FerryAPI
import Foundation
import NIOCore
import NIOHTTP1

/// A Swift client for Ferry's HTTP API: quote, pay (with an idempotency key), status, live events, escrow
/// confirmation. Every failure is a ``FerryClientError``; server-side problems keep their RFC 9457 details.
///
/// ```swift
/// let ferry = FerryClient(baseURL: "http://127.0.0.1:8080", apiKey: key)
/// let quote = try await ferry.quote(request)
/// let payment = try await ferry.pay(request, idempotencyKey: UUID().uuidString)
/// for try await update in ferry.events(payment.id) { print(update) }
/// ```
public struct FerryClient: Sendable {
    /// Base URL, e.g. `http://127.0.0.1:8080`.
    public let baseURL: String
    let apiKey: String
    let http: HTTPClient
    /// Per-request timeout (not applied to event streams).
    public var timeoutSeconds: Int64 = 30
    /// Longest response body accepted.
    static let maxBody = 4 * 1024 * 1024

    /// The default HTTP client: AsyncHTTPClient's shared client keeps retrying a refused connection until the
    /// request's deadline (30 s), so an agent would learn that `ferry serve` is down only then; this one fails a
    /// refused connection at once. Never shut down.
    public static let sharedHTTPClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    /// Creates a client.
    /// - Parameters:
    ///   - baseURL: where `ferry serve` listens.
    ///   - apiKey: the agent's bearer key.
    ///   - httpClient: defaults to ``sharedHTTPClient``, which reports a server that is down at once.
    public init(baseURL: String, apiKey: String, httpClient: HTTPClient = FerryClient.sharedHTTPClient) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.apiKey = apiKey
        self.http = httpClient
    }

    /// Quotes `request` (nothing is stored or reserved); the answer includes the policy's verdict.
    public func quote(_ request: APIPaymentRequest) async throws(FerryClientError) -> APIQuote {
        try await send(.POST, "/v1/quotes", body: request)
    }

    /// Pays `request` once per `idempotencyKey`: retrying with the same key returns the same payment.
    /// - Throws: `.problem` with `rule` set when the spending policy refuses (nothing was signed).
    public func pay(_ request: APIPaymentRequest, idempotencyKey: String) async throws(FerryClientError) -> APIPayment {
        try await send(.POST, "/v1/payments", body: request, headers: [("Idempotency-Key", idempotencyKey)])
    }

    /// The payment `id` now.
    public func payment(_ id: String) async throws(FerryClientError) -> APIPayment {
        try await send(.GET, "/v1/payments/\(Self.escape(id))", body: Optional<APIConfirmRequest>.none)
    }

    /// Confirms delivery of an escrowed service with the result itself (its keccak-256 must match the commitment).
    public func confirmEscrow(_ id: String, result: String) async throws(FerryClientError) -> APIEscrow {
        try await send(.POST, "/v1/escrows/\(Self.escape(id))/confirm", body: APIConfirmRequest(result: result))
    }

    /// Confirms delivery with any evidence (`result`, `result_hex` or a provider `receipt`).
    public func confirmEscrow(_ id: String, evidence: APIConfirmRequest) async throws(FerryClientError) -> APIEscrow {
        try await send(.POST, "/v1/escrows/\(Self.escape(id))/confirm", body: evidence)
    }

    /// Chains, assets and bridge lanes the server can pay on.
    public func chains() async throws(FerryClientError) -> APIChains {
        try await send(.GET, "/v1/chains", body: Optional<APIConfirmRequest>.none)
    }

    /// The spending policy and budget use.
    public func policy() async throws(FerryClientError) -> APIPolicy {
        try await send(.GET, "/v1/policy", body: Optional<APIConfirmRequest>.none)
    }

    // MARK: Plumbing

    static func escape(_ segment: String) -> String {
        segment.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? segment
    }

    func request(_ method: HTTPMethod, _ path: String, headers: [(String, String)]) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(apiKey)")
        request.headers.add(name: "Accept", value: "application/json")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        return request
    }

    func send<Body: Encodable, Reply: Decodable>(_ method: HTTPMethod, _ path: String, body: Body?,
                                                  headers: [(String, String)] = []) async throws(FerryClientError) -> Reply {
        var request = request(method, path, headers: headers)
        if let body {
            do {
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(bytes: try FerryJSON.encoder().encode(body)))
            } catch {
                throw .unexpectedResponse(status: 0, body: "could not encode the request: \(error)")
            }
        }
        let status: Int
        let data: Data
        do {
            let response = try await http.execute(request, timeout: .seconds(timeoutSeconds))
            status = Int(response.status.code)
            data = Data(try await response.body.collect(upTo: Self.maxBody).readableBytesView)
        } catch {
            throw .transport(url: baseURL + path, underlying: "\(error)")
        }
        guard (200..<300).contains(status) else { throw Self.failure(status: status, data: data) }
        do { return try FerryJSON.decoder().decode(Reply.self, from: data) } catch {
            throw .unexpectedResponse(status: status, body: String(decoding: data, as: UTF8.self))
        }
    }

    static func failure(status: Int, data: Data) -> FerryClientError {
        if let problem = try? FerryJSON.decoder().decode(APIProblem.self, from: data) { return .problem(problem) }
        return .unexpectedResponse(status: status, body: String(decoding: data, as: UTF8.self))
    }
}
