import Foundation
import MIME
import Outbox
import SMTP
import Testing

/// `Outbox.enqueue(_ message: Message, …)`: the MIME writer's bytes spooled as they will be sent,
/// the envelope from the message unless given, the Message-ID recorded.
@Suite("Outbox enqueue of a MIME message")
struct MessageEnqueueTests {
    static func invoice() throws -> Message {
        var m = Message(from: try Address("shop@example.test", displayName: "Café Zürich"),
                        to: [try Address("ana@example.test")], subject: "Rechnung 1042", textBody: "Guten Tag\n")
        m.cc = [try Address("office@example.test")]
        m.bcc = [try Address("archive@example.test")]
        m.date = Date(timeIntervalSince1970: 1_795_000_000)
        try m.attach(data: Data(repeating: 0xA5, count: 200_000), filename: "Rechnung 1042.pdf")
        return m
    }

    static let writer = MIMEWriter(boundary: { "=_boundary_\($0)" }, messageID: { "<fixed-1@\($0)>" })

    @Test func theWritersBytesAreSpooledWithEnvelopeAndMessageID() async throws {
        let dir = tempSpool()
        defer { try? FileManager.default.removeItem(at: dir) }
        let outbox = try Outbox(directory: dir)
        let m = try Self.invoice()
        let id = try await outbox.enqueue(m, account: "shop", writer: Self.writer)
        let e = try await outbox.entry(id)
        #expect(e.messageID == "<fixed-1@example.test>")
        #expect(e.label == "Rechnung 1042")
        #expect(e.envelope == Envelope(mailFrom: "shop@example.test",
                                       recipients: ["ana@example.test", "office@example.test", "archive@example.test"]))
        let spooled = try Data(contentsOf: outbox.messageFile(id))
        #expect(Array(spooled) == (try await Self.writer.encode(m)))
        #expect(e.size == spooled.count && spooled.count > 200_000)
        #expect(!String(decoding: spooled.prefix(4096), as: UTF8.self).contains("archive@"))   // Bcc only in the envelope
    }

    /// The purchase order goes out as the buyer's alternate sender: the envelope given wins.
    @Test func aGivenEnvelopeIsKept() async throws {
        let dir = tempSpool()
        defer { try? FileManager.default.removeItem(at: dir) }
        let outbox = try Outbox(directory: dir)
        let po = Envelope(mailFrom: "purchasing@example.test", recipients: ["supplier@example.test"])
        let id = try await outbox.enqueue(try Self.invoice(), envelope: po, account: "purchasing", label: "PO 77")
        let e = try await outbox.entry(id)
        #expect(e.envelope == po && e.label == "PO 77" && e.account == "purchasing")
        // A generated Message-ID is the one in the spooled header.
        let mid = try #require(e.messageID)
        let head = String(decoding: try Data(contentsOf: outbox.messageFile(id)).prefix(4096), as: UTF8.self)
        #expect(head.contains("Message-ID: \(mid)\r\n"))
    }

    @Test func aMessageTheWriterRefusesSpoolsNothing() async throws {
        let dir = tempSpool()
        defer { try? FileManager.default.removeItem(at: dir) }
        let outbox = try Outbox(directory: dir)
        var m = try Self.invoice()
        m.subject = "Rechnung\r\nBcc: evil@example.test"
        await #expect(throws: MIMEError.self) { try await outbox.enqueue(m, account: "shop") }
        var noSender = try Self.invoice()
        noSender.from = nil
        await #expect(throws: (any Error).self) { try await outbox.enqueue(noSender, account: "shop") }
        #expect(try await outbox.entries().isEmpty)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("tmp").path)
            + FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("messages").path)
        #expect(leftovers.isEmpty)
    }

    /// Raw bytes without a Message-ID given: the header's (folded, any case) is recorded.
    @Test func theMessageIDOfRawBytesIsReadFromTheHeader() async throws {
        let dir = tempSpool()
        defer { try? FileManager.default.removeItem(at: dir) }
        let outbox = try Outbox(directory: dir)
        let env = Envelope(mailFrom: "a@example.test", recipients: ["b@example.test"])
        let folded = Data("Subject: x\r\nmessage-id:\r\n <folded-7@shop.test>\r\n\r\nMessage-ID: <body@x>\r\n".utf8)
        let a = try await outbox.enqueue(folded, envelope: env, account: "shop")
        #expect(try await outbox.entry(a).messageID == "<folded-7@shop.test>")
        let none = Data("Subject: x\n\nMessage-ID: <in-the-body@x>\n".utf8)
        let b = try await outbox.enqueue(none, envelope: env, account: "shop")
        #expect(try await outbox.entry(b).messageID == nil)
    }
}
