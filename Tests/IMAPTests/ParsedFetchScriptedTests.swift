import Foundation
import Testing
import IMAP
import MIME
import NetIO
import TestSupport

/// The parsed fetch against what Dovecot does not send: items after the body, an unsolicited
/// flag update in the middle of the answer, a big literal split into odd pieces.
@Suite("IMAP parsed fetch against scripted servers")
struct ParsedFetchScriptedTests {
    static let small = "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\nFrom: a@example.test\r\n\r\nhi\r\n"

    func session(_ steps: [ScriptedPeer.Step]) async throws -> (IMAPClient, ScriptedPeer) {
        let peer = try ScriptedPeer(ScriptedServerTests.selected + steps)
        let imap = try await ScriptedServerTests().selectedSession(peer)
        return (imap, peer)
    }

    /// The answer to `UID FETCH 5:6 (UID RFC822.SIZE BODY.PEEK[])`: FLAGS after the body, an
    /// unsolicited update of message 1 between the two messages.
    static let answer: [ScriptedPeer.Step] = [
        .send("* 2 FETCH (UID 5 BODY[] {\(small.utf8.count)}"), .sendRaw(Array(small.utf8)), .send(" FLAGS (\\Seen) RFC822.SIZE \(small.utf8.count))"),
        .send("* 1 FETCH (FLAGS (\\Deleted))"),
        .send("* 3 FETCH (UID 6 RFC822.SIZE 0 BODY[] {0}"), .send(")"),
        .send("A3 OK done"),
    ]

    @Test func parsedMessagesTakeItemsAfterTheBodyAndSkipUnsolicitedUpdates() async throws {
        let (imap, peer) = try await session([.expect("A3 UID FETCH 5:6 (UID RFC822.SIZE BODY.PEEK[])")] + Self.answer
                                             + [.expect("A4 LOGOUT"), .send("A4 OK bye"), .readUntilClosed])
        var got: [ParsedFetchedMessage] = []
        for try await m in try await imap.uidFetchParsed(SequenceSet(5...6), [.rfc822Size]) { got.append(m) }
        await imap.logout()
        #expect(await peer.finish() == nil)
        #expect(got.map(\.uid) == [5, 6])
        #expect(got[0].message.subject == "Grüße")
        #expect(got[0].message.text == "hi\r\n")
        #expect(got[0].summary.flags == [.seen] && got[0].summary.size == UInt64(Self.small.utf8.count))
        #expect(got[1].message.headers.isEmpty, "an empty body parses to an empty message")
    }

    @Test func mimeEventsFromABufferedBodyAndABigLiteralInOddPieces() async throws {
        // 200 KB base64 body: over the 64 KiB streaming threshold, sent in 7,001-byte pieces.
        let payload = (0..<150_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let header = "Subject: big\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        let body = Data(payload).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        let big = Array((header + body + "\r\n").utf8)
        var pieces: [ScriptedPeer.Step] = []
        var i = 0
        while i < big.count {
            pieces.append(.sendRaw(Array(big[i..<min(i + 7_001, big.count)])))
            i += 7_001
        }
        var script: [ScriptedPeer.Step] = [.expect("A3 UID FETCH 5:7 (UID RFC822.SIZE BODY.PEEK[])")]
        script += Self.answer.dropLast()
        script.append(.send("* 4 FETCH (UID 7 BODY[] {\(big.count)}"))
        script += pieces
        script += [.send(" RFC822.SIZE \(big.count))"), .send("A3 OK done")]
        script += [.expect("A4 LOGOUT"), .send("A4 OK bye"), .readUntilClosed]
        let (imap, peer) = try await session(script)
        var starts: [UInt32?] = [], ends: [UInt32?] = [], subjects: [String?] = [], decoded: [UInt8] = [], bodyEvents = 0
        var lastEndSize: UInt64?
        for try await e in try await imap.uidFetchMIME(SequenceSet(5...7)) {
            switch e {
            case .messageStart(let m): starts.append(m.uid)
            case .messageEnd(let m):
                ends.append(m.uid)
                lastEndSize = m.size
            case .mime(.partStart(let p)): subjects.append(p.headers.value("Subject"))
            case .mime(.body(_, let bytes)):
                if starts.last == 7 {
                    decoded += bytes
                    bodyEvents += 1
                }
            case .mime(.partEnd): break
            }
        }
        await imap.logout()
        #expect(await peer.finish() == nil)
        #expect(starts == [5, 6, 7] && ends == [5, 6, 7], "the unsolicited update of message 1 is not reported")
        #expect(subjects == ["Grüße", nil, "big"])
        #expect(decoded == payload)
        #expect(bodyEvents >= 2, "decoded in pieces (\(bodyEvents))")
        #expect(lastEndSize == UInt64(big.count), "items after a streamed body are kept")
    }

    @Test func aMessageOverMaxMessageSizeEndsTheSequenceAndTheSessionGoesOn() async throws {
        let big = [UInt8](repeating: 0x41, count: 100_000)
        let (imap, peer) = try await session([
            .expect("A3 UID FETCH 5 (UID BODY.PEEK[])"),
            .send("* 2 FETCH (UID 5 BODY[] {\(big.count)}"), .sendRaw(big), .send(")"), .send("A3 OK done"),
            .expect("A4 NOOP"), .send("A4 OK noop"),
            .expect("A5 LOGOUT"), .send("A5 OK bye"), .readUntilClosed,
        ])
        do {
            for try await m in try await imap.uidFetchParsed(SequenceSet([5]), [], maxMessageSize: 50_000) {
                Issue.record("yielded \(m.uid) over the limit")
            }
            Issue.record("no error")
        } catch let e as IMAPError {
            #expect(e.kind == .invalidArgument && e.stage == IMAPStage.fetch)
            #expect(e.evidence?.contains("100000-byte message exceeds maxMessageSize 50000") == true, "\(e)")
        }
        _ = try await imap.noop()
        await imap.logout()
        #expect(await peer.finish() == nil)
    }

    /// `uidFetchParsed` and `uidFetch` collect a message the same way (one collector): a
    /// streamed section other than `BODY[]` is kept as bytes by both; only the parsed fetch hands
    /// `BODY[]` to the MIME parser instead; a section over the limit ends `uidFetch` with its own
    /// wording, the rest of the FETCH read, and the session goes on.
    @Test func bothCollectorsKeepOtherStreamedSectionsAndOnlyTheParsedOneParsesTheBody() async throws {
        let text = [UInt8](repeating: 0x41, count: 100_000) + Array("\r\n".utf8)  // over the streaming threshold
        let whole = Array("Subject: both\r\n\r\n".utf8) + text
        func answer(_ tag: String) -> [ScriptedPeer.Step] {
            [.expect("\(tag) UID FETCH 5 (UID BODY.PEEK[TEXT] BODY.PEEK[])"),
             .send("* 2 FETCH (UID 5 BODY[TEXT] {\(text.count)}"), .sendRaw(text),
             .send(" BODY[] {\(whole.count)}"), .sendRaw(whole), .send(" FLAGS (\\Seen))"),
             .send("\(tag) OK done")]
        }
        let (imap, peer) = try await session(answer("A3") + answer("A4") + answer("A5")
                                             + [.expect("A6 NOOP"), .send("A6 OK noop"),
                                                .expect("A7 LOGOUT"), .send("A7 OK bye"), .readUntilClosed])
        let textKind = BodySectionKind(section: .text), wholeKind = BodySectionKind(section: .complete)

        var parsed: [ParsedFetchedMessage] = []
        for try await m in try await imap.uidFetchParsed(SequenceSet([5]), [.body(.text)]) { parsed.append(m) }
        #expect(parsed.map(\.uid) == [5])
        #expect(parsed.first?.message.subject == "both")
        #expect(parsed.first?.summary.sections[textKind] == text)
        #expect(parsed.first?.summary.sections[wholeKind] == nil, "BODY[] lives on only as the parsed message")
        #expect(parsed.first?.summary.flags == [.seen], "items after the body are taken")

        let fetched = try await imap.uidFetchAll(SequenceSet([5]), [.body(.text), .body()])
        #expect(fetched.map(\.uid) == [5])
        #expect(fetched.first?.sections[textKind] == text)
        #expect(fetched.first?.sections[wholeKind] == whole)
        #expect(fetched.first?.flags == [.seen])

        await #expect {
            for try await m in try await imap.uidFetch(SequenceSet([5]), [.body(.text), .body()], maxSectionSize: 50_000) {
                Issue.record("yielded \(m.sequenceNumber) over the limit")
            }
        } throws: { error in
            guard let e = error as? IMAPError else { return false }
            return e.kind == .invalidArgument && e.stage == IMAPStage.fetch
                && e.evidence?.contains("100002-byte section exceeds maxSectionSize 50000; use uidFetchEvents") == true
        }
        _ = try await imap.noop()
        await imap.logout()
        #expect(await peer.finish() == nil)
    }
}
