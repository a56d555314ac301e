public import Hummingbird

/// Counts every request by matched route, method and status in ``ServerMetrics``.
public struct MetricsMiddleware: RouterMiddleware {
    public typealias Context = FerryContext
    let metrics: ServerMetrics

    /// Creates the middleware.
    public init(metrics: ServerMetrics) { self.metrics = metrics }

    public func handle(_ request: Request, context: FerryContext, next: (Request, FerryContext) async throws -> Response) async throws -> Response {
        let route = context.endpointPath ?? "unmatched"
        do {
            let response = try await next(request, context)
            metrics.request(route: route, method: request.method.rawValue, status: response.status.code)
            return response
        } catch let error as HTTPError {
            metrics.request(route: route, method: request.method.rawValue, status: error.status.code)
            throw error
        }
    }
}
