import FerryAgent
import FerryChains
public import Hummingbird
public import Logging
import ServiceLifecycle

/// The embedded Ferry: a ``SimulatedWorld`` driven by a ``WorldDriver`` behind the HTTP API, as one unit.
/// `ferry demo`, `ferry serve` (without chain configuration) and the end-to-end tests start it this way.
public struct EmbeddedFerry: Sendable {
    /// The world.
    public let world: SimulatedWorld
    /// The HTTP API over the world's payment service.
    public let api: FerryHTTPAPI
    /// The driver moving the world's clock.
    public let driver: WorldDriver

    /// Builds the world, the driver and the API.
    /// - Parameters:
    ///   - keys: bearer keys of the agents allowed to use the API.
    ///   - speed: virtual seconds per real second.
    ///   - limits: the server's timeouts, connection cap and event-stream keep-alive.
    public init(options: SimulatedWorld.Options = .init(), keys: APIKeyStore, speed: Double = 30, limits: ServerLimits = .init(),
                logger: Logger) async throws {
        world = try await SimulatedWorld(options: options, logger: logger)
        let feed = ChangeFeed()
        driver = WorldDriver(world: world, feed: feed, speed: speed, logger: logger)
        let metrics = ServerMetrics(relayers: world.relayers.map { ($0.configuration.nodeID, $0.stats) })
        let clock = world.clock
        api = FerryHTTPAPI(service: world.service, adapters: world.adapters, lanes: world.lanes, keys: keys, feed: feed,
                           metrics: metrics, limits: limits, now: { clock.unixMillis }, logger: logger)
    }

    /// The HTTP application with the driver as its companion service.
    public func application(host: String = "127.0.0.1", port: Int = 0, logger: Logger,
                            onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        FerryServer.application(api: api, host: host, port: port, services: [driver], logger: logger, onServerRunning: onServerRunning)
    }

    /// Serves on `host:port` (0 = any free port), runs `body` with the bound port, then shuts down gracefully.
    public func serving<T: Sendable>(host: String = "127.0.0.1", port: Int = 0, logger: Logger,
                                     _ body: @Sendable (Int) async throws -> T) async throws -> T {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = application(host: host, port: port, logger: logger, onServerRunning: { port in
            continuation.yield(port)
            continuation.finish()
        })
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            guard let bound = await iterator.next() else {
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                throw CancellationError()
            }
            do {
                let result = try await body(bound)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
        }
    }
}
