// swift-tools-version:6.0
// libFuzzer targets for MailEngine's parsers. A package of its own so that `swift build` of the
// main package never builds them: they link only with `-sanitize=fuzzer` (see scripts/fuzz).
// The bodies live in FuzzEntryPoints; Tests/FuzzRegressionTests replays Fixtures/fuzz through
// the same files (a symbolic link), so a crash found here stays a test.
import PackageDescription

/// One executable `Fuzz<Name>` per entry (Sources/Fuzz<Name>/main.swift).
let targets = [
    "SMTPReply", "EHLO", "DotStuffer",
    "MIME", "Address", "HeaderDecoding", "TransferCodec",
    "SASL", "IMAP",
]

let package = Package(
    name: "MailEngineFuzz",
    dependencies: [.package(name: "MailEngine", path: "..")],
    targets: [
        .systemLibrary(name: "CFuzzer", path: "Sources/CFuzzer"),
        .target(name: "FuzzSupport", dependencies: ["CFuzzer"]),
        .target(name: "FuzzEntryPoints", dependencies: ["SMTP", "MIME", "Auth", "IMAP"].map {
            .product(name: $0, package: "MailEngine")
        }),
    ] + targets.map { t in
        .executableTarget(name: "Fuzz\(t)", dependencies: ["FuzzSupport", "FuzzEntryPoints"])
    }
)
