// swift-tools-version:6.0
// libFuzzer targets for MailEngine's parsers. A package of its own so that `swift build` of the
// main package never builds them: they link only with `-sanitize=fuzzer` (see scripts/fuzz).
import PackageDescription

let targets = ["SASL"]   // one executable `Fuzz<Name>` per entry; see Sources/

let package = Package(
    name: "MailEngineFuzz",
    dependencies: [.package(name: "MailEngine", path: "..")],
    targets: [
        .systemLibrary(name: "CFuzzer", path: "Sources/CFuzzer"),
        .target(name: "FuzzSupport", dependencies: ["CFuzzer"]),
    ] + [
        .executableTarget(name: "FuzzSASL", dependencies: ["FuzzSupport", .product(name: "Auth", package: "MailEngine")]),
    ]
)
