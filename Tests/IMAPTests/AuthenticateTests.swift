import Foundation
import Testing
import IMAP
import NetIO
import Auth
import TestSupport

/// A challenge-response mechanism for tests: no initial response; answers each challenge in
/// upper case; refuses a challenge that says "bad"; checks nothing at success.
struct UppercaseMechanism: SASLMechanism {
    let name = "X-UPPER"
    let sendsReusableSecret = false
    var answered = 0
    mutating func initialResponse() throws(AuthError) -> [UInt8]? { nil }
    mutating func respond(to challenge: [UInt8]) throws(AuthError) -> [UInt8] {
        if challenge == Array("bad".utf8) { throw AuthError(.protocolViolation("bad challenge"), mechanism: name) }
        answered += 1
        return Array(String(decoding: challenge, as: UTF8.self).uppercased().utf8)
    }
}

@Suite("AUTHENTICATE over scripted servers")
struct AuthenticateTests {
    func b64(_ s: String) -> String { Data(s.utf8).base64EncodedString() }

    func client(_ peer: ScriptedPeer, transcript: Transcript = Transcript()) async throws -> IMAPClient {
        try await IMAPClient.connect(to: Endpoint(host: "127.0.0.1", port: peer.port),
                                     options: IMAPClientOptions(security: .plaintextUnsafe, timeouts: .uniform(.seconds(5)),
                                                                transcript: transcript))
    }

    @Test func plainWithoutSASLIRSendsTheResponseAfterAnEmptyChallenge() async throws {
        let ir = Data("\u{0}alice\u{0}secret".utf8).base64EncodedString()
        let peer = try ScriptedPeer([
            .send("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi"),
            .expect("A1 AUTHENTICATE PLAIN"), .send("+ "), .expect(ir),
            .send("A1 OK [CAPABILITY IMAP4rev1 IDLE] welcome"), .readUntilClosed,
        ])
        let transcript = Transcript()
        let imap = try await client(peer, transcript: transcript)
        try await imap.authenticate(.password(user: "alice", password: "secret"),
                                    selection: MechanismSelection(allowPlaintextPasswordUnsafe: true))
        #expect(await imap.state == .authenticated)
        #expect(await imap.has(.idle))
        #expect(!transcript.lastLines.joined().contains(ir))
        await imap.close()
        #expect(await peer.finish() == nil)
    }

    @Test func plainWithSASLIRGoesOnTheCommandLine() async throws {
        let ir = Data("\u{0}alice\u{0}secret".utf8).base64EncodedString()
        let peer = try ScriptedPeer([
            .send("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] hi"),
            .expect("A1 AUTHENTICATE PLAIN \(ir)"), .send("A1 NO [AUTHENTICATIONFAILED] Authentication failed."),
            .readUntilClosed,
        ])
        let imap = try await client(peer)
        do {
            try await imap.authenticate(.password(user: "alice", password: "secret"),
                                        selection: MechanismSelection(allowPlaintextPasswordUnsafe: true))
            Issue.record("accepted")
        } catch let e as IMAPError {
            #expect(e.kind == .no && e.stage == IMAPStage.auth)
            #expect(e.code == .other(name: "AUTHENTICATIONFAILED", text: nil))
            #expect(!e.transcriptTail.joined().contains(ir))
        }
        await imap.close()
    }

    @Test func plainOutsideTLSIsRefusedWithoutTheUnsafeOptIn() async throws {
        let peer = try ScriptedPeer([.send("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] hi"), .readUntilClosed])
        let imap = try await client(peer)
        do {
            try await imap.authenticate(.password(user: "alice", password: "secret"))
            Issue.record("accepted")
        } catch let e as IMAPError {
            #expect(e.kind == .authentication && e.auth?.kind == .wouldExposeSecret(mechanism: "PLAIN"))
        }
        await imap.close()
        #expect(!peer.log.contains { $0.hasPrefix("C:") })
    }

    @Test func challengesAreAnsweredInBase64() async throws {
        let peer = try ScriptedPeer([
            .send("* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=X-UPPER] hi"),
            .expect("A1 AUTHENTICATE X-UPPER"), .send("+ \(b64("first"))"), .expect(b64("FIRST")),
            .send("+ \(b64("second"))"), .expect(b64("SECOND")), .send("A1 OK done"),
            .expect("A2 CAPABILITY"), .send("* CAPABILITY IMAP4rev1 MOVE"), .send("A2 OK"), .readUntilClosed,
        ])
        let imap = try await client(peer)
        try await imap.authenticate(using: UppercaseMechanism(), redactedLabel: "test exchange")
        #expect(await imap.has(.move))
        await imap.close()
        #expect(await peer.finish() == nil)
    }

    @Test func aRefusedChallengeCancelsWithAStar() async throws {
        let peer = try ScriptedPeer([
            .send("* OK [CAPABILITY IMAP4rev1 AUTH=X-UPPER] hi"),
            .expect("A1 AUTHENTICATE X-UPPER"), .send("+ \(b64("bad"))"), .expect("*"),
            .send("A1 BAD authentication cancelled"), .expect("A2 NOOP"), .send("A2 OK"), .readUntilClosed,
        ])
        let imap = try await client(peer)
        do {
            try await imap.authenticate(using: UppercaseMechanism(), redactedLabel: "test")
            Issue.record("accepted")
        } catch let e as IMAPError {
            #expect(e.kind == .authentication && e.auth?.kind == .protocolViolation("bad challenge"))
        }
        _ = try await imap.noop()  // the session is still usable
        await imap.close()
        #expect(await peer.finish() == nil)
    }
}
