public import Foundation
public import NetIO

/// One step of an account probe (RFC 5321 §3 for SMTP, RFC 9051 §6 for IMAP): whether it
/// passed, how long it took, what was seen, and on failure the catalogue's diagnosis.
/// Encodes as the JSON of `mailprobe check --json`.
public struct StageReport: Sendable, Hashable, Codable {
    /// How a stage ended.
    public enum Status: String, Sendable, Hashable, Codable {
        /// Done and fine.
        case passed
        /// Failed; `diagnosis` says why.
        case failed
        /// Not tried: an earlier stage made it impossible or unsafe (no credentials to an
        /// untrusted server), or it was not asked for.
        case skipped
        /// Learned over a connection whose certificate is not trusted: facts, not proof.
        case untrusted
    }

    public var `protocol`: MailProtocol
    /// `DNS`, `connect`, `TLS`, `greeting`, `EHLO`, `AUTH`, `MAIL`, `RCPT`, `DATA`; IMAP
    /// `CAPABILITY`, `LOGIN`, `LIST`, `SELECT`; self-test `FETCH`, `APPEND`.
    public var name: String
    public var status: Status
    /// Wall-clock time of the stage, in milliseconds.
    public var milliseconds: Int
    /// What was seen, in one line (`250 2.1.5 Ok`, `TLS 1.3, certificate trusted`).
    public var detail: String
    /// More facts (capabilities, mailboxes), one per entry.
    public var facts: [String]
    /// The TLS handshake, for the TLS stage.
    public var tls: TLSSummary?
    /// Why it failed, for a failed stage.
    public var diagnosis: FailureDiagnosis?

    public init(protocol: MailProtocol, name: String, status: Status, milliseconds: Int = 0, detail: String = "",
                facts: [String] = [], tls: TLSSummary? = nil, diagnosis: FailureDiagnosis? = nil) {
        self.protocol = `protocol`
        self.name = name
        self.status = status
        self.milliseconds = milliseconds
        self.detail = detail
        self.facts = facts
        self.tls = tls
        self.diagnosis = diagnosis
    }

    /// `true` unless the stage failed.
    public var isOK: Bool { status != .failed }
}

/// The TLS report in the JSON of a probe (RFC 8446 handshake, RFC 5280 certificate checks,
/// RFC 6125 name check).
public struct TLSSummary: Sendable, Hashable, Codable {
    public var version: String
    public var cipher: String
    public var trusted: Bool
    public var chainTrusted: Bool
    public var hostnameMatches: Bool
    public var chainError: String?
    public var verdict: String
    public var subject: String?
    public var issuer: String?
    public var notAfter: Date?
    public var sha256: String?

    public init(_ r: TLSReport) {
        version = r.version
        cipher = r.cipher
        trusted = r.trusted
        chainTrusted = r.chainTrusted
        hostnameMatches = r.hostnameMatches
        chainError = r.chainError
        verdict = r.verdict
        subject = r.leaf?.subject
        issuer = r.leaf?.issuer
        notAfter = r.leaf?.notAfter
        sha256 = r.leaf?.sha256Colons
    }

    /// `TLS 1.3 TLS_AES_256_GCM_SHA384, certificate trusted`.
    public var line: String { "\(version) \(cipher), \(verdict)" }
}

/// What the self-test proved (issue 6 item 5): the tagged message, its way through the SMTP
/// server into the mailbox, and the copy in \Sent (RFC 6154).
public struct SelfTestReport: Sendable, Hashable, Codable {
    /// The unique token in the Subject and in the `X-MailEngine-Self-Test` header.
    public var token: String
    /// Where it was sent (the account's own address).
    public var recipient: String
    /// The attachment's file name and size, when one was sent.
    public var attachment: String?
    public var attachmentBytes: Int?
    /// The server's reply to the final dot (`250 2.0.0 Ok: queued as …`).
    public var queuedReply: String?
    /// Seconds from the final dot to the message being found over IMAP.
    public var deliverySeconds: Double?
    /// The message found in the mailbox had the attachment, byte for byte.
    public var attachmentIntact: Bool?
    /// The \Sent mailbox the copy was appended to.
    public var sentMailbox: String?

    public init(token: String, recipient: String) {
        self.token = token
        self.recipient = recipient
    }
}

/// The result of `AccountProbe.run()`: every stage of SMTP and IMAP, the self-test, and a
/// verdict sentence a shop owner understands.
public struct AccountReport: Sendable, Hashable, Codable {
    public var smtp: [StageReport]
    public var imap: [StageReport]
    public var selfTest: SelfTestReport?
    /// `Sending works. Receiving fails: the password for shop@example.com was refused by imap.example.com.`
    public var verdict: String
    /// `true` when every stage that ran passed.
    public var ok: Bool
    /// When the probe started.
    public var started: Date
    /// What the provider is known to need that the settings do not have (`SettingsReview`):
    /// shown even when the probe passed.
    public var advice: [String]

    public init(smtp: [StageReport], imap: [StageReport], selfTest: SelfTestReport?, verdict: String, ok: Bool,
                started: Date, advice: [String] = []) {
        self.advice = advice
        self.smtp = smtp
        self.imap = imap
        self.selfTest = selfTest
        self.verdict = verdict
        self.ok = ok
        self.started = started
    }

    /// Every stage, SMTP first.
    public var stages: [StageReport] { smtp + imap }

    /// The first failed stage (the one the exit status is named after).
    public var firstFailure: StageReport? { stages.first { $0.status == .failed } }

    /// Every failed stage.
    public var failures: [StageReport] { stages.filter { $0.status == .failed } }

    /// The report as JSON (sorted keys, ISO 8601 dates).
    public func json(pretty: Bool = true) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        guard let data = try? encoder.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
