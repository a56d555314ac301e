public import Hummingbird

/// Requires `Authorization: Bearer <key>` with a key of ``APIKeyStore``; sets ``FerryContext/agent``.
/// A missing or wrong key is a 401 problem; nothing behind the middleware runs.
public struct APIKeyMiddleware: RouterMiddleware {
    public typealias Context = FerryContext
    let keys: APIKeyStore

    /// Creates the middleware.
    public init(keys: APIKeyStore) { self.keys = keys }

    public func handle(_ request: Request, context: FerryContext, next: (Request, FerryContext) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.count > 7, header.prefix(7).lowercased() == "bearer ",
              let agent = keys.agent(for: String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)) else {
            var response = ProblemError.unauthorized.response()
            response.headers[.wwwAuthenticate] = "Bearer realm=\"ferry\""
            return response
        }
        var context = context
        context.agent = agent
        context.logger[metadataKey: "agent"] = "\(agent)"
        return try await next(request, context)
    }
}
