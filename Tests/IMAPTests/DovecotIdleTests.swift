import Foundation
import Testing
import IMAP
import NetIO
import TestSupport

extension DovecotTests {
@Suite("IDLE")
struct Idle {
    @Test func idleSeesAnAppendFromASecondConnectionWithinASecond() async throws {
        let d = try Dovecot()
        let watcher = try await d.session()
        let box = scratchMailbox("idle")
        try await watcher.create(box)
        _ = try await watcher.select(box)
        let events = try await watcher.idle()
        let writer = try await d.session()
        _ = try await writer.append(sampleMessage(subject: "new order"), to: box)
        let start = ContinuousClock.now  // appended: the server has said OK to the APPEND
        let seen = try await within(.seconds(5), "waiting for EXISTS") { () async throws -> MailboxEvent? in
            for try await e in events { if case .exists = e { return e } }
            return nil
        }
        let elapsed = start.duration(to: .now)
        #expect(seen == .exists(1))
        #expect(elapsed < .seconds(1), "took \(elapsed)")
        try await events.done()
        #expect(await watcher.selected?.exists == 1)
        _ = try await watcher.select(.inbox)
        try await watcher.delete(box)
        await watcher.logout()
        await writer.logout()
    }

    @Test func idleIsReissuedWithANoopAndStillDelivers() async throws {
        let d = try Dovecot()
        let transcript = Transcript(ringCapacity: 2_000)
        let watcher = try await d.session(transcript: transcript)
        let box = scratchMailbox("reidle")
        try await watcher.create(box)
        _ = try await watcher.select(box)
        let events = try await watcher.idle(IdleOptions(reissueInterval: .milliseconds(400)))
        let writer = try await d.session()
        let appendLater = Task {
            try await Task.sleep(for: .milliseconds(1_300))
            _ = try await writer.append(sampleMessage(subject: "later"), to: box)
        }
        let seen: MailboxEvent?
        do {
            seen = try await within(.seconds(8), "waiting for EXISTS across re-issued IDLEs") { () async throws -> MailboxEvent? in
                for try await e in events { if case .exists = e { return e } }
                return nil
            }
        } catch {
            Issue.record(Comment(rawValue: "append: \(await appendLater.result)\ntranscript:\n" + transcript.lastLines.suffix(30).joined(separator: "\n")))
            throw error
        }
        try await appendLater.value
        #expect(seen == .exists(1))
        let sent = transcript.lastLines.filter { $0.contains(" ~> ") }
        #expect(sent.filter { $0.hasSuffix(" IDLE") }.count >= 3, "\(sent)")
        #expect(sent.contains { $0.hasSuffix(" NOOP") })
        #expect(sent.contains { $0.hasSuffix(" DONE") })
        try await events.done()
        _ = try await watcher.select(.inbox)
        try await watcher.delete(box)
        await watcher.logout()
        await writer.logout()
    }

    @Test func cancellingTheIdleTaskSendsDoneAndKeepsTheSession() async throws {
        let d = try Dovecot()
        let transcript = Transcript(ringCapacity: 2_000)
        let watcher = try await d.session(transcript: transcript)
        _ = try await watcher.select(.inbox)
        let events = try await watcher.idle()
        let task = Task {
            var n = 0
            for try await _ in events { n += 1 }
            return n
        }
        try await Task.sleep(for: .milliseconds(300))
        task.cancel()
        _ = try await within(.seconds(5), "the cancelled IDLE") { try await task.value }
        #expect(transcript.lastLines.contains { $0.hasSuffix(" ~> DONE") })
        #expect(try await watcher.noop().count >= 0)
        await watcher.logout()
    }
}
}
