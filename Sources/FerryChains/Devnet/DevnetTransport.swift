import AsyncHTTPClient
import FerryCore
import NIOCore
import NIOHTTP1
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Why a devnet request failed, before it becomes a ``ChainError``.
enum DevnetFailure: Error {
    /// No answer: connection refused, reset, timed out.
    case transport(String)
    /// An answer that is not what the API promises (bad JSON, a missing field, a wrong status).
    case malformed(String)
    /// The server's typed error answer.
    case answer(DevnetErrorBody)

    /// The ``ChainError`` callers see. A malformed answer counts as unreachable: there is no working devnet there.
    func chainError(_ chain: ChainID) -> ChainError {
        switch self {
        case let .transport(what): return .unreachable(chain, underlying: what)
        case let .malformed(what): return .unreachable(chain, underlying: "malformed answer from the devnet: \(what)")
        case let .answer(body):
            if let error = body.chainError { return error }
            switch body.code {
            case .notFound, .unknown: return .unknown(chain, what: body.message)
            default: return .rejected(chain, reason: "the devnet refused the request (\(body.code.rawValue)): \(body.message)")
            }
        }
    }
}

/// JSON over HTTP to one devnet server: builds requests, enforces the size cap, decodes answers strictly.
struct DevnetTransport: Sendable {
    let client: HTTPClient
    /// `http://host:port`, no trailing slash.
    let root: String
    let requestTimeout: Duration
    var headers: [(String, String)] = []

    init(client: HTTPClient, root: String, requestTimeout: Duration, headers: [(String, String)] = []) {
        self.client = client
        var root = root
        while root.hasSuffix("/") { root.removeLast() }
        self.root = root
        self.requestTimeout = requestTimeout
        self.headers = headers
    }

    func get<Answer: Decodable>(_ path: String, as: Answer.Type = Answer.self) async throws(DevnetFailure) -> Answer {
        try await send(.GET, path, body: nil, timeout: requestTimeout)
    }

    func post<Answer: Decodable>(_ path: String, body: some Encodable, as: Answer.Type = Answer.self,
                                 extraTimeout: Duration = .zero) async throws(DevnetFailure) -> Answer {
        let data: Data
        do { data = try Self.encoder.encode(body) } catch {
            throw .malformed("could not encode the request body: \(error)")
        }
        return try await send(.POST, path, body: data, timeout: requestTimeout + extraTimeout)
    }

    private func send<Answer: Decodable>(_ method: HTTPMethod, _ path: String, body: Data?,
                                         timeout: Duration) async throws(DevnetFailure) -> Answer {
        let url = root + path
        let label = "\(method.rawValue) \(url)"
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let status: UInt
        let bytes: ByteBuffer
        do {
            let response = try await client.execute(request, timeout: .init(timeout))
            status = response.status.code
            bytes = try await response.body.collect(upTo: WireLimits.responseBytes)
        } catch {
            if Task.isCancelled { throw .transport("\(label): cancelled") }
            throw .transport("\(label): \(error)")
        }
        let data = Data(bytes.readableBytesView)
        guard (200..<300).contains(status) else {
            guard let answer = try? Self.decoder.decode(DevnetErrorBody.self, from: data) else {
                throw .malformed("\(label) answered HTTP \(status) without a devnet error body: \(Self.excerpt(data))")
            }
            throw .answer(answer)
        }
        do {
            return try Self.decoder.decode(Answer.self, from: data)
        } catch let error as DecodingError {
            let subject = error.fieldPath.isEmpty ? "the body" : "field `\(error.fieldPath)`"
            throw .malformed("\(label): \(subject) \(error.problem)")
        } catch {
            throw .malformed("\(label): \(error)")
        }
    }

    static func excerpt(_ data: Data) -> String {
        let text = String(decoding: data.prefix(200), as: UTF8.self)
        return text.isEmpty ? "(empty)" : "\"\(text)\""
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static let decoder = JSONDecoder()
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(Int64(clamping: seconds) &* 1_000_000_000 &+ attoseconds / 1_000_000_000)
    }
}
