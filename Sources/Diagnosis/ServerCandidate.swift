public import NetIO

/// How a program proves itself to a server, as settings name it (autoconfig `<authentication>`,
/// diagnostics.md §1.1; RFC 4954, RFC 7628).
public enum AuthKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// The account password (PLAIN/LOGIN over TLS).
    case password
    /// An app password instead of the account password (Gmail, Yahoo, iCloud, Fastmail…).
    case appPassword
    /// "Sign in with…": an OAuth2 token (XOAUTH2, OAUTHBEARER).
    case oauth2
    /// An API key or SMTP key of an e-mail service (SendGrid, Postmark, Brevo…).
    case apiKey
    /// CRAM-MD5 and other challenge-response methods (`password-encrypted`).
    case challengeResponse
    /// Kerberos / GSSAPI.
    case gssapi
    /// NTLM.
    case ntlm
    /// No login (a LAN relay allowed by address).
    case none
}

/// Where a candidate setting was learned, which decides how far it is trusted (RFC 7525 §6.1).
public enum CandidateSource: Sendable, Hashable, CustomStringConvertible {
    /// The built-in provider table.
    case preset(Provider)
    /// An autoconfig document, by URL.
    case autoconfig(String)
    /// A DNS SRV record (RFC 6186), by name.
    case srv(String)
    /// A guess from the domain (diagnostics.md §1.3).
    case guess

    public var description: String {
        switch self {
        case .preset(let p): "built-in settings for \(p.displayName)"
        case .autoconfig(let url): "autoconfig \(url)"
        case .srv(let name): "DNS SRV \(name)"
        case .guess: "guessed from the domain"
        }
    }
}

/// One server setting worth trying: protocol, host, port, security, and the login name to use.
public struct ServerCandidate: Sendable, Hashable, CustomStringConvertible {
    public var `protocol`: MailProtocol
    public var host: String
    public var port: UInt16
    public var security: Security
    /// The login name with placeholders resolved (usually the full address), if known.
    public var username: String?
    /// The login kinds the source lists, best first.
    public var authKinds: [AuthKind]
    public var source: CandidateSource
    /// The host is outside the address's domain and not a known provider: learned from unsigned
    /// DNS or an unverified document, so it is shown for confirmation before any password goes
    /// there (RFC 7525 §6.1, diagnostics.md §1.4).
    public var needsConfirmation: Bool

    public init(protocol: MailProtocol, host: String, port: UInt16, security: Security, username: String? = nil,
                authKinds: [AuthKind] = [], source: CandidateSource, needsConfirmation: Bool = false) {
        self.protocol = `protocol`
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.authKinds = authKinds
        self.source = source
        self.needsConfirmation = needsConfirmation
    }

    public var endpoint: Endpoint { Endpoint(host: host, port: port) }

    /// No TLS at all: only acceptable when nothing else works, and flagged.
    public var isPlaintext: Bool { security == .plaintextUnsafe }

    /// `smtp smtp.gmail.com:465 tls (built-in settings for Gmail)`.
    public var description: String {
        var s = "\(`protocol`.rawValue) \(endpoint) \(security.settingsWord)"
        if let username { s += " user \(username)" }
        s += " (\(source))"
        if needsConfirmation { s += " [confirm: host outside the address's domain]" }
        return s
    }

    /// These settings as a form (no secret yet).
    public func settings() -> ServerSettings {
        ServerSettings(protocol: `protocol`, host: host, port: port, security: security)
    }
}
