import Auth
import Foundation
import NetIO
import TestSupport
import Testing
@testable import SMTP

@Suite("SMTP client: one operation at a time", .serialized)
struct ClientSerializationTests {
    @Test func concurrentSendsDoNotInterleaveOnTheWire() async throws {
        let tx = ScriptedSessionTests.transaction
        let peer = try ScriptedPeer(ScriptedSessionTests.hello() + tx("C1") + tx("C2") + tx("C3") + tx("C4"))
        let client = ScriptedSessionTests.client(peer.port)
        let ids = try await withThrowingTaskGroup(of: String?.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    try await client.send(raw: ScriptedSessionTests.message, envelope: ScriptedSessionTests.envelope).queueID
                }
            }
            var all: [String?] = []
            for try await id in group { all.append(id) }
            return all
        }
        #expect(Set(ids.compactMap { $0 }) == ["C1", "C2", "C3", "C4"])
        #expect(await client.connectionCount == 1)
        #expect(await peer.finish() == nil)
    }

    @Test func manyRecipientsArePipelinedInBoundedGroups() async throws {
        let recipients = (0..<250).map { "r\($0)@example.test" }
        var steps = ScriptedSessionTests.hello(["PIPELINING"]) + [Step.expect("MAIL FROM:<a@example.test>")]
        for (i, r) in recipients.enumerated() {
            steps.append(.expect("RCPT TO:<\(r)>"))
            if i == 99 { steps.append(.sendRaw(Array(("250 Ok\r\n" + String(repeating: "250 Ok\r\n", count: 100)).utf8))) }
            if i == 199 { steps.append(.sendRaw(Array(String(repeating: "250 Ok\r\n", count: 100).utf8))) }
        }
        steps += [.expect("DATA"), .sendRaw(Array((String(repeating: "250 Ok\r\n", count: 50) + "354 go\r\n").utf8))]
        steps += ScriptedSessionTests.bodyLines + [.send("250 2.0.0 Ok: queued as MANY")]
        let peer = try ScriptedPeer(steps)
        let client = ScriptedSessionTests.client(peer.port)
        let result = try await client.send(raw: ScriptedSessionTests.message,
                                           envelope: Envelope(mailFrom: "a@example.test", recipients: recipients))
        #expect(result.accepted.count == 250 && result.queueID == "MANY")
        #expect(await peer.finish() == nil)
    }
}
