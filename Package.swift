// swift-tools-version: 6.2
import PackageDescription

/// Settings every Swift target shares: Swift 6 mode plus the upcoming features STYLE.md asks
/// for, and every warning an error (our targets only: dependencies keep their own settings).
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .treatAllWarnings(as: .error),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "inbetween",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "inbetween", targets: ["inbetween"]),
        .library(name: "InbetweenAPI", targets: ["InbetweenAPI"]),
        .library(name: "InbetweenEngine", targets: ["InbetweenEngine"]),
        .library(name: "InbetweenMedia", targets: ["InbetweenMedia"]),
        .library(name: "InbetweenJobs", targets: ["InbetweenJobs"]),
        .library(name: "InbetweenWebhooks", targets: ["InbetweenWebhooks"]),
        .library(name: "InbetweenClient", targets: ["InbetweenClient"]),
        .library(name: "InbetweenSQLite", targets: ["InbetweenSQLite"]),
        .library(name: "InbetweenPostgres", targets: ["InbetweenPostgres"]),
        .library(name: "InbetweenWorker", targets: ["InbetweenWorker"]),
        .library(name: "InbetweenServer", targets: ["InbetweenServer"]),
        .library(name: "InbetweenS3", targets: ["InbetweenS3"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    ],
    targets: [
        // OpenCV 4 from the system (Debian: libopencv-dev). Not through pkg-config: its
        // "opencv4" names all ~60 modules (VTK, Qt, ...), and loading ~380 shared libraries
        // cost every run half a second. CVisionKernels links the five it uses; the headers
        // are where Debian puts them.
        .systemLibrary(
            name: "COpenCV",
            providers: [.apt(["libopencv-dev"])]
        ),
        // Little CMS 2 (Debian: liblcms2-dev): embedded colour profiles converted to sRGB.
        .systemLibrary(name: "CLittleCMS", providers: [.apt(["liblcms2-dev"])]),
        // zlib (Debian: zlib1g-dev): a PNG's compressed iCCP profile.
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        // The thin C++ shim over OpenCV: plain `extern "C"` kernels, no decisions.
        .target(
            name: "CVisionKernels",
            dependencies: ["COpenCV"],
            cxxSettings: [.unsafeFlags(["-O3", "-I/usr/include/opencv4"]), .treatAllWarnings(as: .error)],
            linkerSettings: ["opencv_core", "opencv_imgproc", "opencv_features2d", "opencv_calib3d", "opencv_video"].map {
                .linkedLibrary($0)
            }
        ),
        // The contract as Codable types: arguments, validation, envelope, pricing. No dependencies.
        .target(name: "InbetweenAPI", swiftSettings: swiftSettings),
        // analyse → plan → render on plain pixel buffers.
        .target(
            name: "InbetweenEngine",
            dependencies: ["CVisionKernels"],
            swiftSettings: swiftSettings
        ),
        // ffmpeg decode / encode (hardened subprocess), image inputs, the generate pipeline.
        .target(
            name: "InbetweenMedia",
            dependencies: [
                "InbetweenEngine",
                "InbetweenAPI",
                "CLittleCMS",
                "CZlib",
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: swiftSettings
        ),
        // `inbetween bench`: speed and quality against the peers, with ground truth made at run time.
        .target(
            name: "InbetweenBench",
            dependencies: ["InbetweenMedia", "InbetweenEngine", "InbetweenAPI"],
            swiftSettings: swiftSettings
        ),
        // Standard Webhooks signing and verification, shared by the server and the SDK.
        .target(
            name: "InbetweenWebhooks",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        // The Swift SDK: the API's types over AsyncHTTPClient; no server or OpenCV code.
        .target(
            name: "InbetweenClient",
            dependencies: [
                "InbetweenAPI", "InbetweenWebhooks", .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // S3-compatible object storage: the AWS Signature Version 4 signer and a small client over AsyncHTTPClient.
        .target(
            name: "InbetweenS3",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"), .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // Jobs without HTTP: the store protocol, the lifecycle state machine, workers, webhooks.
        .target(
            name: "InbetweenJobs",
            dependencies: [
                "InbetweenAPI",
                "InbetweenWebhooks",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        // The embedded store: one SQLite file (WAL) through GRDB.
        .target(
            name: "InbetweenSQLite",
            dependencies: ["InbetweenJobs", "InbetweenAPI", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings
        ),
        // The multi-node store: PostgreSQL through PostgresNIO (SKIP LOCKED claims, LISTEN/NOTIFY).
        .target(
            name: "InbetweenPostgres",
            dependencies: [
                "InbetweenJobs", "InbetweenAPI", .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"), .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The worker runtime: the VideoEngine seam, the job runner, the local and upstream
        // engines, routes, the result cache, the SSRF-guarded fetcher and callback transport.
        .target(
            name: "InbetweenWorker",
            dependencies: [
                "InbetweenJobs",
                "InbetweenAPI",
                "InbetweenMedia",
                "InbetweenEngine",
                "InbetweenClient",
                "InbetweenS3",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The HTTP edge on Hummingbird: routes, auth, limits, signed result files. Knows no engine.
        .target(
            name: "InbetweenServer",
            dependencies: [
                "InbetweenJobs",
                "InbetweenAPI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Resources/openapi.json"), .copy("Resources/playground")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "inbetween",
            dependencies: [
                "InbetweenServer",
                "InbetweenWorker",
                "InbetweenSQLite",
                "InbetweenPostgres",
                "InbetweenJobs",
                "InbetweenClient",
                "InbetweenBench",
                "InbetweenMedia",
                "InbetweenEngine",
                "InbetweenAPI",
                "InbetweenS3",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "InbetweenAPITests", dependencies: ["InbetweenAPI"], swiftSettings: swiftSettings),
        .testTarget(name: "InbetweenEngineTests", dependencies: ["InbetweenEngine"], swiftSettings: swiftSettings),
        .testTarget(name: "InbetweenWebhooksTests", dependencies: ["InbetweenWebhooks"], swiftSettings: swiftSettings),
        .testTarget(
            name: "InbetweenClientTests", dependencies: ["InbetweenClient", "InbetweenAPI", "InbetweenWebhooks"], swiftSettings: swiftSettings),
        .testTarget(
            name: "InbetweenSQLiteTests",
            dependencies: ["InbetweenSQLite", "InbetweenJobs", "InbetweenTestSupport", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "InbetweenPostgresTests",
            dependencies: [
                "InbetweenPostgres", "InbetweenJobs", "InbetweenTestSupport", .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Runs the built `inbetween` binary as a user would.
        .testTarget(
            name: "InbetweenCLITests",
            dependencies: [
                "inbetween", "InbetweenSQLite", "InbetweenPostgres", "InbetweenJobs", "InbetweenAPI", "InbetweenS3", "InbetweenTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            exclude: ["SeedExamples", "Browser"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "InbetweenJobsTests",
            dependencies: [
                "InbetweenJobs", "InbetweenAPI", "InbetweenWebhooks", "InbetweenSQLite", "InbetweenTestSupport",
                .product(name: "Logging", package: "swift-log"), .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "InbetweenServerTests",
            dependencies: [
                "InbetweenServer",
                "InbetweenEngine",
                "InbetweenWorker",
                "InbetweenTestSupport",
                "InbetweenSQLite",
                "InbetweenJobs",
                "InbetweenAPI",
                "InbetweenWebhooks",
                "InbetweenClient",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        // The signer against botocore and the published test suite; the client and the result store against moto.
        .testTarget(
            name: "InbetweenS3Tests",
            dependencies: [
                "InbetweenS3", "InbetweenWorker", "InbetweenJobs", "InbetweenTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "InbetweenBenchTests", dependencies: ["InbetweenBench", "InbetweenEngine"], swiftSettings: swiftSettings),
        // Helpers the test targets share: the store conformance checks and fresh stores, the
        // whole service over a fresh SQLite store with a key (the HTTP edge with the worker
        // runtime beside it), a loopback HTTP server, a resolver with canned answers.
        .target(
            name: "InbetweenTestSupport",
            dependencies: [
                "InbetweenServer", "InbetweenWorker", "InbetweenSQLite", "InbetweenPostgres", "InbetweenJobs", "InbetweenAPI",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"), .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"), .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/Support",
            swiftSettings: swiftSettings
        ),
        // The worker runtime: the SSRF guard and routes on their own; engines, fall backs and
        // the cache through a whole service.
        .testTarget(
            name: "InbetweenWorkerTests",
            dependencies: [
                "InbetweenWorker", "InbetweenTestSupport", "InbetweenServer", "InbetweenSQLite", "InbetweenClient", "InbetweenJobs", "InbetweenAPI",
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"), .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"), .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "InbetweenMediaTests",
            dependencies: ["InbetweenMedia", "InbetweenEngine", "InbetweenAPI"],
            swiftSettings: swiftSettings
        ),
    ],
    cxxLanguageStandard: .cxx17
)
