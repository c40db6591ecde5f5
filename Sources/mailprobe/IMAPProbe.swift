import Auth
import Foundation
import IMAP
import MIME
import NetIO

/// What `mailprobe imap` found, stage by stage.
struct IMAPProbeResult {
    struct Step {
        var stage: String
        var duration: Duration
        var detail: String
    }

    struct Message {
        var uid: UInt32
        var from: String
        var subject: String
        var date: Date?
        var dateText: String?
        var size: UInt64?
    }

    var ok = false
    /// The last stage reached: the failing one, or the last one on success.
    var stage: Stage = .connect
    var error: String?
    var errorStage: Stage?
    var steps: [Step] = []
    var tls: TLSReport?
    var capabilities: [String] = []
    var mechanism: String?
    var folders: [MailboxInfo] = []
    var mailbox: SelectedMailbox?
    var messages: [Message] = []
    var alerts: [String] = []
    /// What to try next, when the failure says it.
    var hint: String?

    /// Exit status by the README table; SEARCH and STATUS on the mailbox count as mailbox stages.
    var exitCode: Int32 {
        guard !ok else { return ProbeExit.success }
        let s = errorStage ?? stage
        if s == IMAPStage.search || s == IMAPStage.status { return ProbeExit.mailbox }
        return ProbeExit.code(for: s)
    }
}

/// Runs the `mailprobe imap` session: connect (TLS, greeting, STARTTLS), log in, LIST, SELECT,
/// FETCH of the newest messages' headers, LOGOUT.
struct IMAPProbe {
    let endpoint: Endpoint
    let options: IMAPClientOptions
    let credentials: Credentials
    let allowPlaintextPasswordUnsafe: Bool
    let mailbox: MailboxName
    let fetch: Int

    /// Header fields read for the message list (RFC 9051 §6.4.5 `HEADER.FIELDS`).
    static let listFields = SectionSpecifier(text: "HEADER.FIELDS (FROM SUBJECT DATE)")

    func run() async -> IMAPProbeResult {
        var r = IMAPProbeResult()
        let clock = ContinuousClock()
        var started = clock.now
        func step(_ stage: Stage, _ detail: String) {
            r.steps.append(.init(stage: stage.rawValue, duration: clock.now - started, detail: detail))
            r.stage = stage
            started = clock.now
        }
        let client: IMAPClient
        do {
            client = try await IMAPClient.connect(to: endpoint, options: options)
        } catch {
            record(error, into: &r, stage: .connect)
            return r
        }
        r.tls = await client.tlsReport
        r.capabilities = await client.capabilities.map(\.description)
        let tlsText = await client.isTLS ? (r.tls.map { "\($0.version) \($0.cipher)" } ?? "TLS") : "no TLS"
        step(options.security == .startTLS ? IMAPStage.startTLS : .greeting,
             "\(endpoint.host):\(endpoint.port), \(tlsText)")
        do {
            r.stage = IMAPStage.auth
            try await logIn(client, &r)
            r.capabilities = await client.capabilities.map(\.description)
            step(r.stage, "logged in as \(credentials.user)" + (r.mechanism.map { " with \($0)" } ?? ""))

            r.stage = IMAPStage.list
            r.folders = try await client.list()
            step(IMAPStage.list, IMAPProbePrinter.plural(r.folders.count, "folder"))

            r.stage = IMAPStage.select
            let box = try await client.examine(mailbox)
            r.mailbox = box
            step(IMAPStage.select, "\(box.name): " + IMAPProbePrinter.plural(Int(box.exists), "message"))

            if fetch > 0 && box.exists > 0 {
                r.stage = IMAPStage.search
                let first = box.exists > UInt32(fetch) ? box.exists - UInt32(fetch) + 1 : 1
                let uids = try await client.uidSearch(.sequence(SequenceSet(first...box.exists)))
                r.stage = IMAPStage.fetch
                if !uids.isEmpty {
                    let items: [FetchAttribute] = [.uid, .rfc822Size, .internalDate, .body(Self.listFields)]
                    for try await m in try await client.uidFetch(SequenceSet(uids), items) {
                        r.messages.append(Self.summary(m))
                    }
                }
                r.messages.sort { $0.uid > $1.uid }
                step(IMAPStage.fetch, "the newest " + IMAPProbePrinter.plural(r.messages.count, "message"))
            }
            r.alerts = await client.alerts
            await client.logout()
            r.ok = true
        } catch {
            r.alerts = await client.alerts
            record(error, into: &r, stage: r.stage)
            await client.close()
        }
        return r
    }

    /// AUTHENTICATE with the strongest mechanism both sides support (RFC 9051 §6.2.2); LOGIN
    /// (§6.2.3) only when the server offers no `AUTH=` and the secret is a password.
    private func logIn(_ client: IMAPClient, _ r: inout IMAPProbeResult) async throws {
        let offered = await client.capabilities.compactMap(\.authMechanism)
        if offered.isEmpty, case .password(let password) = credentials.secret {
            r.stage = IMAPStage.login
            r.mechanism = "LOGIN command"
            try await client.login(user: credentials.user, password: password,
                                   allowPlaintextPasswordUnsafe: allowPlaintextPasswordUnsafe)
            return
        }
        let selection = MechanismSelection(allowPlaintextPasswordUnsafe: allowPlaintextPasswordUnsafe)
        let encrypted = await client.isTLS
        // The same choice `authenticate` makes, to name it in the report.
        r.mechanism = try? selection.choose(offered: offered, credentials: credentials, encrypted: encrypted,
                                            serviceName: "imap", host: endpoint.host).name
        try await client.authenticate(credentials, selection: selection)
    }

    private func record(_ error: any Error, into r: inout IMAPProbeResult, stage: Stage) {
        defer { r.hint = hint(for: error) }
        if let e = error as? IMAPError {
            r.errorStage = e.stage
            r.stage = e.stage
            r.error = Self.withoutStage(e.description, e.stage)
            if r.tls == nil { r.tls = e.transport?.tlsReport }
        } else if let e = error as? NetIOError {
            r.errorStage = e.stage
            r.stage = e.stage
            r.error = Self.withoutStage(e.description, e.stage)
            if r.tls == nil { r.tls = e.tlsReport }
        } else {
            r.errorStage = stage
            r.error = String(describing: error)
        }
    }

    /// The next thing to try, for failures with one obvious cause.
    private func hint(for error: any Error) -> String? {
        let imap = error as? IMAPError
        guard let netError = imap?.transport ?? (error as? NetIOError) else {
            switch imap?.kind {
            case .no? where imap?.stage == IMAPStage.auth || imap?.stage == IMAPStage.login:
                return "check the user name and password (many providers want an app password or OAuth 2.0 here)"
            case .no? where imap?.stage == IMAPStage.select:
                return "the folders above are the mailboxes this account has; pass one with --mailbox"
            case .tlsRequired? where imap?.stage == IMAPStage.startTLS:
                return "this server offers no STARTTLS; try --security tls on its implicit-TLS port (993)"
            case .tlsRequired?, .authentication?:
                return options.security == .plaintextUnsafe
                    ? "the password would cross the network in clear text; use --security tls or starttls" : nil
            default: return nil
            }
        }
        switch netError.kind {
        case .plaintextOnTLSPort: return "this port speaks plain text first: try --security starttls"
        case .tlsOnPlaintextPort: return "this port expects implicit TLS: try --security tls"
        case .tls: return "see `mailprobe tls --host \(endpoint.host) --port \(endpoint.port)` for the certificate; --ca-file trusts a private CA"
        case .refused: return "nothing listens on port \(endpoint.port): IMAP uses 993 (--security tls) or 143 (--security starttls)"
        default: return nil
        }
    }

    /// `AUTH: the server refused…` → `the server refused…`: the report names the stage itself.
    static func withoutStage(_ text: String, _ stage: Stage) -> String {
        let prefix = "\(stage): "
        return text.hasPrefix(prefix) ? String(text.dropFirst(prefix.count)) : text
    }

    /// The list row of one message: From, Subject and Date decoded by the MIME parser (RFC 2047).
    static func summary(_ m: FetchedMessage) -> IMAPProbeResult.Message {
        let header = m.sections.first { !$0.key.binary && $0.key.section.part.isEmpty && $0.key.section.text != nil }?.value ?? []
        let parsed = MIMEParser.parse(header + [0x0D, 0x0A])
        let from = parsed.from.first.map(\.description) ?? parsed.headers.value("From") ?? ""
        return .init(uid: m.uid ?? 0, from: from, subject: parsed.subject ?? "",
                     date: parsed.date ?? m.internalDate, dateText: parsed.headers.value("Date"), size: m.size)
    }
}
