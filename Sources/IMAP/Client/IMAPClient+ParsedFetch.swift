public import MIME

extension IMAPClient {
    /// UID FETCH of `BODY.PEEK[]` plus `attributes` (RFC 9051 §6.4.5), each message handed to the
    /// MIME parser (RFC 5322, RFC 2045–2049) and yielded one at a time: decoded subject and
    /// addresses (RFC 2047), text, attachments. Only the message being read is in memory; one
    /// bigger than `maxMessageSize` ends the sequence with `.invalidArgument` (use `uidFetchMIME`).
    ///
    ///     for try await m in try await imap.uidFetchParsed(SequenceSet.from(last + 1)) {
    ///         print(m.uid, m.message.subject ?? "", m.message.attachments.map(\.filename))
    ///     }
    public func uidFetchParsed(_ uids: SequenceSet, _ attributes: [FetchAttribute] = FetchAttribute.summary,
                               maxMessageSize: Int = 64 << 20) async throws -> ParsedMessages {
        let fetched = try await uidFetch(uids, Self.withWholeBody(attributes), maxSectionSize: maxMessageSize)
        return ParsedMessages(client: self, id: fetched.id, maxMessageSize: maxMessageSize)
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

    /// The next message of parsed fetch `id`.
    func nextParsedMessage(_ id: Int, maxMessageSize: Int) async throws -> ParsedFetchedMessage? {
        while var fetched = try await nextFetchedMessage(id, maxSectionSize: maxMessageSize) {
            guard let uid = fetched.uid else {
                transcript.fact("skipping a FETCH response without UID (an unsolicited flag update)")
                continue
            }
            let key = fetched.sections.keys.first { !$0.binary && $0.section == .complete && $0.origin == nil }
            guard let key, let body = fetched.sections.removeValue(forKey: key) else {
                // RFC 9051 §7.5.2: a UID FETCH answer without the asked-for body is an
                // unsolicited update (flags changed by another session), not a message.
                if fetched.flags != nil && fetched.envelope == nil { continue }
                throw fail(.protocolViolation, stage: IMAPStage.fetch,
                           evidence: "the FETCH response for UID \(uid) has no BODY[] although it was asked for")
            }
            return ParsedFetchedMessage(uid: uid, summary: fetched, message: MIMEParser.parse(body))
        }
        return nil
    }

    static func withWholeBody(_ attributes: [FetchAttribute]) -> [FetchAttribute] {
        var items = attributes.filter { if case .body(.complete, _, nil) = $0 { false } else { true } }
        if !items.contains(.uid) { items.insert(.uid, at: 0) }
        return items + [.body()]
    }
}
