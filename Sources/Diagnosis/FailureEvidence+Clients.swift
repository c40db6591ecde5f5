public import Foundation
public import SMTP
public import IMAP
import Auth
import NetIO

extension FailureEvidence {
    /// The evidence of an `SMTPError`: its stage, the reply's code (RFC 5321 §4.2), enhanced code
    /// (RFC 3463) and text, or the transport failure with its TLS report; what the SASL mechanism
    /// made of the server's answer (an OAuth2 JSON error, RFC 7628 §3.2.2) is added to the text.
    public init(_ error: SMTPError, server: ServerSettings? = nil, now: Date = Date()) {
        if let netIO = error.netIO, error.reply == nil {
            self.init(netIO, protocol: .smtp, server: server, now: now)
            if stage == Stage.read.rawValue || stage.isEmpty { stage = error.stage.rawValue }
            return
        }
        var text = error.reply?.text ?? error.evidence ?? error.summary
        if let explanation = error.explanation, !explanation.isEmpty { text += "\n" + explanation }
        var observation: ClientObservation?
        switch error.kind {
        case .startTLSNotOffered: observation = .startTLSNotOffered
        case .authNotOffered: observation = .authNotOffered
        case .messageTooLarge: observation = .messageExceedsAdvertisedSize
        case .auth:
            if case .noCommonMechanism? = error.authError?.kind { observation = .noCommonMechanism }
            if case .credentialsUnsuitable? = error.authError?.kind { observation = .noCommonMechanism }
        default: break
        }
        if error.reply == nil, let auth = error.authError { text = "\(auth)" }
        // An all-recipients refusal carries the replies in `recipients`: quote the first.
        var code = error.reply?.code
        var enhanced = error.reply?.enhancedCode?.description
        if error.reply == nil, let first = error.recipients.first(where: { !$0.accepted }) {
            code = first.code
            enhanced = first.enhancedCode
            text = first.text
        }
        self.init(protocol: .smtp, stage: error.stage.rawValue, code: code, enhancedCode: enhanced, text: text,
                  tlsReport: error.netIO?.tlsReport, host: server?.host, port: server?.port,
                  security: server?.security,
                  user: server.flatMap { $0.credentials.isNone ? nil : $0.credentials.user },
                  observation: observation, credential: server.flatMap { CredentialKind($0.credentials) }, now: now)
    }

    /// The evidence of an `IMAPError`: the stage, the tagged NO/BAD or BYE with its response code
    /// (RFC 9051 §7.1, RFC 5530), or the transport failure with its TLS report; LOGINDISABLED
    /// (§6.2.3) and a missing STARTTLS become client observations.
    public init(_ error: IMAPError, server: ServerSettings? = nil, now: Date = Date()) {
        if let transport = error.transport {
            self.init(transport, protocol: .imap, server: server, now: now)
            return
        }
        var text = error.response.map { "\($0)" } ?? ""
        if let evidence = error.evidence, !evidence.isEmpty { text += text.isEmpty ? evidence : "\n" + evidence }
        if let auth = error.auth { text += (text.isEmpty ? "" : "\n") + "\(auth)" }
        var observation: ClientObservation?
        switch error.kind {
        case .loginDisabled: observation = .loginDisabled
        case .tlsRequired where error.stage == IMAPStage.startTLS: observation = .startTLSNotOffered
        case .authentication:
            if case .noCommonMechanism? = error.auth?.kind { observation = .noCommonMechanism }
        default: break
        }
        self.init(protocol: .imap, stage: error.stage.rawValue, text: text, host: server?.host, port: server?.port,
                  security: server?.security,
                  user: server.flatMap { $0.credentials.isNone ? nil : $0.credentials.user },
                  observation: observation, credential: server.flatMap { CredentialKind($0.credentials) }, now: now)
    }

    /// The evidence of any error a probe meets: SMTP, IMAP, NetIO, or something else at `stage`.
    public static func of(_ error: any Error, protocol: MailProtocol, stage: String, server: ServerSettings?,
                          now: Date = Date()) -> FailureEvidence {
        switch error {
        case let e as SMTPError: return FailureEvidence(e, server: server, now: now)
        case let e as IMAPError: return FailureEvidence(e, server: server, now: now)
        case let e as NetIOError: return FailureEvidence(e, protocol: `protocol`, server: server, now: now)
        default:
            return FailureEvidence(protocol: `protocol`, stage: stage, text: "\(error)", host: server?.host,
                                   port: server?.port, security: server?.security,
                                   user: server.flatMap { $0.credentials.isNone ? nil : $0.credentials.user },
                                   credential: server.flatMap { CredentialKind($0.credentials) }, now: now)
        }
    }
}

extension DiagnosisCatalogue {
    /// An `SMTPError` explained.
    public func diagnose(_ error: SMTPError, server: ServerSettings? = nil) -> FailureDiagnosis {
        diagnose(FailureEvidence(error, server: server))
    }

    /// An `IMAPError` explained.
    public func diagnose(_ error: IMAPError, server: ServerSettings? = nil) -> FailureDiagnosis {
        diagnose(FailureEvidence(error, server: server))
    }
}
