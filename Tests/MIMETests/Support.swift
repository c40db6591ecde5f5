import Foundation
import TestSupport
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
