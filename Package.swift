// swift-tools-version:6.1
import PackageDescription

// Module map (arrow = may import), from docs/architecture.md:
//   FerryCrypto -> CSecp256k1, COpenSSL       FerryCore -> FerryCrypto
//   FerryChains -> FerryCore                  FerryEVM -> FerryChains
//   FerryDevnet -> FerryChains (Hummingbird devnet server)
//   FerryRouter -> FerryCore                  FerryWire -> CZeroMQ, FerryCore
//   FerryRelayer -> FerryChains, FerryWire    FerryAgent -> FerryRouter, FerryChains
//   FerryServer -> FerryAgent, FerryRelayer   ferry (exe) -> all
//   FerryRelayerOps -> FerryRelayer (+ Hummingbird, Prometheus, service-lifecycle: /metrics, /healthz, lifecycle)
//   FerryRelayerBench -> FerryRelayer (in-process benchmark harness: simulated chains, real gossip and journals)
//   FerryChannels -> FerryChains (+ GRDB: voucher channels, EIP-712 vouchers, the provider's durable voucher verifier)
//   FerryX402 -> FerryCore, FerryChannels (the x402 v2 wire: models, header codec, EIP-3009 authorizations)

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Ferry",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "ferry", targets: ["ferry"]),
        .library(name: "FerryCrypto", targets: ["FerryCrypto"]),
        .library(name: "FerryCore", targets: ["FerryCore"]),
        .library(name: "FerryChains", targets: ["FerryChains"]),
        .library(name: "FerryDevnet", targets: ["FerryDevnet"]),
        .library(name: "FerryAdapterConformance", targets: ["FerryAdapterConformance"]),
        .library(name: "FerryEVM", targets: ["FerryEVM"]),
        .library(name: "FerryRouter", targets: ["FerryRouter"]),
        .library(name: "FerryWire", targets: ["FerryWire"]),
        .library(name: "FerryRelayer", targets: ["FerryRelayer"]),
        .library(name: "FerryRelayerOps", targets: ["FerryRelayerOps"]),
        .library(name: "FerryRelayerBench", targets: ["FerryRelayerBench"]),
        .library(name: "FerryAgent", targets: ["FerryAgent"]),
        .library(name: "FerryChannels", targets: ["FerryChannels"]),
        .library(name: "FerryServer", targets: ["FerryServer"]),
        .library(name: "FerryAPI", targets: ["FerryAPI"]),
        .library(name: "FerryClient", targets: ["FerryClient"]),
        .library(name: "FerryX402", targets: ["FerryX402"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
    ],
    targets: [
        // System-library shims: a module map and a header, no Swift.
        .systemLibrary(
            name: "CSecp256k1", pkgConfig: "libsecp256k1",
            providers: [.apt(["libsecp256k1-dev"]), .brew(["secp256k1"])]),
        .systemLibrary(
            name: "COpenSSL", pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"]), .brew(["openssl@3"])]),
        .systemLibrary(
            name: "CZeroMQ", pkgConfig: "libzmq",
            providers: [.apt(["libzmq3-dev"]), .brew(["zeromq"])]),

        .target(name: "FerryCrypto", dependencies: ["CSecp256k1", "COpenSSL"], swiftSettings: swiftSettings),
        .target(name: "FerryCore", dependencies: ["FerryCrypto"], swiftSettings: swiftSettings),
        .target(
            name: "FerryChains",
            dependencies: [
                "FerryCore", .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "FerryDevnet",
            dependencies: [
                "FerryChains",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        .target(name: "FerryAdapterConformance", dependencies: ["FerryChains"], swiftSettings: swiftSettings),
        .target(
            name: "FerryEVM",
            dependencies: [
                "FerryChains",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings),
        .target(name: "FerryRouter", dependencies: ["FerryCore"], swiftSettings: swiftSettings),
        .target(name: "FerryWire", dependencies: ["CZeroMQ", "FerryCore"], swiftSettings: swiftSettings),
        .target(
            name: "FerryRelayer",
            dependencies: [
                "FerryChains", "FerryWire",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "DequeModule", package: "swift-collections"),
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "FerryRelayerOps",
            dependencies: [
                "FerryRelayer", "FerryChains", "FerryWire",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "FerryRelayerBench",
            dependencies: [
                "FerryRelayer", "FerryChains", "FerryWire",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "FerryAgent",
            dependencies: [
                "FerryRouter", "FerryChains",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "TOMLKit", package: "TOMLKit"),
            ],
            swiftSettings: swiftSettings),
        // Voucher channels: vouchers (EIP-712, as FerryChannel.vy hashes them), channel state, the provider's verifier.
        .target(
            name: "FerryChannels",
            dependencies: [
                "FerryChains",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings),
        // The x402 v2 wire (docs/x402.md): models, the three headers' codec, EIP-3009 authorizations, Ferry's scheme payloads.
        .target(name: "FerryX402", dependencies: ["FerryCore", "FerryChannels"], swiftSettings: swiftSettings),
        // JSON wire models of the HTTP API, shared by the server and the client (no HTTP, no server code).
        .target(name: "FerryAPI", dependencies: ["FerryCore"], swiftSettings: swiftSettings),
        .target(
            name: "FerryServer",
            dependencies: [
                "FerryAgent", "FerryRelayer", "FerryAPI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        .target(
            name: "FerryClient",
            dependencies: [
                "FerryCore", "FerryAPI",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "ferry",
            dependencies: [
                "FerryCrypto", "FerryCore", "FerryChains", "FerryDevnet", "FerryEVM", "FerryRouter",
                "FerryWire", "FerryRelayer", "FerryAgent", "FerryServer", "FerryAPI", "FerryClient",
                "FerryRelayerOps", "FerryRelayerBench",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),

        .testTarget(name: "FerryCryptoTests", dependencies: ["FerryCrypto", "FerryTestSupport"], swiftSettings: swiftSettings),
        // Shared by the test targets: running the Python reference implementations under Tests/vectors.
        .target(name: "FerryTestSupport", path: "Tests/FerryTestSupport", swiftSettings: swiftSettings),
        .testTarget(name: "FerryCoreTests", dependencies: ["FerryCore", "FerryTestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "FerryRelayerTests", dependencies: ["FerryRelayer", "FerryChains", "FerryWire", "FerryTestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "FerryRelayerOpsTests",
            dependencies: [
                "FerryRelayerOps", "FerryRelayerBench", "FerryRelayer", "FerryChains", "FerryWire",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(name: "FerryRouterTests", dependencies: ["FerryRouter", "FerryCore"], swiftSettings: swiftSettings),
        .testTarget(name: "FerryChainsTests", dependencies: ["FerryChains", "FerryAdapterConformance", "FerryTestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "FerryWireTests", dependencies: ["FerryWire", "FerryCore", "FerryTestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "FerryServerTests",
            dependencies: [
                "FerryServer", "FerryClient", "FerryAPI", "FerryAgent", "FerryChains", "FerryCore", "FerryCrypto", "FerryTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(name: "FerryChannelsTests", dependencies: ["FerryChannels", "FerryChains", "FerryTestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "FerryX402Tests", dependencies: ["FerryX402", "FerryChannels", "FerryTestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "FerryAgentTests", dependencies: ["FerryAgent", "FerryChains", "FerryRouter", "FerryTestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "FerryEVMTests", dependencies: ["FerryEVM", "FerryAdapterConformance", "FerryRelayer", "FerryRelayerOps", "FerryWire", "FerryTestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "FerryDevnetTests",
            dependencies: [
                "FerryDevnet", "FerryChains", "FerryAdapterConformance", "FerryTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings),
    ]
)
