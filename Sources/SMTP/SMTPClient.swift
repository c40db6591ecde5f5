import Auth
public import NetIO

/// An SMTP submission client (RFC 5321, RFC 6409) over one NetIO `Connection` at a time.
/// The methods are the protocol verbs; `send(raw:envelope:)` runs a whole transaction.
///
/// ```swift
/// let client = SMTPClient(SMTPConfiguration(endpoint: Endpoint(host: "smtp.example.com", port: 587),
///                                           credentials: .password(user: "shop", password: pw)))
/// try await client.connect()            // greeting, EHLO, STARTTLS, EHLO, AUTH
/// let result = try await client.send(raw: bytes, envelope: Envelope(mailFrom: "shop@example.com",
///                                                                     recipients: ["c@example.net"]))
/// await client.quit()
/// ```
/// Security: STARTTLS is required unless `Security.plaintextUnsafe` (an error if not offered),
/// and every capability learned before TLS is forgotten (RFC 3207 §4.2). With credentials, no
/// MAIL is sent until AUTH succeeded. Secrets never reach the transcript.
///
/// Many messages may be sent on one connection; after a `421` or a lost connection the next
/// `send` opens a new one (and a reused connection that fails at MAIL is reopened once).
/// Errors are `SMTPError` (or `CancellationError`).
public actor SMTPClient {
    public nonisolated let configuration: SMTPConfiguration
    /// The session log (redacted).
    public nonisolated var transcript: Transcript { configuration.transcript }
    /// The last greeting (RFC 5321 §4.3.1).
    public internal(set) var greeting: SMTPReply?
    /// What the last EHLO offered; `nil` before EHLO and right after STARTTLS.
    public internal(set) var capabilities: SMTPCapabilities?
    /// The SASL mechanism that succeeded on this connection.
    public internal(set) var authenticatedMechanism: String?
    /// The TLS handshake's report, once TLS is up.
    public internal(set) var tlsReport: TLSReport?
    /// Messages accepted on the current connection.
    public internal(set) var messagesOnConnection = 0
    /// Connections opened so far.
    public internal(set) var connectionCount = 0

    var connection: Connection?
    var transactionOpen = false
    /// The memory of the last message body sent (a BDAT chunk, DATA's write batch), reused by the
    /// next message: a client sending thousands allocates it once, not once per message (freed
    /// and reallocated megabytes fragment the allocator's arenas, which then hold on to them).
    var bodyBuffer: [UInt8] = []
    /// The largest body buffer kept between messages: a default chunk plus slack (RFC 3030 §2).
    static let bodyBufferLimit = (1 << 20) + 256 * 1024
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    public init(_ configuration: SMTPConfiguration) {
        self.configuration = configuration
    }

    var timeouts: SMTPTimeouts { configuration.timeouts }
    var secretLabel: String { configuration.credentials.redactedLabel }

    /// Whether a connection is open.
    public func isConnected() async -> Bool {
        guard let connection else { return false }
        return await connection.isOpen
    }

    // MARK: session

    /// Opens the TCP connection (with the TLS handshake for `.implicitTLS`) and reads the greeting
    /// (RFC 5321 §3.1): `220` goes on, `554` is `greetingRefused`, `421` `serviceUnavailable`.
    @discardableResult
    public func open() async throws -> SMTPReply {
        try await exclusively { try await openSession() }
    }

    func openSession() async throws -> SMTPReply {
        await closeConnection()
        let netSecurity: Security = configuration.security == .implicitTLS ? .implicitTLS
            : configuration.security == .startTLS ? .startTLS : .plaintextUnsafe
        let c: Connection
        do {
            c = try await Connection.connect(to: configuration.endpoint, security: netSecurity, tls: configuration.tls,
                                             timeouts: timeouts.connection, transcript: transcript)
        } catch {
            throw await lift(error, stage: .connect)
        }
        connection = c
        connectionCount += 1
        messagesOnConnection = 0
        authenticatedMechanism = nil
        capabilities = nil
        tlsReport = await c.tlsReport
        if configuration.security == .plaintextUnsafe {
            transcript.fact("no TLS (plaintextUnsafe): anyone on the path can read and change this session")
        }
        await c.setStage(.greeting)
        let reply: SMTPReply
        do {
            // The first line through NetIO, which names the 465/587 port mistake on silence.
            let first = try await c.readGreetingLine(maxLength: SMTPLimits.replyLineTolerated, timeout: timeouts.greeting)
            var parser = SMTPReplyParser()
            if let done = try parser.parse(line: first) {
                reply = done
            } else {
                reply = try await SMTPWire.read(on: c, timeout: timeouts.greeting, expected: [220], parser: parser,
                                                alreadyLogged: 1)
            }
        } catch {
            throw await lift(error, stage: .greeting)
        }
        greeting = reply
        switch reply.code {
        case 220:
            return reply
        case 554:
            await quitQuietly()
            throw fail(.greetingRefused, stage: .greeting, reply: reply)
        case 421:
            await closeConnection()
            throw fail(.serviceUnavailable, stage: .greeting, reply: reply)
        default:
            await closeConnection()
            throw fail(.rejected, stage: .greeting, reply: reply, evidence: "expected 220")
        }
    }

    /// Opens a ready session: `open()`, EHLO, STARTTLS and EHLO again (unless implicit TLS or
    /// `plaintextUnsafe`), then AUTH when credentials are configured.
    ///
    /// Any failure ends the session (QUIT when possible), and `send` uses a session only when TLS
    /// and AUTH are done as configured, so nothing goes out unauthenticated or in clear text.
    public func connect() async throws {
        try await exclusively { try await connectSession() }
    }

    func connectSession() async throws {
        do {
            _ = try await openSession()
            _ = try await sendEHLO()
            if configuration.security == .startTLS {
                _ = try await upgradeSession()
            }
            if !configuration.credentials.isNone {
                _ = try await authenticateSession(configuration.credentials, selection: configuration.mechanism)
            }
        } catch {
            await quitQuietly()
            throw error
        }
    }

    /// `EHLO` (RFC 5321 §4.1.1.1), falling back to `HELO` when the server answers 500 or 502
    /// (§4.1.4); the capabilities replace any earlier ones.
    @discardableResult
    public func ehlo() async throws -> SMTPCapabilities {
        try await exclusively { try await sendEHLO() }
    }

    func sendEHLO() async throws -> SMTPCapabilities {
        let reply = try await exchange(.ehlo(configuration.clientName), stage: .ehlo, timeout: timeouts.command,
                                       expected: [250], throwing: false)
        if reply.code == 250 {
            let caps = SMTPCapabilities(reply: reply)
            capabilities = caps
            return caps
        }
        guard reply.code == 500 || reply.code == 502 else {
            throw fail(.rejected, stage: .ehlo, reply: reply)
        }
        transcript.fact("the server does not know EHLO; falling back to HELO (no extensions)")
        _ = try await exchange(.helo(configuration.clientName), stage: .ehlo, timeout: timeouts.command, expected: [250])
        capabilities = SMTPCapabilities.none
        return .none
    }

    /// `STARTTLS` (RFC 3207 §4), then the handshake, then EHLO again: every capability learned in
    /// plain text is forgotten (§4.2). Not offered: `startTLSNotOffered`, and the session ends.
    @discardableResult
    public func startTLS() async throws -> TLSReport {
        try await exclusively { try await upgradeSession() }
    }

    func upgradeSession() async throws -> TLSReport {
        let c = try requireConnection(.startTLS)
        guard capabilities?.startTLS == true else {
            transcript.diagnosis("STARTTLS is required but the server does not offer it; not sending anything in clear text")
            await quitQuietly()
            throw fail(.startTLSNotOffered, stage: .startTLS,
                       evidence: "EHLO offered: \(capabilities?.summary ?? "nothing")")
        }
        let reply = try await exchange(.startTLS, stage: .startTLS, timeout: timeouts.command, expected: [220],
                                       throwing: false)
        guard reply.code == 220 else {
            await quitQuietly()
            throw fail(.startTLSRefused, stage: .startTLS, reply: reply)
        }
        capabilities = nil
        do {
            let report = try await c.upgradeToTLS(configuration.tls)
            tlsReport = report
        } catch {
            throw await lift(error, stage: .tls)
        }
        _ = try await sendEHLO()
        return tlsReport!
    }

    /// `QUIT` (RFC 5321 §4.1.1.10), waiting briefly for 221, then closes. Never throws.
    public func quit() async {
        await exclusively { await quitQuietly() }
    }

    /// Closes the connection without QUIT.
    public func close() async {
        await exclusively { await closeConnection() }
    }

    func closeConnection() async {
        if let connection { await connection.close() }
        connection = nil
        capabilities = nil
        transactionOpen = false
    }

    // MARK: one operation at a time

    /// Runs `body` when no other operation of this client is running (FIFO): the actor may
    /// interleave at every `await`, and commands of two tasks must never mix on the wire.
    func exclusively<T>(_ body: () async throws -> T) async rethrows -> T {
        if busy {
            await withCheckedContinuation { waiters.append($0) }
        } else {
            busy = true
        }
        defer {
            if waiters.isEmpty { busy = false } else { waiters.removeFirst().resume() }
        }
        return try await body()
    }

    // MARK: internals shared by the verbs

    func requireConnection(_ stage: Stage) throws -> Connection {
        guard let connection else { throw fail(.notConnected, stage: stage) }
        return connection
    }

    /// Writes `commands` (one group) and names the stage for the transport.
    func write(_ commands: [SMTPCommand], stage: Stage, timeout: Duration? = nil, trailing: [UInt8] = [],
               trailingLog: TranscriptText? = nil) async throws {
        let c = try requireConnection(stage)
        await c.setStage(stage)
        do {
            try await SMTPWire.send(commands, on: c, secretLabel: secretLabel, timeout: timeout ?? timeouts.dataBlock,
                                    trailing: trailing, trailingLog: trailingLog)
        } catch {
            throw await lift(error, stage: stage)
        }
    }

    /// Reads one reply; a `421` closes the connection and throws `serviceUnavailable`.
    func read(stage: Stage, timeout: Duration, expected: [Int], redactChallenges: Bool = false) async throws -> SMTPReply {
        let c = try requireConnection(stage)
        await c.setStage(stage)
        let reply: SMTPReply
        do {
            reply = try await SMTPWire.read(on: c, timeout: timeout, expected: expected, redactChallenges: redactChallenges)
        } catch {
            throw await lift(error, stage: stage)
        }
        if reply.code == 421 && !expected.contains(421) {
            await closeConnection()
            throw fail(.serviceUnavailable, stage: stage, reply: reply)
        }
        return reply
    }

    /// One command and its reply; unless `throwing` is false, a reply outside `expected` is an
    /// `SMTPError.Kind.rejected` carrying it.
    func exchange(_ command: SMTPCommand, stage: Stage, timeout: Duration, expected: [Int],
                  throwing: Bool = true) async throws -> SMTPReply {
        try await write([command], stage: stage, timeout: timeouts.command)
        let reply = try await read(stage: stage, timeout: timeout, expected: expected)
        if throwing && !expected.contains(reply.code) && !expected.contains(reply.code / 100) {
            throw fail(.rejected, stage: stage, reply: reply)
        }
        return reply
    }

    /// An `SMTPError` with the transcript's last lines.
    func fail(_ kind: SMTPError.Kind, stage: Stage, reply: SMTPReply? = nil, evidence: String? = nil) -> SMTPError {
        var e = SMTPError(kind, stage: stage, reply: reply, evidence: evidence)
        e.transcriptTail = transcript.tail(10)
        return e
    }

    /// Turns a transport or wire error into an `SMTPError` of `stage`, closing the connection when
    /// the session cannot go on (a transport failure, a garbled reply, a 421).
    func lift(_ error: any Error, stage: Stage) async -> any Error {
        if error is CancellationError {
            await closeConnection()
            return error
        }
        if var e = error as? SMTPError {
            if e.stage == .read || e.stage == .write { e.stage = stage }
            if e.transcriptTail.isEmpty { e.transcriptTail = transcript.tail(10) }
            switch e.kind {
            case .malformedReply, .replyTooLong: await closeConnection()
            default:
                if e.reply?.code == 421 {
                    e.kind = .serviceUnavailable
                    await closeConnection()
                }
            }
            return e
        }
        if let n = error as? NetIOError {
            // A handshake failure is a TLS failure whichever SMTP step started it (implicit TLS at connect).
            var e = fail(.network, stage: n.stage == .tls ? .tls : stage)
            if case .lineTooLong(let limit) = n.kind { e.kind = .replyTooLong(limit: limit) }
            e.netIO = n
            await closeConnection()
            return e
        }
        return error
    }

    /// QUIT, a short wait for 221, close; errors ignored.
    func quitQuietly() async {
        if let c = connection, await c.isOpen {
            if (try? await SMTPWire.send([.quit], on: c, secretLabel: secretLabel, timeout: .seconds(5))) != nil {
                _ = try? await SMTPWire.read(on: c, timeout: min(timeouts.command, .seconds(5)), expected: [221])
            }
        }
        await closeConnection()
    }
}
