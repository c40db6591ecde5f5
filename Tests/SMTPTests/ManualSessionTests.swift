import Auth
import Foundation
import NetIO
import TestSupport
import Testing
@testable import SMTP

@Suite("SMTP client: sessions built verb by verb", .serialized)
struct ManualSessionTests {
    @Test func sendReusesASessionBuiltWithTheVerbs() async throws {
        let peer = try ScriptedPeer(ScriptedSessionTests.hello(["AUTH PLAIN"]) + [
            .expectPrefix("AUTH PLAIN "), .send("235 2.7.0 ok"),
        ] + ScriptedSessionTests.transaction(queueID: "MAN1"))
        let client = ScriptedSessionTests.client(peer.port, credentials: .password(user: "shop", password: "pw-123456"),
                                                 allowPlaintext: true)
        try await client.open()
        try await client.ehlo()
        try await client.authenticate()
        let result = try await client.send(raw: ScriptedSessionTests.message, envelope: ScriptedSessionTests.envelope)
        #expect(result.queueID == "MAN1")
        #expect(await client.connectionCount == 1)
        #expect(await peer.finish() == nil)
    }

    @Test func aSessionWhoseAUTHFailedIsNeverUsedForMail() async throws {
        let peer = try ScriptedPeer(connections: [
            ScriptedSessionTests.hello(["AUTH PLAIN"]) + [.expectPrefix("AUTH PLAIN "), .send("535 5.7.8 no"),
                                                          .readUntilClosed],
            ScriptedSessionTests.hello(["AUTH PLAIN"]) + [.expectPrefix("AUTH PLAIN "), .send("235 2.7.0 ok")]
                + ScriptedSessionTests.transaction(queueID: "AUTHED"),
        ])
        let client = ScriptedSessionTests.client(peer.port, credentials: .password(user: "shop", password: "pw-123456"),
                                                 allowPlaintext: true)
        try await client.open()
        try await client.ehlo()
        await #expect(throws: SMTPError.self) { try await client.authenticate() }
        let result = try await client.send(raw: ScriptedSessionTests.message, envelope: ScriptedSessionTests.envelope)
        #expect(result.queueID == "AUTHED")
        #expect(await client.connectionCount == 2)
        #expect(await peer.finish() == nil)
        let firstConnection = peer.log.prefix { $0 != "=== connection 2" }
        #expect(!firstConnection.contains { $0.hasPrefix("C: MAIL") })
    }
}
