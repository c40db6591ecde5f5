import Auth
import Foundation
import MIME
import NetIO
import TestSupport
import Testing
@testable import SMTP

/// `send(_ message:)`: the MIME builder's message through the client, against real Postfix
/// (delivered byte for byte, parsed back), real aiosmtpd, and scripted peers (servers without
/// SMTPUTF8 or 8BITMIME).
@Suite("SMTP send(Message)", .serialized)
struct MessageSendTests {
    static let fixedDate = Date(timeIntervalSince1970: 1_796_119_200)   // 2026-12-01 10:00 UTC
    static let writer = MIMEWriter(boundary: { "=_boundary_\($0)" })

    static func sha256(_ bytes: [UInt8]) throws -> String {
        let path = NSTemporaryDirectory() + "sha-\(UUID().uuidString)"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try runBlocking("/usr/bin/sha256sum", [path])
        return String(r.stdout.prefix(64))
    }

    /// A 10 MB "PDF": a PDF header, then every byte value (binary, bare CRs and LFs, dots).
    static func pdfLike(_ count: Int, seed: UInt64) -> [UInt8] {
        var rng = SeededRNG(seed: seed)
        var out = Array("%PDF-1.7\n%\u{e2}\u{e3}\u{cf}\u{d3}\n".utf8)
        out.reserveCapacity(count + 8)
        while out.count < count {
            var v = rng.next()
            for _ in 0..<8 { out.append(UInt8(truncatingIfNeeded: v)); v >>= 8 }
        }
        return Array(out.prefix(count))
    }

    static let dotBody = ".\n..two dots\n.leading dot\nGrüße aus Köln – Rechnung Nr. 1042\n. space\nnormal line\n.\n"

    @Test(.offCooperativePool, arguments: ["submission", "submissions"])
    func tenMegabytePDFMessageIsDeliveredByteForByteAndParsesBack(port: String) async throws {
        let servers = try PostfixSubmissionTests.Servers.load()
        let s = try PostfixSubmissionTests.Session(servers, port: port)
        let id = UUID().uuidString
        let pdf = Self.pdfLike(10_000_000, seed: port == "submission" ? 1 : 2)
        let fileName = "Rechnung 1042 – März \(id.prefix(8)).pdf"
        let url = URL(fileURLWithPath: NSTemporaryDirectory() + "attachment-\(id).pdf")
        try Data(pdf).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }

        var m = Message(from: try Address("alice@example.test", displayName: "Jörg Müller, Café Zürich"),
                        to: [try Address("bob@example.test", displayName: "Søren Ærø")],
                        subject: "Rechnung Nr. 1042 – Grüße aus Köln 🇨🇭 \(id)", textBody: Self.dotBody)
        m.date = Self.fixedDate
        m.messageID = "<\(id)@mailengine.test>"
        try m.attach(file: url, filename: fileName)

        let result = try await s.client.send(m, writer: Self.writer)
        await s.client.quit()
        // What the client must have sent: the same writer with the options Postfix allows.
        var expectedWriter = Self.writer
        expectedWriter.options = MIMEWriter.Options(allow8BitMIME: true, allowSMTPUTF8: true)
        let sent = try await expectedWriter.encode(m)
        #expect(result.messageSize == sent.count)
        #expect(result.messageID == "<\(id)@mailengine.test>")
        #expect(result.queueID != nil && result.accepted.count == 1)
        let lines = s.client.transcript.lastLines
        #expect(lines.contains { $0.contains("MAIL FROM:<alice@example.test> SIZE=\(sent.count) BODY=8BITMIME") })
        #expect(!lines.contains { $0.contains("SMTPUTF8") && $0.contains("MAIL FROM") })
        #expect(lines.contains { $0.hasSuffix("~> <message: \(sent.count) bytes, mixed(text/plain, application/pdf \"\(fileName)\")>") })
        #expect(lines.allSatisfy { $0.utf8.count < 600 }, "no body in the transcript")
        // Streamed: about 13.7 MB of output in BDAT chunks of 1 MiB, never gathered whole.
        #expect(lines.filter { $0.hasSuffix("~> BDAT 1048576") }.count >= 12)

        let file = try #require(try await PostfixSubmissionTests.delivered(servers, to: "bob@example.test", id: id))
        PostfixSubmissionTests.expectDelivered(file, endsWith: DotStufferTests.reference(sent, stuffing: false))

        let parsed = MIMEParser.parse(file)
        #expect(parsed.subject == m.subject)
        #expect(parsed.from.first?.displayName == "Jörg Müller, Café Zürich")
        #expect(parsed.to.first?.displayName == "Søren Ærø")
        let attachment = try #require(parsed.attachments.first)
        #expect(attachment.filename == fileName)
        #expect(attachment.contentType.mimeType == "application/pdf")
        #expect(attachment.body.count == pdf.count)
        #expect(try Self.sha256(attachment.body) == (try Self.sha256(pdf)))
        #expect(parsed.text?.replacingOccurrences(of: "\r\n", with: "\n") == Self.dotBody)
        try s.check()
    }

    // MARK: aiosmtpd (STARTTLS, 8BITMIME, SMTPUTF8, no AUTH)

    static func aiosmtpd(_ servers: TestServers) throws -> SMTPClient {
        SMTPClient(SMTPConfiguration(
            endpoint: Endpoint(host: "localhost", port: try servers.port("smtp_starttls")),
            tls: TLSOptions(trust: .caFile(servers.tls("ca.crt"))), clientName: "client.example.test",
            timeouts: .uniform(.seconds(10)), transcript: Transcript(ringCapacity: 500)))
    }

    static func sunk(_ servers: TestServers, containing marker: String) async throws -> String? {
        for _ in 0..<100 {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: servers.smtpSink)) ?? [] {
                let text = (try? String(contentsOfFile: "\(servers.smtpSink)/\(name)", encoding: .utf8)) ?? ""
                if text.contains(marker) { return text }
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    @Test func idnDomainsGoAsPunycodeAndBccOnlyInTheEnvelope() async throws {
        let servers = try TestServers.load()
        let client = try Self.aiosmtpd(servers)
        let id = UUID().uuidString
        var m = Message(from: try Address("alice@example.test", displayName: "Alice"),
                        to: [try Address("ana@bücher.example")], subject: "IDN \(id)", textBody: "Grüße\n")
        m.bcc = [try Address("hidden@example.test")]
        let result = try await client.send(m)
        await client.quit()
        #expect(result.recipients.map(\.address) == ["ana@xn--bcher-kva.example", "hidden@example.test"])
        let lines = client.transcript.lastLines
        #expect(lines.contains { $0.hasSuffix("~> RCPT TO:<ana@xn--bcher-kva.example>") })
        #expect(lines.contains { $0.hasSuffix("~> RCPT TO:<hidden@example.test>") })
        let stored = try #require(try await Self.sunk(servers, containing: "IDN \(id)"))
        #expect(stored.contains("To: ana@xn--bcher-kva.example"))
        #expect(!stored.contains("hidden@example.test") && !stored.lowercased().contains("bcc:"))
    }

    // MARK: scripted: no SMTPUTF8

    @Test func nonASCIILocalPartWithoutSMTPUTF8IsRefusedBeforeMAIL() async throws {
        let peer = try ScriptedPeer(ScriptedSessionTests.hello(["8BITMIME", "PIPELINING"]) + [.expect("QUIT"), .send("221 Bye")])
        let client = ScriptedSessionTests.client(peer.port)
        let m = Message(from: try Address("alice@example.test"), to: [try Address("jörg@example.test")],
                        subject: "t", textBody: "hello")
        await #expect {
            _ = try await client.send(m)
        } throws: { error in
            let e = error as? SMTPError
            return e?.kind == .extensionMissing("SMTPUTF8") && e?.stage == .mail
                && e?.description.contains("jörg@example.test has a non-ASCII local part") == true
        }
        await client.quit()
        #expect(await peer.finish() == nil)
        #expect(ScriptedSessionTests.noMailSent(peer.log))
    }

    @Test func givenEnvelopeOverridesTheMessageAndIDNGoesAsPunycode() async throws {
        let peer = try ScriptedPeer(ScriptedSessionTests.hello([]) + [
            .expect("MAIL FROM:<po-1042@example.test>"), .send("250 2.1.0 Ok"),
            .expect("RCPT TO:<accounts@xn--bcher-kva.example>"), .send("250 2.1.5 Ok"),
            .expect("DATA"), .send("354 go ahead"),
            .expectPrefix("Date: "), .expect("From: alice@example.test"), .expect("To: bob@example.test"),
            .expect("Subject: PO"), .expectPrefix("Message-ID: <"), .expect("MIME-Version: 1.0"),
            .expect("Content-Type: text/plain; charset=utf-8"), .expect("Content-Transfer-Encoding: 7bit"),
            .expect(""), .expect("purchase order"), .expect("."), .send("250 2.0.0 Ok: queued as Q2"),
            .expect("QUIT"), .send("221 Bye"),
        ])
        let client = ScriptedSessionTests.client(peer.port)
        let m = Message(from: try Address("alice@example.test"), to: [try Address("bob@example.test")],
                        subject: "PO", textBody: "purchase order")
        let result = try await client.send(m, envelope: Envelope(mailFrom: "po-1042@example.test",
                                                                 recipients: ["accounts@bücher.example"]))
        #expect(result.accepted.map(\.address) == ["accounts@xn--bcher-kva.example"])
        await client.quit()
        #expect(await peer.finish() == nil)
    }

    @Test func headerInjectionIsRefusedBeforeConnecting() async throws {
        let client = SMTPClient(SMTPConfiguration(endpoint: Endpoint(host: "127.0.0.1", port: 1)))
        let m = Message(from: try Address("alice@example.test"), to: [try Address("bob@example.test")],
                        subject: "hi\r\nBcc: victim@example.test", textBody: "x")
        await #expect {
            _ = try await client.send(m)
        } throws: { error in
            let e = error as? SMTPError
            return e?.kind == .invalidArgument && e?.mimeError?.kind == .forbiddenCharacter && e?.mimeError?.field == "Subject"
        }
        #expect(await client.connectionCount == 0)
    }

    // MARK: scripted: 8bit only with 8BITMIME

    static func scriptedText(_ extensions: [String], mail: String, cte: String, body: String) -> [Step] {
        ScriptedSessionTests.hello(extensions) + [
            .expect(mail), .send("250 2.1.0 Ok"),
            .expect("RCPT TO:<bob@example.test>"), .send("250 2.1.5 Ok"),
            .expect("DATA"), .send("354 go ahead"),
            .expectPrefix("Date: "), .expect("From: alice@example.test"), .expect("To: bob@example.test"),
            .expect("Subject: greeting"), .expectPrefix("Message-ID: <"), .expect("MIME-Version: 1.0"),
            .expect("Content-Type: text/plain; charset=utf-8"), .expect("Content-Transfer-Encoding: \(cte)"),
            .expect(""), .expect(body), .expect("."), .send("250 2.0.0 Ok: queued as Q1"),
            .expect("QUIT"), .send("221 Bye"),
        ]
    }

    static let greeting = Message(from: try! Address("alice@example.test"), to: [try! Address("bob@example.test")],
                                  subject: "greeting", textBody: "Guten Tag, anbei die Rechnung. Grüße")

    @Test func withoutEightBitMIMETheTextIsQuotedPrintable() async throws {
        let peer = try ScriptedPeer(Self.scriptedText([], mail: "MAIL FROM:<alice@example.test>", cte: "quoted-printable",
                                                      body: "Guten Tag, anbei die Rechnung. Gr=C3=BC=C3=9Fe"))
        let client = ScriptedSessionTests.client(peer.port)
        let r = try await client.send(Self.greeting)
        #expect(r.queueID == "Q1")
        await client.quit()
        #expect(await peer.finish() == nil)
    }

    @Test func withEightBitMIMETheTextGoesAsIsWithBODY() async throws {
        let peer = try ScriptedPeer(Self.scriptedText(["8BITMIME"], mail: "MAIL FROM:<alice@example.test> BODY=8BITMIME",
                                                      cte: "8bit", body: "Guten Tag, anbei die Rechnung. Grüße"))
        let client = ScriptedSessionTests.client(peer.port)
        let r = try await client.send(Self.greeting)
        #expect(r.queueID == "Q1")
        await client.quit()
        #expect(await peer.finish() == nil)
    }
}
