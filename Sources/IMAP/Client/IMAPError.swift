public import NetIO
public import Auth

/// An IMAP failure: what kind, at which stage, the server's words (tag, response code, text),
/// the evidence, and the last transcript lines (already redacted: no password ever appears).
///
///     AUTH: the server refused: NO [AUTHENTICATIONFAILED] Authentication failed.
public struct IMAPError: MailError {
    public enum Kind: Sendable, Hashable {
        /// The server answered NO (RFC 9051 §7.1.2): the command failed.
        case no
        /// The server answered BAD (§7.1.3): it did not understand the command.
        case bad
        /// The server said BYE (§7.1.5): in the greeting, or it is closing the session.
        case bye
        /// The server's bytes could not be read as IMAP (a limit, or broken framing).
        case parse
        /// The connection failed underneath (timeout, drop, TLS): see `transport`.
        case transport
        /// TLS was required and the session would have gone on without it: no STARTTLS
        /// capability, or a PREAUTH greeting on a connection that had to be upgraded first.
        case tlsRequired
        /// LOGIN was refused locally because the server announced LOGINDISABLED (§6.2.3).
        case loginDisabled
        /// The SASL exchange could not go on (no common mechanism, bad challenge): see `auth`.
        case authentication
        /// An argument holds a character that cannot be sent (CR, LF, NUL) or is otherwise unusable.
        case invalidArgument
        /// The server answered something RFC 9051 does not allow here.
        case protocolViolation
        /// A capability the operation needs is missing (IDLE, MOVE fallback impossible, …).
        case unsupported
        /// A FETCH or IDLE sequence was ended because another command was started on the client.
        case interrupted
    }

    public var kind: Kind
    public var stage: Stage
    /// The tag of the command that failed.
    public var tag: String?
    /// The server's status response (tagged NO/BAD, or the BYE), with its response code.
    public var response: StatusResponse?
    /// The command as the transcript shows it (secrets redacted).
    public var command: String?
    /// What proves it, in words.
    public var evidence: String?
    public var transport: NetIOError?
    public var parse: IMAPParseError?
    public var auth: AuthError?
    /// The last lines of the transcript (redacted).
    public var transcriptTail: [String] = []

    public init(kind: Kind, stage: Stage, tag: String? = nil, response: StatusResponse? = nil, command: String? = nil,
                evidence: String? = nil) {
        self.kind = kind
        self.stage = stage
        self.tag = tag
        self.response = response
        self.command = command
        self.evidence = evidence
    }

    /// The response code of the server's answer (`AUTHENTICATIONFAILED`, `TRYCREATE`, …).
    public var code: ResponseCode? { response?.code }

    /// `true` for failures that may pass on a retry: drops, timeouts, `[UNAVAILABLE]`, `[INUSE]`.
    public var isTransient: Bool {
        switch kind {
        case .transport: return transport?.isTransient ?? true
        case .bye: return true
        case .no:
            if case .other(let name, _)? = code { return ["UNAVAILABLE", "INUSE", "LIMIT", "SERVERBUG"].contains(name) }
            return false
        default: return false
        }
    }

    /// `MailError`: the transport failure underneath (`transport`).
    public var transportError: NetIOError? { transport }

    /// `MailError`: the server's status response (`NO [AUTHENTICATIONFAILED] …`), else the
    /// evidence, else the parse, SASL or transport failure underneath.
    public var details: String? {
        response.map { "\($0)" } ?? evidence ?? parse.map { "\($0)" } ?? auth.map { "\($0)" } ?? transport?.evidence
    }

    /// The problem in plain words.
    public var summary: String {
        switch kind {
        case .no: "the server refused"
        case .bad: "the server did not accept the command"
        case .bye: "the server closed the session"
        case .parse: "the server's reply could not be read"
        case .transport: transport?.summary ?? "the connection failed"
        case .tlsRequired: "TLS is required and the server would continue without it"
        case .loginDisabled: "the server does not allow LOGIN here (LOGINDISABLED)"
        case .authentication: "authentication could not proceed"
        case .invalidArgument: "an argument cannot be sent"
        case .protocolViolation: "the server broke the protocol"
        case .unsupported: "the server lacks a needed capability"
        case .interrupted: "the operation was interrupted by another command"
        }
    }

    /// One sentence naming the stage and the problem, then the server's words and the evidence.
    public var description: String {
        var s = "\(stage): \(summary)"
        if let response { s += ": \(response)" }
        if let auth { s += ": \(auth)" }
        if let parse { s += ": \(parse)" }
        if let transport, let evidence = transport.evidence { s += " (\(evidence))" }
        if let evidence { s += " (\(evidence))" }
        return s
    }
}

/// The stages an IMAP session names in its errors and transcript (NetIO names connect, TLS and
/// greeting).
public enum IMAPStage {
    public static let capability: Stage = "CAPABILITY"
    public static let startTLS: Stage = "STARTTLS"
    public static let login: Stage = "LOGIN"
    /// AUTHENTICATE (RFC 9051 §6.2.2).
    public static let auth: Stage = "AUTH"
    public static let id: Stage = "ID"
    public static let enable: Stage = "ENABLE"
    public static let namespace: Stage = "NAMESPACE"
    public static let list: Stage = "LIST"
    public static let status: Stage = "STATUS"
    public static let select: Stage = "SELECT"
    public static let search: Stage = "SEARCH"
    public static let fetch: Stage = "FETCH"
    public static let store: Stage = "STORE"
    public static let copy: Stage = "COPY"
    public static let move: Stage = "MOVE"
    public static let expunge: Stage = "EXPUNGE"
    public static let append: Stage = "APPEND"
    public static let idle: Stage = "IDLE"
    public static let noop: Stage = "NOOP"
    public static let logout: Stage = "LOGOUT"
    public static let create: Stage = "CREATE"
    public static let delete: Stage = "DELETE"
}
