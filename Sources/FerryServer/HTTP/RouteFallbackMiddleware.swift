public import Hummingbird
import HTTPTypes

/// Answers requests no route matched with a problem: 405 with `Allow` when the path exists for other methods,
/// else 404 (Hummingbird's own answer is an empty 404 for both).
public struct RouteFallbackMiddleware: RouterMiddleware {
    public typealias Context = FerryContext
    /// Path templates (`:name` matches one segment) and the methods each serves.
    let routes: [(path: [Substring], methods: [HTTPRequest.Method])]

    /// Creates the middleware for `routes`, path templates and their methods.
    public init(routes: [(path: String, methods: [HTTPRequest.Method])]) {
        self.routes = routes.map { ($0.path.split(separator: "/"), $0.methods) }
    }

    public func handle(_ request: Request, context: FerryContext, next: (Request, FerryContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound && (context.endpointPath ?? "NotFound") == "NotFound" {
            // Thrown by Hummingbird's not-found responder (which names the endpoint "NotFound"); Ferry's own handlers
            // answer their 404s as problems and never throw them.
            let segments = request.uri.path.split(separator: "/")
            let allowed = routes.filter { Self.matches($0.path, segments) }.flatMap(\.methods)
            guard !allowed.isEmpty else {
                return ProblemError(.notFound, "not-found", "Not found",
                                    detail: "no endpoint at \(request.uri.path); see docs/openapi.yaml").response()
            }
            var names = allowed.map(\.rawValue)
            if names.contains("GET") { names.append("HEAD") }
            let allow = Array(Set(names)).sorted().joined(separator: ", ")
            var response = ProblemError(.methodNotAllowed, "method-not-allowed", "Method not allowed",
                                        detail: "\(request.uri.path) accepts \(allow), not \(request.method.rawValue)").response()
            response.headers[.allow] = allow
            return response
        }
    }

    static func matches(_ template: [Substring], _ path: [Substring]) -> Bool {
        template.count == path.count && zip(template, path).allSatisfy { $0.first == ":" || $0 == $1 }
    }
}
