import FerryChains
public import Hummingbird
public import Logging

/// Builds the HTTP application that serves a ``Devnet``.
public enum DevnetServer {
    /// The devnet's application on `host:port`: a `Service` to run in a `ServiceGroup` (it stops on graceful
    /// shutdown, ending open long-polls at once).
    /// - Parameters:
    ///   - host: must be a loopback address (``DevnetConfig/isLoopback(_:)``): the devnet has no authentication
    ///     beyond the admin token, and its faucet mints money.
    ///   - port: 0 picks a free port; `onRunning` receives the real one.
    ///   - onRunning: called once the server listens, with the port it listens on.
    /// - Throws: ``DevnetServerError/notLoopback(_:)`` for any other host.
    public static func application(
        devnet: Devnet, host: String = "127.0.0.1", port: Int, logger: Logger,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws(DevnetServerError) -> Application<RouterResponder<DevnetRequestContext>> {
        guard DevnetConfig.isLoopback(host) else { throw .notLoopback(host) }
        let bindHost = host == "localhost" ? "127.0.0.1" : host.trimmingBrackets
        return Application(
            router: DevnetRoutes.router(for: devnet),
            // Idle and half-sent connections are closed after 30 s (a long-poll in progress is not idle).
            server: .http1(configuration: .init(idleTimeout: .seconds(30))),
            configuration: ApplicationConfiguration(address: .hostname(bindHost, port: port), serverName: "ferry-devnet"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }
}

/// Why the devnet server cannot start.
public enum DevnetServerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The host is not a loopback address.
    case notLoopback(String)

    public var description: String {
        switch self {
        case let .notLoopback(host):
            "the devnet listens on loopback only (127.0.0.1, ::1 or localhost); \"\(host)\" is not: it has no authentication and its faucet mints money"
        }
    }
}

extension String {
    fileprivate var trimmingBrackets: String {
        hasPrefix("[") && hasSuffix("]") ? String(dropFirst().dropLast()) : self
    }
}
