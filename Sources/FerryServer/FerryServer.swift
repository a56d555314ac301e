public import FerryAgent
import FerryChains
import FerryCore
public import Hummingbird
public import Logging
public import ServiceLifecycle

/// Builds Ferry's HTTP application. The application is a `Service`; `services` (the world driver, payment
/// followers) run alongside it and stop with it.
public enum FerryServer {
    /// The Hummingbird application serving `api`.
    /// - Parameters:
    ///   - host: address to bind (`127.0.0.1` for loopback only).
    ///   - port: port to bind; 0 picks a free one (reported to `onServerRunning`).
    ///   - onServerRunning: called with the bound port once the server listens.
    public static func application(api: FerryHTTPAPI, host: String = "127.0.0.1", port: Int = 8080, services: [any Service] = [],
                                   logger: Logger,
                                   onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        var app = Application(router: api.router(), configuration: .init(address: .hostname(host, port: port), serverName: "ferry"),
                              onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
                              logger: logger)
        app.addServices(services)
        return app
    }
}
