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
