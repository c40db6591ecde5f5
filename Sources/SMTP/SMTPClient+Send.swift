import NetIO

extension SMTPClient {
    /// Sends one message (RFC 5321 §3.3): MAIL FROM, a RCPT TO per recipient, then DATA or BDAT,
    /// connecting first when no session is open.
    ///
    /// - MAIL gets `SIZE=` (RFC 1870) when the size is known, `BODY=8BITMIME` (RFC 6152) and
    ///   `SMTPUTF8` (RFC 6531) when the message or an address needs them (an error if the server
    ///   lacks them), `RET`/`ENVID` and per-recipient `NOTIFY`/`ORCPT` when DSN is asked for and
    ///   offered (RFC 3461).
    /// - With PIPELINING (RFC 2920) MAIL, the RCPTs (in groups of at most
    ///   `SMTPLimits.pipelinedRecipientsPerGroup`) and DATA go out together and the replies are
    ///   read in order; DATA waits for the RCPT replies when all recipients are required or BDAT
    ///   is used. With CHUNKING (RFC 3030) the message goes in BDAT chunks of `chunkSize`; a message
    ///   no larger than one chunk goes as `BDAT n LAST` at the end of the PIPELINING group, so the
    ///   whole transaction takes one round trip (`willCommit` then runs before the group).
    /// - Succeeds when at least one recipient was accepted (or all, with `requireAllRecipients`)
    ///   and the server took the message; the result lists every recipient and the queue id.
    /// - `willCommit` runs just before the final dot or last BDAT: from then on a lost connection
    ///   is `SMTPError.Kind.outcomeUnknown`, never an ordinary failure.
    /// - A reused connection that fails at MAIL (421, dropped while idle) is reopened once.
    /// - Errors: `SMTPError` (with `recipients` filled in once RCPT replies came), or
    ///   `CancellationError` (the connection is then closed; after `willCommit` the outcome is
    ///   unknown too).
    public func send(raw source: some SMTPMessageSource, envelope: Envelope, requireAllRecipients: Bool = false,
                     willCommit: (@Sendable () async throws -> Void)? = nil) async throws -> SMTPSendResult {
        try await exclusively {
            try await sendMessage(source, envelope: envelope, requireAll: requireAllRecipients, willCommit: willCommit)
        }
    }

    func sendMessage(_ source: any SMTPMessageSource, envelope: Envelope, requireAll requireAllRecipients: Bool,
                     willCommit: (@Sendable () async throws -> Void)?) async throws -> SMTPSendResult {
        // Refuse bad input before any byte goes out.
        try checkEnvelope(envelope)
        return try await onReadySession {
            try await transaction(source, envelope: envelope, requireAll: requireAllRecipients, willCommit: willCommit)
        }
    }

    /// The envelope's addresses fit on a command line (no CR, LF, NUL) and there is a recipient.
    func checkEnvelope(_ envelope: Envelope) throws {
        guard !envelope.recipients.isEmpty else {
            throw fail(.invalidArgument, stage: .rcpt, evidence: "the envelope has no recipient")
        }
        do {
            _ = try SMTPCommand.mail(from: envelope.mailFrom, parameters: []).line()
        } catch var e {
            e.stage = .mail
            throw e
        }
        for r in envelope.recipients {
            do {
                _ = try SMTPCommand.rcpt(to: r, parameters: []).line()
            } catch var e {
                e.stage = .rcpt
                throw e
            }
        }
    }

    /// Runs `body` (one transaction) on a ready session: the open one, RSET first if a
    /// transaction was left open, or a new one. A reused connection that fails at MAIL (421,
    /// dropped while idle) is reopened and `body` runs once more.
    func onReadySession(_ body: () async throws -> SMTPSendResult) async throws -> SMTPSendResult {
        var reused = false
        if await sessionIsReady() {
            reused = true
            if transactionOpen { await resetQuietly() }
        }
        if !(await sessionIsReady()) {
            reused = false
            try await connectSession()
        }
        do {
            return try await body()
        } catch let e as SMTPError where reused && e.stage == .mail && (e.kind == .serviceUnavailable || e.kind == .network) {
            transcript.fact("the reused connection failed at MAIL (\(e.summary)); opening a new one")
            await closeConnection()
            try await connectSession()
            return try await body()
        }
    }

    /// Whether the open session may carry mail as configured: EHLO done, TLS up unless
    /// `plaintextUnsafe`, AUTH done when credentials are configured (whether by `connect()` or
    /// by the verbs one by one).
    func sessionIsReady() async -> Bool {
        guard let c = connection, await c.isOpen, capabilities != nil else { return false }
        if configuration.security != .plaintextUnsafe, !(await c.isTLS) { return false }
        if !configuration.credentials.isNone, authenticatedMechanism == nil { return false }
        return true
    }

    func transaction(_ source: any SMTPMessageSource, envelope: Envelope, requireAll: Bool,
                             willCommit: (@Sendable () async throws -> Void)?) async throws -> SMTPSendResult {
        let caps = capabilities ?? .none
        // MAIL parameters.
        var mailParameters: [SMTPParameter] = []
        if let size = source.byteCount, caps.supportsSize {
            if let limit = caps.sizeLimit, size > limit {
                throw fail(.messageTooLarge(limit: limit), stage: .mail,
                           evidence: "the message has \(size) bytes; the server's SIZE is \(limit)")
            }
            mailParameters.append(.size(size))
        }
        if source.requires8BitMIME {
            guard caps.eightBitMIME else {
                throw fail(.extensionMissing("8BITMIME"), stage: .mail, evidence: "the message holds 8-bit octets")
            }
            mailParameters.append(.body8BitMIME)
        }
        let addresses = [envelope.mailFrom] + envelope.recipients
        if source.requiresSMTPUTF8 || addresses.contains(where: { $0.utf8.contains { $0 >= 0x80 } }) {
            guard caps.smtpUTF8 else {
                throw fail(.extensionMissing("SMTPUTF8"), stage: .mail,
                           evidence: "a UTF-8 address or header needs SMTPUTF8")
            }
            mailParameters.append(.smtpUTF8)
        }
        var notify: [SMTPParameter] = []
        let dsn = envelope.dsn.flatMap { caps.dsn ? $0 : nil }
        if let requested = envelope.dsn, dsn == nil {
            _ = requested
            transcript.fact("DSN was asked for but the server does not offer it; sending without RET/ENVID/NOTIFY")
        }
        if let dsn {
            if let ret = dsn.ret { mailParameters.append(.ret(ret)) }
            if let id = dsn.envelopeID { mailParameters.append(.envelopeID(id)) }
            if !dsn.notify.isEmpty { notify.append(.notify(dsn.notify)) }
        }
        let mailCommand = SMTPCommand.mail(from: envelope.mailFrom, parameters: mailParameters)
        let rcptCommands = envelope.recipients.map { address in
            let orcpt: [SMTPParameter] = dsn != nil && address.utf8.allSatisfy({ $0 < 0x80 }) ? [.originalRecipient(address)] : []
            return SMTPCommand.rcpt(to: address, parameters: notify + orcpt)
        }
        let chunking = configuration.useChunking && caps.chunking
        let pipelining = configuration.usePipelining && caps.pipelining
        let pipelineData = pipelining && !chunking && !requireAll

        // A small message with CHUNKING goes as `BDAT n LAST` at the end of the group (RFC 3030
        // §4.2 allows BDAT in a PIPELINING group): one round trip for the whole transaction.
        var inline: (size: Int, bytes: [UInt8], overlongLines: Int)?
        if pipelining && chunking && !requireAll, let n = source.byteCount, n <= configuration.chunkSize {
            inline = try await MessageStreamer.buffered(source)
        }
        transactionOpen = true
        var results: [RecipientResult] = []
        do {
            return try await exchanges(source, envelope: envelope, requireAll: requireAll, willCommit: willCommit,
                                       mailCommand: mailCommand, rcptCommands: rcptCommands, chunking: chunking,
                                       pipelining: pipelining, pipelineData: pipelineData, inline: inline,
                                       summary: source.summary, results: &results)
        } catch var e as SMTPError {
            if e.recipients.isEmpty { e.recipients = results }
            throw e
        }
    }

    /// MAIL, RCPTs and the data, filling `results` as RCPT replies come.
    private func exchanges(_ source: any SMTPMessageSource, envelope: Envelope, requireAll: Bool,
                           willCommit: (@Sendable () async throws -> Void)?, mailCommand: SMTPCommand,
                           rcptCommands: [SMTPCommand], chunking: Bool, pipelining: Bool, pipelineData: Bool,
                           inline: (size: Int, bytes: [UInt8], overlongLines: Int)?, summary: String,
                           results: inout [RecipientResult]) async throws -> SMTPSendResult {
        var refusals: [SMTPReply] = []
        var dataReply: SMTPReply?
        var inlineReply: SMTPReply?
        func record(_ address: String, _ reply: SMTPReply) {
            results.append(RecipientResult(address: address, accepted: reply.isPositiveCompletion, code: reply.code,
                                           enhancedCode: reply.enhancedCode?.description, text: reply.text))
            if !reply.isPositiveCompletion { refusals.append(reply) }
        }
        if pipelining {
            // MAIL, the RCPTs and DATA in groups of at most `pipelinedRecipientsPerGroup` RCPTs.
            let per = SMTPLimits.pipelinedRecipientsPerGroup
            let groups = stride(from: 0, to: rcptCommands.count, by: per).map { $0..<min($0 + per, rcptCommands.count) }
            var mailReply = SMTPReply(code: 250, lines: [""])
            for (n, group) in groups.enumerated() {
                let last = n == groups.count - 1
                var commands = (n == 0 ? [mailCommand] : []) + rcptCommands[group] + (last && pipelineData ? [.data] : [])
                let withMessage = last ? inline : nil
                if let withMessage {
                    commands.append(.bdat(size: withMessage.bytes.count, last: true))
                    try await commit(willCommit)
                }
                do {
                    try await write(commands, stage: n == 0 ? .mail : .rcpt, trailing: withMessage?.bytes ?? [],
                                    trailingLog: withMessage.map { .summary("message: \($0.size) bytes, \(summary)") })
                    if let withMessage { noteOverlongLines(withMessage.overlongLines) }
                    if n == 0 { mailReply = try await read(stage: .mail, timeout: timeouts.mail, expected: [2]) }
                    for address in envelope.recipients[group] {
                        record(address, try await read(stage: .rcpt, timeout: timeouts.rcpt, expected: [2]))
                    }
                    if last && pipelineData {
                        dataReply = try await read(stage: .data, timeout: timeouts.dataInitiation, expected: [354])
                    }
                    if withMessage != nil {
                        inlineReply = try await read(stage: .bdat, timeout: timeouts.dataTermination, expected: [2])
                    }
                } catch let e as SMTPError where withMessage != nil && e.kind != .serviceUnavailable && e.reply == nil {
                    // The message went out with the group: without its reply, the outcome is unknown.
                    transcript.diagnosis("the connection was lost after the message was sent and before the server's "
                                         + "reply: the message may have been accepted; do not resend without checking")
                    var unknown = fail(.outcomeUnknown, stage: .bdat)
                    unknown.netIO = e.netIO
                    unknown.evidence = e.evidence
                    await closeConnection()
                    throw unknown
                }
                if !mailReply.isPositiveCompletion { break }
            }
            if !mailReply.isPositiveCompletion {
                if dataReply?.code == 354 { await abortData() }
                await resetQuietly()
                var e = fail(.rejected, stage: .mail, reply: mailReply)
                e.recipients = results
                throw e
            }
        } else {
            try await write([mailCommand], stage: .mail)
            let mailReply = try await read(stage: .mail, timeout: timeouts.mail, expected: [2])
            guard mailReply.isPositiveCompletion else {
                await resetQuietly()
                throw fail(.rejected, stage: .mail, reply: mailReply)
            }
            for (address, command) in zip(envelope.recipients, rcptCommands) {
                try await write([command], stage: .rcpt)
                record(address, try await read(stage: .rcpt, timeout: timeouts.rcpt, expected: [2]))
            }
        }
        let acceptedCount = results.count(where: \.accepted)
        if acceptedCount == 0 || (requireAll && acceptedCount < results.count) {
            if dataReply?.code == 354 { await abortData() }
            await resetQuietly()
            var e = fail(acceptedCount == 0 ? .allRecipientsRejected : .someRecipientsRejected, stage: .rcpt,
                         reply: refusals.first)
            e.recipients = results
            throw e
        }
        let final: SMTPReply
        let size: Int
        if let inlineReply, let inline {
            (final, size) = (inlineReply, inline.size)
        } else if chunking {
            (final, size) = try await bdatBody(source, willCommit: willCommit)
        } else {
            if dataReply == nil {
                try await write([.data], stage: .data)
                dataReply = try await read(stage: .data, timeout: timeouts.dataInitiation, expected: [354])
            }
            guard dataReply?.code == 354 else {
                await resetQuietly()
                throw fail(.rejected, stage: .data, reply: dataReply)
            }
            (final, size) = try await dataBody(source, willCommit: willCommit)
        }
        _ = try finalCheck(final, stage: chunking ? .bdat : .data)
        return SMTPSendResult(recipients: results, queueID: QueueID.parse(final), reply: final, messageSize: size,
                              usedChunking: chunking, pipelined: pipelining)
    }

    /// After an unwanted 354 (RFC 2920 §3.1: every RCPT failed but DATA was pipelined): ends the
    /// empty data with `.`, so nothing is delivered, and reads the server's refusal.
    private func abortData() async {
        guard let c = connection else { return }
        let tls = await c.isTLS
        transcript.sent(.summary("message: 0 bytes, no recipient accepted"), tls: tls)
        do {
            try await c.write([0x2E, 0x0D, 0x0A], log: nil, timeout: timeouts.dataBlock)
            _ = try await SMTPWire.read(on: c, timeout: timeouts.dataTermination, expected: [5, 4])
        } catch {
            await closeConnection()
        }
    }
}
