import Foundation
public import Hummingbird
public import Logging
import NIOCore

/// The relayer's operator endpoint: Prometheus `/metrics` and `/healthz`, plain HTTP/1.1, meant for loopback or
/// a private network (it serves no secrets and accepts no input).
public enum OpsServer {
    /// `GET /metrics` renders `metrics`; `GET /healthz` answers the probe's report as JSON, 200 when healthy and
    /// 503 otherwise.
    public static func router(metrics: RelayerMetrics, probe: ChainProbe) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/metrics") { _, _ -> Response in
            let body = try await metrics.render()
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
        }
        router.get("/healthz") { _, _ -> Response in
            let report = probe.report
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let json = try encoder.encode(report)
            return Response(status: report.isHealthy ? .ok : .serviceUnavailable, headers: [.contentType: "application/json"],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: json)))
        }
        return router
    }

    /// The HTTP application (itself a `Service`) serving ``router(metrics:probe:)`` on `address`.
    /// - Parameters:
    ///   - address: `host:port`, e.g. `127.0.0.1:9401` (port 0 picks a free port; `onServerRunning` learns it).
    /// - Throws: ``OpsAddressError`` when `address` is not `host:port`.
    public static func application(address: String, metrics: RelayerMetrics, probe: ChainProbe, logger: Logger,
                                   onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in })
        throws(OpsAddressError) -> some ApplicationProtocol {
        let (host, port) = try parse(address)
        return Application(
            router: router(metrics: metrics, probe: probe),
            server: .http1(configuration: .init(idleTimeout: .seconds(30))),  // idle and half-sent connections
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    /// Splits `host:port` (`[::1]:9401` for IPv6).
    static func parse(_ address: String) throws(OpsAddressError) -> (String, Int) {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]),
              (0...65_535).contains(port) else { throw OpsAddressError(address: address) }
        var host = String(address[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw OpsAddressError(address: address) }
        return (host, port)
    }
}

/// A metrics address that is not `host:port`.
public struct OpsAddressError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The address as given.
    public let address: String
    public var description: String {
        "metrics address \"\(address)\" is not host:port (for example 127.0.0.1:9401)"
    }
}
