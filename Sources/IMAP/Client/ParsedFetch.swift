public import MIME

/// One fetched message handed to the MIME parser (RFC 9051 §6.4.5 `BODY[]`, RFC 5322,
/// RFC 2045–2049): its UID, the other FETCH items, and the parsed tree with decoded subject,
/// addresses, text and attachment bytes.
public struct ParsedFetchedMessage: Sendable {
    public var uid: UInt32
    /// The FETCH items other than the body (FLAGS, INTERNALDATE, RFC822.SIZE, ENVELOPE, …); its
    /// `sections` are empty: the body lives on only in `message`.
    public var summary: FetchedMessage
    public var message: ParsedMessage

    public init(uid: UInt32, summary: FetchedMessage, message: ParsedMessage) {
        self.uid = uid
        self.summary = summary
        self.message = message
    }
}

/// One step of a fetch streamed through `MIMEStreamParser` (see `IMAPClient.uidFetchMIME`):
/// the body section's bytes are parsed as they arrive, so a multi-megabyte message is never held
/// whole; decoded body bytes come in pieces of about 64 KiB.
public enum MIMEFetchEvent: Sendable {
    /// A message starts: the FETCH items that arrived before its body (UID first: it is asked
    /// for first, and servers answer in that order).
    case messageStart(FetchedMessage)
    /// The next event of the MIME parser for this message's `BODY[]`. FETCH responses without a
    /// body (unsolicited flag updates) are not reported.
    case mime(MIMEEvent)
    /// The message ended: every FETCH item except the body.
    case messageEnd(FetchedMessage)
}

/// The parsed messages of one UID FETCH, one at a time (see `IMAPClient.uidFetchParsed`).
public struct ParsedMessages: AsyncSequence, Sendable {
    public typealias Element = ParsedFetchedMessage
    let client: IMAPClient
    let id: Int
    let maxMessageSize: Int

    public struct AsyncIterator: AsyncIteratorProtocol {
        let client: IMAPClient
        let id: Int
        let maxMessageSize: Int
        public mutating func next() async throws -> ParsedFetchedMessage? {
            try await client.nextParsedMessage(id, maxMessageSize: maxMessageSize)
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(client: client, id: id, maxMessageSize: maxMessageSize)
    }
}

/// The MIME events of one UID FETCH (see `IMAPClient.uidFetchMIME`), in bounded memory.
public struct MIMEFetchEvents: AsyncSequence, Sendable {
    public typealias Element = MIMEFetchEvent
    let client: IMAPClient
    let id: Int

    public struct AsyncIterator: AsyncIteratorProtocol {
        let client: IMAPClient
        let id: Int
        private var pending: [MIMEFetchEvent] = []
        private var next = 0
        private var parser: MIMEStreamParser?
        private var summary: FetchedMessage?
        private var started = false

        init(client: IMAPClient, id: Int) {
            self.client = client
            self.id = id
        }

        public mutating func next() async throws -> MIMEFetchEvent? {
            while next >= pending.count {
                pending.removeAll(keepingCapacity: true)
                next = 0
                guard let event = try await client.nextFetchEvent(id) else { return nil }
                switch event {
                case .messageStart(let n):
                    summary = FetchedMessage(sequenceNumber: n)
                    started = false
                case .attribute(.bodySection(let kind, let bytes)) where IMAPClient.isWholeBody(kind):
                    // Small enough to have been buffered by the IMAP parser: parse it at once.
                    var p = MIMEStreamParser()
                    emit(p.feed(bytes ?? []))
                    emit(p.finish())
                case .attribute(let a):
                    summary?.apply(a)
                case .bodyBegin(let kind, _):
                    if IMAPClient.isWholeBody(kind) { parser = MIMEStreamParser() }
                case .bodyChunk(let bytes):
                    if parser != nil { emit(parser!.feed(bytes)) }
                case .bodyEnd:
                    if var p = parser {
                        emit(p.finish())
                        parser = nil
                    }
                case .messageEnd:
                    // No body at all: an unsolicited update (flags changed by another session,
                    // RFC 9051 §7.5.2), not one of the messages asked for; skipped.
                    if let s = summary, started { pending.append(.messageEnd(s)) }
                    summary = nil
                }
            }
            defer { next += 1 }
            return pending[next]
        }

        private mutating func emit(_ events: [MIMEEvent]) {
            guard !events.isEmpty else { return }
            if !started, let s = summary {
                started = true
                pending.append(.messageStart(s))
            }
            pending += events.map { .mime($0) }
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(client: client, id: id) }
}

/// What `IMAPClient.newParsedMessages` found: the sync verdict, the selected mailbox and, when
/// there is something to read, the new messages parsed one at a time.
public struct NewMail: Sendable {
    public var plan: SyncPlan
    public var mailbox: SelectedMailbox
    /// The new messages (`.fetchNew`), every message (`.resyncFromScratch` when asked to fetch
    /// all), or `nil`. Store `SyncState(uidValidity:highestUID:)` with each UID once handled.
    public var messages: ParsedMessages?

    public init(plan: SyncPlan, mailbox: SelectedMailbox, messages: ParsedMessages?) {
        self.plan = plan
        self.mailbox = mailbox
        self.messages = messages
    }
}
