import Testing
@testable import SMTP

/// RFC 5321 §4.2 replies fed as bytes: whole, split at every point, byte by byte, and hostile.
@Suite("SMTP reply parser")
struct ReplyParserTests {
    static let ehlo = "250-localhost\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-AUTH PLAIN LOGIN\r\n250 SMTPUTF8\r\n"
    static let stream = "220 localhost ESMTP Postfix\r\n" + ehlo + "550 5.1.1 <nobody@example.test>: User unknown\r\n"

    func replies(_ chunks: [[UInt8]]) throws -> [SMTPReply] {
        var parser = SMTPReplyParser()
        var out: [SMTPReply] = []
        for chunk in chunks { out += try parser.append(chunk) }
        #expect(parser.bufferedByteCount == 0)
        #expect(!parser.isInsideReply)
        return out
    }

    @Test func parsesSingleAndMultiLineReplies() throws {
        let got = try replies([Array(Self.stream.utf8)])
        #expect(got.count == 3)
        #expect(got[0].code == 220 && got[0].lines == ["localhost ESMTP Postfix"])
        #expect(got[1].code == 250)
        #expect(got[1].lines == ["localhost", "PIPELINING", "SIZE 10240000", "AUTH PLAIN LOGIN", "SMTPUTF8"])
        #expect(got[2].code == 550)
        #expect(got[2].enhancedCode == EnhancedStatusCode(statusClass: 5, subject: 1, detail: 1))
        #expect(got[2].text == "<nobody@example.test>: User unknown")
        #expect(got[2].isPermanentNegative && !got[2].isTransientNegative)
    }

    @Test func everySplitPointGivesTheSameReplies() throws {
        let bytes = Array(Self.stream.utf8)
        let whole = try replies([bytes])
        for cut in 0...bytes.count {
            #expect(try replies([Array(bytes[..<cut]), Array(bytes[cut...])]) == whole, "cut at \(cut)")
        }
        for cut1 in stride(from: 0, through: bytes.count, by: 7) {
            for cut2 in stride(from: cut1, through: bytes.count, by: 11) {
                let parts = [Array(bytes[..<cut1]), Array(bytes[cut1..<cut2]), Array(bytes[cut2...])]
                #expect(try replies(parts) == whole)
            }
        }
    }

    @Test func byteByByteGivesTheSameReplies() throws {
        let bytes = Array(Self.stream.utf8)
        #expect(try replies(bytes.map { [$0] }) == replies([bytes]))
    }

    @Test func repliesCompleteOnlyWithTheirLastLine() throws {
        var parser = SMTPReplyParser()
        #expect(try parser.append(Array("250-first\r\n250-second\r\n".utf8)).isEmpty)
        #expect(parser.isInsideReply)
        #expect(try parser.append(Array("250 thi".utf8)).isEmpty)
        let done = try parser.append(Array("rd\r\n".utf8))
        #expect(done.map(\.lines) == [["first", "second", "third"]])
    }

    @Test func bareLineFeedsAndCodeOnlyLinesAreAccepted() throws {
        let got = try replies([Array("250\n354 go ahead\n250-a\n250\n".utf8)])
        #expect(got.map(\.code) == [250, 354, 250])
        #expect(got[0].lines == [""])
        #expect(got[2].lines == ["a", ""])
    }

    @Test func enhancedCodesMustMatchTheReplyClass() throws {
        let got = try replies([Array("250 5.1.1 odd\r\n451 4.7.1 Try later\r\n250 2.1.0 Ok\r\n550 Nope 5.1.1\r\n".utf8)])
        #expect(got[0].enhancedCode == nil && got[0].text == "5.1.1 odd")
        #expect(got[1].enhancedCode?.description == "4.7.1" && got[1].text == "Try later")
        #expect(got[1].isTransientNegative)
        #expect(got[2].enhancedCode?.description == "2.1.0")
        #expect(got[3].enhancedCode == nil)
        #expect(EnhancedStatusCode("5.1234.1") == nil)
        #expect(EnhancedStatusCode("3.1.1") == nil)
        #expect(EnhancedStatusCode("5.7.26")?.detail == 26)
    }

    @Test func multiLineTextStripsTheCodeOnEveryLine() throws {
        let got = try replies([Array("550-5.7.1 Line one\r\n550 5.7.1 Line two\r\n".utf8)])
        #expect(got[0].textLines == ["Line one", "Line two"])
        #expect(got[0].description == "550 5.7.1 Line one / 550 5.7.1 Line two")
    }

    @Test(arguments: ["hello", "25", "250x", "600 bad", "2a0 x", "199 x", "260 x", "\u{0}\u{0}\u{0}", "HTTP/1.1 400 Bad"])
    func garbageIsAMalformedReply(_ line: String) {
        var parser = SMTPReplyParser()
        #expect {
            _ = try parser.append(Array((line + "\r\n").utf8))
        } throws: { ($0 as? SMTPError)?.kind == .malformedReply }
    }

    @Test func mixedCodesInOneReplyAreMalformed() {
        var parser = SMTPReplyParser()
        #expect {
            _ = try parser.append(Array("250-a\r\n550 b\r\n".utf8))
        } throws: { error in
            let e = error as? SMTPError
            return e?.kind == .malformedReply && e?.evidence?.contains("250 continued") == true
        }
    }

    @Test func longLinesAreToleratedUpToTheNamedLimit() throws {
        #expect(SMTPLimits.replyLine == 512)
        let long = "550 " + String(repeating: "x", count: 1_000)
        #expect(try replies([Array((long + "\r\n").utf8)]).first?.lines.first?.count == 1_000)
        var parser = SMTPReplyParser()
        #expect {
            _ = try parser.append(Array(("250 " + String(repeating: "y", count: SMTPLimits.replyLineTolerated)).utf8))
        } throws: { ($0 as? SMTPError)?.kind == .replyTooLong(limit: SMTPLimits.replyLineTolerated) }
        var lineParser = SMTPReplyParser()
        #expect(throws: SMTPError.self) {
            _ = try lineParser.parse(line: Array(("250 " + String(repeating: "z", count: 5_000)).utf8))
        }
    }

    @Test func endlessMultiLineRepliesAreRefused() {
        var parser = SMTPReplyParser()
        #expect {
            for _ in 0...SMTPLimits.replyLinesTolerated { _ = try parser.append(Array("250-more\r\n".utf8)) }
        } throws: { ($0 as? SMTPError)?.kind == .replyTooLong(limit: SMTPLimits.replyLineTolerated) }
    }
}
