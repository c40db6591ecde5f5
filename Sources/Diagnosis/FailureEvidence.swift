public import Foundation
public import NetIO
public import Auth
import Glibc

/// What the client itself noticed, when no server reply says it (the probes set these).
public enum ClientObservation: String, Sendable, Hashable, Codable, CaseIterable {
    /// The EHLO reply (or IMAP CAPABILITY) has no STARTTLS, though STARTTLS was required (RFC 3207 §4).
    case startTLSNotOffered
    /// The EHLO reply has no AUTH (RFC 4954 §3), or IMAP offers no usable AUTH= (RFC 9051 §6.2.2).
    case authNotOffered
    /// IMAP advertises LOGINDISABLED before TLS (RFC 9051 §6.2.3).
    case loginDisabled
    /// The message is larger than the SIZE the server advertised in EHLO (RFC 1870 §4).
    case messageExceedsAdvertisedSize
    /// None of the SASL mechanisms the server offers can be used with these credentials.
    case noCommonMechanism
}

/// What kind of secret a login used (never the secret itself): a password (or app password, API
/// key) or an OAuth 2.0 bearer token (RFC 6750; XOAUTH2, OAUTHBEARER RFC 7628). The catalogue tells
/// a refused token from a wrong password by it.
public enum CredentialKind: String, Sendable, Hashable, Codable, CaseIterable {
    case password
    case oauth2

    /// The kind of these credentials, or `nil` when there are none.
    public init?(_ credentials: Credentials) {
        switch credentials.secret {
        case .none: return nil
        case .password: self = .password
        case .oauth2AccessToken: self = .oauth2
        }
    }
}

/// The facts of one failure, as a probe or a client saw them: the stage, the server's reply
/// (SMTP code, RFC 3463 enhanced code, text) or the transport failure (`NetIOError.Kind`, TLS
/// report), and the settings in use. The catalogue turns it into a `Diagnosis`.
///
/// SMTP and IMAP replies are given as plain values so this type does not depend on the clients:
/// `FailureEvidence(protocol: .smtp, stage: "AUTH", code: 535, enhancedCode: "5.7.8", text: "…")`.
public struct FailureEvidence: Sendable, Hashable {
    public var `protocol`: MailProtocol?
    /// `DNS`, `connect`, `greeting`, `TLS`, `EHLO`, `STARTTLS`, `AUTH`, `MAIL`, `RCPT`, `DATA`;
    /// IMAP `CAPABILITY`, `LOGIN`, `AUTHENTICATE`, `LIST`, `SELECT`.
    public var stage: String
    /// The SMTP reply code (RFC 5321 §4.2), if a reply came.
    public var code: Int?
    /// The enhanced status code (RFC 3463), e.g. `5.7.8`.
    public var enhancedCode: String?
    /// The server's words (every line of a multi-line reply), or the transport's evidence.
    public var text: String
    /// The transport failure, when the failure is not a reply.
    public var transport: NetIOError.Kind?
    /// The TLS report when a handshake happened.
    public var tlsReport: TLSReport?
    public var host: String?
    public var port: UInt16?
    public var security: Security?
    /// The login name used (never a secret).
    public var user: String?
    public var observation: ClientObservation?
    /// The kind of secret the login used, when a login was configured.
    public var credential: CredentialKind?
    /// The sender address (`[identity] address`, MAIL FROM): with the login name, a second source
    /// for the provider when the host is an IP address or `localhost`.
    public var sender: String?
    /// The provider; when `nil` it is told from the host, then from the reply text, then (for a
    /// host that is an IP address or `localhost`) from the login's or the sender's domain.
    public var provider: Provider?
    /// This computer's clock, to tell an expired certificate from a wrong clock.
    public var now: Date

    public init(protocol: MailProtocol? = nil, stage: String, code: Int? = nil, enhancedCode: String? = nil,
                text: String = "", transport: NetIOError.Kind? = nil, tlsReport: TLSReport? = nil,
                host: String? = nil, port: UInt16? = nil, security: Security? = nil, user: String? = nil,
                observation: ClientObservation? = nil, credential: CredentialKind? = nil, sender: String? = nil,
                provider: Provider? = nil, now: Date = Date()) {
        self.protocol = `protocol`
        self.stage = stage
        self.code = code
        self.enhancedCode = enhancedCode
        self.text = text
        self.transport = transport
        self.tlsReport = tlsReport
        self.host = host
        self.port = port
        self.security = security
        self.user = user
        self.observation = observation
        self.credential = credential
        self.sender = sender
        self.provider = provider
        self.now = now
        if transport == nil && (self.code == nil || self.enhancedCode == nil) { splitReplyPrefix() }
    }

    /// A transport failure from NetIO, with the settings that were in use.
    public init(_ error: NetIOError, protocol: MailProtocol? = nil, server: ServerSettings? = nil,
                now: Date = Date()) {
        self.init(protocol: `protocol` ?? server?.protocol, stage: error.stage.rawValue,
                  text: error.evidence ?? error.summary, transport: error.kind, tlsReport: error.tlsReport,
                  host: error.endpoint?.host ?? server?.host, port: error.endpoint?.port ?? server?.port,
                  security: server?.security, user: server.map { $0.credentials.isNone ? nil : $0.credentials.user } ?? nil,
                  credential: server.flatMap { CredentialKind($0.credentials) }, now: now)
    }

    /// An SMTP reply at a stage, with the settings that were in use.
    public static func smtpReply(stage: String, code: Int, enhancedCode: String? = nil, text: String,
                                 server: ServerSettings? = nil, now: Date = Date()) -> FailureEvidence {
        FailureEvidence(protocol: .smtp, stage: stage, code: code, enhancedCode: enhancedCode, text: text,
                        host: server?.host, port: server?.port, security: server?.security,
                        user: server.flatMap { $0.credentials.isNone ? nil : $0.credentials.user },
                        credential: server.flatMap { CredentialKind($0.credentials) }, now: now)
    }

    /// An IMAP tagged or untagged response (`NO [AUTHENTICATIONFAILED] Invalid credentials`).
    public static func imapResponse(stage: String, text: String, server: ServerSettings? = nil,
                                    now: Date = Date()) -> FailureEvidence {
        FailureEvidence(protocol: .imap, stage: stage, text: text, host: server?.host, port: server?.port,
                        security: server?.security,
                        user: server.flatMap { $0.credentials.isNone ? nil : $0.credentials.user },
                        credential: server.flatMap { CredentialKind($0.credentials) }, now: now)
    }

    /// The provider given, else told from the host, else from the server's words, else, when the
    /// host is an IP address or `localhost` (a name that tells nothing), from the domain of the
    /// login name, then of the sender address (`shop@gmail.com` → Gmail).
    public var effectiveProvider: Provider? {
        if let provider { return provider }
        let fromUser = Self.domainProvider(user)
        if let fromHost = host.flatMap({ Provider.identify(host: $0) }) {
            // outlook.office365.com serves both; the address tells a personal Outlook.com account.
            return fromHost == .microsoft365 && fromUser == .outlookConsumer ? .outlookConsumer : fromHost
        }
        if let fromReply = Provider.identify(replyText: plainText) { return fromReply }
        guard host.map(Self.isAddressOrLocalhost) ?? true else { return nil }
        return fromUser ?? Self.domainProvider(sender)
    }

    /// The provider of an address's domain (`shop@icloud.com` → iCloud), or `nil`.
    static func domainProvider(_ address: String?) -> Provider? {
        guard let address, let at = address.lastIndex(of: "@") else { return nil }
        var domain = address[address.index(after: at)...]
        while domain.hasSuffix(">") { domain = domain.dropLast() }
        return domain.isEmpty ? nil : Provider.identify(domain: String(domain))
    }

    /// Whether a host is an IPv4 or IPv6 literal, or `localhost` (RFC 6761 §6.3): names that say
    /// nothing about the provider behind them.
    static func isAddressOrLocalhost(_ host: String) -> Bool {
        var h = host.lowercased()
        if h.hasPrefix("[") && h.hasSuffix("]") { h = String(h.dropFirst().dropLast()) }
        while h.hasSuffix(".") { h.removeLast() }
        if h == "localhost" || h.hasSuffix(".localhost") { return true }
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, h, &v4) == 1 || inet_pton(AF_INET6, h, &v6) == 1
    }

    /// The reply text without the code prefixes of each line (`535-5.7.8 `), lines joined by spaces.
    public var plainText: String {
        var parts: [String] = []
        for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            var l = Substring(line)
            if l.count >= 4, l.prefix(3).allSatisfy(\.isNumber), l.dropFirst(3).first == "-" || l.dropFirst(3).first == " " {
                l = l.dropFirst(4)
            }
            if let enhancedCode, l.hasPrefix(enhancedCode + " ") { l = l.dropFirst(enhancedCode.count + 1) }
            if let enhancedCode, l == Substring(enhancedCode) { continue }
            let t = l.trimmingCharacters(in: .whitespaces)
            if !t.isEmpty { parts.append(t) }
        }
        return parts.joined(separator: " ")
    }

    /// The text the catalogue patterns are matched against: the plain text plus any base64 JSON
    /// challenge decoded (an XOAUTH2 or OAUTHBEARER error, RFC 7628 §3.2.2).
    var matchText: String {
        var t = plainText
        if let decoded = decodedChallenge { t += " " + decoded }
        return t
    }

    /// A SASL error challenge (`334 eyJ…`, `+ eyJ…`) decoded, when it is base64 JSON.
    public var decodedChallenge: String? {
        var candidate = plainText
        if candidate.hasPrefix("+ ") { candidate = String(candidate.dropFirst(2)) }
        candidate = candidate.trimmingCharacters(in: .whitespaces)
        guard candidate.hasPrefix("eyJ"), !candidate.contains(" "),
              let data = Data(base64Encoded: candidate.padded), let json = String(data: data, encoding: .utf8),
              json.hasPrefix("{")
        else { return nil }
        return json
    }

    /// The server's words as one quotable line: `535 5.7.8 Username and Password not accepted…`.
    public var quotedEvidence: String {
        if transport != nil {
            var s = text
            if let report = tlsReport, !report.trusted, !s.contains(report.verdict) {
                s += s.isEmpty ? report.verdict : "; " + report.verdict
            }
            return s
        }
        var s = ""
        if let code { s += "\(code) " }
        if let enhancedCode { s += "\(enhancedCode) " }
        s += plainText
        if let decodedChallenge { s += " (decoded: \(decodedChallenge))" }
        return s.trimmingCharacters(in: .whitespaces)
    }

    /// `535-5.7.8 text` given as the text: take the code and enhanced code from it.
    private mutating func splitReplyPrefix() {
        let first = text.prefix { $0 != "\n" && $0 != "\r\n" && $0 != "\r" }
        var rest = Substring(first)
        if code == nil, rest.count >= 3, rest.prefix(3).allSatisfy(\.isNumber),
           rest.count == 3 || rest.dropFirst(3).first == " " || rest.dropFirst(3).first == "-" {
            code = Int(rest.prefix(3))
            rest = rest.dropFirst(4)
        } else if rest.count >= 4, rest.prefix(3).allSatisfy(\.isNumber), rest.dropFirst(3).first == " " || rest.dropFirst(3).first == "-" {
            rest = rest.dropFirst(4)
        }
        if enhancedCode == nil, let code, (200...599).contains(code) {
            let word = rest.prefix { $0 != " " }
            let parts = word.split(separator: ".", omittingEmptySubsequences: false)
            if parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }),
               parts[0] == Substring(String(code / 100)) {
                enhancedCode = String(word)
            }
        }
    }
}

extension String {
    /// Base64 with `=` padding restored.
    var padded: String {
        let r = count % 4
        return r == 0 ? self : self + String(repeating: "=", count: 4 - r)
    }
}
