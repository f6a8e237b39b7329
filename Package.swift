// swift-tools-version:6.0
// A Swift book about feature visualization that runs. See README.md for the layout.
import PackageDescription

/// Engine targets are optimized even in debug builds: `swift test` runs real optimizations.
let optimized: [SwiftSetting] = [.unsafeFlags(["-O"])]

let package = Package(
    name: "FeatureVisBook",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "fvbook", targets: ["fvbook"]),
        // The one dynamic library that chapter programs link against.
        .library(name: "FVBookKit", type: .dynamic,
                 targets: ["RenderCache", "Tensors", "Models", "FeatureVis", "BookProtocol", "BookRuntime"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // Only BookServer uses it: chapter programs never link it.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // MARK: System libraries (module maps over Debian's -dev packages)
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng",
                       providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CCmark", pkgConfig: "libcmark",
                       providers: [.apt(["libcmark-dev"])]),
        // Hand-written C kernels, -O3 in every build.
        .target(name: "CKernels", cSettings: [.unsafeFlags(["-O3", "-ffast-math", "-fno-finite-math-only"])]),

        // MARK: Engine
        // Content-addressed store of finished renders, and the SHA-256 its keys use.
        .target(name: "RenderCache", swiftSettings: optimized),
        .target(name: "Tensors", dependencies: ["CBLAS", "CKernels"], swiftSettings: optimized),
        // "Did you mean": edit distance for every mistyped name, in the engine and the book.
        .target(name: "Suggestions"),
        .target(name: "Models", dependencies: ["Tensors", "Suggestions", "CPNG", "RenderCache"], swiftSettings: optimized),
        .target(name: "FeatureVis", dependencies: ["Tensors", "Models", "RenderCache"], swiftSettings: optimized),
        // `fvbook bench`'s measurements, a library so that they have tests.
        .target(name: "Bench", dependencies: ["Tensors", "Models", "FeatureVis"], swiftSettings: optimized),

        // MARK: The book
        // What the chapter runtime and the runner agree on: events, environment, file names.
        .target(name: "BookProtocol"),
        .target(name: "BookRuntime", dependencies: ["Tensors", "Models", "FeatureVis", "BookProtocol", "RenderCache"]),
        .target(name: "Notebook", dependencies: ["CCmark", "CPNG", "BookProtocol", "Suggestions", "RenderCache"]),
        // `fvbook serve`: the site over HTTP, live reload, editing cells in the page.
        .target(name: "BookServer", dependencies: [
            "Notebook", .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"), .product(name: "Logging", package: "swift-log"),
        ]),
        // Every channel of a layer, rendered in shards; its store and its site pages.
        .target(name: "Atlas", dependencies: ["Tensors", "Models", "FeatureVis", "Notebook"]),
        .executableTarget(name: "fvbook", dependencies: [
            "RenderCache", "Tensors", "Models", "FeatureVis", "Notebook", "Suggestions", "BookServer", "Bench", "Atlas",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // MARK: Tests
        // What several test targets share (never linked into the book).
        .target(name: "TestSupport", dependencies: ["Tensors", "Models"], path: "Tests/TestSupport"),
        .testTarget(name: "TensorsTests", dependencies: ["Tensors", "TestSupport"]),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "TestSupport"]),
        .testTarget(name: "FeatureVisTests", dependencies: ["FeatureVis", "RenderCache", "TestSupport"]),
        .testTarget(name: "NotebookTests", dependencies: ["Notebook", "BookProtocol", "Models", "TestSupport"]),
        .testTarget(name: "AtlasTests", dependencies: ["Atlas", "FeatureVis", "Models", "Tensors"]),
        .testTarget(name: "BenchTests", dependencies: ["Bench", "Models", "Tensors"]),
        .testTarget(name: "RenderCacheTests", dependencies: ["RenderCache"]),
        .testTarget(name: "BookServerTests", dependencies: ["BookServer"]),
    ],
    swiftLanguageModes: [.v5]
)
