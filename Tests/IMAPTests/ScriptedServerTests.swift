import Foundation
import Testing
import IMAP
import NetIO
import TestSupport

/// What no real server will do: hostile or broken replies, played by a scripted peer.
@Suite("IMAP against scripted hostile servers")
struct ScriptedServerTests {
    static let greeting = "* OK [CAPABILITY IMAP4rev1 IDLE UIDPLUS LITERAL+] scripted"

    func options(_ security: Security = .plaintextUnsafe, limits: ParserLimits = ParserLimits()) -> IMAPClientOptions {
        IMAPClientOptions(security: security, timeouts: .uniform(.seconds(5)), limits: limits)
    }

    func connect(_ peer: ScriptedPeer, _ security: Security = .plaintextUnsafe,
                 limits: ParserLimits = ParserLimits()) async throws -> IMAPClient {
        try await IMAPClient.connect(to: Endpoint(host: "127.0.0.1", port: peer.port), options: options(security, limits: limits))
    }

    /// Greeting, LOGIN, SELECT INBOX; the next tag is A3.
    static let selected: [ScriptedPeer.Step] = [
        .send(greeting),
        .expect("A1 LOGIN alice secret"),
        .send("A1 OK [CAPABILITY IMAP4rev1 IDLE UIDPLUS LITERAL+] logged in"),
        .expect("A2 SELECT INBOX"),
        .send("* 2 EXISTS"), .send("* OK [UIDVALIDITY 7] v"), .send("* OK [UIDNEXT 13] n"),
        .send("A2 OK [READ-WRITE] selected"),
    ]

    func selectedSession(_ peer: ScriptedPeer, limits: ParserLimits = ParserLimits()) async throws -> IMAPClient {
        let imap = try await connect(peer, limits: limits)
        try await imap.login(user: "alice", password: "secret", allowPlaintextPasswordUnsafe: true)
        let box = try await imap.select(.inbox)
        #expect(box.uidValidity == 7 && box.uidNext == 13 && box.exists == 2 && !box.readOnly)
        return imap
    }

    func expectError(_ kind: IMAPError.Kind, _ body: () async throws -> Void, check: (IMAPError) -> Bool = { _ in true }) async {
        do {
            try await body()
            Issue.record("no error; expected \(kind)")
        } catch let e as IMAPError {
            #expect(e.kind == kind, "\(e)")
            #expect(check(e), "\(e)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func preauthOnAStartTLSConnectionIsRefused() async throws {
        let peer = try ScriptedPeer([.send("* PREAUTH [CAPABILITY IMAP4rev1 STARTTLS] welcome back"), .readUntilClosed])
        await expectError(.tlsRequired, { _ = try await connect(peer, .startTLS) }) { $0.stage == .greeting && $0.response?.condition == .preauth }
        #expect(await peer.finish() == nil)
        #expect(!peer.log.contains { $0.hasPrefix("C:") }, "the client sent \(peer.log)")
    }

    @Test func byeGreetingIsAClearError() async throws {
        let peer = try ScriptedPeer([.send("* BYE [UNAVAILABLE] Too many connections, try later"), .close])
        await expectError(.bye, { _ = try await connect(peer) }) { e in
            e.stage == .greeting && e.response?.text == "Too many connections, try later" && e.isTransient
        }
    }

    @Test func missingStartTLSIsNeverSkipped() async throws {
        let peer = try ScriptedPeer([.send("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] no tls here"), .readUntilClosed])
        await expectError(.tlsRequired, { _ = try await connect(peer, .startTLS) }) { $0.stage == IMAPStage.startTLS }
        #expect(!peer.log.contains { $0.hasPrefix("C:") })
    }

    @Test func bytesInjectedAfterTheStartTLSGoAheadAreRefused() async throws {
        let peer = try ScriptedPeer([
            .send("* OK [CAPABILITY IMAP4rev1 STARTTLS] hi"), .expect("A1 STARTTLS"),
            .sendRaw(Array("A1 OK Begin TLS now\r\n* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] injected\r\n".utf8)),
            .readUntilClosed,
        ])
        await expectError(.transport, { _ = try await connect(peer, .startTLS) }) { $0.transport?.kind == .startTLSInjection }
    }

    @Test func loginDisabledIsRefusedBeforeSending() async throws {
        let peer = try ScriptedPeer([.send("* OK [CAPABILITY IMAP4rev1 LOGINDISABLED AUTH=SCRAM-SHA-256] hi"), .readUntilClosed])
        let imap = try await connect(peer)
        await expectError(.loginDisabled, { try await imap.login(user: "alice", password: "secret", allowPlaintextPasswordUnsafe: true) })
        await imap.close()
        #expect(!peer.log.contains { $0.hasPrefix("C:") })
    }

    @Test func brokenBodyStructureMarksOneMessageAndTheSessionGoesOn() async throws {
        let fixture = ResponseFixtures.exchangeBrokenBodyStructure.replacingOccurrences(of: "A8 OK", with: "A3 OK")
        let peer = try ScriptedPeer(Self.selected + [
            .expect("A3 UID FETCH 1:* (UID BODYSTRUCTURE)"), .sendRaw(Array(fixture.utf8)),
            .expect("A4 NOOP"), .send("A4 OK still here"),
            .expect("A5 LOGOUT"), .send("* BYE bye"), .send("A5 OK done"), .close,
        ])
        let imap = try await selectedSession(peer)
        let messages = try await imap.uidFetchAll(SequenceSet.all, [.bodyStructure])
        #expect(messages.map(\.uid) == [11, 12])
        guard case .invalid(let raw, _)? = messages.first?.bodyStructure else { Issue.record("\(messages)"); return }
        #expect(raw.contains("\"message\" \"rfc822\""))
        #expect(messages.first?.flags == [.seen])
        if case .singlePart? = messages.last?.bodyStructure {} else { Issue.record("second message: \(messages)") }
        _ = try await imap.noop()
        await imap.logout()
        #expect(await peer.finish() == nil)
    }

    @Test func tenThousandNestedParenthesesFromAServer() async throws {
        let deep = String(repeating: "(", count: 10_000) + String(repeating: ")", count: 10_000)
        let peer = try ScriptedPeer(Self.selected + [
            .expect("A3 UID FETCH 1 (UID BODYSTRUCTURE)"), .send("* 1 FETCH (UID 1 BODYSTRUCTURE \(deep))"), .send("A3 OK x"),
            .readUntilClosed,
        ])
        let imap = try await selectedSession(peer)
        let m = try await imap.uidFetchAll(SequenceSet([1]), [.bodyStructure])
        guard case .invalid(_, let reason)? = m.first?.bodyStructure else { Issue.record("\(m.count)"); return }
        #expect(reason.contains("nesting"))
        await imap.close()
    }

    @Test func dropMidLiteralIsATransportErrorAtStageFetch() async throws {
        let peer = try ScriptedPeer(Self.selected + [
            .expect("A3 UID FETCH 1 (UID BODY.PEEK[])"),
            .sendRaw(Array("* 1 FETCH (UID 1 BODY[] {100000}\r\n".utf8) + [UInt8](repeating: 0x41, count: 70_000)),
            .close,
        ])
        let imap = try await selectedSession(peer)
        var received = 0
        await expectError(.transport, {
            for try await e in try await imap.uidFetchEvents(SequenceSet([1]), [.body()]) {
                if case .bodyChunk(let b) = e { received += b.count }
            }
        }) { $0.stage == IMAPStage.fetch && $0.transport?.kind == .closedByPeer }
        #expect(received == 70_000)
    }

    @Test func byeMidFetchIsAClearError() async throws {
        let peer = try ScriptedPeer(Self.selected + [
            .expect("A3 UID FETCH 1:* (UID FLAGS)"),
            .send("* 1 FETCH (UID 11 FLAGS (\\Seen))"), .send("* BYE [UNAVAILABLE] server shutting down"), .close,
        ])
        let imap = try await selectedSession(peer)
        var got: [FetchedMessage] = []
        await expectError(.bye, {
            for try await m in try await imap.uidFetch(SequenceSet.all, [.flags]) { got.append(m) }
        }) { $0.response?.text == "server shutting down" }
        #expect(got.map(\.uid) == [11])
    }

    @Test func literalAnnouncingTwoToTheSixtyThreeBytes() async throws {
        let peer = try ScriptedPeer(Self.selected + [
            .expect("A3 UID FETCH 1 (UID BODY.PEEK[])"), .send("* 1 FETCH (UID 1 BODY[] {9223372036854775808}"),
            .sendRaw([UInt8](repeating: 0x41, count: 10_000)), .readUntilClosed,
        ])
        let imap = try await selectedSession(peer)
        await expectError(.parse, { _ = try await imap.uidFetchAll(SequenceSet([1]), [.body()]) }) { e in
            if case .literalTooLarge(let size, _)? = e.parse?.kind { return size == "9223372036854775808" }
            return false
        }
        await imap.close()
    }

    @Test func endlessLineIsCutAtTheLimit() async throws {
        let peer = try ScriptedPeer(Self.selected + [
            .expect("A3 NOOP"), .sendRaw(Array("* OK ".utf8) + [UInt8](repeating: 0x61, count: 600_000)), .readUntilClosed,
        ])
        let imap = try await selectedSession(peer, limits: ParserLimits(lineLength: 65_536))
        await expectError(.parse, { _ = try await imap.noop() }) { $0.parse?.kind == .lineTooLong(limit: 65_536) }
        await imap.close()
    }

    @Test func badCharsetIsRetriedInACharsetTheServerOffers() async throws {
        let peer = try ScriptedPeer(Self.selected + [
            .expect("A3 UID SEARCH CHARSET UTF-8 SUBJECT {7+}"), .expect("Grüße"),
            .send("A3 NO [BADCHARSET (US-ASCII ISO-8859-1)] charset not supported"),
            .expect("A4 UID SEARCH CHARSET ISO-8859-1 SUBJECT {5+}"), .readLine,
            .send("* SEARCH 5 9"), .send("A4 OK done"),
            .expect("A5 UID SEARCH CHARSET UTF-8 SUBJECT {6+}"), .expect("日本"),
            .send("A5 NO [BADCHARSET (US-ASCII)] charset not supported"),
            .readUntilClosed,
        ])
        let imap = try await selectedSession(peer)
        #expect(try await imap.uidSearch(.subject("Grüße")) == [5, 9])
        await expectError(.no, { _ = try await imap.uidSearch(.subject("日本")) }) { e in
            e.code == .badCharset(["US-ASCII"]) && e.evidence?.contains("US-ASCII") == true
        }
        await imap.close()
    }

    @Test func synchronizingLiteralWaitsForTheGoAheadAndStaysRedacted() async throws {
        let peer = try ScriptedPeer([
            .send("* OK [CAPABILITY IMAP4rev1] no literal+"),
            .expect("A1 LOGIN alice {9}"), .send("+ go ahead"), .expect("pässwort"),
            .send("A1 NO [AUTHENTICATIONFAILED] nope"), .readUntilClosed,
        ])
        let transcript = Transcript()
        var o = options()
        o.transcript = transcript
        let imap = try await IMAPClient.connect(to: Endpoint(host: "127.0.0.1", port: peer.port), options: o)
        await expectError(.no, { try await imap.login(user: "alice", password: "pässwort", allowPlaintextPasswordUnsafe: true) }) {
            $0.stage == IMAPStage.login && !$0.transcriptTail.joined().contains("pässwort")
        }
        #expect(transcript.lastLines.contains { $0.hasSuffix("A1 LOGIN alice <redacted: credentials of alice>") })
        #expect(!transcript.lastLines.joined().contains("pässwort"))
        await imap.close()
    }

    @Test func plaintextLoginNeedsTheUnsafeOptIn() async throws {
        let peer = try ScriptedPeer([.send(Self.greeting), .readUntilClosed])
        let imap = try await connect(peer)
        await expectError(.tlsRequired, { try await imap.login(user: "alice", password: "secret") })
        await imap.close()
        #expect(!peer.log.contains { $0.hasPrefix("C:") })
    }

    @Test func preauthOnImplicitOrPlainConnectionsStartsAuthenticated() async throws {
        let peer = try ScriptedPeer([.send("* PREAUTH [CAPABILITY IMAP4rev1 IDLE] welcome back"), .readUntilClosed])
        let imap = try await connect(peer)
        #expect(await imap.state == .authenticated)
        #expect(await imap.greeting?.condition == .preauth)
        await imap.close()
    }

    /// Runs an IDLE consumer on `peer` (re-issued every 300 ms), cancels it once the peer has
    /// read `line`, and checks that the sequence ends within 4 s without an event and that the
    /// client sent nothing with tag `silentTag` (no IDLE issued again); returns the peer's log.
    func cancelIdle(_ peer: ScriptedPeer, whenPeerReads line: String, thenNothingTagged silentTag: String,
                    sourceLocation: SourceLocation = #_sourceLocation) async throws -> [String] {
        let imap = try await selectedSession(peer)
        let events = try await imap.idle(IdleOptions(reissueInterval: .milliseconds(300)))
        let consumer = Task {
            var n = 0
            for try await _ in events { n += 1 }
            return n
        }
        for _ in 0..<500 where !peer.log.contains(line) { try await Task.sleep(for: .milliseconds(10)) }
        #expect(peer.log.contains(line), "\(peer.log)", sourceLocation: sourceLocation)
        consumer.cancel()
        let ended = try await within(.seconds(4), "the cancelled IDLE sequence ending") { try await consumer.value }
        #expect(ended == 0, sourceLocation: sourceLocation)
        await imap.close()
        _ = await peer.finish()
        #expect(!peer.log.contains { $0.hasPrefix("C: \(silentTag)") }, "\(peer.log)", sourceLocation: sourceLocation)
        return peer.log
    }

    /// Cancelling the consumer while IDLE is being re-issued (DONE sent, its OK not yet in) must
    /// end the sequence after the NOOP, not issue IDLE again and leave the caller waiting for
    /// the next re-issue.
    @Test func cancellingWhileIdleIsReissuedEndsTheSequenceInsteadOfIdlingAgain() async throws {
        let peer = try ScriptedPeer(Self.selected + [
            .expect("A3 IDLE"), .send("+ idling"),
            .expect("DONE"), .sleep(0.6), .send("A3 OK idle done"),
            .expect("A4 NOOP"), .send("A4 OK"),
            .readUntilClosed,
        ])
        _ = try await cancelIdle(peer, whenPeerReads: "C: DONE", thenNothingTagged: "A5")
    }

    /// The same, cancelled while the re-issued IDLE waits for its continuation: DONE follows it
    /// at once and the server's OK ends the sequence (not the next re-issue, minutes later).
    @Test func cancellingWhileTheReissuedIdleAwaitsItsContinuationEndsTheSequence() async throws {
        let peer = try ScriptedPeer(Self.selected + [
            .expect("A3 IDLE"), .send("+ idling"),
            .expect("DONE"), .send("A3 OK idle done"),
            .expect("A4 NOOP"), .send("A4 OK"),
            .expect("A5 IDLE"), .sleep(0.6), .send("+ idling"),
            .expect("DONE"), .send("A5 OK idle done"),
            .readUntilClosed,
        ])
        let log = try await cancelIdle(peer, whenPeerReads: "C: A5 IDLE", thenNothingTagged: "A6")
        #expect(log.filter { $0 == "C: DONE" }.count == 2, "\(log)")
    }

    @Test func anotherCommandInterruptsAnOpenFetch() async throws {
        let peer = try ScriptedPeer(Self.selected + [
            .expect("A3 UID FETCH 1:* (UID FLAGS)"),
            .send("* 1 FETCH (UID 11 FLAGS (\\Seen))"), .send("* 2 FETCH (UID 12 FLAGS ())"), .send("A3 OK done"),
            .expect("A4 NOOP"), .send("* 3 EXISTS"), .send("A4 OK"), .readUntilClosed,
        ])
        let imap = try await selectedSession(peer)
        let messages = try await imap.uidFetch(SequenceSet.all, [.flags])
        var iterator = messages.makeAsyncIterator()
        #expect(try await iterator.next()?.uid == 11)
        _ = try await imap.noop()  // reads and drops the rest of the FETCH first
        #expect(await imap.selected?.exists == 3)
        await expectError(.interrupted, { _ = try await iterator.next() })
        await imap.close()
        #expect(await peer.finish() == nil)
    }

    /// Responses that arrive in one write are taken as one batch by `FetchEvents`; another
    /// command started before the FETCH's tagged reply still ends the sequence at once, events
    /// already taken included.
    @Test func anotherCommandInterruptsFetchEventsHoldingABatch() async throws {
        let peer = try ScriptedPeer(Self.selected + [
            .expect("A3 UID FETCH 1:* (UID FLAGS)"),
            .sendRaw(Array(("* 1 FETCH (UID 11 FLAGS (\\Seen))\r\n* 2 FETCH (UID 12 FLAGS ())\r\n"
                            + "* 3 FETCH (UID 13 FLAGS ())\r\n").utf8)),
            // The client must take its first batch before the tagged OK arrives (a FETCH whose
            // OK was taken is delivered to its end): 0.3 s was not enough on a loaded CI run.
            .sleep(2), .send("A3 OK done"),
            .expect("A4 NOOP"), .send("A4 OK"), .readUntilClosed,
        ])
        let imap = try await selectedSession(peer)
        var iterator = try await imap.uidFetchEvents(SequenceSet.all, [.flags]).makeAsyncIterator()
        var first: [FetchEvent] = []
        while let e = try await iterator.next() {
            first.append(e)
            if case .messageEnd = e { break }
        }
        #expect(first.count == 4, "\(first)")  // start, UID, FLAGS, end
        _ = try await imap.noop()
        await expectError(.interrupted, { _ = try await iterator.next() })
        await imap.close()
        #expect(await peer.finish() == nil)
    }

    /// A tagged NO that arrives with the last messages: every event before it is delivered, then the error.
    @Test func fetchEventsDeliverEverythingBeforeATaggedNo() async throws {
        let peer = try ScriptedPeer(Self.selected + [
            .expect("A3 UID FETCH 1:* (UID FLAGS)"),
            .sendRaw(Array(("* 1 FETCH (UID 11 FLAGS ())\r\n* 2 FETCH (UID 12 FLAGS ())\r\n"
                            + "A3 NO [SERVERBUG] some messages could not be read\r\n").utf8)),
            .readUntilClosed,
        ])
        let imap = try await selectedSession(peer)
        var ends = 0
        await expectError(.no, {
            for try await e in try await imap.uidFetchEvents(SequenceSet.all, [.flags]) {
                if case .messageEnd = e { ends += 1 }
            }
        })
        #expect(ends == 2)
        await imap.close()
        #expect(await peer.finish() == nil)
    }

    @Test func streamedAppendWaitsForTheGoAheadWithoutLiteralPlus() async throws {
        let peer = try ScriptedPeer([
            .send("* PREAUTH [CAPABILITY IMAP4rev1 UIDPLUS] hi"),
            .expect("A1 APPEND Sent (\\Seen) {11}"), .send("+ go ahead"), .expect("hello world"),
            .send("A1 OK [APPENDUID 7 20] appended"), .readUntilClosed,
        ])
        let imap = try await connect(peer)
        let body = AsyncStream<[UInt8]> { c in
            c.yield(Array("hello ".utf8))
            c.yield(Array("world".utf8))
            c.finish()
        }
        let r = try await imap.append(contentsOf: body, size: 11, to: MailboxName("Sent"), flags: [.seen])
        #expect(r == AppendResult(uidValidity: 7, uid: 20))
        await imap.close()
        #expect(await peer.finish() == nil)
    }

    @Test func utf8AcceptSendsNamesAndSearchTextAsUTF8() async throws {
        let peer = try ScriptedPeer([
            .send("* PREAUTH [CAPABILITY IMAP4rev1 ENABLE UTF8=ACCEPT] hi"),
            .expect("A1 ENABLE UTF8=ACCEPT"), .send("* ENABLED UTF8=ACCEPT"), .send("A1 OK enabled"),
            .expect("A2 SELECT \"Entwürfe\""), .send("* 0 EXISTS"), .send("* OK [UIDVALIDITY 3] v"), .send("A2 OK done"),
            .expect("A3 UID SEARCH SUBJECT \"für Müller\""), .send("* SEARCH 4"), .send("A3 OK done"),
            .readUntilClosed,
        ])
        let imap = try await connect(peer)
        #expect(try await imap.enable(["UTF8=ACCEPT"]) == ["UTF8=ACCEPT"])
        _ = try await imap.select(MailboxName("Entwürfe"))
        #expect(try await imap.uidSearch(.subject("für Müller")) == [4])
        await imap.close()
        #expect(await peer.finish() == nil)
    }
}
