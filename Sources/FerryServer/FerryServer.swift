import FerryAgent
import FerryChains
import FerryCore
public import Hummingbird
import HummingbirdCore
public import Logging
import NIOCore
public import ServiceLifecycle

/// Builds Ferry's HTTP application. The application is a `Service`; `services` (the world driver, payment
/// followers) run alongside it and stop with it.
public enum FerryServer {
    /// The Hummingbird application serving `api`.
    /// - Parameters:
    ///   - host: address to bind (`127.0.0.1` for loopback only).
    ///   - port: port to bind; 0 picks a free one (reported to `onServerRunning`).
    ///   - limits: timeouts and the connection cap (event-stream keep-alive is the API's, ``FerryHTTPAPI/limits``).
    ///   - onServerRunning: called with the bound port once the server listens.
    public static func application(api: FerryHTTPAPI, host: String = "127.0.0.1", port: Int = 8080, services: [any Service] = [],
                                   limits: ServerLimits? = nil, logger: Logger,
                                   onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        let limits = limits ?? api.limits
        let readTimeout = TimeAmount(limits.requestReadTimeout)
        let http1 = HTTP1Channel.Configuration(
            additionalChannelHandlers: [ConnectionGuardHandler(requestReadTimeout: readTimeout)],
            idleTimeout: TimeAmount(limits.idleTimeout))
        let configuration = ApplicationConfiguration(
            address: .hostname(host, port: port), serverName: "ferry",
            availableConnectionsDelegate: MaximumAvailableConnections(limits.effectiveMaxConnections, logger: logger))
        var app = Application(router: api.router(), server: .http1(configuration: http1), configuration: configuration,
                              onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
                              logger: logger)
        app.addServices(services)
        return app
    }
}
