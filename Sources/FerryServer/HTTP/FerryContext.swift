public import Hummingbird

/// The request context of Ferry's router: Hummingbird's core storage plus the agent the bearer key belongs to.
public struct FerryContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The authenticated agent (set by ``APIKeyMiddleware``), nil on open endpoints.
    public var agent: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        agent = nil
    }
}
