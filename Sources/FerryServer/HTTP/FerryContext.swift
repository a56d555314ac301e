public import Hummingbird
public import NIOCore

/// The request context of Ferry's router: Hummingbird's core storage plus the agent the bearer key belongs to.
public struct FerryContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The authenticated agent (set by ``APIKeyMiddleware``), nil on open endpoints.
    public var agent: String?
    /// The connection the request came on (event streams watch it to end when the client goes away).
    public let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        agent = nil
        channel = source.channel
    }
}
