import Foundation
import Testing
@testable import IMAP

@Suite("Command encoder")
struct CommandEncoderTests {
    func text(_ c: EncodedCommand) -> String { String(decoding: c.bytes, as: UTF8.self) }

    @Test func tagsIncrease() {
        var e = CommandEncoder()
        #expect(e.nextTag() == "A1")
        #expect(e.nextTag() == "A2")
    }

    @Test func atomQuotedOrLiteralAsContentRequires() throws {
        let e = CommandEncoder()
        #expect(text(try e.encode(tag: "A1", [.atom("LOGIN"), .astring("alice"), .astring("pass word")]))
                == "A1 LOGIN alice \"pass word\"\r\n")
        #expect(text(try e.encode(tag: "A1", [.atom("X"), .astring("a\"b\\c")])) == "A1 X \"a\\\"b\\\\c\"\r\n")
        #expect(text(try e.encode(tag: "A1", [.atom("X"), .astring("")])) == "A1 X \"\"\r\n")
        #expect(text(try e.encode(tag: "A1", [.atom("X"), .astring("NIL")])) == "A1 X \"NIL\"\r\n")
        let c = try e.encode(tag: "A1", [.atom("LOGIN"), .astring("bob"), .astring("line1\r\nline2")])
        #expect(c.parts.count == 2)
        #expect(c.parts[0].waitsForContinuation)
        #expect(String(decoding: c.parts[0].bytes, as: UTF8.self) == "A1 LOGIN bob {12}\r\n")
        #expect(String(decoding: c.parts[1].bytes, as: UTF8.self) == "line1\r\nline2\r\n")
    }

    @Test func eightBitGoesAsLiteralUnlessUTF8Accepted() throws {
        let plain = try CommandEncoder().encode(tag: "A1", [.atom("X"), .string("Grüße")])
        #expect(plain.parts.count == 2)
        let utf8 = try CommandEncoder(utf8Accepted: true).encode(tag: "A1", [.atom("X"), .string("Grüße")])
        #expect(String(decoding: utf8.bytes, as: UTF8.self) == "A1 X \"Grüße\"\r\n")
    }

    @Test func literalPlusAndMinus() throws {
        let big = [UInt8](repeating: 0x41, count: 5_000), small = [UInt8](repeating: 0x41, count: 10)
        let plus = try CommandEncoder(literalMode: .literalPlus).encode(tag: "A1", [.atom("APPEND"), .mailbox(.inbox), .literal(big)])
        #expect(plus.parts.count == 1 && String(decoding: plus.bytes.prefix(22), as: UTF8.self) == "A1 APPEND INBOX {5000+")
        let minusSmall = try CommandEncoder(literalMode: .literalMinus).encode(tag: "A1", [.atom("APPEND"), .mailbox(.inbox), .literal(small)])
        #expect(minusSmall.parts.count == 1 && text(minusSmall).hasPrefix("A1 APPEND INBOX {10+}\r\n"))
        let minusBig = try CommandEncoder(literalMode: .literalMinus).encode(tag: "A1", [.atom("APPEND"), .mailbox(.inbox), .literal(big)])
        #expect(minusBig.parts.count == 2 && minusBig.parts[0].waitsForContinuation)
        #expect(minusBig.transcript == "A1 APPEND INBOX {5000} <5000 bytes>")
    }

    @Test func crLfNulRefusedWhereNotAllowed() {
        let e = CommandEncoder()
        for args: [CommandArgument] in [[.atom("FLAGS\r\nA2 DELETE INBOX")], [.raw("1:*\r\nA2 LOGOUT")], [.astring("a\u{0}b")],
                                        [.mailbox(MailboxName("INBOX\r\nA2 DELETE x"))], [.literal([0x41, 0, 0x42])]] {
            #expect(throws: IMAPError.self) { _ = try e.encode(tag: "A1", [.atom("X")] + args) }
        }
    }

    @Test func mailboxNamesInModifiedUTF7() throws {
        let e = CommandEncoder()
        #expect(text(try e.encode(tag: "A1", [.atom("SELECT"), .mailbox(MailboxName("Entwürfe"))])) == "A1 SELECT Entw&APw-rfe\r\n")
        #expect(text(try e.encode(tag: "A1", [.atom("SELECT"), .mailbox(MailboxName("Sent Items"))])) == "A1 SELECT \"Sent Items\"\r\n")
        #expect(text(try CommandEncoder(utf8Accepted: true).encode(tag: "A1", [.atom("SELECT"), .mailbox(MailboxName("Entwürfe"))]))
                == "A1 SELECT \"Entwürfe\"\r\n")
    }

    @Test func secretsAreRedactedInTheTranscript() throws {
        let c = try CommandEncoder().encode(tag: "A1", [.atom("LOGIN"), .astring("alice"), .secret(Array("s3cr3t pw".utf8), label: "credentials of alice")])
        #expect(c.transcript == "A1 LOGIN alice <redacted: credentials of alice>")
        #expect(!c.transcript.contains("s3cr3t"))
        #expect(text(c).contains("\"s3cr3t pw\""))
    }

    @Test func searchQueryBuilder() throws {
        let date = Date(timeIntervalSince1970: 1_764_547_200)  // 2025-12-01
        let q: SearchKey = .and([.unseen, .since(date), .from("shop@example.com"), .subject("Invoice 1042"),
                                 .uid(SequenceSet([1...100, 200...UInt32.max])), .not(.and([.deleted, .flagged])),
                                 .or(.to("a"), .cc("b"))])
        let args = try q.arguments { Array($0.utf8) }
        let c = try CommandEncoder().encode(tag: "A1", [.atom("UID"), .atom("SEARCH")] + args)
        #expect(text(c) == "A1 UID SEARCH UNSEEN SINCE 1-Dec-2025 FROM \"shop@example.com\" SUBJECT \"Invoice 1042\" UID 1:100,200:* NOT (DELETED FLAGGED) OR TO \"a\" CC \"b\"\r\n")
        #expect(!q.needsCharset)
        #expect(SearchKey.subject("Rechnung für Müller").needsCharset)
    }
}
