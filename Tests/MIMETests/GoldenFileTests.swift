import Testing
import Foundation
@testable import MIME

/// Whole messages compared byte for byte with `Fixtures/mime/golden/*.eml`, boundary, Date and
/// Message-ID fixed. Set MIME_UPDATE_GOLDEN=1 to rewrite the files (then review the diff).
@Suite struct GoldenFileTests {
    static let update = ProcessInfo.processInfo.environment["MIME_UPDATE_GOLDEN"] == "1"

    func check(_ name: String, _ message: Message, _ options: MIMEWriter.Options = .init()) async throws {
        let writer = deterministicWriter(options)
        let bytes = try await writer.encode(message)
        let url = fixturesDirectory.appendingPathComponent("golden/\(name).eml")
        if Self.update {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
        }
        let golden = [UInt8](try Data(contentsOf: url))
        let same = bytes == golden
        #expect(same, "\(name): output differs from the golden file")
        if bytes != golden {
            let a = text(bytes).components(separatedBy: "\r\n"), b = text(golden).components(separatedBy: "\r\n")
            for (i, (x, y)) in zip(a, b).enumerated() where x != y {
                Issue.record("\(name) line \(i + 1):\n  got:    \(x)\n  golden: \(y)")
                break
            }
        }
        #expect(try writer.encodedSize(of: message) == golden.count)
        let (lines, bare) = crlfLines(bytes)
        #expect(!bare)
        #expect(lines.allSatisfy { $0.count <= 78 }, "\(name): a line passes 78 characters")
    }

    @Test func invoiceWithPDF() async throws {
        var m = try Message.invoice()
        m.htmlBody = "<p>Guten Tag Frau Müller,</p><p>anbei Ihre Rechnung.</p>"
        try m.attach(data: Data("%PDF-1.4\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n".utf8),
                     filename: "Rechnung Müller 1042 – Januar 2026 sehr langer Dateiname für Outlook.pdf")
        try await check("invoice-mixed", m)
    }

    @Test func plainASCII() async throws {
        var m = Message(from: try Address("alerts@shop.example", displayName: "Shop Alerts"),
                        to: [try Address("ops@example.com"), try Address("oncall@example.com", displayName: "On Call")],
                        subject: "Low stock: 3 items below the reorder level at the Main Street branch, please reorder today")
        m.sender = try Address("mailer@shop.example")
        m.replyTo = [try Address("support@shop.example", displayName: "Support Team")]
        m.cc = [try Address("manager@example.com", displayName: "Smith, John")]
        m.bcc = [try Address("secret-archive@example.com")]
        m.inReplyTo = "original-1@shop.example"
        m.references = ["<thread-0@shop.example>", "original-1@shop.example"]
        try m.addHeader("X-Mailer", "MailEngine")
        try m.addHeader("X-Invoice-Number", "1042")
        m.textBody = "Item A: 2 left\nItem B: 0 left\r\nItem C: 1 left\r.\nFrom the warehouse"
        try await check("plain-ascii", m)
    }

    @Test func relatedInlineImage() async throws {
        var m = try Message.invoice()
        let cid = try m.embedImage(data: Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]),
                                   filename: "logo.png", contentID: "logo.1042@shop.example")
        m.htmlBody = "<html><body><img src=\"\(cid)\" alt=\"Logo\"><p>Grüße</p></body></html>"
        try m.attach(data: Data("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n".utf8), filename: "termin.ics")
        try await check("related-inline", m)
    }

    @Test func eightBitAndLongLines() async throws {
        var m = try Message.invoice()
        m.textBody = "Grüße aus Zürich\n" + String(repeating: "lang ", count: 250)
        m.htmlBody = "<p>Grüße</p>"
        try await check("8bit-and-qp", m, .init(allow8BitMIME: true))
        #expect(try deterministicWriter(.init(allow8BitMIME: true)).requirements(of: m) == [.eightBitMIME])
    }

    @Test func internationalAddresses() async throws {
        var m = Message(from: try Address("bestellung@bücher.example", displayName: "Bücher Schmidt"),
                        to: [try Address("用户@例子.example", displayName: "王先生")],
                        subject: "Ihre Bestellung")
        m.textBody = "Danke."
        let options = MIMEWriter.Options(allowSMTPUTF8: true)
        try await check("smtputf8-idn", m, options)
        #expect(try deterministicWriter(options).requirements(of: m) == [.smtpUTF8])
    }

    @Test func base64TextBody() async throws {
        var m = Message(from: try Address("shop@example.com"), to: [try Address("kunde@example.ru")],
                        subject: "Заказ")
        m.textBody = "Здравствуйте! Ваш заказ готов. Спасибо за покупку."
        try await check("cyrillic-base64", m)
    }
}
