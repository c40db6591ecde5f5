import Foundation
import NetIO
import Outbox
import SMTP
import TestSupport
import Testing

/// `SMTPOutboxTransport` over the real `SMTPClient`, against scripted servers (ScriptedPeer) for
/// what a real server will not do on demand: 451 twice, silence after the final dot, a drop.
@Suite("SMTP outbox transport, scripted servers")
struct SMTPOutboxTransportTests {
    static let raw = Data("Subject: Invoice 1042\r\nMessage-ID: <inv-1042@shop.test>\r\n\r\nHello\r\n".utf8)
    static let one = Envelope(mailFrom: "shop@example.test", recipients: ["customer@example.test"])

    /// A scripted server that waits up to a minute for its client (a loaded machine is slow).
    static func peer(_ steps: [ScriptedPeer.Step]) throws -> ScriptedPeer { try ScriptedPeer(steps, acceptTimeout: 60) }

    static func configuration(port: UInt16, timeout: Duration = .seconds(10)) -> SMTPConfiguration {
        SMTPConfiguration(endpoint: Endpoint(host: "127.0.0.1", port: port), security: .plaintextUnsafe,
                          clientName: "outbox.test", timeouts: .uniform(timeout))
    }

    /// Greeting and EHLO of a server without extensions (no PIPELINING, no CHUNKING: one command
    /// at a time, DATA).
    static let hello: [ScriptedPeer.Step] = [.send("220 scripted ESMTP"), .expect("EHLO outbox.test"), .send("250 scripted")]

    /// MAIL and RCPT accepted, then the client's DATA (the server's answer to it is the caller's).
    static let upToData: [ScriptedPeer.Step] = [
        .expect("MAIL FROM:<shop@example.test>"), .send("250 2.1.0 Ok"),
        .expect("RCPT TO:<customer@example.test>"), .send("250 2.1.5 Ok"), .expect("DATA"),
    ]

    /// `raw` written to a file of its own in the temporary directory, as the outbox spools it;
    /// the caller removes it.
    static func messageFile(_ prefix: String) throws -> URL {
        let file = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("\(prefix)-\(UUID().uuidString).eml")
        try raw.write(to: file)
        return file
    }

    static func greylisted() -> [ScriptedPeer.Step] {
        hello + [.expect("MAIL FROM:<shop@example.test>"), .send("250 2.1.0 Ok"),
                 .expect("RCPT TO:<customer@example.test>"), .send("451 4.7.1 Greylisted, try again later"),
                 .expect("RSET"), .send("250 2.0.0 Ok"), .expect("QUIT"), .send("221 2.0.0 Bye"), .close]
    }

    static let message: [ScriptedPeer.Step] = [
        .expect("Subject: Invoice 1042"), .expect("Message-ID: <inv-1042@shop.test>"), .expect(""), .expect("Hello"),
    ]

    static func accepting() -> [ScriptedPeer.Step] {
        hello + upToData + [.send("354 End data with <CR><LF>.<CR><LF>")] + message
            + [.expect("."), .send("250 2.0.0 Ok: queued as 4AbC123"), .expect("QUIT"), .send("221 2.0.0 Bye"), .close]
    }

    /// The greylisting case of issue 7: 451 to RCPT on the first two attempts, 250 on the third.
    /// The backoff is read off the injected clock (60 s, then 120 s); nothing sleeps, and no
    /// connection is made while the message is not due.
    @Test func greylistedTwiceThenSentOnTheThirdAttemptWithBackoff() async throws {
        let dir = tempSpool()
        defer { try? FileManager.default.removeItem(at: dir) }
        let clock = TestClock()
        let outbox = try Outbox(directory: dir, clock: clock.read)
        let id = try await outbox.enqueue(Self.raw, envelope: Self.one, account: "shop")
        #expect(try await outbox.entry(id).messageID == "<inv-1042@shop.test>")   // read from the header
        let peers = [try Self.peer(Self.greylisted()), try Self.peer(Self.greylisted()), try Self.peer(Self.accepting())]
        let connects = Locked(0)
        let sender = OutboxSender(outbox: outbox, policy: noJitter, random: { 0 }) { _ in
            let n = connects.withLock { c -> Int in defer { c += 1 }; return c }
            return try await SMTPOutboxTransport.connect(Self.configuration(port: peers[min(n, 2)].port))
        }

        var pass = try await sender.drainOnce()
        #expect(pass.deferred == [id])
        var e = try await outbox.entry(id)
        #expect(e.state == .deferred && e.nextAttemptAt == clock.read().addingTimeInterval(60))
        #expect(e.lastError?.contains("451 4.7.1 Greylisted") == true)
        #expect(e.recipients.first?.code == 451 && e.holdsAccount == false)

        clock.advance(59)
        pass = try await sender.drainOnce()
        #expect(pass.deferred.isEmpty && pass.sent.isEmpty && connects.withLock { $0 } == 1)   // not due: no connection

        clock.advance(1)
        pass = try await sender.drainOnce()
        e = try await outbox.entry(id)
        #expect(e.state == .deferred && e.nextAttemptAt == clock.read().addingTimeInterval(120))   // doubled

        clock.advance(119)
        _ = try await sender.drainOnce()
        #expect(connects.withLock { $0 } == 2)
        clock.advance(1)
        pass = try await sender.drainOnce()
        #expect(pass.sent == [id])
        e = try await outbox.entry(id)
        #expect(e.state == .sent && e.queueID == "4AbC123" && e.sentAt == clock.read())
        #expect(e.attempts.map(\.result) == ["deferred", "deferred", "sent"])
        for peer in peers { #expect(await peer.finish() == nil) }
    }

    /// The link dropped right after the final dot: outcome unknown, the Message-ID kept, and no
    /// second attempt by later passes.
    @Test func aDropAfterTheFinalDotIsOutcomeUnknown() async throws {
        let dir = tempSpool()
        defer { try? FileManager.default.removeItem(at: dir) }
        let outbox = try Outbox(directory: dir)
        let id = try await outbox.enqueue(Self.raw, envelope: Self.one, account: "shop")
        let peer = try Self.peer(Self.hello + Self.upToData + [.send("354 go ahead")] + Self.message
                                 + [.expect("."), .close])
        let connects = Locked(0)
        let sender = OutboxSender(outbox: outbox) { _ in
            connects.withLock { $0 += 1 }
            return try await SMTPOutboxTransport.connect(Self.configuration(port: peer.port))
        }
        let pass = try await sender.drainOnce()
        #expect(pass.outcomeUnknown == [id])
        let e = try await outbox.entry(id)
        #expect(e.state == .outcomeUnknown && e.messageID == "<inv-1042@shop.test>")
        #expect(await peer.finish() == nil)
        _ = try await sender.drainOnce()
        #expect(connects.withLock { $0 } == 1)
    }

    /// The task cancelled while waiting for the reply to the final dot: outcome unknown, not a
    /// plain failure to retry (the server has the whole message).
    @Test func cancelledAfterWillCommitIsOutcomeUnknown() async throws {
        let peer = try Self.peer(Self.hello + Self.upToData + [.send("354 go ahead")] + Self.message
                                 + [.expect("."), .sleep(5), .close])
        let file = try Self.messageFile("outbox-cancel")
        defer { try? FileManager.default.removeItem(at: file) }
        let transport = SMTPOutboxTransport(configuration: Self.configuration(port: peer.port))
        let committed = Locked(false)
        let task = Task {
            await transport.deliver(file: file, envelope: Self.one) { committed.withLock { $0 = true } }
        }
        for _ in 0..<500 where !committed.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }
        #expect(committed.withLock { $0 })
        try await Task.sleep(for: .milliseconds(100))   // the dot is on the wire
        task.cancel()
        let result = await task.value
        guard case .outcomeUnknown = result else {
            Issue.record("expected outcomeUnknown, got \(result)")
            return
        }
        withExtendedLifetime(peer) {}   // its thread ends by itself after the sleep
    }

    /// Cancelled before the final dot (waiting for the 354): nothing can have been delivered, so
    /// it is an ordinary temporary failure.
    @Test func cancelledBeforeWillCommitIsATemporaryFailure() async throws {
        let peer = try Self.peer(Self.hello + Self.upToData + [.sleep(5), .close])
        let file = try Self.messageFile("outbox-cancel")
        defer { try? FileManager.default.removeItem(at: file) }
        let transport = SMTPOutboxTransport(configuration: Self.configuration(port: peer.port))
        let task = Task { await transport.deliver(file: file, envelope: Self.one) {} }
        for _ in 0..<500 where !peer.log.contains("C: DATA") { try await Task.sleep(for: .milliseconds(10)) }
        task.cancel()
        let result = await task.value
        guard case .temporaryFailure = result else {
            Issue.record("expected temporaryFailure, got \(result)")
            return
        }
        withExtendedLifetime(peer) {}   // its thread ends by itself after the sleep
    }

    /// A 554 to MAIL is permanent, with the reply kept; a 421 greeting holds the account.
    @Test func permanentAndSessionFailuresAreClassified() async throws {
        let peer = try Self.peer(Self.hello + [
            .expect("MAIL FROM:<shop@example.test>"), .send("554 5.7.1 Sender address rejected: not owned by user"),
            .expect("RSET"), .send("250 Ok"), .expect("QUIT"), .send("221 Bye"), .close])
        let file = try Self.messageFile("outbox-perm")
        defer { try? FileManager.default.removeItem(at: file) }
        let transport = SMTPOutboxTransport(configuration: Self.configuration(port: peer.port))
        let result = await transport.deliver(file: file, envelope: Self.one) {}
        await transport.close()
        guard case .permanentFailure(let why, _) = result else {
            Issue.record("expected permanentFailure, got \(result)")
            return
        }
        #expect(why.contains("554 5.7.1 Sender address rejected"))
        #expect(await peer.finish() == nil)

        let busy = try Self.peer([.send("421 4.3.2 Service not available, closing channel"), .close])
        let second = SMTPOutboxTransport(configuration: Self.configuration(port: busy.port))
        let r2 = await second.deliver(file: file, envelope: Self.one) {}
        guard case .temporaryFailure(let why2, _, let affectsAccount) = r2 else {
            Issue.record("expected temporaryFailure, got \(r2)")
            return
        }
        #expect(affectsAccount && why2.contains("421"))
    }

    static func transaction(_ body: String, queueID: String) -> [ScriptedPeer.Step] {
        upToData + [.send("354 go ahead"), .expect("Subject: \(body)"), .expect(""), .expect(body), .expect("."),
                    .send("250 2.0.0 Ok: queued as \(queueID)")]
    }

    /// Three messages of one account go over one connection; when the server drops the idle
    /// session (421 to the next MAIL), the client opens a new one and the message goes out on it.
    @Test func oneConnectionPerAccountReopenedWhenTheServerDropsIt() async throws {
        let dir = tempSpool()
        defer { try? FileManager.default.removeItem(at: dir) }
        let outbox = try Outbox(directory: dir)
        var ids: [String] = []
        for body in ["m1", "m2", "m3"] {
            ids.append(try await outbox.enqueue(Data("Subject: \(body)\r\n\r\n\(body)\r\n".utf8), envelope: Self.one, account: "shop"))
        }
        let peer = try ScriptedPeer(connections: [
            Self.hello + Self.transaction("m1", queueID: "Q1") + Self.transaction("m2", queueID: "Q2")
                + [.expect("MAIL FROM:<shop@example.test>"), .send("421 4.4.2 idle too long, closing"), .close],
            Self.hello + Self.transaction("m3", queueID: "Q3") + [.expect("QUIT"), .send("221 Bye"), .close],
        ])
        let client = SMTPClient(Self.configuration(port: peer.port))
        let connects = Locked(0)
        let sender = OutboxSender(outbox: outbox) { _ in
            connects.withLock { $0 += 1 }
            return SMTPOutboxTransport(client: client)
        }
        let pass = try await sender.drainOnce()
        #expect(pass.sent == ids)
        #expect(try await outbox.entries().map(\.queueID) == ["Q1", "Q2", "Q3"])
        #expect(connects.withLock { $0 } == 1)
        #expect(await client.connectionCount == 2)
        #expect(await peer.finish() == nil)
    }

    /// 451 for one recipient and 550 for the other (so no RCPT was accepted): a temporary failure
    /// for the first; the second is taken off the envelope and recorded, never tried again.
    @Test func greylistedBesideRefusedRetriesOnlyTheGreylisted() async throws {
        let dir = tempSpool()
        defer { try? FileManager.default.removeItem(at: dir) }
        let clock = TestClock()
        let outbox = try Outbox(directory: dir, clock: clock.read)
        let two = Envelope(mailFrom: "shop@example.test", recipients: ["customer@example.test", "gone@example.test"])
        let id = try await outbox.enqueue(Self.raw, envelope: two, account: "shop")
        let peer = try ScriptedPeer(connections: [
            Self.hello + [.expect("MAIL FROM:<shop@example.test>"), .send("250 2.1.0 Ok"),
                          .expect("RCPT TO:<customer@example.test>"), .send("451 4.7.1 Greylisted"),
                          .expect("RCPT TO:<gone@example.test>"), .send("550 5.1.1 No such user"),
                          .expect("RSET"), .send("250 Ok"), .expect("QUIT"), .send("221 Bye"), .close],
            Self.hello + Self.upToData + [.send("354 go ahead")] + Self.message
                + [.expect("."), .send("250 2.0.0 Ok: queued as Q9"), .expect("QUIT"), .send("221 Bye"), .close],
        ])
        let sender = OutboxSender(outbox: outbox, policy: noJitter, random: { 0 }) { _ in
            try await SMTPOutboxTransport.connect(Self.configuration(port: peer.port))
        }
        var pass = try await sender.drainOnce()
        #expect(pass.deferred == [id])
        var e = try await outbox.entry(id)
        #expect(e.envelope.recipients == ["customer@example.test"])
        #expect(e.attempts.contains { $0.result == "refused" && $0.detail.contains("gone@example.test (550 No such user)") })
        clock.advance(60)
        pass = try await sender.drainOnce()
        #expect(pass.sent == [id])
        e = try await outbox.entry(id)
        #expect(e.state == .sent && e.queueID == "Q9")
        #expect(await peer.finish() == nil)
    }

    /// A drain cancelled while a message waits for the server's 354: the drain throws
    /// `CancellationError` and the message is back in the queue as it was (no backoff, no failure).
    @Test func aCancelledDrainGivesTheMessageBack() async throws {
        let dir = tempSpool()
        defer { try? FileManager.default.removeItem(at: dir) }
        let outbox = try Outbox(directory: dir)
        let id = try await outbox.enqueue(Self.raw, envelope: Self.one, account: "shop")
        let peer = try Self.peer(Self.hello + Self.upToData + [.sleep(5), .close])
        let sender = OutboxSender(outbox: outbox) { _ in
            try await SMTPOutboxTransport.connect(Self.configuration(port: peer.port))
        }
        let task = Task { try await sender.drainOnce() }
        for _ in 0..<500 where !peer.log.contains("C: DATA") { try await Task.sleep(for: .milliseconds(10)) }
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        let e = try await outbox.entry(id)
        #expect(e.state == .queued && e.nextAttemptAt == nil && e.attempts.last?.result == "cancelled")
        withExtendedLifetime(peer) {}   // its thread ends by itself after the sleep
    }
}
