import Auth
import Foundation
import NetIO
import TestSupport
import Testing
@testable import SMTP

/// Against the real Postfix of `scripts/servers` (submission = STARTTLS, submissions = implicit
/// TLS, SASL through Dovecot, delivery over LMTP into Dovecot's maildirs). Every test also
/// checks that its transcript (the in-memory ring and a file sink) holds no secret.
@Suite("SMTP client against real Postfix", .serialized)
struct PostfixSubmissionTests {
    struct Servers {
        let base: TestServers
        let maildir: String
        let users: [String: String]

        static func load() throws -> Servers {
            let base = try TestServers.load()
            let path = ProcessInfo.processInfo.environment["MAILENGINE_SERVERS"]!
            let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
            return Servers(base: base, maildir: object?["maildir"] as? String ?? "\(base.dir)/mail",
                           users: object?["users"] as? [String: String] ?? [:])
        }
    }

    /// One client with a transcript file; `check()` proves no secret reached either sink.
    struct Session {
        let client: SMTPClient
        let logPath: String
        let secrets: [String]

        init(_ servers: Servers, port: String = "submission", user: String = "alice@example.test", password: String? = nil,
             pinned: String? = nil, useChunking: Bool = true) throws {
            let password = password ?? servers.users[user] ?? ""
            logPath = NSTemporaryDirectory() + "smtp-transcript-\(UUID().uuidString).log"
            let transcript = Transcript(sinks: [try FileTranscriptSink(path: logPath)], ringCapacity: 500)
            let security: Security = port == "submissions" ? .implicitTLS : .startTLS
            client = SMTPClient(SMTPConfiguration(
                endpoint: Endpoint(host: "localhost", port: try servers.base.port(port)), security: security,
                tls: TLSOptions(trust: .caFile(servers.base.tls("ca.crt"))),
                credentials: .password(user: user, password: password), mechanism: MechanismSelection(pinned: pinned),
                clientName: "pos-terminal-3.example.test", timeouts: .uniform(.seconds(20)), transcript: transcript,
                useChunking: useChunking))
            let plain = Data([0] + Array(user.utf8) + [0] + Array(password.utf8)).base64EncodedString()
            secrets = [password, plain, Data(password.utf8).base64EncodedString()]
        }

        /// No password, no AUTH argument, no SASL response in the ring or the file.
        func check(sourceLocation: SourceLocation = #_sourceLocation) throws {
            let file = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            defer { try? FileManager.default.removeItem(atPath: logPath) }
            let fileLines = file.split(separator: "\n").map(String.init)
            #expect(!fileLines.isEmpty, sourceLocation: sourceLocation)
            for line in client.transcript.lastLines + fileLines {
                for secret in secrets where !secret.isEmpty {
                    #expect(!line.contains(secret), "secret in transcript: \(line)", sourceLocation: sourceLocation)
                }
                if let range = line.range(of: "> AUTH ") {
                    let rest = line[range.upperBound...].split(separator: " ")
                    #expect(rest.count == 1 || line.contains("<redacted: credentials of "),
                            "AUTH argument in transcript: \(line)", sourceLocation: sourceLocation)
                }
                if line.contains("<~ 334 ") || line.contains("<~* 334 ") {
                    #expect(line.hasSuffix("334 <redacted: challenge>"), sourceLocation: sourceLocation)
                }
            }
        }
    }

    static func message(id: String, body: [UInt8], subject: String = "test") -> [UInt8] {
        Array(("From: alice@example.test\r\nTo: bob@example.test\r\nSubject: \(subject)\r\n"
               + "Date: Tue, 01 Dec 2026 10:00:00 +0000\r\nMessage-ID: <\(id)@mailengine.test>\r\n"
               + "MIME-Version: 1.0\r\n\r\n").utf8) + body
    }

    /// The delivered file in `user`'s maildir holding Message-ID `id`, polled for up to 15 s.
    static func delivered(_ servers: Servers, to user: String, id: String) async throws -> [UInt8]? {
        try await delivered(servers, to: user, containing: "<\(id)@mailengine.test>")
    }

    /// The delivered file in `user`'s maildir whose first 64 KiB hold `text`, polled for up to 15 s.
    static func delivered(_ servers: Servers, to user: String, containing text: String) async throws -> [UInt8]? {
        let marker = Array(text.utf8)
        for _ in 0..<300 {
            for sub in ["new", "cur"] {
                let dir = "\(servers.maildir)/\(user)/Maildir/\(sub)"
                for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] {
                    guard let handle = FileHandle(forReadingAtPath: "\(dir)/\(name)") else { continue }
                    let head = Array((try? handle.read(upToCount: 65_536)) ?? Data())
                    try? handle.close()
                    if head.firstRange(of: marker) != nil {
                        return Array(try Data(contentsOf: URL(fileURLWithPath: "\(dir)/\(name)")))
                    }
                }
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    /// Postfix and Dovecot prepend trace headers (Return-Path, Delivered-To, Received); the rest
    /// must be exactly what was sent after dot-unstuffing. Dovecot's maildir stores lines with
    /// LF only (`mail_save_crlf = no`), so the comparison is made in that form when the file has
    /// no CR at all.
    static func expectDelivered(_ file: [UInt8], endsWith sent: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        let storedWithCRLF = file.contains(0x0D)
        let expected = storedWithCRLF ? sent : crlfToLF(sent)
        let longer = file.count > expected.count
        #expect(longer, "delivered \(file.count) bytes, sent \(expected.count)", sourceLocation: sourceLocation)
        let tail = Array(file.suffix(expected.count))
        let same = tail == expected
        if !same {
            let at = (0..<min(tail.count, expected.count)).first { tail[$0] != expected[$0] } ?? min(tail.count, expected.count)
            _ = FileManager.default.createFile(atPath: "/tmp/smtp-mismatch-delivered", contents: Data(file))
            _ = FileManager.default.createFile(atPath: "/tmp/smtp-mismatch-expected", contents: Data(expected))
            let why = "delivered message differs from what was sent at byte \(at) of \(expected.count) "
                + "(file \(file.count) bytes; copies in /tmp/smtp-mismatch-*)"
            Issue.record("\(why)", sourceLocation: sourceLocation)
        }
        let prefix = String(decoding: file.prefix(file.count - expected.count), as: UTF8.self)
        #expect(prefix.hasPrefix("Return-Path: <alice@example.test>"), sourceLocation: sourceLocation)
        #expect(prefix.contains("Received: "), sourceLocation: sourceLocation)
    }

    static func crlfToLF(_ b: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var i = 0
        while i < b.count {
            if b[i] == 0x0D && i + 1 < b.count && b[i + 1] == 0x0A { out.append(0x0A); i += 2 } else { out.append(b[i]); i += 1 }
        }
        return out
    }

    // MARK: tests

    /// With nothing pinned the client takes the strongest mechanism both sides have: Dovecot
    /// behind Postfix offers SCRAM-SHA-256, so that is what runs (no password crosses the wire).
    @Test(arguments: ["submission", "submissions"])
    func automaticChoiceIsSCRAMSHA256(port: String) async throws {
        let servers = try Servers.load()
        let s = try Session(servers, port: port)
        try await s.client.connect()
        #expect(await s.client.authenticatedMechanism == "SCRAM-SHA-256")
        #expect(await s.client.tlsReport?.accepted == true)
        let caps = try #require(await s.client.capabilities)
        #expect(caps.authMechanisms.contains("SCRAM-SHA-256") && caps.pipelining && caps.chunking && caps.eightBitMIME)
        #expect(!caps.startTLS)
        let lines = s.client.transcript.lastLines
        let ehlos = lines.filter { $0.contains("> EHLO pos-terminal-3.example.test") }
        #expect(ehlos.count == (port == "submission" ? 2 : 1))
        if port == "submission" {
            #expect(lines.contains { $0.hasSuffix(" -> STARTTLS") })
        }
        #expect(lines.contains { $0.contains("~> AUTH SCRAM-SHA-256 <redacted: credentials of alice@example.test>") })
        #expect(lines.contains { $0.hasSuffix("<~  235 2.7.0 Authentication successful") })
        await s.client.quit()
        try s.check()
    }

    /// Each mechanism Dovecot offers, pinned, logs in for real over both ports' TLS.
    @Test(arguments: ["PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256"])
    func pinnedMechanism(_ name: String) async throws {
        let servers = try Servers.load()
        let s = try Session(servers, pinned: name)
        try await s.client.connect()
        #expect(await s.client.authenticatedMechanism == name)
        let lines = s.client.transcript.lastLines
        // With an initial response the AUTH line carries it, redacted; LOGIN and CRAM-MD5 start
        // with a bare `AUTH NAME` and their 334 exchanges are redacted.
        #expect(lines.contains { $0.hasSuffix("~> AUTH \(name)") || $0.contains("~> AUTH \(name) <redacted: credentials of alice@example.test>") })
        #expect(lines.contains { $0.hasSuffix("<~  235 2.7.0 Authentication successful") })
        await s.client.quit()
        try s.check()
    }

    /// The 465/587 mix-up, both ways, named by NetIO and carried in the SMTP error.
    @Test func portMistakesAreNamed() async throws {
        let servers = try Servers.load()
        let ca = TLSOptions(trust: .caFile(servers.base.tls("ca.crt")))
        var timeouts = SMTPTimeouts.uniform(.seconds(10))
        timeouts.greeting = .milliseconds(500)
        let startTLSOnImplicit = SMTPClient(SMTPConfiguration(
            endpoint: Endpoint(host: "localhost", port: try servers.base.port("submissions")), security: .startTLS, tls: ca,
            timeouts: timeouts))
        await #expect {
            try await startTLSOnImplicit.connect()
        } throws: { error in
            let e = error as? SMTPError
            return e?.kind == .network && e?.stage == .greeting && e?.netIO?.kind == .tlsOnPlaintextPort
        }
        let implicitOnStartTLS = SMTPClient(SMTPConfiguration(
            endpoint: Endpoint(host: "localhost", port: try servers.base.port("submission")), security: .implicitTLS, tls: ca,
            timeouts: timeouts))
        await #expect {
            try await implicitOnStartTLS.connect()
        } throws: { error in
            let e = error as? SMTPError
            return e?.kind == .network && e?.stage == .tls && e?.netIO?.kind == .plaintextOnTLSPort
        }
    }

    @Test func wrongPasswordIs535AtStageAUTH() async throws {
        let servers = try Servers.load()
        let s = try Session(servers, password: "not-the-password-42")
        await #expect {
            try await s.client.connect()
        } throws: { error in
            let e = error as? SMTPError
            // The same failure read through `any MailError`, as an app reporting any layer would.
            let m = error as? any MailError
            return e?.kind == .authenticationFailed && e?.stage == .auth && e?.reply?.code == 535
                && e?.enhancedCode?.description == "5.7.8" && e?.isPermanent == true
                && e?.transcriptTail.contains { $0.contains("535 5.7.8") } == true
                && m?.stage == .auth && m?.summary == "the server refused the credentials"
                && m?.isTransient == false && m?.transportError == nil
                && m?.details?.hasPrefix("535") == true
                && m?.description.hasPrefix("\(Stage.auth): the server refused the credentials") == true
        }
        #expect(await s.client.isConnected() == false)
        try s.check()
    }

    @Test func deliveredMessageIsExactlyWhatWasSentWithDotLines() async throws {
        let servers = try Servers.load()
        let s = try Session(servers, useChunking: false)
        let id = UUID().uuidString
        let body = Array(".\r\n..\r\n.leading dot\r\nnormal\r\n. space\r\nbare\n.\nlf\r\n...three\r\n.".utf8)
        let sent = Self.message(id: id, body: body, subject: "dots")
        let result = try await s.client.send(raw: sent, envelope: Envelope(mailFrom: "alice@example.test",
                                                                           recipients: ["bob@example.test"]))
        #expect(!result.usedChunking)
        #expect(result.reply.code == 250)
        let queueID = try #require(result.queueID)
        #expect(result.reply.text.hasSuffix("queued as \(queueID)"))
        await s.client.quit()
        let file = try #require(try await Self.delivered(servers, to: "bob@example.test", id: id))
        Self.expectDelivered(file, endsWith: DotStufferTests.reference(sent, stuffing: false))
        #expect(s.client.transcript.lastLines.contains { $0.hasSuffix("~> <message: \(sent.count) bytes, raw>") })
        try s.check()
    }

    /// 10 MB of binary-ish content (every byte but NUL, so bare CRs and LFs, dots at line starts
    /// and 8-bit octets; lines kept under RFC 5322's 998 octets), by DATA and by BDAT.
    @Test(arguments: [false, true])
    func tenMegabyteBodyArrivesIntact(chunking: Bool) async throws {
        let servers = try Servers.load()
        let s = try Session(servers, useChunking: chunking)
        var rng = SeededRNG(seed: chunking ? 10 : 20)
        var body = [UInt8]()
        body.reserveCapacity(10_000_000)
        var run = 0
        while body.count < 10_000_000 {
            var v = rng.next()
            for _ in 0..<8 {
                let b = UInt8(truncatingIfNeeded: v) | (UInt8(truncatingIfNeeded: v) == 0 ? 1 : 0)
                body.append(b)
                run = b == 0x0A || b == 0x0D ? 0 : run + 1
                // RFC 5322 §2.1.1: at most 998 octets a line (Postfix folds longer ones on delivery).
                if run == 900 { body.append(0x0A); run = 0 }
                v >>= 8
            }
        }
        let id = UUID().uuidString
        let sent = Self.message(id: id, body: Array("Content-Type: application/octet-stream\r\n\r\n".utf8) + body)
        let result = try await s.client.send(raw: sent, envelope: Envelope(mailFrom: "alice@example.test",
                                                                           recipients: ["bob@example.test"]))
        #expect(result.usedChunking == chunking)
        #expect(result.messageSize == sent.count)
        #expect(result.queueID != nil)
        await s.client.quit()
        let file = try #require(try await Self.delivered(servers, to: "bob@example.test", id: id))
        Self.expectDelivered(file, endsWith: DotStufferTests.reference(sent, stuffing: false))
        let lines = s.client.transcript.lastLines
        #expect(lines.contains { $0.contains("MAIL FROM:<alice@example.test> SIZE=\(sent.count) BODY=8BITMIME") })
        #expect(lines.allSatisfy { $0.utf8.count < 600 }, "no body in the transcript")
        try s.check()
    }

    @Test func fileSourceIsStreamedAndDelivered() async throws {
        let servers = try Servers.load()
        let s = try Session(servers, port: "submissions", useChunking: false)
        let id = UUID().uuidString
        var body: [UInt8] = []
        for i in 0..<20_000 { body += Array("line \(i)\(i % 7 == 0 ? "\n.dot" : "")\n".utf8) }
        let sent = Self.message(id: id, body: body)
        let url = URL(fileURLWithPath: NSTemporaryDirectory() + "smtp-file-\(id).eml")
        try Data(sent).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let result = try await s.client.send(raw: MessageFile(url, summary: "invoice file"),
                                             envelope: Envelope(mailFrom: "alice@example.test", recipients: ["bob@example.test"]))
        #expect(result.messageSize == sent.count)
        await s.client.quit()
        let file = try #require(try await Self.delivered(servers, to: "bob@example.test", id: id))
        Self.expectDelivered(file, endsWith: DotStufferTests.reference(sent, stuffing: false))
        #expect(s.client.transcript.lastLines.contains { $0.hasSuffix("~> <message: \(sent.count) bytes, invoice file>") })
        try s.check()
    }

    /// A message with UTF-8 header fields (RFC 6532), as the MIME writer will describe it.
    struct UTF8Message: SMTPMessageSource {
        let bytes: [UInt8]
        var byteCount: Int? { bytes.count }
        var requires8BitMIME: Bool { true }
        var requiresSMTPUTF8: Bool { true }
        var summary: String { "text/plain, UTF-8 headers" }
        func write(to sink: (ArraySlice<UInt8>) async throws -> Void) async throws { try await sink(bytes[...]) }
    }

    /// Postfix takes SMTPUTF8 and the DSN parameters. This Dovecot's LMTP does not offer
    /// SMTPUTF8, so Postfix bounces the message (5.6.7) and, as NOTIFY=FAILURE asked, sends alice
    /// a delivery status notification carrying our ENVID (xtext-decoded) and ORCPT (RFC 3464
    /// §2.2, §2.3.1):
    /// the proof that the parameters went through.
    @Test func utf8HeadersAndDSNParametersAreHonoured() async throws {
        let servers = try Servers.load()
        let s = try Session(servers)
        let id = UUID().uuidString
        let sent = Array(("From: Jörg Müller <alice@example.test>\r\nTo: Søren <bob@example.test>\r\n"
                          + "Subject: Rechnung Nr. 1042 – Grüße\r\nMessage-ID: <\(id)@mailengine.test>\r\n"
                          + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
                          + "Content-Transfer-Encoding: 8bit\r\n\r\nGrüße aus Köln\r\n").utf8)
        let envid = "invoice 1042 \(id)"
        let result = try await s.client.send(raw: UTF8Message(bytes: sent), envelope: Envelope(
            mailFrom: "alice@example.test", recipients: ["bob@example.test"],
            dsn: DSNOptions(ret: .headers, envelopeID: envid, notify: [.failure, .delay])))
        #expect(result.accepted.count == 1)
        await s.client.quit()
        let lines = s.client.transcript.lastLines
        #expect(lines.contains { $0.hasSuffix("~> MAIL FROM:<alice@example.test> SIZE=\(sent.count) BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=\(XText.encode(envid))") })
        #expect(lines.contains { $0.hasSuffix("~> RCPT TO:<bob@example.test> NOTIFY=FAILURE,DELAY ORCPT=rfc822;bob@example.test") })
        #expect(lines.contains { $0.hasSuffix("<message: \(sent.count) bytes, text/plain, UTF-8 headers>") })
        let report = try #require(try await Self.delivered(servers, to: "alice@example.test", containing: "Original-Envelope-Id: \(envid)"))
        let text = String(decoding: report, as: UTF8.self)
        #expect(text.contains("Original-Recipient: rfc822;bob@example.test") && text.contains("Status: 5.6.7"))
        #expect(text.contains("<\(id)@mailengine.test>"))
        try s.check()
    }

    @Test func pipelinedRecipientsWithOneUnknown() async throws {
        let servers = try Servers.load()
        let s = try Session(servers)
        let id = UUID().uuidString
        let sent = Self.message(id: id, body: Array("three recipients, one unknown\r\n".utf8))
        let result = try await s.client.send(raw: sent, envelope: Envelope(
            mailFrom: "alice@example.test", recipients: ["alice@example.test", "nobody@example.test", "bob@example.test"]))
        #expect(result.pipelined && result.usedChunking)
        #expect(result.recipients.map(\.accepted) == [true, false, true])
        // One round trip: the whole group, message included, before the first reply.
        let lines = s.client.transcript.lastLines
        let mail = try #require(lines.firstIndex { $0.hasSuffix("~> MAIL FROM:<alice@example.test> SIZE=\(sent.count)") })
        #expect(lines[mail + 1].hasSuffix("~> RCPT TO:<alice@example.test>"))
        #expect(lines[mail + 4].hasSuffix("~> BDAT \(sent.count) LAST"))
        #expect(lines[mail + 5].hasSuffix("~> <message: \(sent.count) bytes, raw>"))
        #expect(lines[mail + 6].contains("<~  250 2.1.0"))
        let refused = try #require(result.rejected.first)
        #expect(refused.address == "nobody@example.test" && refused.code == 550 && refused.enhancedCode == "5.1.1")
        #expect(refused.text.contains("User unknown"))
        for user in ["alice@example.test", "bob@example.test"] {
            let file = try #require(try await Self.delivered(servers, to: user, id: id))
            Self.expectDelivered(file, endsWith: sent)
        }
        await s.client.quit()
        try s.check()
    }

    @Test func manyMessagesOnOneConnectionThenRequireAll() async throws {
        let servers = try Servers.load()
        let s = try Session(servers, port: "submissions")
        for i in 0..<5 {
            let r = try await s.client.send(raw: Self.message(id: UUID().uuidString, body: Array("message \(i)\r\n".utf8)),
                                            envelope: Envelope(mailFrom: "alice@example.test", recipients: ["bob@example.test"]))
            #expect(r.queueID != nil)
        }
        #expect(await s.client.connectionCount == 1)
        #expect(await s.client.messagesOnConnection == 5)
        await #expect {
            _ = try await s.client.send(raw: Self.message(id: UUID().uuidString, body: []), envelope: Envelope(
                mailFrom: "alice@example.test", recipients: ["bob@example.test", "nobody@example.test"]),
                requireAllRecipients: true)
        } throws: { error in
            let e = error as? SMTPError
            return e?.kind == .someRecipientsRejected && e?.recipients.map(\.accepted) == [true, false]
        }
        // The session survives the refusal (RSET) and sends again on the same connection.
        _ = try await s.client.send(raw: Self.message(id: UUID().uuidString, body: []),
                                    envelope: Envelope(mailFrom: "alice@example.test", recipients: ["bob@example.test"]))
        #expect(await s.client.connectionCount == 1)
        await s.client.quit()
        try s.check()
    }
}
