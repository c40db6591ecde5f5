import Foundation
import Outbox
import SMTP
import TestSupport
import Testing

@Suite("mailprobe outbox")
struct OutboxCommandTests {
    @Test func listShowRetryDrop() async throws {
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("spool-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let outbox = try Outbox(directory: dir)
        let env = Envelope(mailFrom: "shop@example.test", recipients: ["customer@example.test"])
        let a = try await outbox.enqueue(Data("m1".utf8), envelope: env, account: "shop", label: "Invoice 1042")
        let b = try await outbox.enqueue(Data("m2".utf8), envelope: env, account: "shop", label: "PO 77")
        let probe = mailprobePath()

        var r = try await run(probe, ["outbox", "list", "--spool", dir.path])
        #expect(r.status == 0)
        #expect(r.stdout.contains(a) && r.stdout.contains("\"Invoice 1042\""))
        #expect(r.stdout.contains("2 message(s): queued 2"))

        r = try await run(probe, ["outbox", "list", "--spool", dir.path, "--json"])
        let o = try #require(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(o["depth"] as? Int == 2)
        #expect((o["messages"] as? [[String: Any]])?.map { $0["id"] as? String } == [a, b])

        r = try await run(probe, ["outbox", "show", "--spool", dir.path, b])
        #expect(r.stdout.contains("state:       queued") && r.stdout.contains("label:       PO 77"))

        r = try await run(probe, ["outbox", "retry", "--spool", dir.path, a])   // queued: nothing to retry? allowed
        #expect(r.status == 0)

        r = try await run(probe, ["outbox", "drop", "--spool", dir.path, b])
        #expect(r.status == 0)
        #expect(try await outbox.entries().map(\.id) == [a])

        r = try await run(probe, ["outbox", "show", "--spool", dir.path, "no-such-id"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("no message no-such-id"))

        r = try await run(probe, ["outbox", "list", "--spool", dir.path + "-missing"])
        #expect(r.status == 64)
    }
}



/// `mailprobe outbox flush` sending for real through the Postfix of `scripts/servers`, and `stats`.
@Suite("mailprobe outbox flush and stats", .serialized)
struct OutboxFlushCommandTests {
    static func smtpArguments(_ servers: TestServers, port: UInt16? = nil) throws -> [String] {
        ["--host", "localhost", "--port", String(try port ?? servers.port("submission")), "--security", "starttls",
         "--user", "alice@example.test", "--password-env", "OUTBOX_TEST_PASSWORD", "--ca-file", servers.tls("ca.crt")]
    }

    static var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["OUTBOX_TEST_PASSWORD"] = "alice-secret"
        return env
    }

    static func spool() throws -> (URL, Outbox) {
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("spool-\(UUID().uuidString)")
        return (dir, try Outbox(directory: dir))
    }

    static func raw(_ mid: String) -> Data {
        Data("From: alice@example.test\r\nTo: bob@example.test\r\nSubject: flush\r\nMessage-ID: \(mid)\r\n\r\nHello\r\n".utf8)
    }

    @Test func flushSendsEveryPendingMessageAndReportsItInJSONAndText() async throws {
        let servers = try TestServers.load()
        let (dir, outbox) = try Self.spool()
        defer { try? FileManager.default.removeItem(at: dir) }
        let tag = UUID().uuidString.prefix(8)
        let a = try await outbox.enqueue(Self.raw("<flush-\(tag)-1@outbox.test>"),
                                         envelope: Envelope(mailFrom: "alice@example.test", recipients: ["bob@example.test"]),
                                         account: "shop", label: "Invoice 1")
        let b = try await outbox.enqueue(Self.raw("<flush-\(tag)-2@outbox.test>"),
                                         envelope: Envelope(mailFrom: "alice@example.test",
                                                            recipients: ["bob@example.test", "nobody@example.test"]),
                                         account: "office", label: "Invoice 2")
        let probe = mailprobePath()
        let log = NSTemporaryDirectory() + "outbox-flush-\(tag).log"
        defer { try? FileManager.default.removeItem(atPath: log) }
        var r = try await run(probe, ["outbox", "flush", "--spool", dir.path, "--json", "--log", log]
                                     + Self.smtpArguments(servers), environment: Self.environment)
        #expect(r.status == 0, "\(r.stderr)")
        let transcript = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(transcript.contains("MAIL FROM:<alice@example.test>") && transcript.contains("queued as"))
        #expect(!transcript.contains("alice-secret"))
        let o = try #require(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(o["sent"] as? [String] == [a, b])
        let messages = try #require(o["messages"] as? [[String: Any]])
        #expect(messages.map { $0["state"] as? String } == ["sent", "sent"])
        #expect(messages.allSatisfy { ($0["queueId"] as? String)?.isEmpty == false })
        let refused = (messages[1]["recipients"] as? [[String: Any]])?.first { $0["accepted"] as? Bool == false }
        #expect(refused?["address"] as? String == "nobody@example.test" && refused?["code"] as? Int == 550)
        #expect((o["stats"] as? [String: Any])?["depth"] as? Int == 0)
        #expect(!r.stdout.contains("alice-secret") && !r.stderr.contains("alice-secret"))

        r = try await run(probe, ["outbox", "flush", "--spool", dir.path] + Self.smtpArguments(servers), environment: Self.environment)
        #expect(r.status == 0)
        #expect(r.stdout.contains("flush: sent 0, deferred 0, failed 0, outcome unknown 0; depth 0"))

        r = try await run(probe, ["outbox", "stats", "--spool", dir.path, "--json"])
        let s = try #require(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect((s["counts"] as? [String: Int])?["sent"] == 2 && s["depth"] as? Int == 0)
        #expect(s["oldestPendingSeconds"] is NSNull)
        r = try await run(probe, ["outbox", "stats", "--spool", dir.path])
        #expect(r.stdout.contains("depth 0 (alert above 50); nothing waiting; queued 0, sending 0, sent 2"))

        r = try await run(probe, ["outbox", "show", "--spool", dir.path, b])
        #expect(r.stdout.contains("recipient:   nobody@example.test: refused (550"))
    }

    /// Nothing listens on the port: the message is deferred and the exit status is 75 (try later);
    /// every recipient refused: failed, exit 1, the reply kept.
    @Test func flushExitStatusSaysWhatFailed() async throws {
        let servers = try TestServers.load()
        let (dir, outbox) = try Self.spool()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = try await outbox.enqueue(Self.raw("<flush-down-\(UUID().uuidString.prefix(8))@outbox.test>"),
                                         envelope: Envelope(mailFrom: "alice@example.test", recipients: ["bob@example.test"]),
                                         account: "shop")
        let probe = mailprobePath()
        var listener: SilentListener? = try SilentListener()   // a port that was ours, then closed: nothing listens
        let closed = listener!.port
        listener = nil
        var r = try await run(probe, ["outbox", "flush", "--spool", dir.path] + Self.smtpArguments(servers, port: closed),
                        environment: Self.environment)
        #expect(r.status == 75, "\(r.stdout) \(r.stderr)")
        #expect(r.stdout.contains("deferred 1") && r.stdout.contains(a))
        #expect(try await outbox.entry(a).state == .deferred)

        try await outbox.drop(a)
        let b = try await outbox.enqueue(Self.raw("<flush-550-\(UUID().uuidString.prefix(8))@outbox.test>"),
                                         envelope: Envelope(mailFrom: "alice@example.test", recipients: ["nobody@example.test"]),
                                         account: "shop")
        r = try await run(probe, ["outbox", "flush", "--spool", dir.path, "--json"] + Self.smtpArguments(servers),
                    environment: Self.environment)
        #expect(r.status == 1)
        let o = try #require(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(o["failed"] as? [String] == [b])
        #expect(((o["messages"] as? [[String: Any]])?.first?["lastError"] as? String)?.contains("550") == true)

        r = try await run(probe, ["outbox", "retry", "--spool", dir.path, b, "--json"])
        #expect(r.status == 0 && r.stdout.contains("\"state\":\"queued\""))
        r = try await run(probe, ["outbox", "drop", "--spool", dir.path, b, "--json"])
        #expect(r.status == 0 && r.stdout.contains("\"dropped\":true"))
    }

    @Test func flushRefusesAPasswordSourceMissing() async throws {
        let r = try await run(mailprobePath(), ["outbox", "flush", "--spool", NSTemporaryDirectory(), "--host", "localhost",
                                          "--port", "587", "--user", "alice@example.test"])
        #expect(r.status == 64 && r.stderr.contains("--password-env or --password-file"))
        let unset = try await run(mailprobePath(), ["outbox", "flush", "--spool", NSTemporaryDirectory(), "--host", "localhost",
                                              "--port", "587", "--user", "a", "--password-env", "OUTBOX_NO_SUCH_VARIABLE"])
        #expect(unset.status == 64 && unset.stderr.contains("OUTBOX_NO_SUCH_VARIABLE"))
    }
}
