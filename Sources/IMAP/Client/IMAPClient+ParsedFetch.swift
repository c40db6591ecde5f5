import MIME

extension IMAPClient {
    /// UID FETCH of `BODY.PEEK[]` plus `attributes` (RFC 9051 §6.4.5), each message handed to the
    /// MIME parser (RFC 5322, RFC 2045–2049) and yielded one at a time: decoded subject and
    /// addresses (RFC 2047), text, attachments. Only the message being parsed is in memory, and
    /// only as its parsed tree (the raw bytes go to the parser as they arrive); one bigger than
    /// `maxMessageSize` ends the sequence with `.invalidArgument` (use `uidFetchMIME` for those).
    ///
    ///     for try await m in try await imap.uidFetchParsed(SequenceSet.from(last + 1)) {
    ///         print(m.uid, m.message.subject ?? "", m.message.attachments.map(\.filename))
    ///     }
    public func uidFetchParsed(_ uids: SequenceSet, _ attributes: [FetchAttribute] = FetchAttribute.summary,
                               maxMessageSize: Int = 64 << 20) async throws -> ParsedMessages {
        let events = try await uidFetchEvents(uids, Self.withWholeBody(attributes))
        return ParsedMessages(client: self, id: events.id, maxMessageSize: maxMessageSize)
    }

    /// UID FETCH of `BODY.PEEK[]` plus `attributes`, the body fed to `MIMEStreamParser` chunk by
    /// chunk as it arrives (RFC 9051 §7.5.2 literals streamed): memory stays bounded whatever
    /// the message size. Each message is `.messageStart`, its `.mime` events, `.messageEnd`.
    public func uidFetchMIME(_ uids: SequenceSet, _ attributes: [FetchAttribute] = [.uid, .rfc822Size]) async throws -> MIMEFetchEvents {
        let events = try await uidFetchEvents(uids, Self.withWholeBody(attributes))
        return MIMEFetchEvents(client: self, id: events.id)
    }

    /// "New messages since (UIDVALIDITY, last UID)", parsed (RFC 9051 §2.3.1.1, RFC 4549 §4.3):
    /// selects `mailbox`, decides with `newMessages(in:since:)` and fetches what is new. A changed
    /// or unknown UIDVALIDITY is reported as `.resyncFromScratch` and nothing is fetched unless
    /// `fetchAllOnResync` (old UIDs mean nothing then; the caller decides, never a guess).
    public func newParsedMessages(in mailbox: MailboxName, since last: SyncState?, fetchAllOnResync: Bool = false,
                                  attributes: [FetchAttribute] = FetchAttribute.summary,
                                  maxMessageSize: Int = 64 << 20) async throws -> NewMail {
        let (plan, box) = try await newMessages(in: mailbox, since: last)
        switch plan {
        case .upToDate:
            return NewMail(plan: plan, mailbox: box, messages: nil)
        case .resyncFromScratch:
            guard fetchAllOnResync, box.exists > 0 else { return NewMail(plan: plan, mailbox: box, messages: nil) }
            return NewMail(plan: plan, mailbox: box,
                           messages: try await uidFetchParsed(.all, attributes, maxMessageSize: maxMessageSize))
        case .fetchNew(let uids):
            return NewMail(plan: plan, mailbox: box,
                           messages: try await uidFetchParsed(SequenceSet(uids), attributes, maxMessageSize: maxMessageSize))
        }
    }

    /// The next message of parsed fetch `id`. A body the IMAP parser streams (over
    /// `ParserLimits.streamingThreshold`) goes to the MIME parser chunk by chunk as it arrives:
    /// the raw message is never held beside the parsed tree.
    func nextParsedMessage(_ id: Int, maxMessageSize: Int) async throws -> ParsedFetchedMessage? {
        while let collected = try await nextCollectedMessage(id, limit: maxMessageSize, body: .parsedWholeBody) {
            guard let uid = collected.summary.uid, let message = collected.parsed else {
                // RFC 9051 §7.5.2: a FETCH without the asked-for body is an unsolicited
                // update (flags changed by another session), not one of the messages.
                transcript.fact("skipping a FETCH response without BODY[] (an unsolicited update of message \(collected.summary.sequenceNumber))")
                continue
            }
            return ParsedFetchedMessage(uid: uid, summary: collected.summary, message: message)
        }
        return nil
    }

    /// The chunks of the body section being read by fetch `id`, up to its end.
    func nextBodyChunk(_ id: Int) async throws -> [UInt8]? {
        guard let event = try await nextFetchEvent(id) else {
            throw fail(.protocolViolation, stage: IMAPStage.fetch, evidence: "the FETCH ended inside a body section")
        }
        switch event {
        case .bodyChunk(let bytes): return bytes
        case .bodyEnd: return nil
        default: throw fail(.protocolViolation, stage: IMAPStage.fetch, evidence: "a FETCH item inside a body section")
        }
    }

    /// `BODY[]` as the server labels the answer to `BODY.PEEK[]` (RFC 9051 §7.5.2).
    static func isWholeBody(_ kind: BodySectionKind) -> Bool {
        !kind.binary && kind.section == .complete && kind.origin == nil
    }

    static func withWholeBody(_ attributes: [FetchAttribute]) -> [FetchAttribute] {
        var items = attributes.filter { if case .body(.complete, _, nil) = $0 { false } else { true } }
        if !items.contains(.uid) { items.insert(.uid, at: 0) }
        return items + [.body()]
    }
}

/// The bytes of one streamed body section, as the IMAP parser hands them over.
struct BodySectionChunks: AsyncSequence, Sendable {
    typealias Element = [UInt8]
    let client: IMAPClient
    let id: Int

    struct AsyncIterator: AsyncIteratorProtocol {
        let client: IMAPClient
        let id: Int
        mutating func next() async throws -> [UInt8]? { try await client.nextBodyChunk(id) }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(client: client, id: id) }
}
