import TestSupport
import Testing
@testable import IMAP

@Suite("Response parser: hostile and broken input")
struct HostileInputTests {
    @Test func endlessLineIsRefusedAtTheLimit() throws {
        var parser = ResponseParser(limits: ParserLimits(lineLength: 8_192))
        parser.append(Array("* OK ".utf8))
        var thrown: IMAPParseError?
        for _ in 0..<100 {
            parser.append([UInt8](repeating: 0x61, count: 1_000))
            do { _ = try parser.next() } catch { thrown = error; break }
        }
        #expect(thrown?.kind == .lineTooLong(limit: 8_192))
        #expect(parser.bufferedCount < 20_000)
    }

    @Test func literalOfTwoToTheSixtyThreeIsRefusedBeforeReading() throws {
        for text in ["* 1 FETCH (BODY[] {9223372036854775808}\r\n", "* 1 FETCH (BODY[] {99999999999999999999999}\r\n",
                     "* LIST () \"/\" {2000000}\r\n"] {
            #expect {
                _ = try parse(text)
            } throws: { error in
                guard let e = error as? IMAPParseError, case .literalTooLarge = e.kind else { return false }
                return true
            }
        }
    }

    @Test func configuredLiteralLimit() throws {
        let limits = ParserLimits(literalSize: 1_000)
        #expect(throws: IMAPParseError.self) { _ = try parse("* 1 FETCH (BODY[] {1001}\r\n", limits: limits) }
        #expect(try parse("* 1 FETCH (BODY[] {10}\r\n0123456789)\r\n", limits: limits).count == 3)
    }

    @Test func tenThousandNestedParenthesesBecomeInvalidNotACrash() throws {
        let deep = String(repeating: "(", count: 10_000) + String(repeating: ")", count: 10_000)
        let events = try parse("* 1 FETCH (UID 3 BODYSTRUCTURE \(deep) FLAGS (\\Seen))\r\nA1 OK x\r\n")
        let attrs = fetchAttributes(events)
        #expect(attrs.first == .uid(3))
        guard case .bodyStructure(.invalid(_, let reason))? = attrs.dropFirst().first else { Issue.record("\(attrs)"); return }
        #expect(reason.contains("nesting deeper than 100"))
        #expect(attrs.last == .flags([.seen]))
        // The same depth in an unknown untagged response is skipped.
        let skipped = try parse("* XDEEP \(deep)\r\nA1 OK x\r\n")
        #expect(skipped.count == 2)
    }

    @Test func unbalancedBodyStructureEndsTheMessageNotTheSession() throws {
        let events = try parse(crlf("* 1 FETCH (UID 1 BODYSTRUCTURE ((\"text\" \"plain\" NIL",
                                    "* 2 FETCH (UID 2)", "A1 OK x"))
        #expect(events.filter { $0 == .fetchEnd }.count == 2)
        #expect(events.contains(.fetchAttribute(.uid(2))))
    }

    @Test func malformedTaggedResponseIsAnError() {
        #expect(throws: IMAPParseError.self) { _ = try parse("A1 MAYBE ok\r\n") }
        #expect(throws: IMAPParseError.self) { _ = try parse("\r\n") }
    }

    @Test func bigLiteralOutsideABodySectionIsBufferedNotStreamed() throws {
        let big = String(repeating: "z", count: 70_000)
        let events = try parse("* 1 FETCH (ENVELOPE (\"d\" {70000}\r\n\(big) NIL NIL NIL NIL NIL NIL NIL NIL) UID 9)\r\nA1 OK x\r\n",
                               chunks: [4_096])
        let attrs = fetchAttributes(events)
        guard case .envelope(let env)? = attrs.first else { Issue.record("no envelope"); return }
        #expect(env.subject?.count == 70_000)
        #expect(attrs.last == .uid(9))
    }

    @Test func unknownItemWithABigLiteralIsSkippedWithItsBytes() throws {
        let big = String(repeating: "z", count: 70_000)
        let events = try parse("* 1 FETCH (X-UNKNOWN[1] {70000}\r\n\(big) UID 9)\r\n* 2 FETCH (UID 10)\r\nA1 OK x\r\n")
        let attrs = fetchAttributes(events)
        #expect(attrs.contains { if case .invalid(name: "X-UNKNOWN[1]", _) = $0 { true } else { false } })
        #expect(attrs.contains(.uid(10)))
        #expect(events.filter { $0 == .fetchEnd }.count == 2)
        #expect(events.last.map { if case .tagged = $0 { true } else { false } } == true)
    }
}

@Suite("Response parser: garbage and truncation", .offCooperativePool)
struct ParserRobustnessTests {
    @Test func randomBytesNeverCrashAndEndInEventsOrAnError() {
        var seed: UInt64 = 42
        func next() -> UInt64 {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return seed >> 33
        }
        let alphabet = Array("* ()[]{}<>\"\\~+0123456789 FETCH BODY UID NIL OK A1 \r\n\u{0}ä".utf8)
        var errors = 0, completed = 0
        for _ in 0..<2_000 {
            let count = Int(next() % 200)
            var bytes = (0..<count).map { _ in alphabet[Int(next() % UInt64(alphabet.count))] }
            bytes += [0x0D, 0x0A]
            do {
                _ = try parse(bytes, chunks: [Int(next() % 7) + 1], limits: ParserLimits(lineLength: 4_096, literalSize: 1_000,
                                                                                       bufferedLiteralSize: 500,
                                                                                       streamingThreshold: 100))
                completed += 1
            } catch {
                errors += 1
            }
        }
        #expect(errors + completed == 2_000)
        #expect(completed > 0 && errors > 0)
    }

    @Test func everyTruncationOfAFixtureIsOnlyIncomplete() throws {
        let text = Array(ResponseFixtures.dovecotEnvelope.utf8)
        let whole = try parse(text)
        for cut in stride(from: 0, to: text.count, by: 7) {
            let partial = try parse(Array(text[..<cut]))
            #expect(Array(whole.prefix(partial.count)) == partial, "cut at \(cut)")
        }
    }
}
