public import Auth
public import NetIO

/// One server of the settings form: host, port, security, login, trust and the transcript file.
///
/// Its `description` never shows the password or token: `<set, 16 characters>` and where it came
/// from instead (DESIGN.md §4).
public struct ServerSettings: Sendable, Hashable, CustomStringConvertible {
    public var `protocol`: MailProtocol
    public var host: String
    public var port: UInt16
    public var security: Security
    /// The login. `Credentials.none` for an anonymous relay.
    public var credentials: Credentials
    /// Where the secret came from (environment variable, file), for descriptions and support bundles.
    public var secretOrigin: SecretOrigin?
    /// A PEM file of CA certificates to trust instead of the system store (a private CA).
    public var caFile: String?
    /// Where to write the session transcript (the `LogSMTP=path` habit).
    public var transcriptPath: String?
    /// The caller opted in to sending a password without TLS (`unsafe_plaintext_auth = yes`).
    public var allowsPlaintextAuthUnsafe: Bool

    public init(protocol: MailProtocol, host: String, port: UInt16? = nil, security: Security = .implicitTLS,
                credentials: Credentials = .none, secretOrigin: SecretOrigin? = nil, caFile: String? = nil,
                transcriptPath: String? = nil, allowsPlaintextAuthUnsafe: Bool = false) {
        self.protocol = `protocol`
        self.host = host
        self.port = port ?? `protocol`.defaultPort(for: security)
        self.security = security
        self.credentials = credentials
        self.secretOrigin = secretOrigin
        self.caFile = caFile
        self.transcriptPath = transcriptPath
        self.allowsPlaintextAuthUnsafe = allowsPlaintextAuthUnsafe
    }

    public var endpoint: Endpoint { Endpoint(host: host, port: port) }

    /// Certificate checks on, trust from `caFile` when set, else the system store (RFC 8314 §5).
    public var tlsOptions: TLSOptions {
        TLSOptions(trust: caFile.map { .caFile($0) } ?? .systemStore)
    }

    /// The provider the host belongs to, if it is a known one.
    public var provider: Provider? { Provider.identify(host: host) }

    /// `smtp smtp.gmail.com:465 tls, user shop@gmail.com, password <set, 16 characters> (environment variable MAIL_PW)`.
    public var description: String {
        var s = "\(`protocol`.rawValue) \(endpoint) \(security.settingsWord)"
        switch credentials.secret {
        case .none: s += ", no login"
        case .password: s += ", user \(credentials.user), password \(credentials.secret.redactedSummary)"
        case .oauth2AccessToken: s += ", user \(credentials.user), \(credentials.secret.redactedSummary)"
        }
        if let secretOrigin { s += " (\(secretOrigin))" }
        if let caFile { s += ", CA file \(caFile)" }
        if let transcriptPath { s += ", log \(transcriptPath)" }
        if allowsPlaintextAuthUnsafe { s += ", UNSAFE plain-text login allowed" }
        return s
    }
}

/// Who the mail is from: the sender of invoices and the alternate sender for purchase orders
/// (RFC 5322 §3.6.2 `From:`).
public struct SenderIdentity: Sendable, Hashable, CustomStringConvertible {
    /// The display name, e.g. `Corner Shop`.
    public var name: String?
    /// The sender address, e.g. `shop@example.com`.
    public var address: String?
    /// The sender of purchase orders when it differs, e.g. `orders@example.com`.
    public var purchaseOrderAddress: String?

    public init(name: String? = nil, address: String? = nil, purchaseOrderAddress: String? = nil) {
        self.name = name
        self.address = address
        self.purchaseOrderAddress = purchaseOrderAddress
    }

    /// `Corner Shop <shop@example.com>, purchase orders from orders@example.com`.
    public var description: String {
        var s = switch (name, address) {
        case let (n?, a?): "\(n) <\(a)>"
        case let (nil, a?): a
        case let (n?, nil): "\(n) <no address>"
        case (nil, nil): "no sender"
        }
        if let purchaseOrderAddress { s += ", purchase orders from \(purchaseOrderAddress)" }
        return s
    }
}

/// The settings form of a business app's e-mail: the SMTP server to send through, the IMAP server
/// to read the shop mailbox, and the sender identity. Read from an INI file (`MailAccount(ini:)`)
/// or from URLs (`ServerSettings(url:)`).
public struct MailAccount: Sendable, Hashable, CustomStringConvertible {
    public var smtp: ServerSettings?
    public var imap: ServerSettings?
    public var identity: SenderIdentity

    public init(smtp: ServerSettings? = nil, imap: ServerSettings? = nil, identity: SenderIdentity = SenderIdentity()) {
        self.smtp = smtp
        self.imap = imap
        self.identity = identity
    }

    /// One line per part; secrets shown as `<set, N characters>`.
    public var description: String {
        var lines: [String] = []
        if let smtp { lines.append(smtp.description) }
        if let imap { lines.append(imap.description) }
        lines.append("sender \(identity)")
        return lines.joined(separator: "\n")
    }
}
