// swift-tools-version:6.1
import PackageDescription

// SwiftPM names a path dependency after its directory ("main", a worktree, a CI clone), so look it up.
let rootPackage = String(Context.packageDirectory.split(separator: "/").dropLast().last ?? "Ferry").lowercased()

// Ferry's benchmarks, in a nested package so package-benchmark stays out of the main dependency graph.
// Run:  cd Benchmarks && swift package --allow-writing-to-package-directory benchmark
// Each Swift benchmark sits beside the raw C call it wraps, so the ratio Swift / C is read off directly.
let package = Package(
    name: "FerryBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "../"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // The same system libraries FerryCrypto wraps, under benchmark-only names (module names must be
        // unique in the graph): the C references are called directly, which library code never does.
        .systemLibrary(name: "CBenchSecp256k1", path: "Sources/CBenchSecp256k1", pkgConfig: "libsecp256k1",
                       providers: [.apt(["libsecp256k1-dev"])]),
        .systemLibrary(name: "CBenchOpenSSL", path: "Sources/CBenchOpenSSL", pkgConfig: "libcrypto",
                       providers: [.apt(["libssl-dev"])]),
        .executableTarget(
            name: "CryptoBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "FerryCrypto", package: rootPackage),
                "CBenchSecp256k1",
                "CBenchOpenSSL",
            ],
            path: "Benchmarks/CryptoBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
