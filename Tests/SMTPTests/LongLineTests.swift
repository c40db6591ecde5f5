import Auth
import Foundation
import NetIO
import TestSupport
import Testing
@testable import SMTP

@Suite("SMTP client: long lines", .serialized)
struct LongLineTests {
    @Test func aHostileReplyLineIsReplyTooLong() async throws {
        let peer = try ScriptedPeer([.send("220 x"), .expect("EHLO client.example.test"),
                                     .send("250-" + String(repeating: "A", count: 10_000)), .readUntilClosed])
        let client = ScriptedSessionTests.client(peer.port)
        await #expect {
            try await client.connect()
        } throws: { error in
            let e = error as? SMTPError
            return e?.kind == .replyTooLong(limit: SMTPLimits.replyLineTolerated) && e?.stage == .ehlo
        }
        #expect(await client.isConnected() == false)
    }

    @Test func overlongMessageLinesAreNotedInTheTranscript() async throws {
        let long = String(repeating: "z", count: 1_500)
        let peer = try ScriptedPeer(ScriptedSessionTests.hello() + [
            .expect("MAIL FROM:<a@example.test>"), .send("250 Ok"), .expect("RCPT TO:<b@example.test>"), .send("250 Ok"),
            .expect("DATA"), .send("354 go"), .expect(long), .expect("."), .send("250 Ok"),
        ])
        let client = ScriptedSessionTests.client(peer.port)
        _ = try await client.send(raw: Array(long.utf8), envelope: ScriptedSessionTests.envelope)
        #expect(client.transcript.lastLines.contains { $0.hasSuffix("=== 1 line of the message exceeds 998 octets (RFC 5322 §2.1.1); servers may fold or refuse them") })
        #expect(await peer.finish() == nil)
    }
}
