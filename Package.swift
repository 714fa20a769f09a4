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
    ],
    targets: [
        .systemLibrary(name: "CLibPQ", path: "Sources/CLibPQ", pkgConfig: "libpq",
                       providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CNcursesw", path: "Sources/CNcursesw", pkgConfig: "ncursesw",
                       providers: [.apt(["libncursesw5-dev"])]),
        .target(name: "WardDB", dependencies: ["CLibPQ"]),
        .target(name: "WardCore", dependencies: ["WardDB"],
                resources: [.embedInCode("Migrations")]),
        .target(name: "WardTerm", dependencies: ["CNcursesw"]),
        .executableTarget(name: "ward", dependencies: [
            "WardDB", "WardCore", "WardTerm",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "WardDBTests", dependencies: ["WardDB", "WardCore"]),
    ]
)
