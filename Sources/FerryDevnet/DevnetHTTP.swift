import FerryChains
import FerryCore
import FerryCrypto
public import Hummingbird
import NIOCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The request context of the devnet's router.
public struct DevnetRequestContext: RequestContext {
    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage

    /// A context for one request.
    public init(source: ApplicationRequestContextSource) { coreContext = .init(source: source) }

    /// Bodies above ``WireLimits/requestBytes`` are refused before they are read.
    public var maxUploadSize: Int { WireLimits.requestBytes }
}

/// A devnet failure on its way to the client: the status comes from ``DevnetErrorBody/Code/httpStatus``.
struct DevnetHTTPError: HTTPResponseError {
    let body: DevnetErrorBody

    init(_ body: DevnetErrorBody) { self.body = body }
    init(_ error: ChainError) { body = DevnetErrorBody(error) }

    var status: HTTPResponse.Status { .init(code: body.code.httpStatus) }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        JSONResponse.make(body, status: status)
    }
}

/// Turns every error that escapes a handler (including the router's own 404 and a body over the size cap) into a
/// JSON error answer, so clients never see an empty or HTML body.
struct DevnetErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as DevnetHTTPError {
            return JSONResponse.make(error.body, status: error.status)
        } catch let error as any HTTPResponseError {
            let code: DevnetErrorBody.Code = switch error.status.code {
            case 404, 405: .notFound
            case 403: .forbidden
            default: .badRequest
            }
            let message = switch error.status.code {
            case 404: "no such endpoint: \(request.method.rawValue) \(request.uri.path) (see docs/devnet.md)"
            case 413: "the request body is larger than \(WireLimits.requestBytes) bytes"
            default: "\(error.status.code) \(error.status.reasonPhrase) for \(request.method.rawValue) \(request.uri.path)"
            }
            let body = DevnetErrorBody(code: code, message: message)
            return JSONResponse.make(body, status: .init(code: code.httpStatus))
        } catch {
            context.logger.error("devnet handler failed", metadata: ["error": "\(error)"])
            let body = DevnetErrorBody(code: .internalError, message: "the devnet failed to answer: \(error)")
            return JSONResponse.make(body, status: .internalServerError)
        }
    }
}

/// JSON bodies in and out.
enum JSONResponse {
    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data(#"{"error":{"code":"internal","message":"could not encode the answer"}}"#.utf8)
        return Response(status: status, headers: [.contentType: "application/json"],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Reads and strictly decodes a request body; a malformed one is a 400 naming the field.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, context: some RequestContext) async throws -> T {
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: WireLimits.requestBytes) } catch {
            throw DevnetHTTPError(.badRequest(field: "(body)", "is larger than \(WireLimits.requestBytes) bytes or could not be read"))
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch let error as DecodingError {
            throw DevnetHTTPError(.badRequest(error))
        }
    }
}

/// Parsing path and query values, each failure a 400 naming the value.
enum Param {
    static func chain(_ context: some RequestContext, in devnet: Devnet) throws -> SimulatedLedger {
        guard let text = context.parameters.get("chain"), let id = UInt64(text) else {
            throw DevnetHTTPError(.badRequest(field: "chain", "must be a chain id (a whole number)"))
        }
        guard let ledger = devnet.ledgers[ChainID(id)] else {
            let served = devnet.chainIDs.map { String($0.rawValue) }.joined(separator: ", ")
            throw DevnetHTTPError(DevnetErrorBody(code: .notFound, message: "this devnet serves no chain \(id) (it serves \(served))"))
        }
        return ledger
    }

    static func address(_ text: String?, field: String) throws -> Address {
        guard let text, !text.isEmpty else { throw DevnetHTTPError(.badRequest(field: field, "is missing")) }
        do { return try Address(hex: text) } catch {
            throw DevnetHTTPError(.badRequest(field: field, "must be a 20- or 32-byte hex address: \(error)"))
        }
    }

    static func bytes32(_ text: String?, field: String) throws -> Bytes32 {
        guard let text, text.hasPrefix("0x"), text.utf8.count == 66, let value = try? Bytes32(hex: text) else {
            throw DevnetHTTPError(.badRequest(field: field, "must be 0x and 64 hex digits"))
        }
        return value
    }

    static func choice<T: RawRepresentable & CaseIterable>(_ text: String?, field: String, as: T.Type) throws -> T where T.RawValue == String {
        let options = T.allCases.map(\.rawValue).joined(separator: ", ")
        guard let text else { throw DevnetHTTPError(.badRequest(field: field, "is missing (one of \(options))")) }
        guard let value = T(rawValue: text) else {
            throw DevnetHTTPError(.badRequest(field: field, "must be one of \(options), got \"\(text.prefix(40))\""))
        }
        return value
    }
}

extension ChainError {
    /// Runs a ledger call, turning its ``ChainError`` into the devnet's error answer.
    static func answering<T>(_ body: () async throws(ChainError) -> T) async throws -> T {
        do { return try await body() } catch { throw DevnetHTTPError(error) }
    }
}
