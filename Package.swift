// swift-tools-version: 6.2
import PackageDescription

/// Settings every Swift target shares: Swift 6 mode plus the upcoming features STYLE.md asks for.
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
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
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
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
        // The thin C++ shim over OpenCV: plain `extern "C"` kernels, no decisions.
        .target(
            name: "CVisionKernels",
            dependencies: ["COpenCV"],
            cxxSettings: [.unsafeFlags(["-O3", "-I/usr/include/opencv4"])],
            linkerSettings: ["opencv_core", "opencv_imgproc", "opencv_features2d", "opencv_calib3d", "opencv_video"].map { .linkedLibrary($0) }
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
        .executableTarget(
            name: "inbetween",
            dependencies: [
                "InbetweenBench",
                "InbetweenMedia",
                "InbetweenEngine",
                "InbetweenAPI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "InbetweenAPITests", dependencies: ["InbetweenAPI"], swiftSettings: swiftSettings),
        .testTarget(name: "InbetweenEngineTests", dependencies: ["InbetweenEngine"], swiftSettings: swiftSettings),
        // Runs the built `inbetween` binary as a user would.
        .testTarget(name: "InbetweenCLITests", dependencies: ["inbetween"], swiftSettings: swiftSettings),
        .testTarget(
            name: "InbetweenMediaTests",
            dependencies: ["InbetweenMedia", "InbetweenEngine", "InbetweenAPI"],
            swiftSettings: swiftSettings
        ),
    ],
    cxxLanguageStandard: .cxx17
)
