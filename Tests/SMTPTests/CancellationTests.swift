import Auth
import Foundation
import NetIO
import TestSupport
import Testing
@testable import SMTP

@Suite("SMTP client: cancellation", .serialized)
struct CancellationTests {
    @Test func cancellingASendClosesTheConnectionPromptly() async throws {
        let peer = try ScriptedPeer(ScriptedSessionTests.hello() + [
            .expect("MAIL FROM:<a@example.test>"), .send("250 Ok"), .expect("RCPT TO:<b@example.test>"), .sleep(3),
        ])
        let client = ScriptedSessionTests.client(peer.port, timeouts: .uniform(.seconds(10)))
        let task = Task { try await client.send(raw: ScriptedSessionTests.message, envelope: ScriptedSessionTests.envelope) }
        try await Task.sleep(for: .milliseconds(300))
        let start = ContinuousClock.now
        task.cancel()
        let result = await task.result
        #expect(start.duration(to: .now) < .seconds(1), "cancellation must not wait for the 3 s pause or the 10 s timeout")
        #expect(throws: CancellationError.self) { try result.get() }
        #expect(await client.isConnected() == false)
    }
}
