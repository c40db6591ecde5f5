extension IMAPClient {
    /// IDLE (RFC 2177): a sequence of changes to the selected mailbox as the server reports them.
    /// IDLE is ended with DONE, checked with NOOP and re-issued every `reissueInterval` (default
    /// 28 minutes, before the 30-minute cut-off of RFC 2177 §3). Cancelling the iterating task
    /// sends DONE; `done()`, or any other command, ends it too.
    ///
    ///     for try await event in try await imap.idle() { if case .exists = event { … } }
    public func idle(_ options: IdleOptions = IdleOptions()) async throws -> IdleEvents {
        guard has(.idle) else { throw fail(.unsupported, stage: IMAPStage.idle, evidence: "the server does not offer IDLE") }
        try await settleStream()
        var collected = Collected()
        let tag = try await issueIdle(into: &collected)
        idleBacklog = Self.mailboxEvents(collected)
        idleEndRequested.removeAll()  // one IDLE at a time: requests for earlier ones are moot
        streamCounter += 1
        stream = ActiveStream(id: streamCounter, tag: tag, kind: .idle, stage: IMAPStage.idle,
                              reissueAt: .now.advanced(by: options.reissueInterval), options: options)
        return IdleEvents(client: self, id: streamCounter)
    }

    /// Sends IDLE and waits for the go-ahead (RFC 2177 §3).
    private func issueIdle(into collected: inout Collected) async throws -> String {
        let begun = try await begin([.atom("IDLE")], stage: IMAPStage.idle)
        while true {
            let event = try await nextEvent()
            switch event {
            case .continuation: return begun.tag
            case .tagged(let t) where t.tag == begun.tag:
                try check(t, command: begun.transcript)
                throw fail(.protocolViolation, stage: IMAPStage.idle, evidence: "IDLE completed without a continuation")
            default: collected.take(event)
            }
        }
    }

    /// The next mailbox event of idle `id`; `nil` once it has ended.
    func nextIdleEvent(_ id: Int) async throws -> MailboxEvent? {
        if forgetInterruption(id) { return nil }
        if !idleBacklog.isEmpty, let s = stream, s.id == id { return idleBacklog.removeFirst() }
        var collected = Collected()
        while let s = stream, s.id == id {
            let timeout: Duration = s.doneSent ? timeouts.read : max(.milliseconds(1), ContinuousClock.now.duration(to: s.reissueAt))
            let event: ResponseEvent
            do {
                event = try await nextEvent(timeout: timeout)
            } catch let error as IMAPError where error.transport?.kind == .timeout && !s.doneSent {
                // `s` is from before the wait: DONE may have been sent meanwhile (the consumer
                // was cancelled). Then its OK is awaited with the read timeout, not re-issued.
                if stream?.id == id, stream?.doneSent == true { continue }
                try await reissueIdle(id)
                if !idleBacklog.isEmpty { return idleBacklog.removeFirst() }
                continue
            } catch {
                stream = nil
                throw error
            }
            switch event {
            case .untagged(.exists(let n)): return .exists(n)
            case .untagged(.expunge(let n)): return .expunged(sequenceNumber: n)
            case .untagged(.recent(let n)): return .recent(n)
            case .untagged(.vanished(_, let set)): return .vanished(set)
            case .untagged(.status(let st)) where st.code == .alert: return .alert(st.text)
            case .tagged(let t) where t.tag == s.tag:
                stream = nil
                if s.doneSent && t.status.condition == .ok { return nil }
                try check(t, command: nil)
                return nil
            case .fetchEnd:
                collected.take(event)
                if let m = collected.fetches.popLast() { return .messageChanged(m) }
            default:
                collected.take(event)
            }
        }
        return nil
    }

    /// DONE, wait for the OK, NOOP as a health check, IDLE again (RFC 2177 §3). What the server
    /// reports meanwhile is kept for the sequence.
    private func reissueIdle(_ id: Int) async throws {
        guard let s = stream, s.id == id, !s.doneSent else { return }
        stream?.doneSent = true
        try await writeLine("DONE")
        var collected = Collected()
        let done = try await finish(tag: s.tag, firstResponse: nil, into: &collected)
        try check(done, command: "DONE")
        stream = nil
        let (_, noop) = try await run([.atom("NOOP")], stage: IMAPStage.noop)
        collected.untagged += noop.untagged
        collected.fetches += noop.fetches
        if idleEndRequested.remove(id) != nil {
            // Cancelled meanwhile: the sequence ends here (`stream` stays nil), IDLE is not sent.
            idleBacklog += Self.mailboxEvents(collected)
            return
        }
        let tag = try await issueIdle(into: &collected)
        idleBacklog += Self.mailboxEvents(collected)
        stream = ActiveStream(id: id, tag: tag, kind: .idle, stage: IMAPStage.idle,
                              reissueAt: .now.advanced(by: s.options.reissueInterval), options: s.options)
        if idleEndRequested.remove(id) != nil {
            // Cancelled while IDLE was being sent again: end it now (its OK ends the sequence).
            stream?.doneSent = true
            try await writeLine("DONE")
        }
    }

    static func mailboxEvents(_ collected: Collected) -> [MailboxEvent] {
        var out: [MailboxEvent] = []
        for u in collected.untagged {
            switch u {
            case .exists(let n): out.append(.exists(n))
            case .expunge(let n): out.append(.expunged(sequenceNumber: n))
            case .recent(let n): out.append(.recent(n))
            case .vanished(_, let set): out.append(.vanished(set))
            case .status(let st) where st.code == .alert: out.append(.alert(st.text))
            default: break
            }
        }
        return out + collected.fetches.map { .messageChanged($0) }
    }

    /// Sends DONE to idle `id` if it is still running (the reader sees the tagged OK and ends).
    func sendDone(_ id: Int) async {
        guard let s = stream, s.id == id, !s.doneSent else {
            // A re-issue is under way (its DONE is sent, or IDLE is not yet sent again): it ends
            // the sequence instead of idling again.
            if stream == nil || stream?.id == id { idleEndRequested.insert(id) }
            return
        }
        stream?.doneSent = true
        try? await writeLine("DONE")
    }

    /// Ends idle `id`: DONE, then its tagged OK is read.
    func endIdle(_ id: Int) async throws {
        guard let s = stream, s.id == id else { return }
        try await settleStream()
        forgetInterruption(s.id)
    }
}

/// The mailbox events of one IDLE (see `IMAPClient.idle`).
public struct IdleEvents: AsyncSequence, Sendable {
    public typealias Element = MailboxEvent
    let client: IMAPClient
    let id: Int

    /// Ends IDLE (DONE) and waits for the server's OK.
    public func done() async throws { try await client.endIdle(id) }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let client: IMAPClient
        let id: Int
        public mutating func next() async throws -> MailboxEvent? {
            let client = self.client, id = self.id
            // The read runs in its own task so that cancelling the caller sends DONE and lets the
            // server's OK end the read, instead of closing the connection mid-IDLE.
            let reader = Task { try await client.nextIdleEvent(id) }
            return try await withTaskCancellationHandler {
                try await reader.value
            } onCancel: {
                Task { await client.sendDone(id) }
            }
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(client: client, id: id) }
}
