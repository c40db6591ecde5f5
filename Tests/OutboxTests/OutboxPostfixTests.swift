import Auth
import Foundation
import Glibc
import MIME
import NetIO
import Outbox
import SMTP
import TestSupport
import Testing

/// The outbox against the real Postfix of `scripts/servers` (submission with STARTTLS, SASL
/// through Dovecot, delivery over LMTP into Dovecot's maildirs). Deliveries are counted at the
/// server: every maildir file holding a message's unique Message-ID.
@Suite("Outbox against real Postfix", .serialized)
struct OutboxPostfixTests {
    struct Servers {
        let base: TestServers
        let maildir: String
        let users: [String: String]
        let postfixConfig: String

        static func load() throws -> Servers {
            let base = try TestServers.load()
            let path = ProcessInfo.processInfo.environment["MAILENGINE_SERVERS"]!
            let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
            return Servers(base: base, maildir: object?["maildir"] as? String ?? "\(base.dir)/mail",
                           users: object?["users"] as? [String: String] ?? [:],
                           postfixConfig: "\(base.dir)/postfix/etc")
        }

        func configuration(port: UInt16? = nil, user: String = "alice@example.test") throws -> SMTPConfiguration {
            SMTPConfiguration(endpoint: Endpoint(host: "localhost", port: try port ?? base.port("submission")),
                              security: .startTLS, tls: TLSOptions(trust: .caFile(base.tls("ca.crt"))),
                              credentials: .password(user: user, password: users[user] ?? ""),
                              clientName: "till-1.example.test", timeouts: .uniform(.seconds(20)))
        }

        /// How many maildir files of `user` hold each Message-ID of `ids` (in its first 64 KiB).
        func deliveries(to user: String, of ids: Set<String>) -> [String: Int] {
            var counts: [String: Int] = [:]
            for sub in ["new", "cur"] {
                let dir = "\(maildir)/\(user)/Maildir/\(sub)"
                for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] {
                    guard let handle = FileHandle(forReadingAtPath: "\(dir)/\(name)") else { continue }
                    let head = (try? handle.read(upToCount: 65_536)) ?? Data()
                    try? handle.close()
                    for line in String(decoding: head, as: UTF8.self).split(separator: "\n").prefix(60) {
                        guard line.lowercased().hasPrefix("message-id:") else { continue }
                        let id = line.dropFirst("message-id:".count).trimmingCharacters(in: .whitespacesAndNewlines)
                        if ids.contains(id) { counts[id, default: 0] += 1 }
                        break
                    }
                }
            }
            return counts
        }

        /// Waits (at most `seconds`) until Postfix's queue is empty, so every message it took has
        /// been delivered over LMTP (Dovecot delivery is asynchronous); `false` on the deadline.
        func waitForEmptyQueue(seconds: Double = 60) async throws -> Bool {
            let end = Date().addingTimeInterval(seconds)
            while Date() < end {
                let r = try await run("/usr/sbin/postqueue", ["-c", postfixConfig, "-p"])
                if r.status == 0 && r.stdout.contains("Mail queue is empty") { return true }
                try await Task.sleep(for: .milliseconds(100))
            }
            return false
        }

        /// Waits until `user` has at least one delivery of each of `ids`, then for the queue to drain.
        func waitForDeliveries(to user: String, of ids: Set<String>, seconds: Double = 30) async throws -> [String: Int] {
            let end = Date().addingTimeInterval(seconds)
            var counts = deliveries(to: user, of: ids)
            while Date() < end && counts.count < ids.count {
                try await Task.sleep(for: .milliseconds(100))
                counts = deliveries(to: user, of: ids)
            }
            _ = try await waitForEmptyQueue()
            return deliveries(to: user, of: ids)
        }
    }

    static func message(_ messageID: String, to: [String] = ["bob@example.test"], subject: String) throws -> Message {
        var m = Message(from: try Address("alice@example.test", displayName: "Shop till 1"),
                        to: try to.map { try Address($0) }, subject: subject, textBody: "Invoice attached.\n")
        m.messageID = messageID
        return m
    }

    static var senderPath: String {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("OutboxCrashSender").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return ".build/debug/OutboxCrashSender"
    }

    /// A sender process (Tests/OutboxCrashSender) draining `spool` to Postfix as alice.
    static func startSender(_ servers: Servers, spool: URL) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: senderPath)
        p.arguments = [spool.path, "localhost", String(try servers.base.port("submission")), servers.base.tls("ca.crt"),
                       "alice@example.test"]
        var env = ProcessInfo.processInfo.environment
        env["OUTBOX_SENDER_PASSWORD"] = servers.users["alice@example.test"] ?? ""
        p.environment = env
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        return p
    }

    /// Waits for `p` to end, killing it at the deadline; its exit status, or nil when killed.
    static func wait(_ p: Process, seconds: Double) async throws -> Int32? {
        let end = Date().addingTimeInterval(seconds)
        while p.isRunning && Date() < end { try await Task.sleep(for: .milliseconds(20)) }
        if p.isRunning {
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            return nil
        }
        return p.terminationStatus
    }

    /// Issue 7's crash test: a sender process draining the spool to Postfix is killed with SIGKILL
    /// at a random point (0–150 ms after it starts: before, during and after TLS, AUTH, the
    /// claim, the final dot and the state change) in each of 200 iterations, with two more
    /// messages enqueued each time, then one last sender drains what is left. Afterwards every
    /// message is in a well-defined state, and the server agrees: sent → delivered exactly once;
    /// outcome unknown → at most once; queued or deferred → never. None lost, none twice.
    @Test(.timeLimit(.minutes(3))) func killedAtRandomPointsNothingLostNothingTwice() async throws {
        let servers = try Servers.load()
        let dir = tempSpool()
        defer { try? FileManager.default.removeItem(at: dir) }
        let outbox = try Outbox(directory: dir)
        let run = UUID().uuidString.prefix(8).lowercased()
        var messageIDs: [String: String] = [:]   // spool id → Message-ID
        let iterations = 200
        let started = Date()
        var n = 0
        var killedWhileRunning = 0
        for _ in 0..<iterations {
            for _ in 0..<2 {
                n += 1
                let mid = "<crash-\(run)-\(n)@outbox.test>"
                let id = try await outbox.enqueue(try Self.message(mid, subject: "crash \(run) \(n)"), account: "shop")
                messageIDs[id] = mid
            }
            let p = try Self.startSender(servers, spool: dir)
            try await Task.sleep(for: .milliseconds(Int.random(in: 0...150)))
            if p.isRunning { killedWhileRunning += 1 }
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            #expect(Date().timeIntervalSince(started) < 120, "the kill loop takes too long")
            if Date().timeIntervalSince(started) > 120 { break }
        }
        #expect(killedWhileRunning > iterations / 2)   // most kills hit a running sender

        // One sender that is not killed drains the rest.
        let last = try Self.startSender(servers, spool: dir)
        #expect(try await Self.wait(last, seconds: 60) == 0)

        let entries = try await Outbox(directory: dir).entries()
        #expect(Set(entries.map(\.id)) == Set(messageIDs.keys), "messages lost from the spool")
        let counts = try await servers.waitForDeliveries(to: "bob@example.test",
                                                         of: Set(entries.filter { $0.state == .sent }.compactMap(\.messageID)))
        let all = servers.deliveries(to: "bob@example.test", of: Set(messageIDs.values))
        var byState: [OutboxState: Int] = [:]
        for e in entries {
            byState[e.state, default: 0] += 1
            let mid = try #require(e.messageID)
            #expect(mid == messageIDs[e.id])
            let delivered = all[mid] ?? 0
            switch e.state {
            case .sent: #expect(delivered == 1 && counts[mid] == 1, "\(e.id) sent, delivered \(delivered) times")
            case .outcomeUnknown: #expect(delivered <= 1, "\(e.id) outcome unknown, delivered \(delivered) times")
            case .queued, .deferred: #expect(delivered == 0, "\(e.id) \(e.state), delivered \(delivered) times")
            case .sending, .failed: Issue.record("\(e.id) left \(e.state): \(e.attempts)")
            }
        }
        #expect(all.values.allSatisfy { $0 <= 1 }, "a message was delivered twice")
        #expect((byState[.sent] ?? 0) > entries.count / 2)
        let unknownDelivered = entries.filter { $0.state == .outcomeUnknown && all[$0.messageID ?? ""] == 1 }.count
        print("crash test: \(iterations) kills in \(Int(Date().timeIntervalSince(started))) s; "
              + byState.map { "\($0.key.rawValue) \($0.value)" }.sorted().joined(separator: ", ")
              + "; outcome unknown and in fact delivered: \(unknownDelivered)")
    }

    /// Server down then up: nothing listens on the account's port at first, so the head message is
    /// deferred and the others wait behind it; once Postfix answers, all go out in enqueue order,
    /// each delivered once.
    @Test func serverDownThenUpDeferredThenSentInEnqueueOrder() async throws {
        let servers = try Servers.load()
        let dir = tempSpool()
        defer { try? FileManager.default.removeItem(at: dir) }
        let clock = TestClock()
        let outbox = try Outbox(directory: dir, clock: clock.read)
        let run = UUID().uuidString.prefix(8).lowercased()
        var ids: [String] = [], mids: [String] = []
        for i in 1...3 {
            let mid = "<down-\(run)-\(i)@outbox.test>"
            ids.append(try await outbox.enqueue(try Self.message(mid, subject: "down then up \(i)"), account: "shop"))
            mids.append(mid)
            clock.advance(1)
        }
        let closedPort = try Self.closedPort()
        let up = Locked(false)
        let sender = OutboxSender(outbox: outbox, policy: noJitter, random: { 0 }) { _ in
            let port = up.withLock { $0 } ? nil : closedPort
            return try await SMTPOutboxTransport.connect(try servers.configuration(port: port))
        }
        var pass = try await sender.drainOnce()
        #expect(pass.deferred == [ids[0]] && pass.sent.isEmpty)
        let head = try await outbox.entry(ids[0])
        #expect(head.holdsAccount && head.lastError?.contains("cannot connect") == true)
        #expect(try await outbox.entry(ids[1]).state == .queued)
        ids.append(try await outbox.enqueue(try Self.message("<down-\(run)-4@outbox.test>", subject: "during the outage"),
                                            account: "shop"))
        mids.append("<down-\(run)-4@outbox.test>")

        up.withLock { $0 = true }
        pass = try await sender.drainOnce()
        #expect(pass.sent.isEmpty)                       // not due yet (60 s backoff)
        clock.advance(61)
        pass = try await sender.drainOnce()
        #expect(pass.sent == ids)
        let entries = try await outbox.entries()
        #expect(entries.map(\.state) == Array(repeating: .sent, count: 4))
        #expect(entries.allSatisfy { $0.queueID != nil })
        let counts = try await servers.waitForDeliveries(to: "bob@example.test", of: Set(mids))
        #expect(mids.map { counts[$0] ?? 0 } == [1, 1, 1, 1])
    }

    /// One recipient of three unknown (Postfix's virtual mailbox table has no nobody@): 550 5.1.1 at
    /// RCPT; the message is sent to the other two, and the refusal is recorded with its reply.
    @Test func oneUnknownRecipientOfThreeIsRecordedAndTheOthersGetIt() async throws {
        let servers = try Servers.load()
        let dir = tempSpool()
        defer { try? FileManager.default.removeItem(at: dir) }
        let outbox = try Outbox(directory: dir)
        let mid = "<rcpt-\(UUID().uuidString.prefix(8).lowercased())@outbox.test>"
        let id = try await outbox.enqueue(try Self.message(mid, to: ["bob@example.test", "nobody@example.test", "alice@example.test"],
                                                           subject: "Invoice 1042"), account: "shop")
        let sender = OutboxSender(outbox: outbox) { _ in try await SMTPOutboxTransport.connect(try servers.configuration()) }
        let pass = try await sender.drainOnce()
        #expect(pass.sent == [id])
        let e = try await outbox.entry(id)
        #expect(e.state == .sent && e.queueID != nil && e.label == "Invoice 1042")
        #expect(e.recipients.map(\.address) == ["bob@example.test", "nobody@example.test", "alice@example.test"])
        #expect(e.recipients.map(\.accepted) == [true, false, true])
        let refused = try #require(e.recipients.first { !$0.accepted })
        #expect(refused.code == 550 && refused.enhancedCode == "5.1.1")
        #expect(e.attempts.last?.detail.contains("nobody@example.test (550") == true)
        #expect(try await servers.waitForDeliveries(to: "bob@example.test", of: [mid])[mid] == 1)
        #expect(servers.deliveries(to: "alice@example.test", of: [mid])[mid] == 1)
    }

    /// Two sender processes draining one spool at once: every message sent once, delivered once.
    @Test func twoProcessesDrainingOneSpoolSendEachMessageOnce() async throws {
        let servers = try Servers.load()
        let dir = tempSpool()
        defer { try? FileManager.default.removeItem(at: dir) }
        let outbox = try Outbox(directory: dir)
        let run = UUID().uuidString.prefix(8).lowercased()
        var mids: Set<String> = []
        for i in 1...40 {
            let mid = "<two-\(run)-\(i)@outbox.test>"
            try await outbox.enqueue(try Self.message(mid, subject: "two senders \(i)"), account: "shop")
            mids.insert(mid)
        }
        let a = try Self.startSender(servers, spool: dir), b = try Self.startSender(servers, spool: dir)
        #expect(try await Self.wait(a, seconds: 60) == 0)
        #expect(try await Self.wait(b, seconds: 60) == 0)
        let entries = try await outbox.entries()
        #expect(entries.count == 40 && entries.allSatisfy { $0.state == .sent })
        #expect(Set(entries.compactMap(\.queueID)).count == 40)
        let counts = try await servers.waitForDeliveries(to: "bob@example.test", of: mids)
        #expect(counts.count == 40 && counts.values.allSatisfy { $0 == 1 })
    }

    /// A port on 127.0.0.1 where nothing listens (bound, then closed).
    static func closedPort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { throw POSIXError(.EADDRINUSE) }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(fd, $0, &len) }
        }
        return UInt16(bigEndian: addr.sin_port)
    }
}

