public import NetIO

/// The two protocols a mail account speaks: submission (RFC 6409) and mailbox access (RFC 9051).
public enum MailProtocol: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// SMTP submission: 465 implicit TLS (RFC 8314 §3.3), 587 STARTTLS (RFC 6409 §3.1), 25 relay (RFC 5321 §4.5.4).
    case smtp
    /// IMAP: 993 implicit TLS (RFC 8314 §3.3), 143 STARTTLS (RFC 9051 §6.2.1).
    case imap

    public var description: String { rawValue.uppercased() }

    /// The standard port for a security mode (RFC 8314 §3.3, RFC 6409 §3.1, RFC 9051 §2.1).
    public func defaultPort(for security: Security) -> UInt16 {
        switch (self, security) {
        case (.smtp, .implicitTLS): MailPorts.submissions
        case (.smtp, .startTLS): MailPorts.submission
        case (.smtp, .plaintextUnsafe): MailPorts.smtpRelay
        case (.imap, .implicitTLS): MailPorts.imaps
        case (.imap, .startTLS), (.imap, .plaintextUnsafe): MailPorts.imap
        }
    }

    /// The security a well-known port expects, or `nil` for a port with no convention.
    ///
    /// Port 25 and 143 expect STARTTLS: plain text is never assumed (RFC 8314 §4.1, §5).
    public func expectedSecurity(onPort port: UInt16) -> Security? {
        switch (self, port) {
        case (.smtp, MailPorts.submissions), (.imap, MailPorts.imaps): .implicitTLS
        case (.smtp, MailPorts.submission), (.smtp, MailPorts.smtpRelay), (.smtp, MailPorts.alternateSubmission),
             (.imap, MailPorts.imap): .startTLS
        default: nil
        }
    }

    /// The port of the other protocol family, to spot an IMAP port typed into the SMTP form.
    var foreignPorts: Set<UInt16> {
        switch self {
        case .smtp: [MailPorts.imap, MailPorts.imaps, 110, 995]
        case .imap: [MailPorts.submission, MailPorts.submissions, MailPorts.smtpRelay]
        }
    }
}

/// The well-known mail ports (IANA service names in comments).
public enum MailPorts {
    /// `submissions`, SMTP over implicit TLS (RFC 8314 §7.3).
    public static let submissions: UInt16 = 465
    /// `submission`, SMTP with STARTTLS (RFC 6409 §3.1).
    public static let submission: UInt16 = 587
    /// `smtp`, server-to-server relay (RFC 5321 §4.5.4); often blocked outbound by ISPs.
    public static let smtpRelay: UInt16 = 25
    /// The unofficial alternate submission port most e-mail services offer (SendGrid, Mailgun, Postmark…).
    public static let alternateSubmission: UInt16 = 2525
    /// `imaps`, IMAP over implicit TLS (RFC 8314 §7.2).
    public static let imaps: UInt16 = 993
    /// `imap`, IMAP with STARTTLS (RFC 9051 §2.1).
    public static let imap: UInt16 = 143
}

extension Security {
    /// The word the settings form uses: `tls`, `starttls`, `none`.
    public var settingsWord: String {
        switch self {
        case .implicitTLS: "tls"
        case .startTLS: "starttls"
        case .plaintextUnsafe: "none"
        }
    }

    /// What a shop owner sees: "SSL/TLS (implicit)", "STARTTLS", "none (unencrypted)".
    public var plainWords: String {
        switch self {
        case .implicitTLS: "SSL/TLS (implicit TLS)"
        case .startTLS: "STARTTLS"
        case .plaintextUnsafe: "none (unencrypted)"
        }
    }
}
