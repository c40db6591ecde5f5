import Testing
import TestSupport
import Foundation
@testable import MIME

/// Encoding choices at their edges: boundary collisions, exact bytes of text attachments,
/// identifiers near the line limit, nothing written before validation passes.
@Suite(.offCooperativePool) struct WriterEdgeTests {
    /// 7bit/8bit text that happens to hold a boundary line is sent quoted-printable instead
    /// (RFC 2046 §5.1.1: the boundary must not appear in the encapsulated parts).
    @Test func textHoldingTheBoundaryIsQuotedPrintable() async throws {
        var m = try Message.invoice()
        m.textBody = "before\n--=_boundary_0\nafter"
        m.htmlBody = "<p>--=_boundary_0--</p>"
        let bytes = try await deterministicWriter(.init(allow8BitMIME: true)).encode(m)
        let p = MIMEParser.parse(bytes)
        #expect(p.defects.isEmpty)
        #expect(p.summary == "alternative(text/plain, text/html)")
        #expect(p.text == "before\r\n--=_boundary_0\r\nafter")
        #expect(p.html == "<p>--=_boundary_0--</p>")
        #expect(p.root.children.map(\.transferEncoding) == ["quoted-printable", "quoted-printable"])
    }

    /// A text attachment is sent as 7bit only when its bytes can arrive unchanged; LF-only or
    /// non-ASCII text goes base64, so the SHA-256 on the other side matches.
    @Test func textAttachmentsKeepTheirBytes() async throws {
        let samples: [(String, [UInt8])] = [
            ("crlf.csv", Array("a;b\r\nc;d\r\n".utf8)),
            ("lf.csv", Array("a;b\nc;d\n".utf8)),
            ("latin1.txt", [0x47, 0x72, 0xFC, 0xDF, 0x65, 0x0D, 0x0A]),
            ("long.txt", Array(String(repeating: "x", count: 1200).utf8)),
        ]
        var m = try Message.invoice()
        for (name, bytes) in samples { try m.attach(data: Data(bytes), filename: name) }
        let p = MIMEParser.parse(try await MIMEWriter().encode(m))
        #expect(p.attachments.map(\.body) == samples.map(\.1))
        #expect(p.attachments.map(\.transferEncoding) == ["7bit", "base64", "base64", "base64"])
    }

    @Test func displayNamesThatLookEncoded() async throws {
        let tricky = ["=?utf-8?Q?x?=", "a =?b?= c", "Müller (Einkauf)", "\"quoted\"", "back\\slash", "x;y:z@w"]
        var m = try Message.invoice()
        m.to = try tricky.enumerated().map { try Address("t\($0.offset)@example.com", displayName: $0.element) }
        let p = MIMEParser.parse(try await MIMEWriter().encode(m))
        #expect(p.to.map(\.displayName) == tricky)
    }

    @Test func identifiersNearTheLineLimit() async throws {
        var m = try Message.invoice()
        m.messageID = "<" + String(repeating: "a", count: 880) + "@example.com>"
        let bytes = try await MIMEWriter().encode(m)
        #expect(crlfLines(bytes).lines.allSatisfy { $0.count <= 998 })
        m.messageID = "<" + String(repeating: "a", count: 990) + "@example.com>"
        await #expect { try await MIMEWriter().encode(m) } throws: { ($0 as? MIMEError)?.kind == .invalidMessageID }
        #expect(throws: MIMEError.self) {
            try Attachment(data: Data(), filename: "x.png", disposition: .inline, contentID: String(repeating: "c", count: 1000))
        }
        var h = try Message.invoice()
        try h.addHeader(String(repeating: "X", count: 1000), "v")
        await #expect { try await MIMEWriter().encode(h) } throws: { ($0 as? MIMEError)?.kind == .lineTooLong }
    }

    /// Every check runs before the first byte reaches the sink.
    @Test func nothingIsWrittenBeforeValidation() async throws {
        var m = try Message.invoice()
        try m.attach(file: URL(fileURLWithPath: "/nonexistent/Rechnung.pdf"))
        var calls = 0
        await #expect { try await MIMEWriter().write(m) { _ in calls += 1 } } throws: { e in
            guard let e = e as? MIMEError else { return false }
            return e.kind == .fileUnreadable && e.field == "attachment \"Rechnung.pdf\"" && e.description.contains("/nonexistent/Rechnung.pdf")
        }
        #expect(calls == 0)
        var n = try Message.invoice()
        n.subject = "ok"
        n.cc = [try Address("x@example.com")]
        n.cc[0].addrSpec = "bad address"
        await #expect { try await MIMEWriter().write(n) { _ in calls += 1 } } throws: { ($0 as? MIMEError)?.field == "Cc" }
        #expect(calls == 0)
    }

    /// Bcc recipients are in the envelope only.
    @Test func bccIsNeverWritten() async throws {
        var m = try Message.invoice()
        m.bcc = [try Address("secret@example.com", displayName: "Secret")]
        let bytes = try await MIMEWriter().encode(m)
        #expect(!text(bytes).contains("secret@example.com"))
        #expect(!text(bytes).lowercased().components(separatedBy: "\r\n").contains { $0.hasPrefix("bcc:") })
        #expect(m.envelopeRecipients == ["ana@example.org", "secret@example.com"])
    }

    /// With 8BITMIME allowed, UTF-8 text goes 8bit and requirements say so; without, all
    /// output is 7-bit ASCII and nothing is required.
    @Test func requirements() async throws {
        var m = try Message.invoice()
        #expect(try MIMEWriter().requirements(of: m) == [])
        #expect((try await MIMEWriter().encode(m)).allSatisfy { $0 < 0x80 })
        #expect(try MIMEWriter(options: .init(allow8BitMIME: true)).requirements(of: m) == [.eightBitMIME])
        m.textBody = "ascii only"
        #expect(try MIMEWriter(options: .init(allow8BitMIME: true)).requirements(of: m) == [])
    }
}

/// The file path and the in-memory path of the writer produce the same bytes.
@Suite(.offCooperativePool) struct FileAttachmentTests {
    @Test(arguments: [0, 1, 56, 57, 58, 47_880, 47_881, 100_000])
    func fileAndDataWriteTheSameBytes(size: Int) async throws {
        var rng = SeededRNG(seed: UInt64(size))
        let bytes = (0..<size).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("same-\(UUID().uuidString).pdf")
        try Data(bytes).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        var a = try Message.invoice()
        try a.attach(file: url, filename: "Rechnung.pdf")
        var b = try Message.invoice()
        try b.attach(data: Data(bytes), filename: "Rechnung.pdf")
        let writer = deterministicWriter()
        let fromFile = try await writer.encode(a)
        let fromData = try await writer.encode(b)
        #expect(fromFile == fromData)
        #expect(fromFile.count == (try writer.encodedSize(of: a)))
        #expect(MIMEParser.parse(fromFile).attachments.first?.body == bytes)
    }
}

/// Lines longer than the parser's line buffer are handled in pieces, never buffered whole.
@Suite(.offCooperativePool) struct LongLineTests {
    @Test func longLinesParseInPieces() async throws {
        let long = String(repeating: "0123456789", count: 10_000)   // 100 KB, no line break
        let raw = "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n" + long
            + "\r\n--b\r\nContent-Type: text/html\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" + long.replacingOccurrences(of: "5", with: "=35")
            + "\r\n--b--\r\n"
        let bytes = Array(raw.utf8)
        let whole = MIMEParser.parse(bytes)
        #expect(whole.text == long)
        #expect(whole.html == long)
        #expect(whole.defects.map(\.kind) == [.lineTooLong, .lineTooLong])
        var parser = MIMEStreamParser()
        var builder = PartTreeBuilder()
        var i = 0
        while i < bytes.count {
            let n = min(7, bytes.count - i)
            for e in parser.feed(bytes[i..<(i + n)]) { builder.apply(e) }
            i += n
        }
        for e in parser.finish() { builder.apply(e) }
        let pieces = ParsedMessage(root: builder.root)
        #expect(pieces.text == long)
        #expect(pieces.html == long)
    }
}

/// The synchronous writer (for spool files) gives the same bytes in the same chunk sizes.
@Suite struct SynchronousWriterTests {
    @Test func sameBytesAsAsync() async throws {
        var m = try Message.invoice()
        m.htmlBody = String(repeating: "<p>Grüße</p>\n", count: 8000)
        try m.attach(data: Data((0..<150_000).map { UInt8(truncatingIfNeeded: $0 * 13) }), filename: "x.bin")
        let writer = deterministicWriter()
        var sync: [UInt8] = []
        var chunks = 0
        try writer.writeSynchronously(m) { buffer in
            #expect(buffer.count <= MIMELimits.writerChunkSize)
            sync += buffer
            chunks += 1
        }
        #expect(sync == (try await writer.encode(m)))
        #expect(sync.count == (try writer.encodedSize(of: m)))
        #expect(chunks > 3)
    }

    @Test func emptyFileThatGrowsIsAnError() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("empty-\(UUID().uuidString).txt")
        try Data().write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        var m = try Message.invoice()
        try m.attach(file: url)
        let writer = MIMEWriter()
        var written = 0
        try writer.writeSynchronously(m) { written += $0.count }
        #expect(written == (try writer.encodedSize(of: m)))
        #expect(MIMEParser.parse(try { var b: [UInt8] = []; try writer.writeSynchronously(m) { b += $0 }; return b }()).attachments.first?.size == 0)
        // A big attachment first, so the sink is called before the file is reached.
        m.attachments.insert(try Attachment(data: Data(count: 200_000), filename: "first.bin"), at: 0)
        var first = true
        #expect { try writer.writeSynchronously(m) { _ in
            if first { first = false; try Data("now longer".utf8).write(to: url) }
        } } throws: { ($0 as? MIMEError)?.kind == .fileChanged }
    }
}
