public import Auth
public import MIME
public import NetIO

/// Why an SMTP operation failed: the kind, the stage, the evidence (the server's reply with its
/// code, enhanced code and text; the transport or SASL error underneath) and the last transcript
/// lines, already redacted (DESIGN.md §5).
///
/// `isTransient` and `isPermanent` follow the reply class (RFC 5321 §4.2.1: 4yz may succeed
/// later, 5yz will not) or, without a reply, the transport error.
public struct SMTPError: MailError {
    /// What went wrong, independent of wording.
    public enum Kind: Sendable, Hashable {
        /// The greeting was `554`: this server will not talk to us (RFC 5321 §3.1).
        case greetingRefused
        /// `421`: the server is closing the connection (RFC 5321 §3.8); a new one may work.
        case serviceUnavailable
        /// STARTTLS is required (`Security.startTLS`) and the server does not offer it.
        case startTLSNotOffered
        /// The server answered STARTTLS with something else than 220 (RFC 3207 §4).
        case startTLSRefused
        /// The server refused the credentials (`535`, `534`, `454`, …; RFC 4954 §6).
        case authenticationFailed
        /// Credentials were given but the server offers no AUTH at all, so nothing is sent
        /// unauthenticated (RFC 4954 §3).
        case authNotOffered
        /// The SASL mechanism could not be chosen or could not go on (see `auth`).
        case auth
        /// A command was answered with a negative or unexpected reply (see `reply`).
        case rejected
        /// Every recipient was refused; `recipients` has each reply.
        case allRecipientsRejected
        /// Some recipients were refused and the caller required all of them.
        case someRecipientsRejected
        /// The message is larger than the server's `SIZE` limit (RFC 1870 §6), refused before sending.
        case messageTooLarge(limit: Int)
        /// The message or an address needs an extension the server does not offer
        /// (`SMTPUTF8`, RFC 6531 §3.4; `8BITMIME`, RFC 6152 §3).
        case extensionMissing(String)
        /// A reply that does not follow RFC 5321 §4.2 (garbage, mixed codes in a multi-line reply).
        case malformedReply
        /// A reply line or reply longer than the tolerated limit.
        case replyTooLong(limit: Int)
        /// CR, LF, NUL or another forbidden character in an address, parameter or argument;
        /// refused before anything reached the wire.
        case invalidArgument
        /// The transport failed (see `netIO`).
        case network
        /// The connection was lost after the final dot (or last BDAT) and before the server's reply:
        /// the message may or may not have been accepted. Do not resend blindly (duplicates).
        case outcomeUnknown
        /// No connection is open (call `connect()`).
        case notConnected
    }

    public var kind: Kind
    public var stage: Stage
    /// The server's reply that proves it, when there was one.
    public var reply: SMTPReply?
    /// The transport error underneath (`network`, `outcomeUnknown`).
    public var netIO: NetIOError?
    /// The SASL error underneath (`auth`).
    public var authError: AuthError?
    /// The message builder's error underneath (`invalidArgument` from `send(_ message:)`): the
    /// field and the offending text.
    public var mimeError: MIMEError?
    /// What the SASL mechanism made of the server's failure (XOAUTH2's JSON: "token expired").
    public var explanation: String?
    /// More words about what was seen (the offending bytes, the limit).
    public var evidence: String?
    /// Per-recipient results gathered before the failure (RCPT replies).
    public var recipients: [RecipientResult] = []
    /// The last lines of the session's transcript, redacted.
    public var transcriptTail: [String] = []

    public init(_ kind: Kind, stage: Stage = .read, reply: SMTPReply? = nil, evidence: String? = nil) {
        self.kind = kind
        self.stage = stage
        self.reply = reply
        self.evidence = evidence
    }

    /// The reply's enhanced status code (RFC 3463), when it had one.
    public var enhancedCode: EnhancedStatusCode? { reply?.enhancedCode }

    /// `true` when the same attempt may succeed later: a 4yz reply, a transport failure that
    /// may pass, a 421. `outcomeUnknown` is neither transient nor permanent.
    public var isTransient: Bool {
        switch kind {
        case .outcomeUnknown, .invalidArgument, .messageTooLarge, .extensionMissing, .auth, .authNotOffered:
            return false
        case .serviceUnavailable:
            return true
        case .allRecipientsRejected, .someRecipientsRejected:
            return recipients.contains { !$0.accepted && $0.isTransient }
                && !recipients.contains { !$0.accepted && !$0.isTransient }
        case .network:
            return netIO?.isTransient ?? true
        default:
            if let reply { return reply.isTransientNegative }
            return netIO?.isTransient ?? false
        }
    }

    /// `true` when repeating the attempt unchanged will not help: a 5yz reply, a refused
    /// argument, a message too large, a missing extension, a mechanism problem.
    public var isPermanent: Bool {
        switch kind {
        case .outcomeUnknown, .serviceUnavailable, .network, .notConnected:
            return false
        case .invalidArgument, .messageTooLarge, .extensionMissing, .auth, .authNotOffered, .startTLSNotOffered,
             .greetingRefused:
            return true
        case .allRecipientsRejected, .someRecipientsRejected:
            return !isTransient
        default:
            return reply?.isPermanentNegative ?? false
        }
    }

    /// `true` when the server, the account or the connection is the problem rather than this
    /// message: later messages through the same account would fail the same way (an outbox
    /// holds the account's queue). Transport failures, 421, greeting, TLS and AUTH failures, and
    /// refusals up to MAIL FROM (sender, quota, rate limits); not RCPT or DATA refusals, size,
    /// missing extensions, bad arguments, or an unknown outcome.
    public var isSessionFailure: Bool {
        switch kind {
        case .network, .serviceUnavailable, .greetingRefused, .startTLSNotOffered, .startTLSRefused,
             .authenticationFailed, .authNotOffered, .auth, .malformedReply, .replyTooLong, .notConnected:
            return true
        case .rejected:
            return [.greeting, .ehlo, .startTLS, .tls, .auth, .mail].contains(stage)
        case .allRecipientsRejected, .someRecipientsRejected, .messageTooLarge, .extensionMissing, .invalidArgument,
             .outcomeUnknown:
            return false
        }
    }

    /// `MailError`: the transport failure underneath (`netIO`).
    public var transportError: NetIOError? { netIO }

    /// `MailError`: the server's reply (`535 5.7.8 …`), else the evidence, else the evidence of
    /// the transport, SASL or MIME failure underneath.
    public var details: String? {
        reply.map { "\($0)" } ?? evidence ?? netIO?.evidence ?? authError.map { "\($0)" } ?? mimeError.map { "\($0)" }
    }

    /// One sentence naming the stage and the problem, then the evidence.
    public var description: String {
        var s = "\(stage): \(summary)"
        if let reply { s += ": \(reply)" }
        if let explanation { s += " (\(explanation))" }
        if let evidence, !evidence.isEmpty { s += " (\(evidence))" }
        if let netIO {
            if kind == .network {
                // The summary is the transport's already: add only where and what was seen.
                if let endpoint = netIO.endpoint { s += " [\(endpoint)]" }
                if let seen = netIO.evidence, !seen.isEmpty, seen != evidence { s += " (\(seen))" }
            } else {
                s += " [\(netIO)]"
            }
        }
        if let authError { s += " [\(authError)]" }
        if let mimeError { s += " [\(mimeError)]" }
        return s
    }

    /// The problem in plain words.
    public var summary: String {
        switch kind {
        case .greetingRefused: "the server refused the session in its greeting"
        case .serviceUnavailable: "the server is closing the connection (421)"
        case .startTLSNotOffered: "STARTTLS is required but the server does not offer it"
        case .startTLSRefused: "the server refused STARTTLS"
        case .authenticationFailed: "the server refused the credentials"
        case .authNotOffered: "credentials were given but the server offers no AUTH; nothing was sent unauthenticated"
        case .auth: "authentication could not go on"
        case .rejected: "the server refused the command"
        case .allRecipientsRejected: "the server refused every recipient"
        case .someRecipientsRejected: "the server refused some recipients and all were required"
        case .messageTooLarge(let limit): "the message is larger than the server's limit of \(limit) bytes"
        case .extensionMissing(let name): "the message needs \(name), which the server does not offer"
        case .malformedReply: "the server's reply is not valid SMTP"
        case .replyTooLong(let limit): "the server's reply exceeds \(limit) bytes"
        case .invalidArgument: "refused to send an argument with CR, LF, NUL or another forbidden character"
        case .network: netIO?.summary ?? "the connection failed"
        case .outcomeUnknown:
            "the connection was lost after the message was sent and before the server's reply; it may have been accepted"
        case .notConnected: "no connection is open"
        }
    }
}
