// swift-tools-version:6.0
// MailEngine: an embeddable SMTP/IMAP/MIME protocol engine for Linux, and the `mailprobe` tool.
// Targets and their one-way dependencies are described in docs/ARCHITECTURE.md.
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "MailEngine",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "NetIO", targets: ["NetIO"]),
        .library(name: "Auth", targets: ["Auth"]),
        .library(name: "MIME", targets: ["MIME"]),
        .library(name: "SMTP", targets: ["SMTP"]),
        .library(name: "IMAP", targets: ["IMAP"]),
        .library(name: "Outbox", targets: ["Outbox"]),
        .library(name: "Diagnosis", targets: ["Diagnosis"]),
        .executable(name: "mailprobe", targets: ["mailprobe"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        .systemLibrary(name: "CSSLShim", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CSystemShim"),
        .systemLibrary(name: "CSASL", pkgConfig: "libsasl2", providers: [.apt(["libsasl2-dev"])]),
        .systemLibrary(name: "CResolv"),
        .target(name: "NetIO", dependencies: ["CSSLShim", "CSystemShim", .product(name: "Logging", package: "swift-log")],
                swiftSettings: strict),
        .target(name: "Auth", dependencies: ["CSASL"], swiftSettings: strict),
        .target(name: "MIME", swiftSettings: strict),
        .target(name: "SMTP", dependencies: ["NetIO", "Auth", "MIME"], swiftSettings: strict),
        .target(name: "IMAP", dependencies: ["NetIO", "Auth", "MIME"], swiftSettings: strict),
        .target(name: "Outbox", dependencies: ["SMTP", "MIME", "NetIO"], swiftSettings: strict),
        .target(name: "Diagnosis", dependencies: ["SMTP", "IMAP", "MIME", "Outbox", "NetIO", "Auth", "CResolv"], swiftSettings: strict),
        .executableTarget(name: "mailprobe", dependencies: [
            "Auth", "Diagnosis", "IMAP", "MIME", "NetIO", "Outbox", "SMTP",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: strict),
        .executableTarget(name: "mailbench", dependencies: [
            "SMTP", "MIME", "NetIO", "Auth", "IMAP",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "Benchmarks/mailbench", swiftSettings: strict),
        .target(name: "TestSupport", dependencies: ["NetIO"], path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(name: "NetIOTests", dependencies: ["NetIO", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "AuthTests", dependencies: ["Auth", "NetIO", "CSSLShim", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "MIMETests", dependencies: ["MIME", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "SMTPTests", dependencies: ["SMTP", "Auth", "MIME", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "OutboxTests", dependencies: ["Outbox", "SMTP", "MIME", "NetIO", "Auth", "TestSupport", "OutboxCrashSender"],
                    swiftSettings: strict),
        .executableTarget(name: "OutboxCrashSender", dependencies: ["Outbox", "SMTP", "NetIO", "Auth"],
                          path: "Tests/OutboxCrashSender", swiftSettings: strict),
        .testTarget(name: "DiagnosisTests", dependencies: ["Diagnosis", "MIME", "NetIO", "Auth", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "MailProbeTests", dependencies: ["mailprobe", "Outbox", "SMTP", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "IMAPTests", dependencies: ["IMAP", "NetIO", "Auth", "MIME", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "FuzzRegressionTests", dependencies: ["SMTP", "MIME", "Auth", "IMAP", "TestSupport"], swiftSettings: strict),
    ]
)
