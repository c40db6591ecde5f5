import TestSupport
import Testing
import Foundation
@testable import MIME

/// CR, LF and NUL never reach the output: every field refuses them with a `MIMEError` naming it.
@Suite(.offCooperativePool) struct InjectionTests {
    static let evil = ["Invoice\r\nBcc: x@evil.example", "Invoice\nBcc: x@evil.example", "Invoice\rX", "Invoice\u{0}"]

    func expectRefused(_ field: String, _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("\(field): accepted")
        } catch let e as MIMEError {
            #expect(e.kind == .forbiddenCharacter, "\(field): \(e)")
            #expect(e.field == field, "\(e)")
            #expect(!e.description.contains("\r") && !e.description.contains("\n"))
        } catch {
            Issue.record("\(field): \(error)")
        }
    }

    func expectRefused(_ field: String, message: Message) async {
        await #expect { try await MIMEWriter().encode(message) } throws: { e in
            (e as? MIMEError)?.kind == .forbiddenCharacter && (e as? MIMEError)?.field == field
        }
        #expect(throws: MIMEError.self) { try MIMEWriter().encodedSize(of: message) }
    }

    @Test(arguments: evil)
    func subject(_ s: String) async throws {
        var m = try Message.invoice()
        m.subject = s
        await expectRefused("Subject", message: m)
        #expect(throws: MIMEError.self) { try m.validate() }
    }

    @Test func theErrorShowsTheEvidence() async throws {
        var m = try Message.invoice()
        m.subject = "Invoice\r\nBcc: x@evil.example"
        do {
            _ = try await MIMEWriter().encode(m)
        } catch let e as MIMEError {
            #expect(e.description == "MIME Subject: holds CR, LF or NUL, which could inject header fields; refused (\"Invoice\\r\\nBcc: x@evil.example\")")
        }
    }

    @Test(arguments: evil)
    func addressesAndNames(_ s: String) throws {
        expectRefused("address") { _ = try Address("a@example.com" + s) }
        expectRefused("display name") { _ = try Address("a@example.com", displayName: s) }
        expectRefused("address") { _ = try Address.parse("A <a@example.com>" + s) }
    }

    @Test func displayNameSetAfterValidation() async throws {
        var m = try Message.invoice()
        m.to[0].displayName = "Ana\r\nBcc: x@evil.example"
        await expectRefused("To display name", message: m)
        var n = try Message.invoice()
        n.to[0].addrSpec = "a@example.com>\r\nBcc: x@evil.example"
        await expectRefused("To", message: n)
    }

    @Test(arguments: evil)
    func fileNames(_ s: String) async throws {
        expectRefused("attachment file name") { _ = try Attachment(data: Data(), filename: "a.pdf" + s) }
        var m = try Message.invoice()
        try m.attach(data: Data([1]), filename: "ok.pdf")
        m.attachments[0].filename = "a" + s + ".pdf"
        await expectRefused("attachment file name", message: m)
    }

    @Test func customHeaders() throws {
        var m = try Message.invoice()
        expectRefused("X-Order") { try m.addHeader("X-Order", "1\r\nBcc: x@evil.example") }
        expectRefused("header name") { try m.addHeader("X-Order\r\nBcc", "1") }
        #expect(throws: MIMEError(.invalidHeaderName, field: "header name", evidence: "X Order")) { try m.addHeader("X Order", "1") }
        #expect(throws: MIMEError(.invalidHeaderName, field: "header name", evidence: "X:Order")) { try m.addHeader("X:Order", "1") }
        #expect(throws: MIMEError(.reservedHeader, field: "Bcc")) { try m.addHeader("Bcc", "x@evil.example") }
        #expect(throws: MIMEError(.reservedHeader, field: "content-type")) { try m.addHeader("content-type", "text/html") }
    }

    @Test func messageIDsAndReferences() async throws {
        var m = try Message.invoice()
        m.messageID = "<a@b>\r\nBcc: x@evil.example"
        await expectRefused("Message-ID", message: m)
        m.messageID = "not an id"
        await #expect { try await MIMEWriter().encode(m) } throws: { ($0 as? MIMEError)?.kind == .invalidMessageID }
        m.messageID = nil
        m.references = ["<x@y>", "<z@w>\nBcc: x@evil.example"]
        await expectRefused("References", message: m)
    }

    /// Bodies are not headers: bare CR and LF become CRLF, so nothing can start a new header.
    @Test func bodyLineBreaksAreNormalised() async throws {
        var m = try Message.invoice()
        m.textBody = "a\rb\nc\r\nd\n\r"
        let bytes = try await MIMEWriter().encode(m)
        #expect(!crlfLines(bytes).bareLineBreak)
        #expect(MIMEParser.parse(bytes).text == "a\r\nb\r\nc\r\nd\r\n\r\n")
    }

    @Test func missingFrom() async throws {
        let m = Message(to: [try Address("a@example.com")], subject: "x", textBody: "x")
        await #expect { try await MIMEWriter().encode(m) } throws: { ($0 as? MIMEError) == MIMEError(.missingField, field: "From") }
    }
}
