import Foundation
import Testing
import IMAP
import NetIO
import Auth
import TestSupport

extension DovecotTests {
@Suite("session")
struct Session {
    @Test func implicitTLSLoginListsSpecialUseMailboxes() async throws {
        let d = try Dovecot()
        let transcript = Transcript(ringCapacity: 2_000)
        let imap = try await d.session(transcript: transcript)
        #expect(await imap.isTLS)
        #expect(transcript.lastLines.contains { $0.hasSuffix("LOGIN alice@example.test <redacted: credentials of alice@example.test>") })
        #expect(!transcript.lastLines.joined().contains("alice-secret"))
        #expect(await imap.state == .authenticated)
        #expect(await imap.has(.imap4rev1))
        let boxes = try await imap.list()
        #expect(boxes.contains { $0.name == .inbox })
        #expect(boxes.first { $0.name.name == "Sent" }?.specialUse == .sent)
        #expect(boxes.first { $0.name.name == "Trash" }?.specialUse == .trash)
        #expect(try await imap.mailbox(withSpecialUse: .drafts)?.name.name == "Drafts")
        await imap.logout()
    }

    @Test func startTLSIsStrictAndCapabilitiesAreReRead() async throws {
        let d = try Dovecot()
        let transcript = Transcript(ringCapacity: 2_000)
        let imap = try await d.connect(.startTLS, transcript: transcript)
        #expect(await imap.isTLS)
        let caps = await imap.capabilities
        #expect(!caps.contains(.startTLS), "capabilities from before TLS were kept: \(caps)")
        #expect(!caps.contains(.loginDisabled))
        #expect(caps.contains(Capability("AUTH=PLAIN")))
        let lines = transcript.lastLines
        let startTLS = try #require(lines.firstIndex { $0.contains(" -> A") && $0.hasSuffix("STARTTLS") })
        #expect(lines[startTLS...].contains { $0.contains(" ~> ") && $0.contains("CAPABILITY") })
        #expect(lines[..<startTLS].contains { $0.contains("<- ") && $0.contains("STARTTLS") })
        try await imap.login(user: Dovecot.alice.0, password: Dovecot.alice.1)
        await imap.logout()
    }

    @Test func authenticatePlainWithSASLIRKeepsTheSecretOutOfTheTranscript() async throws {
        let d = try Dovecot()
        let transcript = Transcript(ringCapacity: 2_000)
        let imap = try await d.connect(.startTLS, transcript: transcript)
        #expect(await imap.has(.saslIR))
        try await imap.authenticate(.password(user: Dovecot.alice.0, password: Dovecot.alice.1),
                                    selection: MechanismSelection(pinned: "PLAIN"))
        #expect(await imap.state == .authenticated)
        let text = transcript.lastLines.joined(separator: "\n")
        #expect(text.contains("AUTHENTICATE PLAIN <redacted: credentials of alice@example.test>"))
        let b64 = Data(("\u{0}alice@example.test\u{0}alice-secret").utf8).base64EncodedString()
        #expect(!text.contains("alice-secret") && !text.contains(b64))
        await imap.logout()
    }

    /// Nothing pinned: the strongest mechanism both sides have, SCRAM-SHA-256 through libsasl2,
    /// with the server's signature checked.
    @Test(arguments: [Security.startTLS, .implicitTLS])
    func automaticChoiceIsSCRAMSHA256(_ security: Security) async throws {
        let d = try Dovecot()
        let transcript = Transcript(ringCapacity: 2_000)
        let imap = try await d.connect(security, transcript: transcript)
        try await imap.authenticate(.password(user: Dovecot.alice.0, password: Dovecot.alice.1))
        #expect(await imap.state == .authenticated)
        let text = transcript.lastLines.joined(separator: "\n")
        #expect(text.contains("AUTHENTICATE SCRAM-SHA-256"))
        #expect(!text.contains("alice-secret"))
        _ = try await imap.select(.inbox)
        await imap.logout()
    }

    /// `IMAPClientOptions.greetingTimeout`: STARTTLS on Dovecot's implicit-TLS port gets no
    /// greeting; after the short greeting wait the TLS probe names the port mix-up
    /// (`tlsOnPlaintextPort`) instead of waiting the 10 s read timeout.
    @Test func shortGreetingTimeoutNamesTheImplicitTLSPort() async throws {
        let d = try Dovecot()
        var options = d.options(.startTLS)
        options.greetingTimeout = .seconds(1)
        let start = ContinuousClock.now
        do {
            let c = try await IMAPClient.connect(to: Endpoint(host: "localhost", port: try d.servers.port("imaps")), options: options)
            await c.logout()
            Issue.record("a STARTTLS session opened on the implicit-TLS port")
        } catch let e as IMAPError {
            #expect(e.kind == .transport, "\(e)")
            #expect(e.stage == .greeting, "\(e)")
            #expect(e.transport?.kind == .tlsOnPlaintextPort, "\(e)")
        }
        #expect(ContinuousClock.now - start < .seconds(5), "1 s greeting wait plus the TLS probe, not the 10 s read timeout")
    }

    @Test func wrongPasswordIsNoAtStageLoginAndAuth() async throws {
        let d = try Dovecot()
        let transcript = Transcript(ringCapacity: 2_000)
        let imap = try await d.connect(transcript: transcript)
        do {
            try await imap.login(user: Dovecot.alice.0, password: "wrong-secret-1")
            Issue.record("login succeeded")
        } catch let e as IMAPError {
            #expect(e.kind == .no)
            #expect(e.stage == IMAPStage.login)
            #expect(e.code == .other(name: "AUTHENTICATIONFAILED", text: nil))
            #expect(e.command?.contains("<redacted: credentials of alice@example.test>") == true)
            #expect(!e.transcriptTail.joined().contains("wrong-secret-1"))
            #expect(!e.description.contains("wrong-secret-1"))
        }
        do {
            try await imap.authenticate(.password(user: Dovecot.alice.0, password: "wrong-secret-2"))
            Issue.record("authenticate succeeded")
        } catch let e as IMAPError {
            #expect(e.kind == .no)
            #expect(e.stage == IMAPStage.auth)
            #expect(!e.transcriptTail.joined().contains("wrong-secret-2"))
        }
        let all = transcript.lastLines.joined(separator: "\n")
        #expect(!all.contains("wrong-secret"))
        await imap.logout()
    }

    @Test func idEnableNamespaceStatus() async throws {
        let d = try Dovecot()
        let imap = try await d.session()
        let server = try await imap.id(["name": "MailEngine", "version": "test"])
        #expect(server["name"] == .some("Dovecot"))
        let ns = try await imap.namespace()
        #expect(ns.personal.first?.delimiter == "/")
        let status = try await imap.status(.inbox)
        #expect(status.uidValidity != nil && status.uidNext != nil && status.messages != nil)
        if await imap.has(.utf8Accept) {
            #expect(try await imap.enable(["UTF8=ACCEPT"]) == ["UTF8=ACCEPT"])
        } else {
            #expect(try await imap.enable(["CONDSTORE"]).contains("CONDSTORE"))
        }
        await imap.logout()
    }

    @Test func unicodeMailboxNameRoundTrips() async throws {
        let d = try Dovecot()
        let imap = try await d.session()
        let name = MailboxName("Entwürfe 日本 \(UUID().uuidString.prefix(6))")
        try await imap.create(name)
        #expect(try await imap.list().contains { $0.name == name })
        let box = try await imap.select(name)
        #expect(box.exists == 0)
        _ = try await imap.select(.inbox)
        try await imap.delete(name)
        await imap.logout()
    }
}
}
