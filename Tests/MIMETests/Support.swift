import Foundation
@testable import MIME

/// Where the MIME fixtures live: `<repo>/Fixtures/mime`.
let fixturesDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/mime")

func fixture(_ name: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: fixturesDirectory.appendingPathComponent(name)))
}

/// A writer whose output is fully determined: boundaries, Message-ID and Date fixed.
func deterministicWriter(_ options: MIMEWriter.Options = .init()) -> MIMEWriter {
    MIMEWriter(options: options,
               boundary: { "=_boundary_\($0)" },
               messageID: { "<fixed-id-1042@\($0)>" },
               clock: { Date(timeIntervalSince1970: 1_796_112_000) })   // 2026-12-01 08:00:00 UTC
}

/// A small deterministic RNG (SplitMix64) for property-style tests.
struct SeededRNG: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Lines of `bytes` split at CRLF; fails the caller's check when a bare CR or LF is present.
func crlfLines(_ bytes: [UInt8]) -> (lines: [ArraySlice<UInt8>], bareLineBreak: Bool) {
    var lines: [ArraySlice<UInt8>] = []
    var start = 0, bare = false
    var i = 0
    while i < bytes.count {
        if bytes[i] == 13 {
            if i + 1 < bytes.count, bytes[i + 1] == 10 { lines.append(bytes[start..<i]); i += 2; start = i; continue }
            bare = true
        } else if bytes[i] == 10 { bare = true }
        i += 1
    }
    if start < bytes.count { lines.append(bytes[start...]) }
    return (lines, bare)
}

func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

extension Message {
    /// The invoice message most tests start from.
    static func invoice() throws -> Message {
        var m = Message(from: try Address("shop@example.com", displayName: "Café Zürich"),
                        to: [try Address("ana@example.org", displayName: "Ana Müller")],
                        subject: "Rechnung 1042 für Müller")
        m.textBody = "Guten Tag Frau Müller,\n\nanbei Ihre Rechnung.\n"
        return m
    }
}
