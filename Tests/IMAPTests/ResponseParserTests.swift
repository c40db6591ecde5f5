import Foundation
import TestSupport
import Testing
@testable import IMAP

@Suite("Response parser: real-world shapes, every chunking", .offCooperativePool)
struct ResponseParserTests {
    static let fixtures: [(String, String)] = [
        ("dovecotGreeting", ResponseFixtures.dovecotGreeting),
        ("exchangeGreeting", ResponseFixtures.exchangeGreeting),
        ("gmailCapability", ResponseFixtures.gmailCapability),
        ("dovecotSelect", ResponseFixtures.dovecotSelect),
        ("gmailList", ResponseFixtures.gmailList),
        ("courierList", ResponseFixtures.courierList),
        ("cyrusStatus", ResponseFixtures.cyrusStatus),
        ("searches", ResponseFixtures.searches),
        ("gmailFetch", ResponseFixtures.gmailFetch),
        ("dovecotEnvelope", ResponseFixtures.dovecotEnvelope),
        ("exchangeBrokenBodyStructure", ResponseFixtures.exchangeBrokenBodyStructure),
        ("nestedMessage", ResponseFixtures.nestedMessage),
    ]

    @Test(arguments: fixtures.map(\.0))
    func everyChunkingGivesTheSameEvents(name: String) throws {
        let text = Self.fixtures.first { $0.0 == name }!.1
        let whole = try parse(text)
        #expect(!whole.isEmpty)
        #expect(!whole.contains { if case .untagged(.unknown) = $0 { true } else { false } }, "\(whole)")
        for chunks in chunkings(count: text.utf8.count) {
            #expect(try parse(text, chunks: chunks) == whole, "chunks \(chunks.prefix(5))")
        }
    }

    @Test func greetingCarriesCapabilities() throws {
        let events = try parse(ResponseFixtures.dovecotGreeting)
        guard case .untagged(.status(let s)) = events.first, case .capability(let caps)? = s.code else {
            Issue.record("\(events)"); return
        }
        #expect(s.condition == .ok)
        #expect(caps.contains(.saslIR) && caps.contains(Capability("auth=plain")))
        #expect(s.text == "Dovecot (Debian) ready.")
    }

    @Test func exchangeGreetingBracketAfterTextIsText() throws {
        let events = try parse(ResponseFixtures.exchangeGreeting)
        guard case .untagged(.status(let s)) = events.first else { Issue.record("\(events)"); return }
        #expect(s.code == nil)
        #expect(s.text.hasPrefix("The Microsoft Exchange IMAP4 service is ready."))
    }

    @Test func selectResponses() throws {
        let events = try parse(ResponseFixtures.dovecotSelect)
        #expect(events.contains(.untagged(.exists(3))))
        #expect(events.contains(.untagged(.recent(0))))
        #expect(events.contains(.untagged(.flags([.answered, .flagged, .deleted, .seen, .draft]))))
        let codes = events.compactMap { e -> ResponseCode? in
            if case .untagged(.status(let s)) = e { return s.code }
            if case .tagged(let t) = e { return t.status.code }
            return nil
        }
        #expect(codes.contains(.uidValidity(1_732_612_345)))
        #expect(codes.contains(.uidNext(4)))
        #expect(codes.contains(.unseen(2)))
        #expect(codes.contains(.highestModSeq(7)))
        #expect(codes.contains(.readWrite))
        #expect(codes.contains(.permanentFlags([.answered, .flagged, .deleted, .seen, .draft, .wildcard])))
        guard case .tagged(let t) = events.last else { Issue.record("no tagged"); return }
        #expect(t.tag == "A2" && t.status.condition == .ok)
    }

    @Test func responseCodes() throws {
        let text = crlf(
            "* OK [ALERT] System shutdown in 10 minutes",
            "A1 OK [APPENDUID 38505 3955] APPEND completed",
            "A2 OK [COPYUID 38505 304,319:320 3956:3958] Done",
            "A3 NO [TRYCREATE] No such mailbox",
            "A4 NO [BADCHARSET (UTF-8 US-ASCII)] charset",
            "A5 OK [READ-ONLY] EXAMINE completed",
            "A6 NO [AUTHENTICATIONFAILED] Authentication failed.",
            "A7 NO [X-WEIRD-CODE some text here] odd",
            "A8 OK [UIDVALIDITY notanumber] kept as text")
        let codes = try parse(text).compactMap { e -> ResponseCode? in
            if case .untagged(.status(let s)) = e { return s.code }
            if case .tagged(let t) = e { return t.status.code }
            return nil
        }
        #expect(codes == [
            .alert, .appendUID(uidValidity: 38505, uids: SequenceSet([3955])),
            .copyUID(uidValidity: 38505, source: SequenceSet([304...304, 319...320]), destination: SequenceSet(3956...3958)),
            .tryCreate, .badCharset(["UTF-8", "US-ASCII"]), .readOnly, .other(name: "AUTHENTICATIONFAILED", text: nil),
            .other(name: "X-WEIRD-CODE", text: "some text here"), .other(name: "UIDVALIDITY", text: "notanumber"),
        ])
    }

    @Test func listDecodesModifiedUTF7AndSpecialUse() throws {
        let lists = try parse(ResponseFixtures.gmailList).compactMap { e -> MailboxInfo? in
            if case .untagged(.list(let m)) = e { m } else { nil }
        }
        #expect(lists.map(\.name.name) == ["INBOX", "[Gmail]", "[Gmail]/All Mail", "[Gmail]/Sent Mail", "[Gmail]/Trash",
                                           "Entwürfe", "日本語"])
        #expect(lists[3].specialUse == .sent)
        #expect(lists[1].attributes.contains(.noSelect))
        #expect(lists.allSatisfy { $0.delimiter == "/" })
        let courier = try parse(ResponseFixtures.courierList).compactMap { e -> MailboxInfo? in
            if case .untagged(.list(let m)) = e { m } else { nil }
        }
        #expect(courier[2].delimiter == nil)
        #expect(courier.last?.name.name == "~peter/mail]")
        #expect(courier.first?.delimiter == ".")
    }

    @Test func statusWithLiteralMailboxName() throws {
        let events = try parse(ResponseFixtures.cyrusStatus)
        #expect(events.contains(.untagged(.mailboxStatus(.inbox, MailboxStatus(messages: 231, recent: 0, uidNext: 44292,
                                                                         uidValidity: 1, unseen: 3)))))
        #expect(events.contains(.untagged(.mailboxStatus(MailboxName("Archiv 1"), MailboxStatus(messages: 2)))))
    }

    @Test func searchEsearchVanishedExpunge() throws {
        let events = try parse(ResponseFixtures.searches)
        #expect(events.contains(.untagged(.search([2, 84, 882]))))
        #expect(events.contains(.untagged(.search([]))))
        #expect(events.contains(.untagged(.esearch(ESearchResponse(tag: "A5", uid: true, min: 2, max: 47, count: 12,
                                                                   all: SequenceSet([2...4, 9...9, 40...47]))))))
        #expect(events.contains(.untagged(.vanished(earlier: true, SequenceSet([41...41, 43...116, 118...118])))))
        #expect(events.contains(.untagged(.expunge(7))))
    }

    @Test func gmailFetchKeepsKnownItemsAndMarksUnknownOnes() throws {
        let attrs = fetchAttributes(try parse(ResponseFixtures.gmailFetch))
        #expect(attrs.contains(.uid(4827)))
        #expect(attrs.contains(.flags([.seen, Flag("$Forwarded")])))
        #expect(attrs.contains(.rfc822Size(4286)))
        #expect(attrs.contains { if case .invalid(name: "X-GM-LABELS", _) = $0 { true } else { false } })
        guard let date = attrs.lazy.compactMap({ a -> Date? in if case .internalDate(_, let d) = a { d } else { nil } }).first
        else { Issue.record("no date"); return }
        #expect(date.timeIntervalSince1970 == 837_596_665)
        guard let bs = attrs.lazy.compactMap({ a -> BodyStructure? in if case .bodyStructure(let b) = a { b } else { nil } }).first,
              case .multipart(let m) = bs
        else { Issue.record("no multipart"); return }
        #expect(m.subtype == "ALTERNATIVE" && m.parts.count == 2 && m.parameters["boundary"] == "000000000000a1b2")
        guard case .singlePart(let html) = m.parts[1] else { Issue.record("part 2"); return }
        #expect(html.subtype == "HTML" && html.size == 1802 && html.lines == 34)
    }

    @Test func envelopeWithLiteralSubjectAndAttachmentDisposition() throws {
        let attrs = fetchAttributes(try parse(ResponseFixtures.dovecotEnvelope))
        guard let env = attrs.lazy.compactMap({ a -> Envelope? in if case .envelope(let e) = a { e } else { nil } }).first
        else { Issue.record("\(attrs)"); return }
        #expect(env.subject == "Invoice \"1042\" (PDF)")
        #expect(env.from.first?.address == "shop@example.test" && env.from.first?.name == "Shop")
        #expect(env.to.map(\.description) == ["alice@example.test", "Bob <bob@example.test>"])
        #expect(env.messageID == "<1042@example.test>")
        guard case .bodyStructure(.multipart(let m))? = attrs.last, case .singlePart(let pdf) = m.parts[1] else {
            Issue.record("\(attrs)"); return
        }
        #expect(pdf.extensions?.disposition == BodyStructure.Disposition(kind: "attachment",
                                                                          parameters: ["filename": "Invoice 1042.pdf"]))
    }

    @Test func exchangeBrokenBodyStructureIsInvalidOnThatMessageOnly() throws {
        let events = try parse(ResponseFixtures.exchangeBrokenBodyStructure)
        var messages: [[MessageAttribute]] = []
        for e in events {
            if case .fetchStart = e { messages.append([]) }
            if case .fetchAttribute(let a) = e { messages[messages.count - 1].append(a) }
        }
        #expect(messages.count == 2)
        guard case .bodyStructure(.invalid(let raw, _))? = messages.first?.dropFirst().first else {
            Issue.record("\(messages)"); return
        }
        #expect(raw.hasPrefix("((\"text\" \"plain\""))
        #expect(messages[0].contains(.flags([.seen])))  // items after the broken one still parsed
        #expect(messages[1].contains(.uid(12)))
        #expect(messages[1].contains { if case .bodyStructure(.singlePart) = $0 { true } else { false } })
        #expect(events.last.map { if case .tagged = $0 { true } else { false } } == true)
    }

    @Test func nestedMessageRfc822() throws {
        let attrs = fetchAttributes(try parse(ResponseFixtures.nestedMessage))
        guard case .bodyStructure(.multipart(let m))? = attrs.first, case .singlePart(let fwd) = m.parts[1],
              case .multipart(let inner)? = fwd.body
        else { Issue.record("\(attrs)"); return }
        #expect(fwd.envelope?.subject == "fwd")
        #expect(fwd.lines == 12)
        #expect(inner.subtype == "related" && inner.parts.count == 2)
    }

    @Test func smallBodyIsOneAttributeLargeBodyStreams() throws {
        let small = String(repeating: "a", count: 100)
        let big = [UInt8]((0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        var bytes = Array("* 1 FETCH (UID 5 BODY[] {100}\r\n\(small) FLAGS (\\Seen))\r\n".utf8)
        bytes += Array("* 2 FETCH (UID 6 BODY[1.2]<0> {200000}\r\n".utf8) + big + Array(" UID 6)\r\nA1 OK done\r\n".utf8)
        let whole = try parse(bytes)
        #expect(whole.contains(.fetchAttribute(.bodySection(BodySectionKind(section: .complete), Array(small.utf8)))))
        let kind = BodySectionKind(section: SectionSpecifier(part: [1, 2]), origin: 0)
        let expected: [ResponseEvent] = [.fetchStart(sequenceNumber: 2), .fetchAttribute(.uid(6)),
                                         .streamingBegin(kind, size: 200_000), .streamingBytes(big), .streamingEnd,
                                         .fetchAttribute(.uid(6)), .fetchEnd]
        let same = whole.count == 13 && Array(whole[5..<12]) == expected
        #expect(same, "\(whole.count) events")
        for chunks in [[1], [7, 4096], [65536]] {
            let again = try parse(bytes, chunks: chunks) == whole
            #expect(again, "chunks \(chunks)")
        }
    }

    @Test func streamedChunksAreBoundedByWhatArrived() throws {
        var parser = ResponseParser()
        parser.append(Array("* 1 FETCH (BINARY[] ~{1000000}\r\n".utf8))
        #expect(try parser.next() == .fetchStart(sequenceNumber: 1))
        #expect(try parser.next() == .streamingBegin(BodySectionKind(binary: true, section: .complete), size: 1_000_000))
        var total = 0
        for _ in 0..<100 {
            parser.append([UInt8](repeating: 0, count: 10_000))
            guard case .streamingBytes(let b)? = try parser.next() else { Issue.record("no bytes"); return }
            #expect(b.count == 10_000)
            total += b.count
            #expect(parser.bufferedCount == 0)
        }
        #expect(total == 1_000_000)
        #expect(try parser.next() == .streamingEnd)
    }

    @Test func continuationRequests() throws {
        #expect(try parse("+ Ready for literal data\r\n") == [.continuation(Array("Ready for literal data".utf8))])
        #expect(try parse("+ \r\n") == [.continuation([])])
        #expect(try parse("+\r\n") == [.continuation([])])
        #expect(try parse("+ dGVzdA==\r\n") == [.continuation(Array("dGVzdA==".utf8))])
    }

    @Test func quotedEscapesNilAndLiteral8() throws {
        let events = try parse(crlf("* 1 FETCH (BODY[HEADER.FIELDS (SUBJECT FROM)] \"Subject: a \\\"b\\\" \\\\c\" BODY[TEXT] NIL BINARY[2] ~{3}",
                                    "\u{0}\u{1}\u{2})"))
        let attrs = fetchAttributes(events)
        #expect(attrs == [
            .bodySection(BodySectionKind(section: SectionSpecifier(text: "HEADER.FIELDS (SUBJECT FROM)")), Array("Subject: a \"b\" \\c".utf8)),
            .bodySection(BodySectionKind(section: .text), nil),
            .bodySection(BodySectionKind(binary: true, section: SectionSpecifier(part: [2])), [0, 1, 2]),
        ])
    }

    @Test func capabilityEnabledNamespaceIdFlags() throws {
        let events = try parse(crlf(
            "* CAPABILITY IMAP4rev1 IDLE AUTH=SCRAM-SHA-256",
            "* ENABLED UTF8=ACCEPT",
            "* NAMESPACE ((\"\" \"/\")) ((\"~\" \"/\")) ((\"#shared/\" \"/\")(\"#public/\" \"/\"))",
            "* ID (\"name\" \"Dovecot\" \"version\" NIL)",
            "* XUNKNOWN something we do not know",
            "A1 OK done"))
        #expect(events[0] == .untagged(.capability([.imap4rev1, .idle, Capability("AUTH=SCRAM-SHA-256")])))
        #expect(events[1] == .untagged(.enabled(["UTF8=ACCEPT"])))
        #expect(events[2] == .untagged(.namespace(NamespaceResponse(
            personal: [.init(prefix: "", delimiter: "/")], otherUsers: [.init(prefix: "~", delimiter: "/")],
            shared: [.init(prefix: "#shared/", delimiter: "/"), .init(prefix: "#public/", delimiter: "/")]))))
        #expect(events[3] == .untagged(.id(["name": "Dovecot", "version": String?.none])))
        #expect(events[4] == .untagged(.unknown("* XUNKNOWN something we do not know")))
    }

    /// Item names are case-insensitive (RFC 9051 §9): lower-case ones parse as upper-case ones.
    @Test func lowerCaseItemNamesParse() throws {
        var parser = ResponseParser()
        parser.append(Array("* 3 fetch (uid 7 rfc822.size 5 body[] {5}\r\nhello Flags (\\Seen))\r\n".utf8))
        var events: [ResponseEvent] = []
        while let e = try parser.next() { events.append(e) }
        #expect(events == [.fetchStart(sequenceNumber: 3), .fetchAttribute(.uid(7)), .fetchAttribute(.rfc822Size(5)),
                           .fetchAttribute(.bodySection(BodySectionKind(section: .complete), Array("hello".utf8))),
                           .fetchAttribute(.flags([.seen])), .fetchEnd])
    }

    @Test func transcriptLinesSummariseLiterals() throws {
        var parser = ResponseParser()
        parser.append(Array("* 1 FETCH (BODY[] {5}\r\nhello)\r\nA1 OK done\r\n".utf8))
        while try parser.next() != nil {}
        #expect(parser.takeTranscriptLines() == ["* 1 FETCH (BODY[] {5}<5 bytes>)", "A1 OK done"])
        #expect(!parser.hasTranscriptLines && parser.takeTranscriptLines().isEmpty)
        let big = String(repeating: "x", count: 12_345)
        parser.append(Array("* 2 FETCH (BODY[HEADER] {0}\r\n RFC822.TEXT {12345}\r\n\(big))\r\n".utf8))
        while try parser.next() != nil {}
        #expect(parser.takeTranscriptLines() == ["* 2 FETCH (BODY[HEADER] {0}<0 bytes> RFC822.TEXT {12345}<12345 bytes>)"])
    }
}
