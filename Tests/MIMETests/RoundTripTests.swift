import Testing
import TestSupport
import Foundation
@testable import MIME

/// Builder → writer → parser gives back what was built: structure, headers, bytes.
@Suite(.offCooperativePool) struct RoundTripTests {
    static let nameAlphabet = ["a", "Z", "ü", "ß", "é", "日", "😀", ",", "\"", "\\", "(", ")", "<", ">", "@", ";", ":", ".", "'", "=?", "?=", "_", "-", "ä"]
    static let subjectAlphabet = nameAlphabet + [" ", " ", "  ", "=", "\t"]

    static func randomString(_ alphabet: [String], _ range: ClosedRange<Int>, _ rng: inout SeededRNG) -> String {
        (0..<Int.random(in: range, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }.joined()
    }

    /// A display name as people write them: words separated by single spaces.
    static func randomName(_ rng: inout SeededRNG) -> String? {
        if Int.random(in: 0..<4, using: &rng) == 0 { return nil }
        let words = (0..<Int.random(in: 1...4, using: &rng)).map { _ in randomString(nameAlphabet, 1...8, &rng) }
        return words.joined(separator: " ")
    }

    static func randomBody(_ rng: inout SeededRNG) -> String {
        let pieces = ["line", " ", "\n", "\r\n", "\r", "ü", "€", "--=_boundary_0", "=", ".", "From ", "\u{0}", "\t",
                      String(repeating: "x", count: 1200), "日本語", "  \n"]
        return (0..<Int.random(in: 0...40, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
    }

    /// What the text looks like after CRLF normalisation (what the recipient must get).
    static func normalised(_ s: String) -> String { text(TextBody(s).bytes) }

    @Test func propertyRandomMessages() async throws {
        var rng = SeededRNG(seed: 0x5EED_1042)
        for iteration in 0..<150 {
            var m = Message(from: try Address("shop\(iteration)@example.com", displayName: Self.randomName(&rng)))
            m.to = try (0..<Int.random(in: 1...3, using: &rng)).map { i in
                try Address("to\(i)@bücher.example", displayName: Self.randomName(&rng))
            }
            m.cc = Bool.random(using: &rng) ? [try Address("cc@example.org", displayName: Self.randomName(&rng))] : []
            m.bcc = [try Address("hidden@example.net")]
            let rawSubject = Self.randomString(Self.subjectAlphabet, 0...90, &rng)
            m.subject = rawSubject.trimmingCharacters(in: .whitespaces)
            if Bool.random(using: &rng) { m.textBody = Self.randomBody(&rng) }
            if Int.random(in: 0..<3, using: &rng) == 0 { m.htmlBody = "<p>" + Self.randomBody(&rng) + "</p>" }
            for j in 0..<Int.random(in: 0...3, using: &rng) {
                let size = [0, 1, 2, 3, 57, 1000, 4099].randomElement(using: &rng)!
                let bytes = (0..<size).map { _ in UInt8.random(in: 0...255, using: &rng) }
                let name = Self.randomString(Self.nameAlphabet + [" "], 1...70, &rng).trimmingCharacters(in: .whitespaces) + "\(j).bin"
                try m.attach(data: Data(bytes), filename: name)
            }
            let options = MIMEWriter.Options(allow8BitMIME: Bool.random(using: &rng))
            let writer = MIMEWriter(options: options)
            var chunks: [Int] = []
            var bytes: [UInt8] = []
            try await writer.write(m) { chunks.append($0.count); bytes += $0 }
            let context = "iteration \(iteration): \(m.summary)"

            #expect(bytes.count == (try writer.encodedSize(of: m)), "\(context)")
            #expect(chunks.allSatisfy { $0 <= MIMELimits.writerChunkSize })
            let (lines, bare) = crlfLines(bytes)
            #expect(!bare, "\(context)")
            #expect(lines.allSatisfy { $0.count <= MIMELimits.maximumLineLength }, "\(context)")
            #expect(!text(bytes).contains("hidden@example.net"), "Bcc written: \(context)")
            if !options.allow8BitMIME { #expect(bytes.allSatisfy { $0 < 0x80 }, "\(context)") }

            let p = MIMEParser.parse(bytes)
            #expect(p.defects.isEmpty, "\(context): \(p.defects)")
            #expect(p.summary == m.summary, "\(context)")
            #expect(p.subject == m.subject, "\(context)")
            #expect(p.from.first?.displayName == m.from?.displayName, "\(context)")
            #expect(p.to.map(\.displayName) == m.to.map(\.displayName), "\(context)")
            #expect(p.to.map(\.addrSpec) == m.to.map { $0.asciiAddrSpec! })
            #expect(p.cc.map(\.displayName) == m.cc.map(\.displayName), "\(context)")
            for (a, b) in zip(p.attachments, m.attachments) {
                #expect(a.filename == b.filename, "\(context)")
                #expect(a.contentType.mimeType == b.contentType.mimeType)
                guard case .data(let d) = b.content else { continue }
                #expect(a.body == [UInt8](d), "\(context)")
            }
            #expect(p.attachments.count == m.attachments.count)
            // A single-part message ends in CRLF (RFC 5322 §2.3 lines); inside a multipart the
            // last CRLF belongs to the delimiter, so the text comes back exactly.
            let single = m.attachments.isEmpty && (m.textBody == nil || m.htmlBody == nil)
            func expected(_ s: String) -> String {
                let n = Self.normalised(s)
                return single && !n.hasSuffix("\r\n") ? n + "\r\n" : n
            }
            if let t = m.textBody { Self.expectSame(p.text, expected(t), context) }
            if let h = m.htmlBody { Self.expectSame(p.html, expected(h), context) }
        }
    }

    static func expectSame(_ got: String?, _ want: String, _ context: String) {
        guard let got else { Issue.record("\(context): no text"); return }
        guard got != want else { return }
        let g = Array(got.utf8), w = Array(want.utf8)
        var i = 0
        while i < min(g.count, w.count), g[i] == w[i] { i += 1 }
        let gotAround = text(Array(g[max(0, i - 20)..<min(g.count, i + 20)])).debugDescription
        let wantAround = text(Array(w[max(0, i - 20)..<min(w.count, i + 20)])).debugDescription
        Issue.record("\(context): differs at byte \(i) of \(w.count) (got \(g.count)): got \(gotAround) want \(wantAround)")
    }

    @Test func headersRoundTrip() async throws {
        var m = try Message.invoice()
        m.replyTo = [try Address("support@example.com", displayName: "Support (24/7)")]
        m.sender = try Address("mailer@example.com")
        m.inReplyTo = "<prev@example.com>"
        m.references = ["<a@example.com>", "<b@example.com>"]
        m.messageID = "custom.1@example.com"
        m.date = Date(timeIntervalSince1970: 1_700_000_000)
        try m.addHeader("X-Kasse", "Filiale Zürich Nr. 3")
        let p = MIMEParser.parse(try await MIMEWriter().encode(m))
        #expect(p.messageID == "<custom.1@example.com>")
        #expect(p.inReplyTo == "<prev@example.com>")
        #expect(p.references == ["<a@example.com>", "<b@example.com>"])
        #expect(p.date == m.date)
        #expect(p.sender?.addrSpec == "mailer@example.com")
        #expect(p.replyTo.first?.displayName == "Support (24/7)")
        #expect(p.headers.value("x-kasse") == "Filiale Zürich Nr. 3")
        #expect(p.headers.value("Bcc") == nil)
    }

    @Test func generatedIDsAndDates() async throws {
        let m = try Message.invoice()
        let writer = MIMEWriter()
        let r = writer.resolved(m)
        let id = try #require(r.messageID)
        #expect(id.hasPrefix("<") && id.hasSuffix("@example.com>") && id.count == 32 + 2 + 1 + 11)
        let p = MIMEParser.parse(try await writer.encode(r))
        #expect(p.messageID == id)
        let date = try #require(p.date)
        #expect(abs(date.timeIntervalSinceNow) < 60)
        // Sizes agree even when the writer generates Date, Message-ID and boundaries each time.
        var big = m
        try big.attach(data: Data(count: 10), filename: "x.bin")
        #expect(try writer.encodedSize(of: big) == (try await writer.encode(big)).count)
    }
}
