import Auth
import Foundation
import NetIO
import TestSupport
import Testing
@testable import SMTP

@Suite("SMTP client: small messages in one round trip", .serialized)
struct InlineBDATTests {
    static let lines: [Step] = [.expect("From: a@example.test"), .expect("To: b@example.test"), .expect("Subject: t"),
                                .expect(""), .expect("hello"), .expect(".dot")]

    @Test func aSmallMessageRidesInThePipelinedGroup() async throws {
        let size = ScriptedSessionTests.message.count
        let peer = try ScriptedPeer(ScriptedSessionTests.hello(["PIPELINING", "CHUNKING"]) + [
            .expect("MAIL FROM:<a@example.test>"), .expect("RCPT TO:<b@example.test>"), .expect("RCPT TO:<x@example.test>"),
            .expect("BDAT \(size) LAST"),
        ] + Self.lines + [
            .sendRaw(Array("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n550 5.1.1 unknown\r\n250 2.0.0 Ok: queued as ONE1\r\n".utf8)),
        ])
        let client = ScriptedSessionTests.client(peer.port)
        let commits = Locked(0)
        let result = try await client.send(raw: ScriptedSessionTests.message,
                                           envelope: Envelope(mailFrom: "a@example.test", recipients: ["b@example.test", "x@example.test"]),
                                           willCommit: { commits.withLock { $0 += 1 } })
        #expect(result.usedChunking && result.pipelined && result.queueID == "ONE1")
        #expect(result.recipients.map(\.accepted) == [true, false])
        #expect(commits.withLock { $0 } == 1)
        #expect(await peer.finish() == nil)
        #expect(client.transcript.lastLines.contains { $0.hasSuffix(" -> <message: \(size) bytes, raw>") })
    }

    @Test func aDropAfterTheGroupIsOutcomeUnknown() async throws {
        let size = ScriptedSessionTests.message.count
        let peer = try ScriptedPeer(ScriptedSessionTests.hello(["PIPELINING", "CHUNKING"]) + [
            .expect("MAIL FROM:<a@example.test>"), .expect("RCPT TO:<b@example.test>"), .expect("BDAT \(size) LAST"),
        ] + Self.lines + [.sendRaw(Array("250 2.1.0 Ok\r\n".utf8)), .close])
        let client = ScriptedSessionTests.client(peer.port)
        await #expect {
            _ = try await client.send(raw: ScriptedSessionTests.message, envelope: ScriptedSessionTests.envelope)
        } throws: { error in
            let e = error as? SMTPError
            return e?.kind == .outcomeUnknown && e?.stage == .bdat && e?.netIO?.kind == .closedByPeer
        }
        #expect(await peer.finish() == nil)
    }

    @Test func everyRecipientRefusedIsStillAPlainRefusal() async throws {
        let size = ScriptedSessionTests.message.count
        let peer = try ScriptedPeer(ScriptedSessionTests.hello(["PIPELINING", "CHUNKING"]) + [
            .expect("MAIL FROM:<a@example.test>"), .expect("RCPT TO:<b@example.test>"), .expect("BDAT \(size) LAST"),
        ] + Self.lines + [
            .sendRaw(Array("250 2.1.0 Ok\r\n550 5.1.1 unknown\r\n554 5.5.1 Error: no valid recipients\r\n".utf8)),
            .expect("RSET"), .send("250 Ok"),
        ])
        let client = ScriptedSessionTests.client(peer.port)
        await #expect {
            _ = try await client.send(raw: ScriptedSessionTests.message, envelope: ScriptedSessionTests.envelope)
        } throws: { error in
            let e = error as? SMTPError
            return e?.kind == .allRecipientsRejected && e?.reply?.code == 550 && e?.isPermanent == true
        }
        #expect(await peer.finish() == nil)
    }
}
