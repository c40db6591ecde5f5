public import NetIO
import Synchronization
import Auth
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An IMAP4rev1/rev2 client session (RFC 9051, RFC 3501) over one NetIO `Connection`.
///
/// Methods are the protocol verbs (`login`, `select`, `uidSearch`, `uidFetch`, `idle`, …); every
/// failure is an `IMAPError` naming its stage and carrying the server's words and the redacted
/// transcript tail. The session is meant for one task at a time; starting a command while a
/// FETCH or IDLE sequence is open ends that sequence first (it then throws `.interrupted`).
///
///     let imap = try await IMAPClient.connect(to: Endpoint(host: "imap.example.com", port: 993))
///     try await imap.login(user: "shop@example.com", password: secret)
///     let inbox = try await imap.select(.inbox)
public actor IMAPClient {
    public nonisolated let connection: Connection
    public nonisolated let transcript: Transcript
    public nonisolated let security: Security
    /// The server's capabilities (RFC 9051 §7.2.2); re-read after STARTTLS and after login.
    public internal(set) var capabilities: [Capability] = [] {
        didSet {
            encoder.literalMode = capabilities.contains(.literalPlus) ? .literalPlus
                : capabilities.contains(.literalMinus) ? .literalMinus : .synchronizing
        }
    }
    /// The greeting (OK, PREAUTH).
    public internal(set) var greeting: StatusResponse?
    public internal(set) var state: SessionState = .notAuthenticated
    /// The mailbox SELECT or EXAMINE opened, updated by EXISTS / EXPUNGE as they arrive.
    public internal(set) var selected: SelectedMailbox?
    /// Extensions turned on with ENABLE (RFC 5161).
    public internal(set) var enabled: Set<String> = []
    /// `[ALERT]` texts the server sent; they must be shown to the user (RFC 9051 §7.1).
    public internal(set) var alerts: [String] = []

    let limits: ParserLimits
    let timeouts: ConnectionTimeouts
    /// `IMAPClientOptions.greetingTimeout`.
    let greetingTimeout: Duration?
    // Touched for every response event. Actor isolation gives each one task at a time, and no
    // method holds one `inout` across a call that touches it again: the run-time exclusivity
    // check (a runtime call per access) is left out for them, as in `Connection`'s buffers.
    @exclusivity(unchecked) var parser: ResponseParser
    /// The parser's transcript lines on their way to `transcript` (kept to reuse its memory).
    @exclusivity(unchecked) private var logLines: [String] = []
    var encoder = CommandEncoder()
    var tlsActive = false
    var bye: StatusResponse?
    var stage: Stage = .greeting
    var stream: ActiveStream?
    var streamCounter = 0
    var interrupted: Set<Int> = []
    /// The streams in `interrupted`, readable without entering the actor (`FetchEvents` checks
    /// it before handing out an event it already holds).
    nonisolated let interruptedStreams = Locked(Set<Int>())
    /// How many streams `interruptedStreams` holds: while it is 0 (almost always),
    /// `wasInterrupted` answers with one atomic load instead of taking the lock for every event.
    nonisolated let interruptionCount = Atomic<Int>(0)

    /// Forgets that stream `id` was interrupted (its sequence has been told, or has ended);
    /// `true` if it was.
    @discardableResult
    func forgetInterruption(_ id: Int) -> Bool {
        guard interrupted.remove(id) != nil else { return false }
        let held = interruptedStreams.withLock { $0.remove(id) != nil }
        if held { interruptionCount.subtract(1, ordering: .releasing) }
        return true
    }
    /// A failure met while taking a batch of fetch events, thrown by the stream's next call.
    var deferredFetchFailure: (id: Int, error: any Error)?
    /// Mailbox events that arrived while IDLE was being re-issued.
    var idleBacklog: [MailboxEvent] = []
    /// IDLE sequences whose consumer was cancelled: a re-issue under way ends there instead of
    /// issuing IDLE again (its DONE had already been sent, so the cancellation's DONE was not).
    var idleEndRequested: Set<Int> = []

    /// A FETCH or IDLE whose responses are still being read by a sequence.
    struct ActiveStream {
        enum Kind { case fetch, idle }
        var id: Int
        var tag: String
        var kind: Kind
        var stage: Stage
        var doneSent = false
        var reissueAt: ContinuousClock.Instant = .now
        var options = IdleOptions()
    }

    init(connection: Connection, options: IMAPClientOptions) {
        self.connection = connection
        self.transcript = connection.transcript
        self.security = options.security
        self.limits = options.limits
        self.timeouts = options.timeouts
        self.greetingTimeout = options.greetingTimeout
        self.parser = ResponseParser(limits: options.limits)
    }

    /// Connects, reads the greeting and, for `.startTLS`, upgrades before anything else
    /// (RFC 9051 §6.2.1, strict: no STARTTLS capability is an error, capabilities are re-read
    /// inside TLS). A BYE greeting is `.bye`; PREAUTH on a connection that must be upgraded is
    /// `.tlsRequired` (STARTTLS is impossible once authenticated).
    public static func connect(to endpoint: Endpoint, options: IMAPClientOptions = IMAPClientOptions()) async throws -> IMAPClient {
        let connection: Connection
        do {
            connection = try await Connection.connect(to: endpoint, security: options.security, tls: options.tls,
                                                      timeouts: options.timeouts, transcript: options.transcript)
        } catch let error as NetIOError {
            var e = IMAPError(kind: .transport, stage: error.stage)
            e.transport = error
            e.transcriptTail = options.transcript.tail(10)
            throw e
        }
        let client = IMAPClient(connection: connection, options: options)
        do {
            try await client.start(tls: options.tls)
        } catch {
            await connection.close()
            throw error
        }
        return client
    }

    private func start(tls: TLSOptions) async throws {
        tlsActive = await connection.isTLS
        stage = .greeting
        await connection.setStage(.greeting)
        let line: [UInt8]
        do {
            line = try await connection.readGreetingLine(maxLength: limits.lineLength, timeout: greetingTimeout ?? timeouts.read)
        } catch {
            throw wrap(error)
        }
        parser.append(line + [0x0D, 0x0A])
        let event: ResponseEvent?
        do { event = try parser.next() } catch { throw parseError(error) }
        _ = parser.takeTranscriptLines()  // the connection already logged the greeting
        guard case .untagged(.status(let status))? = event, [.ok, .preauth, .bye].contains(status.condition) else {
            throw fail(.protocolViolation, evidence: "the greeting is not OK, PREAUTH or BYE: \"\(printablePreview(line, limit: 200))\"")
        }
        greeting = status
        if status.condition == .bye {
            throw fail(.bye, response: status, evidence: "the server refused the session in its greeting")
        }
        if case .capability(let caps)? = status.code { capabilities = caps }
        if status.condition == .preauth {
            if security == .startTLS {
                transcript.diagnosis("the server sent PREAUTH on a connection that must be upgraded to TLS; STARTTLS is impossible once authenticated, so the session is refused")
                throw fail(.tlsRequired, response: status,
                           evidence: "PREAUTH greeting on a STARTTLS connection: the session would stay in plain text (RFC 9051 §6.2.1)")
            }
            state = .authenticated
        }
        if security == .startTLS {
            try await startTLS(tls)
        } else if capabilities.isEmpty {
            try await capability()
        }
    }

    /// STARTTLS (RFC 9051 §6.2.1): requires the capability, refuses bytes sent after the go-ahead
    /// (response injection), re-reads capabilities inside TLS.
    func startTLS(_ options: TLSOptions) async throws {
        if capabilities.isEmpty { try await capability() }
        guard capabilities.contains(.startTLS) else {
            throw fail(.tlsRequired, stage: IMAPStage.startTLS,
                       evidence: "the server does not offer STARTTLS; refusing to continue in plain text")
        }
        _ = try await run([.atom("STARTTLS")], stage: IMAPStage.startTLS)
        if parser.bufferedCount > 0 {
            var netError = NetIOError(kind: .startTLSInjection, stage: .tls,
                                      evidence: "\(parser.bufferedCount) bytes arrived after the STARTTLS go-ahead",
                                      endpoint: connection.endpoint)
            netError.transcriptTail = transcript.tail(10)
            transcript.fact("refusing STARTTLS: \(parser.bufferedCount) bytes arrived after the go-ahead")
            await connection.close()
            var e = fail(.transport, stage: .tls)
            e.transport = netError
            throw e
        }
        do {
            try await connection.upgradeToTLS(options)
        } catch {
            throw wrap(error)
        }
        tlsActive = true
        capabilities = []
        try await capability()
    }

    /// Whether the session runs inside TLS.
    public var isTLS: Bool { tlsActive }

    /// The TLS handshake report, if any.
    public var tlsReport: TLSReport? { get async { await connection.tlsReport } }

    // MARK: simple commands

    /// CAPABILITY (RFC 9051 §6.1.1): asks again and returns the list.
    @discardableResult
    public func capability() async throws -> [Capability] {
        let (_, collected) = try await run([.atom("CAPABILITY")], stage: IMAPStage.capability)
        for case .capability(let caps) in collected.untagged { capabilities = caps }
        return capabilities
    }

    func setCapabilities(_ caps: [Capability]) { capabilities = caps }
    func setSelected(_ box: SelectedMailbox?) {
        selected = box
        if let box { state = .selected(box.name) } else if case .selected = state { state = .authenticated }
    }

    /// Whether the server announced `c`.
    public func has(_ c: Capability) -> Bool { capabilities.contains(c) }

    /// NOOP (RFC 9051 §6.1.2): lets the server report changes; also a health check.
    @discardableResult
    public func noop() async throws -> [UntaggedResponse] {
        try await run([.atom("NOOP")], stage: IMAPStage.noop).1.untagged
    }

    /// LOGOUT (RFC 9051 §6.1.3), then closes the connection. Never throws: the session ends anyway.
    public func logout() async {
        if await connection.isOpen {
            _ = try? await run([.atom("LOGOUT")], stage: IMAPStage.logout)
        }
        state = .logout
        await connection.close()
    }

    /// Closes the connection without LOGOUT.
    public func close() async {
        state = .logout
        await connection.close()
    }

    // MARK: the command engine

    /// What a command's untagged responses and FETCHes said.
    struct Collected {
        var untagged: [UntaggedResponse] = []
        var fetches: [FetchedMessage] = []
        var current: FetchedMessage?

        mutating func take(_ event: ResponseEvent) {
            switch event {
            case .untagged(let u): untagged.append(u)
            case .fetchStart(let n): current = FetchedMessage(sequenceNumber: n)
            case .fetchAttribute(let a): current?.apply(a)
            // A big body section in a reply to another command was not asked for: its bytes
            // are dropped as they arrive rather than held (bounded memory).
            case .streamingBegin, .streamingBytes, .streamingEnd: break
            case .fetchEnd:
                if let c = current { fetches.append(c) }
                current = nil
            case .tagged, .continuation: break
            }
        }
    }

    /// Sends a command and reads until its tagged response; NO and BAD become errors.
    func run(_ arguments: [CommandArgument], stage: Stage) async throws -> (TaggedResponse, Collected) {
        try await settleStream()
        let tag = try await begin(arguments, stage: stage)
        var collected = Collected()
        let done = try await finish(tag: tag.tag, firstResponse: tag.early, into: &collected)
        try check(done, command: tag.transcript)
        return (done, collected)
    }

    /// Encodes and sends; returns the tag, the transcript text and a tagged response that came
    /// instead of a continuation (the server refused a literal).
    func begin(_ arguments: [CommandArgument], stage: Stage) async throws -> (tag: String, transcript: String, early: TaggedResponse?) {
        await setStage(stage)
        let tag = encoder.nextTag()
        let command: EncodedCommand
        do {
            command = try encoder.encode(tag: tag, arguments)
        } catch {
            var e = error
            e.stage = stage
            e.transcriptTail = transcript.tail(10)
            throw e
        }
        var collected = Collected()
        for (i, part) in command.parts.enumerated() {
            try await write(part.bytes, log: i == 0 ? .line(command.transcript) : nil)
            if part.waitsForContinuation {
                while true {
                    let event = try await nextEvent()
                    if case .continuation = event { break }
                    if case .tagged(let t) = event, t.tag == tag { return (tag, command.transcript, t) }
                    collected.take(event)
                }
            }
        }
        return (tag, command.transcript, nil)
    }

    func finish(tag: String, firstResponse: TaggedResponse?, into collected: inout Collected) async throws -> TaggedResponse {
        if let firstResponse { return firstResponse }
        while true {
            let event = try await nextEvent()
            switch event {
            case .tagged(let t) where t.tag == tag: return t
            case .tagged(let t):
                transcript.fact("ignoring a tagged response for a command not in progress: \(t)")
            case .continuation:
                throw fail(.protocolViolation, evidence: "a continuation request where none was expected")
            default: collected.take(event)
            }
        }
    }

    /// NO → `.no`, BAD → `.bad`, BYE → `.bye`, with the server's response and the command.
    func check(_ response: TaggedResponse, command: String?) throws {
        let kind: IMAPError.Kind
        switch response.status.condition {
        case .ok: return
        case .no: kind = .no
        case .bad: kind = .bad
        case .bye: kind = .bye
        case .preauth: kind = .protocolViolation
        }
        var e = fail(kind, response: response.status)
        e.tag = response.tag
        e.command = command
        throw e
    }

    func setStage(_ s: Stage) async {
        stage = s
        await connection.setStage(s)
    }

    func write(_ bytes: [UInt8], log: TranscriptText?) async throws {
        do {
            try await connection.write(bytes, log: log)
        } catch {
            throw wrap(error)
        }
    }

    func writeLine(_ line: String, log: TranscriptText? = nil) async throws {
        do {
            try await connection.writeLine(line, log: log)
        } catch {
            throw wrap(error)
        }
    }

    /// The next response event, reading from the connection as needed.
    func nextEvent(timeout: Duration? = nil) async throws -> ResponseEvent {
        while true {
            if let event = try bufferedEvent() { return event }
            let bytes: [UInt8]?
            do {
                bytes = try await connection.read(upTo: Connection.readChunk, timeout: timeout)
            } catch {
                throw wrap(error)
            }
            guard let bytes else {
                let netError = NetIOError(kind: .closedByPeer, stage: stage, evidence: "end of stream",
                                          endpoint: connection.endpoint)
                throw wrap(netError)
            }
            parser.append(bytes)
        }
    }

    /// The next event the bytes already received hold, without reading; `nil` when it needs more.
    func bufferedEvent() throws -> ResponseEvent? {
        let event: ResponseEvent?
        do {
            event = try parser.next()
        } catch {
            flushLog()
            throw parseError(error)
        }
        flushLog()
        if let event { note(event) }
        return event
    }

    private func flushLog() {
        guard parser.hasTranscriptLines else { return }
        parser.moveTranscriptLines(into: &logLines)
        for line in logLines { transcript.received(line, tls: tlsActive) }
        logLines.removeAll(keepingCapacity: true)
    }

    /// Keeps session state current from untagged responses whatever command is running.
    private func note(_ event: ResponseEvent) {
        guard case .untagged(let u) = event else { return }
        switch u {
        case .status(let s):
            if s.condition == .bye { bye = s }
            if s.code == .alert {
                alerts.append(s.text)
                transcript.diagnosis("server alert: \(s.text)")
            }
            if case .capability(let caps)? = s.code { capabilities = caps }
        case .capability(let caps): capabilities = caps
        case .exists(let n): selected?.exists = n
        case .expunge: if let e = selected?.exists, e > 0 { selected?.exists = e - 1 }
        case .flags(let f): selected?.flags = f
        default: break
        }
    }

    // MARK: errors

    func fail(_ kind: IMAPError.Kind, stage: Stage? = nil, response: StatusResponse? = nil, evidence: String? = nil) -> IMAPError {
        var e = IMAPError(kind: kind, stage: stage ?? self.stage, response: response, evidence: evidence)
        e.transcriptTail = transcript.tail(10)
        return e
    }

    func wrap(_ error: any Error) -> any Error {
        if error is CancellationError || error is IMAPError { return error }
        guard let netError = error as? NetIOError else { return error }
        if let bye, netError.kind == .closedByPeer {
            var e = fail(.bye, response: bye, evidence: "the server said BYE and closed the connection")
            e.transport = netError
            return e
        }
        var e = fail(.transport, stage: netError.stage)
        e.transport = netError
        return e
    }

    func parseError(_ error: IMAPParseError) -> IMAPError {
        var e = fail(.parse, evidence: nil)
        e.parse = error
        return e
    }
}
