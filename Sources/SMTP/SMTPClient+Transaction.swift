import NetIO

extension SMTPClient {
    /// `MAIL FROM:<address> [parameters]` (RFC 5321 §4.1.1.2); an empty address is the null
    /// reverse-path `<>`. A negative reply throws `rejected` with it.
    @discardableResult
    public func mail(from address: String, parameters: [SMTPParameter] = []) async throws -> SMTPReply {
        try await exclusively {
            let reply = try await exchange(.mail(from: address, parameters: parameters), stage: .mail,
                                           timeout: timeouts.mail, expected: [2])
            transactionOpen = true
            return reply
        }
    }

    /// `RCPT TO:<address> [parameters]` (RFC 5321 §4.1.1.3). A refusal throws `rejected` with the
    /// reply; `send` collects refusals per recipient instead.
    @discardableResult
    public func rcpt(to address: String, parameters: [SMTPParameter] = []) async throws -> SMTPReply {
        try await exclusively {
            try await exchange(.rcpt(to: address, parameters: parameters), stage: .rcpt, timeout: timeouts.rcpt, expected: [2])
        }
    }

    /// `DATA` (RFC 5321 §4.1.1.4): waits for 354, streams `source` dot-stuffed, calls `willCommit`
    /// just before the final dot, and returns the final 2yz reply. The connection lost after the
    /// dot and before the reply is `outcomeUnknown`.
    @discardableResult
    public func data(_ source: some SMTPMessageSource,
                     willCommit: (@Sendable () async throws -> Void)? = nil) async throws -> SMTPReply {
        try await exclusively {
            _ = try await exchange(.data, stage: .data, timeout: timeouts.dataInitiation, expected: [354])
            let (reply, _) = try await dataBody(source, willCommit: willCommit)
            return try finalCheck(reply, stage: .data)
        }
    }

    /// The message in `BDAT` chunks (RFC 3030 §2; the server must offer CHUNKING): `willCommit`
    /// runs just before `BDAT n LAST`; returns the final 2yz reply.
    @discardableResult
    public func bdat(_ source: some SMTPMessageSource,
                     willCommit: (@Sendable () async throws -> Void)? = nil) async throws -> SMTPReply {
        try await exclusively {
            let (reply, _) = try await bdatBody(source, willCommit: willCommit)
            return try finalCheck(reply, stage: .bdat)
        }
    }

    /// `RSET` (RFC 5321 §4.1.1.5): aborts the current transaction.
    @discardableResult
    public func rset() async throws -> SMTPReply {
        try await exclusively {
            let reply = try await exchange(.rset, stage: .rset, timeout: timeouts.command, expected: [2])
            transactionOpen = false
            return reply
        }
    }

    /// `NOOP` (RFC 5321 §4.1.1.9): checks that the session is alive.
    @discardableResult
    public func noop() async throws -> SMTPReply {
        try await exclusively { try await exchange(.noop, stage: .noop, timeout: timeouts.command, expected: [2]) }
    }

    // MARK: message bodies

    func finalCheck(_ reply: SMTPReply, stage: Stage) throws -> SMTPReply {
        transactionOpen = false
        guard reply.isPositiveCompletion else { throw fail(.rejected, stage: stage, reply: reply) }
        messagesOnConnection += 1
        return reply
    }

    /// After 354: the body, the summary line, the commit hook, the final dot and its reply.
    func dataBody(_ source: any SMTPMessageSource, willCommit: (@Sendable () async throws -> Void)?) async throws
        -> (SMTPReply, Int)
    {
        let c = try requireConnection(.data)
        await c.setStage(.data)
        let body: (size: Int, end: [UInt8], overlongLines: Int)
        // The rest of the body not yet written, in the client's body buffer.
        var rest = takeBodyBuffer()
        do {
            body = try await MessageStreamer.data(source, on: c, blockTimeout: timeouts.dataBlock, buffer: &rest)
            if willCommit != nil && !rest.isEmpty {
                try await c.write(rest, log: nil, timeout: timeouts.dataBlock)
                rest.removeAll(keepingCapacity: true)
            }
        } catch {
            throw await lift(error, stage: .data)
        }
        transcript.sent(.summary("message: \(body.size) bytes, \(source.summary)"), tls: await c.isTLS)
        noteOverlongLines(body.overlongLines)
        try await commit(willCommit)
        // The rest of the body (none after a hook) and its end go out in one write.
        rest += body.end
        let reply = try await finalReply(after: rest, stage: .data)
        keepBodyBuffer(&rest)
        return (reply, body.size)
    }

    /// BDAT chunks, the commit hook, `BDAT n LAST` and its reply.
    func bdatBody(_ source: any SMTPMessageSource, willCommit: (@Sendable () async throws -> Void)?) async throws
        -> (SMTPReply, Int)
    {
        let c = try requireConnection(.bdat)
        await c.setStage(.bdat)
        let body: (size: Int, chunks: Int, overlongLines: Int)
        // The last chunk, in the client's body buffer.
        var last = takeBodyBuffer()
        do {
            body = try await MessageStreamer.chunks(source, on: c, chunkSize: configuration.chunkSize,
                                                    blockTimeout: timeouts.dataBlock, replyTimeout: timeouts.command,
                                                    buffer: &last)
        } catch let failure as MessageStreamer.MidChunkFailure {
            // The server is inside a chunk it will never get whole: only closing ends it.
            await closeConnection()
            if let underlying = failure.underlying { throw await lift(underlying, stage: .bdat) }
            transcript.diagnosis("the message ended \(failure.owed) octets before the size its source announced "
                                 + "(\(source.byteCount ?? 0)): connection closed, the message is not sent")
            throw fail(.invalidArgument, stage: .bdat,
                       evidence: "the message source ended \(failure.owed) octets before its announced size")
        } catch {
            let lifted = await lift(error, stage: .bdat)
            if let e = lifted as? SMTPError, e.reply != nil, connection != nil { await resetQuietly() }
            throw lifted
        }
        try await commit(willCommit)
        let command = SMTPCommand.bdat(size: last.count, last: true)
        let tls = await c.isTLS
        transcript.sent(.line(try command.line()), tls: tls)
        transcript.sent(.summary("message: \(body.size) bytes, \(source.summary)"), tls: tls)
        noteOverlongLines(body.overlongLines)
        // The command, then the last chunk from the body buffer (no copy of the chunk). Lost
        // before the chunk is complete, the message cannot have been accepted.
        do {
            try await c.write(try command.encoded(), log: nil, timeout: timeouts.dataBlock)
        } catch {
            throw await lift(error, stage: .bdat)
        }
        let reply = try await finalReply(after: last, stage: .bdat)
        keepBodyBuffer(&last)
        return (reply, body.size)
    }

    /// The body buffer, taken for one message (empty, its capacity kept from the last one).
    func takeBodyBuffer() -> [UInt8] {
        var b: [UInt8] = []
        swap(&b, &bodyBuffer)
        b.removeAll(keepingCapacity: true)
        return b
    }

    /// Keeps `buffer`'s memory for the next message, up to `bodyBufferLimit` octets.
    func keepBodyBuffer(_ buffer: inout [UInt8]) {
        guard buffer.capacity <= Self.bodyBufferLimit else { return }
        swap(&bodyBuffer, &buffer)
        bodyBuffer.removeAll(keepingCapacity: true)
    }

    func noteOverlongLines(_ n: Int) {
        guard n > 0 else { return }
        transcript.fact("\(n) line\(n == 1 ? "" : "s") of the message exceed\(n == 1 ? "s" : "") \(SMTPLimits.textLine) octets "
                        + "(RFC 5322 §2.1.1); servers may fold or refuse them")
    }

    /// Runs the caller's hook; if it throws, the connection is closed without the final dot, so
    /// the message is certainly not accepted.
    func commit(_ willCommit: (@Sendable () async throws -> Void)?) async throws {
        guard let willCommit else { return }
        do {
            try await willCommit()
        } catch {
            transcript.fact("willCommit failed (\(error)); closing without the final dot: the message is not sent")
            await closeConnection()
            throw error
        }
    }

    /// Sends the end of the data and reads the verdict. Any failure but a reply from here on is
    /// `outcomeUnknown`: the server may have taken the message.
    private func finalReply(after end: [UInt8], stage: Stage) async throws -> SMTPReply {
        let c = try requireConnection(stage)
        do {
            try await c.write(end, log: nil, timeout: timeouts.dataBlock)
            let reply = try await SMTPWire.read(on: c, timeout: timeouts.dataTermination, expected: [2])
            if reply.code == 421 { await closeConnection() }
            return reply
        } catch is CancellationError {
            await closeConnection()
            throw CancellationError()
        } catch {
            transcript.diagnosis("the connection was lost after the end of the message and before the server's reply: "
                                 + "the message may have been accepted; do not resend without checking")
            var e = fail(.outcomeUnknown, stage: stage)
            e.netIO = error as? NetIOError
            if let wire = error as? SMTPError { e.evidence = wire.evidence }
            await closeConnection()
            throw e
        }
    }

    /// RSET when a transaction may be open; errors ignored (the next send reconnects).
    func resetQuietly() async {
        guard let c = connection, await c.isOpen else { return }
        do {
            try await SMTPWire.send([.rset], on: c, secretLabel: secretLabel, timeout: timeouts.command)
            let reply = try await SMTPWire.read(on: c, timeout: timeouts.command, expected: [2])
            if reply.code == 421 { await closeConnection() }
        } catch {
            await closeConnection()
        }
        transactionOpen = false
    }
}
