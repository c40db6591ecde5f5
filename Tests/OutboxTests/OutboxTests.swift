import Foundation
import NetIO
import Outbox
import SMTP
import Testing

/// A transport that plays a script of results and records what it was asked to deliver.
final class ScriptedTransport: OutboxTransport, Sendable {
    struct Log { var delivered: [String] = []; var connects = 0; var closes = 0 }
    let script: Locked<[DeliveryAttempt]>
    let log = Locked(Log())
    let delay: Duration

    init(_ script: [DeliveryAttempt], delay: Duration = .zero) {
        self.script = Locked(script)
        self.delay = delay
    }

    func deliver(file: URL, envelope: Envelope, willCommit: @escaping @Sendable () async throws -> Void) async -> DeliveryAttempt {
        let body = (try? String(contentsOf: file, encoding: .utf8)) ?? "?"
        if delay > .zero { try? await Task.sleep(for: delay) }
        let next = script.withLock { $0.isEmpty ? .accepted(queueID: "Q", recipients: []) : $0.removeFirst() }
        if case .accepted = next { try? await willCommit() }
        if case .outcomeUnknown = next { try? await willCommit() }
        log.withLock { $0.delivered.append(body) }
        return next
    }

    func close() async { log.withLock { $0.closes += 1 } }
}

/// A settable clock.
final class TestClock: Sendable {
    let now = Locked(Date(timeIntervalSince1970: 1_795_000_000))
    func advance(_ seconds: TimeInterval) { now.withLock { $0 += seconds } }
    var read: @Sendable () -> Date { { [self] in now.withLock { $0 } } }
}

func tempSpool() -> URL {
    URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("outbox-\(UUID().uuidString)")
}

let envelope = Envelope(mailFrom: "shop@example.test", recipients: ["a@example.test", "b@example.test"])
let noJitter = RetryPolicy(initialDelay: 60, maximumDelay: 3600, maximumAge: 4 * 86_400, jitter: 0.5)

@Suite("Outbox spool and sender")
struct OutboxTests {
    @Test func enqueueWritesMessageAndMetadataDurably() async throws {
        let dir = tempSpool()
        defer { try? FileManager.default.removeItem(at: dir) }
        let outbox = try Outbox(directory: dir)
        let body = Data("Subject: Invoice 1042\r\n\r\nHello\r\n".utf8)
        let id = try await outbox.enqueue(body, envelope: envelope, account: "shop", messageID: "<1042@shop.example>",
                                          label: "Invoice 1042")
        #expect(try Data(contentsOf: outbox.messageFile(id)) == body)
        let e = try await outbox.entry(id)
        #expect(e.state == .queued && e.size == body.count && e.messageID == "<1042@shop.example>")
        let json = try String(contentsOf: dir.appendingPathComponent("state/\(id).json"), encoding: .utf8)
        #expect(json.contains("\"state\" : \"queued\""))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("tmp").path)
        #expect(leftovers.isEmpty)
        // A second Outbox on the same directory (another process) sees it.
        #expect(try await Outbox(directory: dir).entries().map(\.id) == [id])
    }

    @Test func injectionInTheEnvelopeIsRefused() async throws {
        let dir = tempSpool()
        defer { try? FileManager.default.removeItem(at: dir) }
        let outbox = try Outbox(directory: dir)
        await #expect(throws: OutboxError.self) {
            try await outbox.enqueue(Data(), envelope: Envelope(mailFrom: "a@b", recipients: ["x@y>\r\nDATA"]), account: "a")
        }
        await #expect(throws: OutboxError.self) {
            try await outbox.enqueue(Data(), envelope: Envelope(mailFrom: "a@b", recipients: []), account: "a")
        }
    }

    @Test func twoTemporaryFailuresThenSentWithBackoff() async throws {
        let dir = tempSpool()
        defer { try? FileManager.default.removeItem(at: dir) }
        let clock = TestClock()
        let outbox = try Outbox(directory: dir, clock: clock.read)
        let id = try await outbox.enqueue(Data("m1".utf8), envelope: envelope, account: "shop")
        let transport = ScriptedTransport([
            .temporaryFailure("451 4.3.0 try again later", recipients: [], affectsAccount: true),
            .temporaryFailure("451 4.3.0 try again later", recipients: [], affectsAccount: true),
            .accepted(queueID: "4XyZ", recipients: [])])
        let sender = OutboxSender(outbox: outbox, policy: noJitter, random: { 0 }) { _ in transport }

        var pass = try await sender.drainOnce()
        #expect(pass.deferred == [id])
        var e = try await outbox.entry(id)
        #expect(e.state == .deferred)
        #expect(e.nextAttemptAt == clock.read().addingTimeInterval(60))
        #expect(e.lastError == "451 4.3.0 try again later")

        clock.advance(59)
        pass = try await sender.drainOnce()
        #expect(pass.sent.isEmpty && pass.deferred.isEmpty)   // not due yet
        clock.advance(1)
        pass = try await sender.drainOnce()
        e = try await outbox.entry(id)
        #expect(e.nextAttemptAt == clock.read().addingTimeInterval(120))   // doubled

        clock.advance(120)
        pass = try await sender.drainOnce()
        #expect(pass.sent == [id])
        e = try await outbox.entry(id)
        #expect(e.state == .sent && e.queueID == "4XyZ" && e.attempts.count == 3)
        #expect(transport.log.withLock { $0.delivered.count } == 3)
    }

    @Test func jitterShortensTheDelayWithinItsBounds() {
        let p = RetryPolicy(initialDelay: 60, maximumDelay: 3600, jitter: 0.5)
        #expect(p.delay(afterFailures: 1, random: 0) == 60)
        #expect(p.delay(afterFailures: 1, random: 0.999) > 30)
        #expect(p.delay(afterFailures: 3, random: 0) == 240)
        #expect(p.delay(afterFailures: 20, random: 0) == 3600)
    }

    @Test func permanentFailureKeepsTheReply() async throws {
        let dir = tempSpool()
        defer { try? FileManager.default.removeItem(at: dir) }
        let outbox = try Outbox(directory: dir)
        let id = try await outbox.enqueue(Data("m".utf8), envelope: envelope, account: "shop")
        let transport = ScriptedTransport([.permanentFailure("554 5.7.1 Relay access denied", recipients: [])])
        let pass = try await OutboxSender(outbox: outbox) { _ in transport }.drainOnce()
        #expect(pass.failed == [id])
        let e = try await outbox.entry(id)
        #expect(e.state == .failed && e.lastError == "554 5.7.1 Relay access denied")
        // Not retried by the next pass.
        _ = try await OutboxSender(outbox: outbox) { _ in transport }.drainOnce()
        #expect(transport.log.withLock { $0.delivered.count } == 1)
    }

    @Test func oneRefusedRecipientIsRecordedAndTheOthersSent() async throws {
        let dir = tempSpool()
        defer { try? FileManager.default.removeItem(at: dir) }
        let outbox = try Outbox(directory: dir)
        let three = Envelope(mailFrom: "shop@example.test", recipients: ["a@x.test", "nobody@x.test", "c@x.test"])
        let id = try await outbox.enqueue(Data("m".utf8), envelope: three, account: "shop")
        let results = [
            RecipientResult(address: "a@x.test", accepted: true, code: 250, enhancedCode: "2.1.5", text: "Ok"),
            RecipientResult(address: "nobody@x.test", accepted: false, code: 550, enhancedCode: "5.1.1", text: "User unknown"),
            RecipientResult(address: "c@x.test", accepted: true, code: 250, enhancedCode: "2.1.5", text: "Ok"),
        ]
        let transport = ScriptedTransport([.accepted(queueID: "Q1", recipients: results)])
        _ = try await OutboxSender(outbox: outbox) { _ in transport }.drainOnce()
        let e = try await outbox.entry(id)
        #expect(e.state == .sent)
        #expect(e.recipients.filter { !$0.accepted }.map(\.address) == ["nobody@x.test"])
        #expect(e.attempts.last?.detail.contains("nobody@x.test (550 User unknown)") == true)
    }

    @Test func outcomeUnknownIsNeverResentAutomatically() async throws {
        let dir = tempSpool()
        defer { try? FileManager.default.removeItem(at: dir) }
        let outbox = try Outbox(directory: dir)
        let id = try await outbox.enqueue(Data("m".utf8), envelope: envelope, account: "shop", messageID: "<x@y>")
        let transport = ScriptedTransport([.outcomeUnknown("connection lost after the final dot")])
        let sender = OutboxSender(outbox: outbox) { _ in transport }
        let pass = try await sender.drainOnce()
        #expect(pass.outcomeUnknown == [id])
        _ = try await sender.drainOnce()
        #expect(transport.log.withLock { $0.delivered.count } == 1)
        #expect(try await outbox.entry(id).messageID == "<x@y>")
        try await outbox.retry(id)   // an operator settles it
        _ = try await sender.drainOnce()
        #expect(try await outbox.entry(id).state == .sent)
    }

    @Test func serverDownThenUpSendsInEnqueueOrder() async throws {
        let dir = tempSpool()
        defer { try? FileManager.default.removeItem(at: dir) }
        let clock = TestClock()
        let outbox = try Outbox(directory: dir, clock: clock.read)
        var ids: [String] = []
        for i in 1...4 {
            ids.append(try await outbox.enqueue(Data("message \(i)".utf8), envelope: envelope, account: "shop"))
            clock.advance(1)
        }
        let up = Locked(false)
        let transport = ScriptedTransport([])
        let sender = OutboxSender(outbox: outbox, policy: noJitter, random: { 0 }) { _ in
            guard up.withLock({ $0 }) else { throw POSIXError(.ECONNREFUSED) }
            return transport
        }
        var pass = try await sender.drainOnce()
        #expect(pass.deferred == [ids[0]])          // the head waits; the rest wait behind it
        // A message enqueued during the outage also waits behind the head.
        ids.append(try await outbox.enqueue(Data("message 5".utf8), envelope: envelope, account: "shop"))
        pass = try await sender.drainOnce()
        #expect(pass.sent.isEmpty)
        up.withLock { $0 = true }
        clock.advance(61)
        pass = try await sender.drainOnce()
        #expect(pass.sent == ids)
        #expect(transport.log.withLock { $0.delivered } == (1...5).map { "message \($0)" })
    }

    @Test func tooOldMessagesFail() async throws {
        let dir = tempSpool()
        defer { try? FileManager.default.removeItem(at: dir) }
        let clock = TestClock()
        let outbox = try Outbox(directory: dir, clock: clock.read)
        let id = try await outbox.enqueue(Data("m".utf8), envelope: envelope, account: "shop")
        let transport = ScriptedTransport(Array(repeating: .temporaryFailure("421 4.3.2 busy", recipients: [], affectsAccount: true), count: 100))
        let sender = OutboxSender(outbox: outbox, policy: RetryPolicy(maximumAge: 3600), random: { 0 }) { _ in transport }
        for _ in 0..<30 {
            _ = try await sender.drainOnce()
            clock.advance(600)
        }
        let e = try await outbox.entry(id)
        #expect(e.state == .failed)
        #expect(e.attempts.last?.detail.contains("gave up: not sent within 1 hour; last error: 421 4.3.2 busy") == true)
    }

    @Test func crashRecoveryBeforeAndAfterTheFinalDot() async throws {
        let dir = tempSpool()
        defer { try? FileManager.default.removeItem(at: dir) }
        let outbox = try Outbox(directory: dir)
        let before = try await outbox.enqueue(Data("m1".utf8), envelope: envelope, account: "shop")
        let after = try await outbox.enqueue(Data("m2".utf8), envelope: envelope, account: "shop")
        // Simulate senders that died in "sending": edit the state files as a dead process left them.
        for (id, committing) in [(before, false), (after, true)] {
            let url = dir.appendingPathComponent("state/\(id).json")
            var json = try String(contentsOf: url, encoding: .utf8)
            json = json.replacingOccurrences(of: "\"state\" : \"queued\"", with: "\"state\" : \"sending\"")
            if committing { json = json.replacingOccurrences(of: "\"committing\" : false", with: "\"committing\" : true") }
            try json.write(to: url, atomically: true, encoding: .utf8)
        }
        let recovered = try await Outbox(directory: dir).entries()
        #expect(recovered.first { $0.id == before }?.state == .queued)
        #expect(recovered.first { $0.id == after }?.state == .outcomeUnknown)
    }

    @Test func aMessageHeldByAnotherSenderIsNotTouched() async throws {
        let dir = tempSpool()
        defer { try? FileManager.default.removeItem(at: dir) }
        let outbox = try Outbox(directory: dir)
        let id = try await outbox.enqueue(Data("m".utf8), envelope: envelope, account: "shop")
        // Another process holds the message's lock (flock conflicts across descriptors).
        let fd = open(dir.appendingPathComponent("locks/\(id).lock").path, O_RDWR | O_CREAT, 0o600)
        #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)
        let transport = ScriptedTransport([])
        _ = try await OutboxSender(outbox: outbox) { _ in transport }.drainOnce()
        #expect(transport.log.withLock { $0.delivered.isEmpty })
        await #expect(throws: OutboxError.busy(id)) { try await outbox.drop(id) }
        close(fd)
        _ = try await OutboxSender(outbox: outbox) { _ in transport }.drainOnce()
        #expect(try await outbox.entry(id).state == .sent)
    }

    @Test func twoSendersOnOneSpoolNeverDuplicate() async throws {
        let dir = tempSpool()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = try Outbox(directory: dir), b = try Outbox(directory: dir)
        for i in 0..<40 { try await a.enqueue(Data("m\(i)".utf8), envelope: envelope, account: "shop") }
        let transport = ScriptedTransport([], delay: .milliseconds(2))
        async let p1 = OutboxSender(outbox: a) { _ in transport }.drainOnce()
        async let p2 = OutboxSender(outbox: b) { _ in transport }.drainOnce()
        let (r1, r2) = try await (p1, p2)
        #expect(r1.sent.count + r2.sent.count == 40)
        #expect(Set(r1.sent).isDisjoint(with: r2.sent))
        let delivered = transport.log.withLock { $0.delivered }
        #expect(delivered.count == 40 && Set(delivered).count == 40)
    }

    @Test func depthAlertAndStats() async throws {
        let dir = tempSpool()
        defer { try? FileManager.default.removeItem(at: dir) }
        let alerts = Locked(0)
        let outbox = try Outbox(directory: dir, alertThreshold: 3, onAlert: { _ in alerts.withLock { $0 += 1 } })
        for i in 0..<5 { try await outbox.enqueue(Data("m\(i)".utf8), envelope: envelope, account: "shop") }
        #expect(alerts.withLock { $0 } == 2)   // depth 4 and 5
        let stats = try await outbox.stats()
        #expect(stats.depth == 5 && stats.count(.queued) == 5)
        #expect(stats.oldestPendingAge != nil)
    }

    /// Sent to two recipients, 451 (greylisted) for the third: the message is spooled again for the
    /// third only (same bytes, same Message-ID), deferred, and sent later; the 550 is never retried.
    @Test func aGreylistedRecipientAmongAcceptedOnesIsSpooledAgain() async throws {
        let dir = tempSpool()
        defer { try? FileManager.default.removeItem(at: dir) }
        let clock = TestClock()
        let outbox = try Outbox(directory: dir, clock: clock.read)
        let four = Envelope(mailFrom: "shop@example.test", recipients: ["a@x.test", "grey@x.test", "gone@x.test", "c@x.test"])
        let id = try await outbox.enqueue(Data("Message-ID: <g@x>\r\n\r\nm".utf8), envelope: four, account: "shop")
        let transport = ScriptedTransport([.accepted(queueID: "Q1", recipients: [
            RecipientResult(address: "a@x.test", accepted: true, code: 250, text: "Ok"),
            RecipientResult(address: "grey@x.test", accepted: false, code: 451, enhancedCode: "4.7.1", text: "Greylisted"),
            RecipientResult(address: "gone@x.test", accepted: false, code: 550, enhancedCode: "5.1.1", text: "No such user"),
            RecipientResult(address: "c@x.test", accepted: true, code: 250, text: "Ok"),
        ])])
        let sender = OutboxSender(outbox: outbox, policy: noJitter, random: { 0 }) { _ in transport }
        _ = try await sender.drainOnce()
        let all = try await outbox.entries()
        #expect(all.count == 2)
        let split = try #require(all.first { $0.id != id })
        #expect(try await outbox.entry(id).state == .sent)
        #expect(split.state == .deferred && split.splitFrom == id && split.messageID == "<g@x>")
        #expect(split.envelope.recipients == ["grey@x.test"])
        #expect(split.nextAttemptAt == clock.read().addingTimeInterval(60))
        #expect(try Data(contentsOf: outbox.messageFile(split.id)) == Data(contentsOf: outbox.messageFile(id)))
        try await outbox.drop(id)   // the original's file goes; the split keeps its own link
        clock.advance(60)
        let pass = try await sender.drainOnce()
        #expect(pass.sent == [split.id])
        #expect(transport.log.withLock { $0.delivered } == ["Message-ID: <g@x>\r\n\r\nm", "Message-ID: <g@x>\r\n\r\nm"])
    }

    /// What a process killed while enqueueing leaves (a tmp file, a message file without metadata)
    /// is removed once it is an hour old; younger ones may be another process's enqueue in progress.
    @Test func leftoversOfADeadEnqueueAreRemovedWhenOld() async throws {
        let dir = tempSpool()
        defer { try? FileManager.default.removeItem(at: dir) }
        let outbox = try Outbox(directory: dir)
        let kept = try await outbox.enqueue(Data("m".utf8), envelope: envelope, account: "shop")
        let fm = FileManager.default
        let stale = Date().addingTimeInterval(-7200)
        let oldTmp = dir.appendingPathComponent("tmp/.x.tmp"), newTmp = dir.appendingPathComponent("tmp/.y.tmp")
        let orphan = dir.appendingPathComponent("messages/20260101T000000.000000Z-000000000000.eml")
        for url in [oldTmp, newTmp, orphan] { try Data("x".utf8).write(to: url) }
        try fm.setAttributes([.modificationDate: stale], ofItemAtPath: oldTmp.path)
        try fm.setAttributes([.modificationDate: stale], ofItemAtPath: orphan.path)
        try fm.setAttributes([.modificationDate: stale], ofItemAtPath: outbox.messageFile(kept).path)
        try await outbox.recover()
        #expect(!fm.fileExists(atPath: oldTmp.path) && !fm.fileExists(atPath: orphan.path))
        #expect(fm.fileExists(atPath: newTmp.path))
        #expect(fm.fileExists(atPath: outbox.messageFile(kept).path))   // it has metadata: a message
    }

    /// The account table of `SMTPOutboxTransport.accounts`: an account without settings is a
    /// connection failure naming it, and its messages wait.
    @Test func anAccountWithoutSettingsWaits() async throws {
        let dir = tempSpool()
        defer { try? FileManager.default.removeItem(at: dir) }
        let outbox = try Outbox(directory: dir)
        let id = try await outbox.enqueue(Data("m".utf8), envelope: envelope, account: "office")
        let pass = try await OutboxSender(outbox: outbox, connect: SMTPOutboxTransport.accounts([:])).drainOnce()
        #expect(pass.deferred == [id])
        #expect(try await outbox.entry(id).lastError?.contains("no SMTP settings for the account \"office\"") == true)
    }

    /// `drainOnce(only:)` sends for the accounts named; `ignoringSchedule` (mailprobe outbox flush)
    /// tries a deferred message before its time.
    @Test func drainForSomeAccountsAndFlushBeforeTheScheduledTime() async throws {
        let dir = tempSpool()
        defer { try? FileManager.default.removeItem(at: dir) }
        let clock = TestClock()
        let outbox = try Outbox(directory: dir, clock: clock.read)
        let shop = try await outbox.enqueue(Data("shop".utf8), envelope: envelope, account: "shop")
        let office = try await outbox.enqueue(Data("office".utf8), envelope: envelope, account: "office")
        let transport = ScriptedTransport([.temporaryFailure("451 4.3.0 later", recipients: [], affectsAccount: true)])
        let sender = OutboxSender(outbox: outbox, policy: noJitter, random: { 0 }) { _ in transport }
        var pass = try await sender.drainOnce(only: ["shop"])
        #expect(pass.deferred == [shop] && pass.sent.isEmpty)
        #expect(try await outbox.entry(office).state == .queued)
        pass = try await sender.drainOnce(only: ["shop"])
        #expect(pass.sent.isEmpty && pass.deferred.isEmpty)        // not due
        pass = try await sender.drainOnce(ignoringSchedule: true)
        #expect(pass.sent == [shop, office])
    }
}
