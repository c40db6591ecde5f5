internal import Foundation
public import NetIO
import Auth
import IMAP
import MIME
import SMTP

/// The Test button: proves a mail account's settings stage by stage (SMTP: DNS, connect, TLS,
/// greeting, EHLO, AUTH, MAIL/RCPT, DATA; IMAP: connect, TLS, greeting, CAPABILITY, LOGIN, LIST,
/// SELECT) and explains every failure from the catalogue.
///
/// A probe does not stop at the first red stage when a later one can still tell something: a
/// certificate that is not trusted still gets the server's capabilities read over a second,
/// unverified connection (marked `untrusted`), and no credentials are ever sent over it.
/// MAIL and RCPT are followed by RSET, so nothing is sent unless `sendsTestMessage` or the
/// self-test asks for it.
///
/// ```swift
/// let report = await AccountProbe(account: account).run()
/// label.text = report.verdict     // "Sending works. Receiving fails: the password for …"
/// ```
public struct AccountProbe: Sendable {
    /// What to probe and how long to wait.
    public struct Options: Sendable {
        /// Connect, handshake and each reply (RFC 5321 §4.5.3.2 minimums are far longer; a Test
        /// button cannot wait minutes).
        public var timeout: Duration
        /// The wait for the first greeting line: short, so a STARTTLS client on an implicit-TLS
        /// port (465, 993) is named after seconds, not after `timeout`.
        public var greetingTimeout: Duration
        /// After the greeting wait ran out, how long to wait for an answer to the TLS ClientHello
        /// that tells an implicit-TLS port (465, 993) from a silent server
        /// (`ConnectionTimeouts.tlsProbe`): a short wait, so the mix-up is named after
        /// `greetingTimeout` plus this, never after the full `timeout`.
        public var tlsProbeTimeout: Duration
        /// The RCPT TO address of the envelope test; the sender's own address when `nil`.
        public var testRecipient: String?
        /// Send a short test message at the DATA stage (to `testRecipient`).
        public var sendsTestMessage: Bool
        /// Run the end-to-end self-test (`SelfTestOptions`), which sends at the DATA stage.
        public var selfTest: SelfTestOptions?
        /// Every session's transcript (redacted), e.g. a `FileTranscriptSink`.
        public var transcript: Transcript
        public var catalogue: DiagnosisCatalogue
        /// The EHLO name (RFC 5321 §4.1.1.1).
        public var clientName: String

        public init(timeout: Duration = .seconds(15), greetingTimeout: Duration = .seconds(5),
                    tlsProbeTimeout: Duration = ConnectionTimeouts.defaultTLSProbe, testRecipient: String? = nil,
                    sendsTestMessage: Bool = false, selfTest: SelfTestOptions? = nil,
                    transcript: Transcript = Transcript(), catalogue: DiagnosisCatalogue = .standard,
                    clientName: String? = nil) {
            self.timeout = timeout
            self.greetingTimeout = greetingTimeout
            self.tlsProbeTimeout = tlsProbeTimeout
            self.testRecipient = testRecipient
            self.sendsTestMessage = sendsTestMessage
            self.selfTest = selfTest
            self.transcript = transcript
            self.catalogue = catalogue
            self.clientName = clientName ?? SMTPConfiguration.localHostName()
        }
    }

    public var account: MailAccount
    public var options: Options

    public init(account: MailAccount, options: Options = Options()) {
        self.account = account
        self.options = options
    }

    /// Probes SMTP, then IMAP, then (when asked) fetches the self-test message back; never throws.
    public func run() async -> AccountReport {
        let started = Date()
        var selfTest: SelfTestReport?
        var message: SelfTestMessage?
        if let st = options.selfTest, let to = selfTestRecipient {
            message = SelfTestMessage.make(from: senderAddress ?? to, fromName: account.identity.name, to: to,
                                           options: st)
            selfTest = SelfTestReport(token: message!.token, recipient: to)
            selfTest?.attachment = message?.attachmentName
            selfTest?.attachmentBytes = message?.attachment?.count
        }
        var smtpStages: [StageReport] = []
        var sentAt: ContinuousClock.Instant?
        if let smtp = account.smtp {
            let outcome = await probeSMTP(smtp, message: message)
            smtpStages = outcome.stages
            sentAt = outcome.sentAt
            selfTest?.queuedReply = outcome.queuedReply
        }
        var imapStages: [StageReport] = []
        if let imap = account.imap {
            imapStages = await probeIMAP(imap, selfTest: sentAt.flatMap { at in message.map { ($0, at) } },
                                         report: &selfTest)
        } else if message != nil {
            selfTest?.attachmentIntact = nil
        }
        let all = smtpStages + imapStages
        let ok = !all.contains { $0.status == .failed }
        let verdict = ProbeVerdict.sentence(smtp: smtpStages, imap: imapStages, selfTest: selfTest, account: account)
        options.transcript.fact("verdict: \(verdict)")
        return AccountReport(smtp: smtpStages, imap: imapStages, selfTest: selfTest, verdict: verdict, ok: ok,
                             started: started, advice: SettingsReview.review(account).map(\.message))
    }

    var senderAddress: String? {
        account.identity.address ?? account.smtp.flatMap { s in s.credentials.user.contains("@") ? s.credentials.user : nil }
    }

    /// The account's own address: where the self-test message goes.
    var selfTestRecipient: String? {
        options.selfTest?.recipient ?? account.identity.address
            ?? account.imap.flatMap { $0.credentials.user.contains("@") ? $0.credentials.user : nil }
            ?? senderAddress
    }

    // MARK: helpers

    func ms(_ d: Duration) -> Int { Int(d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000) }

    func failed(_ p: MailProtocol, _ name: String, _ error: any Error, _ server: ServerSettings,
                _ elapsed: Duration) -> StageReport {
        var evidence = FailureEvidence.of(error, protocol: p, stage: name, server: server)
        evidence.sender = senderAddress ?? account.identity.address
        let diagnosis = options.catalogue.diagnose(evidence)
        options.transcript.diagnosis(diagnosis.transcriptLine)
        var tls: TLSSummary?
        if let report = evidence.tlsReport { tls = TLSSummary(report) }
        return StageReport(protocol: p, name: evidence.stage, status: .failed, milliseconds: ms(elapsed),
                           detail: diagnosis.evidence, tls: tls, diagnosis: diagnosis)
    }

    /// The stage names before the one that failed, reported as passed (they were timed together).
    static func connectStages(_ p: MailProtocol, security: Security, failedAt stage: String?) -> [String] {
        var names = ["DNS", "connect"]
        if security == .implicitTLS { names.append("TLS") }
        names.append("greeting")
        guard let stage, let i = names.firstIndex(of: stage) else { return names }
        return Array(names[..<i])
    }

    /// After a TLS verification failure: read the capabilities without trusting the
    /// certificate, and never send credentials over that connection.
    func untrustedCapabilities(_ p: MailProtocol, _ server: ServerSettings) async -> StageReport? {
        var insecure = server.tlsOptions
        insecure.insecureSkipVerification = true
        options.transcript.fact("certificate not trusted; connecting again without trusting it, only to read the capabilities (no login)")
        let candidate = ServerCandidate(protocol: p, host: server.host, port: server.port, security: server.security,
                                        source: .guess)
        let r = await PortProbe.run(candidate, tls: insecure, timeout: options.timeout,
                                    greetingTimeout: options.greetingTimeout, transcript: options.transcript,
                                    catalogue: options.catalogue)
        guard r.verdict != .failed else { return nil }
        return StageReport(protocol: p, name: p == .smtp ? "EHLO" : "CAPABILITY", status: .untrusted,
                           milliseconds: ms(r.duration),
                           detail: "read over a connection whose certificate is NOT trusted",
                           facts: r.capabilities)
    }

    /// The stages before a connect-time failure, as passed, with what they proved.
    static func passedBefore(_ p: MailProtocol, _ s: ServerSettings, failedAt stage: String,
                             times: SessionTimeline) -> [StageReport] {
        connectStages(p, security: s.security, failedAt: stage).map { name in
            let detail = switch name {
            case "DNS": "\(s.host) resolved"
            case "connect": "TCP connection to \(s.endpoint) opened"
            case "TLS": "handshake done"
            default: ""
            }
            return StageReport(protocol: p, name: name, status: .passed, milliseconds: times.milliseconds(name) ?? 0,
                               detail: detail)
        }
    }

    /// Transcript lines read back for the timeline of a session's opening (a few per step).
    static let timelineLines = 60

    /// The time of the stage that failed while opening: the whole wait minus the steps before it.
    static func failedStageTime(_ failure: StageReport, _ t: SessionTimeline, total: Int) -> Int {
        let before: [Int?] = switch failure.name {
        case "DNS": []
        case "connect": [t.dns]
        case "TLS": [t.dns, t.connect]
        default: [t.dns, t.connect, t.tls]
        }
        return max(0, total - before.compactMap { $0 }.reduce(0, +))
    }

    static func skipped(_ p: MailProtocol, _ names: [String], _ why: String) -> [StageReport] {
        names.map { StageReport(protocol: p, name: $0, status: .skipped, detail: why) }
    }
}
