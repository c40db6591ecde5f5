import Synchronization

extension IMAPClient {
    /// UID FETCH (RFC 9051 §6.4.5, §6.4.9) as a sequence of whole messages, one at a time: only
    /// the message being read is in memory. A section bigger than `maxSectionSize` ends the
    /// sequence with an error (use `uidFetchEvents` to stream such messages).
    ///
    ///     for try await message in try await imap.uidFetch(SequenceSet.from(lastUID + 1), FetchAttribute.full) { … }
    public func uidFetch(_ uids: SequenceSet, _ attributes: [FetchAttribute],
                         maxSectionSize: Int = 64 << 20) async throws -> FetchedMessages {
        let id = try await startFetch(uids, attributes)
        return FetchedMessages(client: self, id: id, maxSectionSize: maxSectionSize)
    }

    /// UID FETCH as a sequence of events: each message's items as parsed, and big body sections
    /// in chunks as they arrive (never held whole), for multi-megabyte messages.
    public func uidFetchEvents(_ uids: SequenceSet, _ attributes: [FetchAttribute]) async throws -> FetchEvents {
        FetchEvents(client: self, id: try await startFetch(uids, attributes))
    }

    /// Fetches and collects (small result sets: a list of summaries).
    public func uidFetchAll(_ uids: SequenceSet, _ attributes: [FetchAttribute]) async throws -> [FetchedMessage] {
        var out: [FetchedMessage] = []
        for try await m in try await uidFetch(uids, attributes) { out.append(m) }
        return out
    }

    private func startFetch(_ uids: SequenceSet, _ attributes: [FetchAttribute]) async throws -> Int {
        try await settleStream()
        var items = attributes
        if !items.contains(.uid) { items.insert(.uid, at: 0) }
        let begun = try await begin([.atom("UID"), .atom("FETCH"), .raw(uids.description),
                                     .raw("(" + items.map(\.wire).joined(separator: " ") + ")")], stage: IMAPStage.fetch)
        if let early = begun.early { try check(early, command: begun.transcript) }
        // Replies for many messages: let reads gather them (a single UID's reply is awaited
        // plainly, without the up to 1 ms a gathering read may wait for more).
        if uids.ranges.count > 1 || uids.ranges.first.map({ $0.lowerBound != $0.upperBound }) == true {
            await connection.expectBulkTransfer()
        }
        streamCounter += 1
        stream = ActiveStream(id: streamCounter, tag: begun.tag, kind: .fetch, stage: IMAPStage.fetch)
        return streamCounter
    }

    /// Events of fetch `id` for one call into the client: the next one (waiting for it if need
    /// be), then those the bytes already received hold, up to `limit` events or
    /// `FetchEvents.batchBytes` octets of body. Empty: the FETCH is over. A failure after the
    /// first event is kept for the next call, so the events before it are all delivered.
    func nextFetchEvents(_ id: Int, limit: Int) async throws -> [FetchEvent] {
        guard let first = try await nextFetchEvent(id) else { return [] }
        var batch: [FetchEvent] = []
        batch.reserveCapacity(limit)  // one allocation per batch, not one per doubling
        batch.append(first)
        var bytes = 0
        if case .bodyChunk(let b) = first { bytes = b.count }
        guard stream?.id == id, let tag = stream?.tag else { return batch }
        // `stream` is read once, not per event (each read copies the optional struct): in this
        // loop only the tagged reply, a protocol violation or a failure ends it, and those return.
        while batch.count < limit, bytes < FetchEvents.batchBytes {
            do {
                guard let event = try bufferedEvent() else { break }
                switch event {
                case .fetchStart(let n): batch.append(.messageStart(sequenceNumber: n))
                case .fetchAttribute(let a): batch.append(.attribute(a))
                case .streamingBegin(let k, let size): batch.append(.bodyBegin(k, size: size))
                case .streamingBytes(let b):
                    batch.append(.bodyChunk(b))
                    bytes += b.count
                case .streamingEnd: batch.append(.bodyEnd)
                case .fetchEnd: batch.append(.messageEnd)
                case .tagged(let t) where t.tag == tag:
                    stream = nil
                    try check(t, command: nil)
                    return batch
                case .tagged, .untagged: continue
                case .continuation:
                    stream = nil
                    throw fail(.protocolViolation, evidence: "a continuation request during FETCH")
                }
            } catch {
                stream = nil
                deferredFetchFailure = (id, error)
                return batch
            }
        }
        return batch
    }

    /// Whether fetch `id` was ended by another command (read without entering the actor).
    nonisolated func wasInterrupted(_ id: Int) -> Bool {
        guard interruptionCount.load(ordering: .acquiring) > 0 else { return false }
        return interruptedStreams.withLock { $0.contains(id) }
    }

    /// The next event of fetch `id`; `nil` after the tagged OK.
    func nextFetchEvent(_ id: Int) async throws -> FetchEvent? {
        if let deferred = deferredFetchFailure, deferred.id == id {
            deferredFetchFailure = nil
            throw deferred.error
        }
        if !interrupted.isEmpty, forgetInterruption(id) {
            throw fail(.interrupted, stage: IMAPStage.fetch, evidence: "another command was started before the FETCH was read to its end")
        }
        guard stream?.id == id, let tag = stream?.tag else { return nil }
        while true {
            let event: ResponseEvent
            do {
                event = try await nextEvent()
            } catch {
                stream = nil
                throw error
            }
            switch event {
            case .fetchStart(let n): return .messageStart(sequenceNumber: n)
            case .fetchAttribute(let a): return .attribute(a)
            case .streamingBegin(let k, let size): return .bodyBegin(k, size: size)
            case .streamingBytes(let b): return .bodyChunk(b)
            case .streamingEnd: return .bodyEnd
            case .fetchEnd: return .messageEnd
            case .tagged(let t) where t.tag == tag:
                stream = nil
                try check(t, command: nil)
                return nil
            case .tagged, .untagged: continue
            case .continuation:
                stream = nil
                throw fail(.protocolViolation, evidence: "a continuation request during FETCH")
            }
        }
    }

    /// The next whole message of fetch `id`, every section held as bytes.
    func nextFetchedMessage(_ id: Int, maxSectionSize: Int) async throws -> FetchedMessage? {
        try await nextCollectedMessage(id, limit: maxSectionSize, body: .bytes)?.summary
    }

    /// Ends an open FETCH or IDLE before another command: reads (and drops) the rest of a FETCH,
    /// or sends DONE to an IDLE, up to its tagged response. The sequence then throws `.interrupted`.
    func settleStream() async throws {
        guard let s = stream else { return }
        if s.kind == .idle && !s.doneSent {
            stream?.doneSent = true
            try await writeLine("DONE")
        }
        while true {
            let event = try await nextEvent()
            if case .tagged(let t) = event, t.tag == s.tag { break }
        }
        stream = nil
        interrupted.insert(s.id)
        if interruptedStreams.withLock({ $0.insert(s.id).inserted }) { interruptionCount.add(1, ordering: .releasing) }
    }
}

/// The messages of one UID FETCH, one at a time (see `IMAPClient.uidFetch`).
public struct FetchedMessages: AsyncSequence, Sendable {
    public typealias Element = FetchedMessage
    let client: IMAPClient
    let id: Int
    let maxSectionSize: Int

    public struct AsyncIterator: AsyncIteratorProtocol {
        let client: IMAPClient
        let id: Int
        let maxSectionSize: Int
        public mutating func next() async throws -> FetchedMessage? {
            try await client.nextFetchedMessage(id, maxSectionSize: maxSectionSize)
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(client: client, id: id, maxSectionSize: maxSectionSize) }
}

/// The events of one UID FETCH, big sections in chunks (see `IMAPClient.uidFetchEvents`).
///
/// The iterator takes the events the received bytes hold in one call into the client (up to
/// `batchLimit` events, `batchBytes` octets of body) and hands them out one by one: a mailbox
/// of small messages costs one actor hop per batch, not one per event. Another command started
/// while the FETCH is open ends the sequence at once (`.interrupted`), events taken but not
/// handed out included; a FETCH whose tagged reply was already taken is delivered to its end.
public struct FetchEvents: AsyncSequence, Sendable {
    public typealias Element = FetchEvent
    let client: IMAPClient
    let id: Int
    /// Events taken per call into the client at most.
    static let batchLimit = 64
    /// Octets of body chunks taken per call at most (a batch stops once it holds this many).
    static let batchBytes = 128 * 1024

    public struct AsyncIterator: AsyncIteratorProtocol {
        let client: IMAPClient
        let id: Int
        var batch: [FetchEvent] = []
        var position = 0

        public mutating func next() async throws -> FetchEvent? {
            try await next(isolation: nil)
        }

        /// SE-0421: `for try await` calls this with the caller's actor, so an event already
        /// taken is handed out without leaving that actor (only a new batch enters the client).
        public mutating func next(isolation actor: isolated (any Actor)?) async throws -> FetchEvent? {
            if position < batch.count, !client.wasInterrupted(id) {
                position += 1
                return take(position - 1)
            }
            batch = []
            batch = try await client.nextFetchEvents(id, limit: FetchEvents.batchLimit)
            guard !batch.isEmpty else { return nil }
            position = 1
            return take(0)
        }

        /// Moves event `index` out of the batch (a payload-free event is left in its place, so
        /// dropping the batch releases nothing twice and copies nothing).
        private mutating func take(_ index: Int) -> FetchEvent {
            batch.withUnsafeMutableBufferPointer { events in
                let slot = events.baseAddress! + index
                let event = slot.move()
                slot.initialize(to: .messageEnd)
                return event
            }
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(client: client, id: id) }
}
