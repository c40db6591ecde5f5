import Testing
import Foundation
import TestSupport
@testable import MIME

/// Python's `email` package (policy.default) reads what MIMEWriter writes the same way
/// MIMEParser does: structure, decoded Subject and display names, file names, attachment bytes.
@Suite(.offCooperativePool) struct PythonInteropTests {
    struct PyAddress: Decodable { let name: String; let addr: String }
    struct PyFile: Decodable { let filename: String; let type: String; let sha256: String; let size: Int; let cid: String? }
    struct PyReport: Decodable {
        let summary: String
        let subject: String?
        let from: [PyAddress]
        let to: [PyAddress]
        let cc: [PyAddress]
        let bcc: Bool
        let messageID: String?
        let text: String?
        let html: String?
        let files: [PyFile]
        let defects: [String]
    }

    static let python = "/usr/bin/python3"

    /// Writes each message to a temp file and asks Python about all of them in one run.
    static func pythonReports(_ messages: [[UInt8]]) async throws -> [PyReport] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mime-interop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var paths: [String] = []
        for (i, m) in messages.enumerated() {
            let url = dir.appendingPathComponent("m\(i).eml")
            try Data(m).write(to: url)
            paths.append(url.path)
        }
        let result = try await run(python, [fixturesDirectory.appendingPathComponent("inspect.py").path] + paths)
        #expect(result.status == 0, "python3 failed: \(result.stderr)")
        return try JSONDecoder().decode([PyReport].self, from: Data(result.stdout.utf8))
    }

    static func sha256Hex(_ bytes: [UInt8]) async throws -> String {
        // Python computes its own digest; ours is computed by sha256sum (coreutils), not hand-written.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mime-sha-\(UUID().uuidString)")
        try Data(bytes).write(to: dir)
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try await run("/usr/bin/sha256sum", [dir.path])
        return String(r.stdout.prefix(64))
    }

    /// SHA-256 of several byte strings with one `sha256sum` run.
    static func sha256Hex(many: [[UInt8]]) async throws -> [String] {
        guard !many.isEmpty else { return [] }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mime-shas-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var paths: [String] = []
        for (i, b) in many.enumerated() {
            let url = dir.appendingPathComponent("\(i)")
            try Data(b).write(to: url)
            paths.append(url.path)
        }
        let r = try await run("/usr/bin/sha256sum", paths)
        return r.stdout.split(separator: "\n").map { String($0.prefix(64)) }
    }

    /// The property-style messages of ``RoundTripTests`` (random names, subjects, binary
    /// attachments), all read by Python in one run.
    @Test func pythonReadsRandomMessages() async throws {
        var rng = SeededRNG(seed: 0xC0FFEE)
        var messages: [Message] = []
        for i in 0..<60 {
            var m = Message(from: try Address("shop\(i)@example.com", displayName: RoundTripTests.randomName(&rng)))
            m.to = [try Address("kunde@bücher.example", displayName: RoundTripTests.randomName(&rng))]
            m.subject = RoundTripTests.randomString(RoundTripTests.subjectAlphabet, 1...90, &rng).trimmingCharacters(in: .whitespaces)
            m.textBody = "Text \(i)"
            for j in 0..<Int.random(in: 0...2, using: &rng) {
                let bytes = (0..<Int.random(in: 0...3000, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                let name = RoundTripTests.randomString(RoundTripTests.nameAlphabet + [" "], 1...60, &rng).trimmingCharacters(in: .whitespaces) + "\(j).pdf"
                try m.attach(data: Data(bytes), filename: name)
            }
            messages.append(m)
        }
        var encoded: [[UInt8]] = []
        for m in messages { encoded.append(try await MIMEWriter().encode(m)) }
        let reports = try await Self.pythonReports(encoded)
        let files = messages.flatMap(\.attachments)
        let shas = try await Self.sha256Hex(many: files.map { a in
            if case .data(let d) = a.content { return [UInt8](d) }
            return []
        })
        var k = 0
        for (i, (m, r)) in zip(messages, reports).enumerated() {
            #expect(r.summary == m.summary, "message \(i)")
            #expect(r.subject == m.subject, "message \(i)")
            #expect(r.from.map(\.name) == [m.from?.displayName ?? ""], "message \(i)")
            #expect(r.to.map(\.name) == m.to.map { $0.displayName ?? "" }, "message \(i)")
            #expect(r.to.map(\.addr) == ["kunde@xn--bcher-kva.example"])
            #expect(r.defects.isEmpty, "message \(i): \(r.defects)")
            #expect(r.files.map(\.filename) == m.attachments.map(\.filename), "message \(i)")
            for f in r.files {
                #expect(f.sha256 == shas[k], "message \(i) \(f.filename)")
                k += 1
            }
        }
    }

    /// Messages covering every structure the builder makes, with non-ASCII everywhere.
    static func sampleMessages() throws -> [Message] {
        var out: [Message] = []
        var a = try Message.invoice()
        try a.attach(data: Data((0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 31) }),
                     filename: "Rechnung Müller 1042 – Januar 2026 sehr langer Dateiname für Outlook.pdf")
        out.append(a)

        var b = try Message.invoice()
        b.subject = "Ваш заказ №1042 готов к выдаче — спасибо за покупку в нашем магазине, ждём вас снова"
        b.htmlBody = "<html><body><p>Здравствуйте!</p><img src=\"cid:logo@shop\"></body></html>"
        try b.embedImage(data: Data([0x89, 0x50, 0x4E, 0x47, 0, 1, 2, 3]), filename: "logo.png", contentID: "logo@shop")
        b.cc = [try Address("buchhaltung@example.org", displayName: "Buchhaltung, Zentrale \"Nord\"")]
        b.bcc = [try Address("archive@example.com")]
        try b.attach(data: Data("Artikel;Menge;Preis\r\nKäse;2;4,50\r\n".utf8), filename: "Bestellung.csv")
        out.append(b)

        var c = Message(from: try Address("alerts@example.com"), to: [try Address("ops@example.com")], subject: "Disk full")
        c.textBody = "plain ascii only\nsecond line"
        out.append(c)

        var d = Message(from: try Address("noreply@example.com", displayName: "日本の店"), to: [try Address("kunde@example.de", displayName: "Jürgen Groß")])
        d.subject = "ご注文ありがとうございます 🎉 注文番号 1042"
        d.htmlBody = "<p>" + String(repeating: "長い行のテキスト。", count: 200) + "</p>"
        try d.attach(data: Data(repeating: 0xFF, count: 70_000), filename: "請求書 1042.xlsx")
        try d.attach(data: Data(), filename: "empty.txt")
        out.append(d)
        return out
    }

    @Test func pythonReadsWhatWeWrite() async throws {
        let messages = try Self.sampleMessages()
        let writer = MIMEWriter()
        var encoded: [[UInt8]] = []
        for m in messages { encoded.append(try await writer.encode(m)) }
        let reports = try await Self.pythonReports(encoded)
        #expect(reports.count == messages.count)
        for (i, (m, r)) in zip(messages, reports).enumerated() {
            let ours = MIMEParser.parse(encoded[i])
            #expect(r.summary == m.summary, "message \(i)")
            #expect(r.summary == ours.summary, "message \(i)")
            #expect(r.subject == m.subject, "message \(i)")
            #expect(r.from.map(\.name) == [m.from?.displayName ?? ""], "message \(i)")
            #expect(r.from.map(\.addr) == [m.from!.addrSpec])
            #expect(r.to.map(\.name) == m.to.map { $0.displayName ?? "" })
            #expect(r.cc.map(\.name) == m.cc.map { $0.displayName ?? "" })
            #expect(r.cc.map(\.addr) == m.cc.map(\.addrSpec))
            #expect(!r.bcc, "Bcc must never be written")
            #expect(r.defects.isEmpty, "message \(i): Python found defects \(r.defects)")
            #expect(ours.defects.isEmpty, "message \(i): \(ours.defects)")
            let files = m.attachments + m.inlineImages
            #expect(Set(r.files.map(\.filename)) == Set(files.map(\.filename)))
            for f in files {
                guard case .data(let d) = f.content else { continue }
                let py = r.files.first { $0.filename == f.filename }
                #expect(py?.sha256 == (try await Self.sha256Hex([UInt8](d))), "\(f.filename)")
                #expect(py?.size == d.count)
                #expect(py?.cid == f.contentID)
                let mine = (ours.attachments + ours.inlineParts).first { $0.filename == f.filename }
                #expect(mine?.body == [UInt8](d), "\(f.filename)")
            }
            if let t = m.textBody {
                #expect(Self.lf(r.text) == Self.lf(t), "message \(i)")
                #expect(Self.lf(ours.text) == Self.lf(t))
            }
            if let h = m.htmlBody {
                #expect(Self.lf(r.html) == Self.lf(h))
                #expect(Self.lf(ours.html) == Self.lf(h))
            }
        }
    }

    /// Also with 8BITMIME allowed (UTF-8 bodies sent as 8bit).
    @Test func pythonReads8BitOutput() async throws {
        let messages = try Self.sampleMessages()
        let writer = MIMEWriter(options: .init(allow8BitMIME: true))
        var encoded: [[UInt8]] = []
        for m in messages { encoded.append(try await writer.encode(m)) }
        #expect(try writer.requirements(of: messages[0]) == [.eightBitMIME])
        let reports = try await Self.pythonReports(encoded)
        for (m, r) in zip(messages, reports) {
            #expect(r.summary == m.summary)
            #expect(r.subject == m.subject)
            if let t = m.textBody { #expect(Self.lf(r.text) == Self.lf(t)) }
        }
    }

    /// A file attachment streamed from disk arrives with the same SHA-256 in Python.
    @Test func fileAttachmentBytesSurvive() async throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("Lieferschein-\(UUID().uuidString).pdf")
        var rng = SeededRNG(seed: 42)
        let bytes = (0..<200_001).map { _ in UInt8.random(in: 0...255, using: &rng) }
        try Data(bytes).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        var m = try Message.invoice()
        try m.attach(file: url, filename: "Lieferschein Nr. 7 für Zürich.pdf")
        let encoded = try await MIMEWriter().encode(m)
        let r = try await Self.pythonReports([encoded])[0]
        #expect(r.files.first?.filename == "Lieferschein Nr. 7 für Zürich.pdf")
        #expect(r.files.first?.type == "application/pdf")
        #expect(r.files.first?.sha256 == (try await Self.sha256Hex(bytes)))
        #expect(MIMEParser.parse(encoded).attachments.first?.body == bytes)
    }

    static func lf(_ s: String?) -> String? {
        guard let s else { return nil }
        var t = s.replacingOccurrences(of: "\r\n", with: "\n")
        while t.hasSuffix("\n") { t.removeLast() }
        return t
    }
}
