public import NetIO

/// How a provider expects the login name (diagnostics.md §2).
public enum UsernameForm: Sendable, Hashable {
    /// The full e-mail address.
    case emailAddress
    /// The part before the @ (iCloud IMAP).
    case localPart
    /// A fixed word (SendGrid: `apikey`).
    case fixed(String)
    /// A name the service issues (Mailgun's per-domain SMTP user, Brevo's SMTP login).
    case issuedByService

    /// The login name for an address, when it follows from it.
    public func username(for address: String) -> String? {
        switch self {
        case .emailAddress: address
        case .localPart: address.split(separator: "@").first.map(String.init)
        case .fixed(let word): word
        case .issuedByService: nil
        }
    }
}

/// One server of a preset.
public struct PresetServer: Sendable, Hashable {
    public var host: String
    public var port: UInt16
    public var security: Security

    public init(host: String, port: UInt16, security: Security) {
        self.host = host
        self.port = port
        self.security = security
    }

    /// Implicit TLS (RFC 8314 §3.3).
    public static func tls(_ host: String, _ port: UInt16) -> PresetServer { PresetServer(host: host, port: port, security: .implicitTLS) }
    /// STARTTLS (RFC 3207, RFC 9051 §6.2.1).
    public static func starttls(_ host: String, _ port: UInt16) -> PresetServer { PresetServer(host: host, port: port, security: .startTLS) }
}

/// Built-in settings for a well-known provider (diagnostics.md §2): servers in order of
/// preference (implicit TLS first, RFC 8314 §3), login form, login kinds and the app-password note.
public struct ProviderPreset: Sendable, Hashable {
    public var provider: Provider
    /// Mailbox domains that select this preset (`gmail.com`).
    public var domains: [String]
    /// MX host suffixes that select it for a custom domain (`aspmx.l.google.com`, Workspace).
    public var mxSuffixes: [String]
    public var smtp: [PresetServer]
    public var imap: [PresetServer]
    public var smtpUsername: UsernameForm
    public var imapUsername: UsernameForm
    public var authKinds: [AuthKind]
    /// What the shop owner must know: app password, enable IMAP, region…
    public var note: String

    public init(provider: Provider, domains: [String], mxSuffixes: [String], smtp: [PresetServer],
                imap: [PresetServer], smtpUsername: UsernameForm, imapUsername: UsernameForm,
                authKinds: [AuthKind], note: String) {
        self.provider = provider
        self.domains = domains
        self.mxSuffixes = mxSuffixes
        self.smtp = smtp
        self.imap = imap
        self.smtpUsername = smtpUsername
        self.imapUsername = imapUsername
        self.authKinds = authKinds
        self.note = note
    }


    /// The preset's servers as candidates for an address.
    public func candidates(for address: String) -> [ServerCandidate] {
        func make(_ p: MailProtocol, _ list: [PresetServer], _ form: UsernameForm) -> [ServerCandidate] {
            list.map {
                ServerCandidate(protocol: p, host: $0.host, port: $0.port, security: $0.security,
                                username: form.username(for: address), authKinds: authKinds,
                                source: .preset(provider))
            }
        }
        return make(.smtp, smtp, smtpUsername) + make(.imap, imap, imapUsername)
    }

    /// The preset for a mailbox domain, if any.
    public static func forDomain(_ domain: String, in table: [ProviderPreset] = standard) -> ProviderPreset? {
        let d = Provider.normalised(domain)
        return table.first { $0.domains.contains(d) }
    }

    /// The preset whose MX suffix matches an MX host (Workspace, Microsoft 365…).
    public static func forMX(_ mx: String, in table: [ProviderPreset] = standard) -> ProviderPreset? {
        let h = Provider.normalised(mx)
        return table.first { p in p.mxSuffixes.contains { h == $0 || h.hasSuffix("." + $0) } }
    }

    /// The preset of a provider.
    public static func of(_ provider: Provider, in table: [ProviderPreset] = standard) -> ProviderPreset? {
        table.first { $0.provider == provider }
    }

    /// The built-in table (diagnostics.md §2, as of late 2026).
    public static let standard: [ProviderPreset] = [
        ProviderPreset(
            provider: .gmail, domains: ["gmail.com", "googlemail.com"],
            mxSuffixes: ["aspmx.l.google.com", "googlemail.com", "google.com"],
            smtp: [.tls("smtp.gmail.com", 465), .starttls("smtp.gmail.com", 587)],
            imap: [.tls("imap.gmail.com", 993)],
            smtpUsername: .emailAddress, imapUsername: .emailAddress, authKinds: [.oauth2, .appPassword],
            note: "Google only accepts an app password (with 2-Step Verification on; create it at https://myaccount.google.com/apppasswords) or \"Sign in with Google\" (OAuth). Google Workspace admins can switch off IMAP and app passwords."),
        ProviderPreset(
            provider: .outlookConsumer, domains: ["outlook.com", "hotmail.com", "live.com", "msn.com", "hotmail.co.uk",
                                                  "hotmail.fr", "hotmail.de", "outlook.de", "outlook.fr", "live.co.uk"],
            mxSuffixes: ["olc.protection.outlook.com"],
            smtp: [.starttls("smtp-mail.outlook.com", 587)],
            imap: [.tls("outlook.office365.com", 993)],
            smtpUsername: .emailAddress, imapUsername: .emailAddress, authKinds: [.oauth2],
            note: "Outlook.com only allows \"Sign in with Microsoft\" (OAuth2) since September 2024; passwords do not work. IMAP is off by default: Settings → Mail → Forwarding and IMAP."),
        ProviderPreset(
            provider: .microsoft365, domains: [], mxSuffixes: ["mail.protection.outlook.com"],
            smtp: [.starttls("smtp.office365.com", 587)],
            imap: [.tls("outlook.office365.com", 993)],
            smtpUsername: .emailAddress, imapUsername: .emailAddress, authKinds: [.oauth2, .password],
            note: "Microsoft 365 often has SMTP AUTH switched off for the organisation (the admin can enable it per mailbox); IMAP needs \"Sign in with Microsoft\" (OAuth2)."),
        ProviderPreset(
            provider: .yahoo, domains: ["yahoo.com", "ymail.com", "rocketmail.com", "yahoo.co.uk", "yahoo.fr", "yahoo.de"],
            mxSuffixes: ["yahoodns.net"],
            smtp: [.tls("smtp.mail.yahoo.com", 465), .starttls("smtp.mail.yahoo.com", 587)],
            imap: [.tls("imap.mail.yahoo.com", 993)],
            smtpUsername: .emailAddress, imapUsername: .emailAddress, authKinds: [.oauth2, .appPassword],
            note: "Yahoo needs an app password: Account Security → Generate app password (2-step verification required)."),
        ProviderPreset(
            provider: .aol, domains: ["aol.com", "aim.com"], mxSuffixes: [],
            smtp: [.tls("smtp.aol.com", 465), .starttls("smtp.aol.com", 587)],
            imap: [.tls("imap.aol.com", 993)],
            smtpUsername: .emailAddress, imapUsername: .emailAddress, authKinds: [.oauth2, .appPassword],
            note: "AOL needs an app password: Account Security → Generate app password."),
        ProviderPreset(
            provider: .icloud, domains: ["icloud.com", "me.com", "mac.com"], mxSuffixes: ["mail.icloud.com"],
            smtp: [.starttls("smtp.mail.me.com", 587)],
            imap: [.tls("imap.mail.me.com", 993)],
            smtpUsername: .emailAddress, imapUsername: .localPart, authKinds: [.appPassword],
            note: "iCloud needs an app-specific password (Apple ID with two-factor authentication): account.apple.com → Sign-In and Security → App-Specific Passwords. Port 465 is not offered."),
        ProviderPreset(
            provider: .zoho, domains: ["zoho.com", "zohomail.com"], mxSuffixes: ["zoho.com"],
            smtp: [.tls("smtp.zoho.com", 465), .starttls("smtp.zoho.com", 587)],
            imap: [.tls("imap.zoho.com", 993)],
            smtpUsername: .emailAddress, imapUsername: .emailAddress, authKinds: [.password, .appPassword],
            note: "Zoho servers are per region (zoho.eu, zoho.in, zoho.com.au…); paid custom-domain plans use smtppro.zoho.com and imappro.zoho.com. With two-factor sign-in, use an app password."),
        ProviderPreset(
            provider: .zoho, domains: ["zoho.eu", "zohomail.eu"], mxSuffixes: ["zoho.eu"],
            smtp: [.tls("smtp.zoho.eu", 465), .starttls("smtp.zoho.eu", 587)],
            imap: [.tls("imap.zoho.eu", 993)],
            smtpUsername: .emailAddress, imapUsername: .emailAddress, authKinds: [.password, .appPassword],
            note: "Zoho EU data centre. With two-factor sign-in, use an app password."),
        ProviderPreset(
            provider: .fastmail, domains: ["fastmail.com", "fastmail.fm"], mxSuffixes: ["messagingengine.com"],
            smtp: [.tls("smtp.fastmail.com", 465), .starttls("smtp.fastmail.com", 587)],
            imap: [.tls("imap.fastmail.com", 993)],
            smtpUsername: .emailAddress, imapUsername: .emailAddress, authKinds: [.oauth2, .appPassword],
            note: "Fastmail needs an app password: Settings → Privacy & Security → App passwords."),
        ProviderPreset(
            provider: .gmx, domains: ["gmx.net", "gmx.de", "gmx.at", "gmx.ch"], mxSuffixes: ["gmx.net"],
            smtp: [.tls("mail.gmx.net", 465), .starttls("mail.gmx.net", 587)],
            imap: [.tls("imap.gmx.net", 993), .starttls("imap.gmx.net", 143)],
            smtpUsername: .emailAddress, imapUsername: .emailAddress, authKinds: [.password],
            note: "Switch on \"POP3 & IMAP access\" once in GMX's web settings."),
        ProviderPreset(
            provider: .gmx, domains: ["gmx.com", "mail.com"], mxSuffixes: [],
            smtp: [.tls("mail.gmx.com", 465), .starttls("mail.gmx.com", 587)],
            imap: [.tls("imap.gmx.com", 993)],
            smtpUsername: .emailAddress, imapUsername: .emailAddress, authKinds: [.password],
            note: "Switch on \"POP3 & IMAP access\" once in the web settings."),
        ProviderPreset(
            provider: .sendgrid, domains: [], mxSuffixes: [],
            smtp: [.tls("smtp.sendgrid.net", 465), .starttls("smtp.sendgrid.net", 587), .starttls("smtp.sendgrid.net", 2525)],
            imap: [], smtpUsername: .fixed("apikey"), imapUsername: .issuedByService, authKinds: [.apiKey],
            note: "User name is literally apikey; the password is an API key (SG.…) with Mail Send permission. The sender must be a verified Sender Identity."),
        ProviderPreset(
            provider: .mailgun, domains: [], mxSuffixes: [],
            smtp: [.tls("smtp.mailgun.org", 465), .starttls("smtp.mailgun.org", 587), .starttls("smtp.mailgun.org", 2525)],
            imap: [], smtpUsername: .issuedByService, imapUsername: .issuedByService, authKinds: [.apiKey],
            note: "Use the domain's SMTP credentials (e.g. postmaster@mg.yourdomain), not the dashboard login; EU domains use smtp.eu.mailgun.org."),
        ProviderPreset(
            provider: .amazonSES, domains: [], mxSuffixes: [],
            smtp: [.tls("email-smtp.us-east-1.amazonaws.com", 465), .starttls("email-smtp.us-east-1.amazonaws.com", 587),
                   .starttls("email-smtp.us-east-1.amazonaws.com", 2587)],
            imap: [], smtpUsername: .issuedByService, imapUsername: .issuedByService, authKinds: [.apiKey],
            note: "Replace us-east-1 with your SES region. Use SES SMTP credentials for that region, not IAM access keys. In the sandbox, sender and recipients must be verified."),
        ProviderPreset(
            provider: .postmark, domains: [], mxSuffixes: [],
            smtp: [.starttls("smtp.postmarkapp.com", 587), .starttls("smtp.postmarkapp.com", 2525)],
            imap: [], smtpUsername: .issuedByService, imapUsername: .issuedByService, authKinds: [.apiKey],
            note: "The Server API Token is both user name and password. Postmark has no implicit-TLS port: 465 hangs."),
        ProviderPreset(
            provider: .brevo, domains: [], mxSuffixes: [],
            smtp: [.tls("smtp-relay.brevo.com", 465), .starttls("smtp-relay.brevo.com", 587), .starttls("smtp-relay.brevo.com", 2525)],
            imap: [], smtpUsername: .issuedByService, imapUsername: .issuedByService, authKinds: [.apiKey],
            note: "Use the login shown on Brevo's SMTP page and an SMTP key (not the account password, not an API key)."),
        ProviderPreset(
            provider: .mandrill, domains: [], mxSuffixes: [],
            smtp: [.tls("smtp.mandrillapp.com", 465), .starttls("smtp.mandrillapp.com", 587), .starttls("smtp.mandrillapp.com", 2525)],
            imap: [], smtpUsername: .issuedByService, imapUsername: .issuedByService, authKinds: [.apiKey],
            note: "The password is a Mandrill API key; the paid Transactional add-on and a verified sending domain are needed."),
        ProviderPreset(
            provider: .googleWorkspaceRelay, domains: [], mxSuffixes: [],
            smtp: [.tls("smtp-relay.gmail.com", 465), .starttls("smtp-relay.gmail.com", 587)],
            imap: [], smtpUsername: .emailAddress, imapUsername: .emailAddress, authKinds: [.password, .none],
            note: "Google Workspace relay: the admin must enable the SMTP relay service (IP allow-list or SMTP AUTH). Personal Gmail uses smtp.gmail.com instead."),
    ]
}
