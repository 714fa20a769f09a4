// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Ward",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "ward", targets: ["ward"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        .systemLibrary(name: "CLibPQ", path: "Sources/CLibPQ", pkgConfig: "libpq",
                       providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CNcursesw", path: "Sources/CNcursesw", pkgConfig: "ncursesw",
                       providers: [.apt(["libncursesw5-dev"])]),
        // libpq: connections, parameterised queries, async path, the throwaway cluster.
        .target(name: "WardDB", dependencies: ["CLibPQ"]),
        // The security model as SQL migrations, and the operator tools over it.
        .target(name: "WardCore", dependencies: [
                    "WardDB",
                    .product(name: "Crypto", package: "swift-crypto"),
                ],
                resources: [.embedInCode("Schema"), .embedInCode("Rules"), .embedInCode("Seed")]),
        // The terminal engine: canvas, widgets, actions, themes, event loop.
        .target(name: "WardTerm", dependencies: [
            "CNcursesw",
            .product(name: "TOMLKit", package: "TOMLKit"),
        ]),
        // The client of the api schema: its calls as typed requests, the request runner (busy
        // state, a screen's requests cancelled when it goes, errors as sentences) and field
        // sealing. No terminal code: screens, tests and the benchmark share it.
        .target(name: "WardClient", dependencies: ["WardDB", "WardCore"]),
        // The staff screens, one file each, over WardTerm's screen protocol and WardClient.
        .target(name: "WardScreens", dependencies: ["WardDB", "WardCore", "WardTerm", "WardClient"]),
        // The developer commands (bench, sandbox, ui-preview, demo) are compiled in only with
        // WARD_DEVELOPER: the debug build has it, `make bench` passes it, `make install`'s
        // release build does not (docs/adr/0013-developer-commands-only-in-the-debug-build.md).
        .executableTarget(name: "ward", dependencies: [
            "WardDB", "WardCore", "WardTerm", "WardClient", "WardScreens",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: [.define("WARD_DEVELOPER", .when(configuration: .debug))]),
        // What the two fuzzers share: a seeded generator and a digest of the rows they must not touch.
        .target(name: "WardTestSupport", dependencies: ["WardDB"], path: "Tests/WardTestSupport"),
        .testTarget(name: "WardDBTests", dependencies: ["WardDB", "WardCore"]),
        .testTarget(name: "WardCoreTests", dependencies: ["WardDB", "WardCore", "WardClient", "WardTestSupport"]),
        .testTarget(name: "WardTermTests", dependencies: ["WardTerm"]),
        .testTarget(name: "WardClientTests", dependencies: ["WardClient", "WardDB", "WardCore"]),
        .testTarget(name: "WardScreensTests", dependencies: ["WardScreens", "WardClient", "WardDB", "WardCore", "WardTerm",
                                                            "WardTestSupport"]),
        .testTarget(name: "WardE2ETests", dependencies: ["WardDB"]),
    ]
)
