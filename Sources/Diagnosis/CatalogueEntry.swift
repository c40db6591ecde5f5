internal import Foundation
public import NetIO

/// A transport failure kind to match, without its associated values (`NetIOError.Kind`).
public enum TransportKind: Sendable, Hashable {
    case dns, refused, unreachable, timeout, closedByPeer, tls, plaintextOnTLSPort, tlsOnPlaintextPort
    case startTLSInjection, lineTooLong, cancelled, closed, forbiddenCharacter
    /// A system call failure with this errno (`ECONNRESET` is 104 on Linux).
    case errno(Int32)
    /// Any `.system` failure.
    case anySystemError

    func matches(_ kind: NetIOError.Kind) -> Bool {
        switch (self, kind) {
        case (.dns, .dns), (.refused, .refused), (.unreachable, .unreachable), (.timeout, .timeout),
             (.closedByPeer, .closedByPeer), (.tls, .tls), (.plaintextOnTLSPort, .plaintextOnTLSPort),
             (.tlsOnPlaintextPort, .tlsOnPlaintextPort), (.startTLSInjection, .startTLSInjection),
             (.lineTooLong, .lineTooLong), (.cancelled, .cancelled), (.closed, .closed),
             (.forbiddenCharacter, .forbiddenCharacter), (.anySystemError, .system):
            true
        case (.errno(let e), .system(let actual)): e == actual
        default: false
        }
    }
}

/// What is wrong with the server's certificate, told from the TLS report (RFC 5280 §4.1.2.5, §6.1).
public enum CertificateProblem: String, Sendable, Hashable, CaseIterable {
    /// The certificate's notAfter date has passed (by this computer's clock).
    case expired
    /// The certificate's notBefore date is in the future: almost always this computer's clock is behind.
    case notYetValid
    /// The server's own certificate is self-signed.
    case selfSigned
    /// The chain ends in a self-signed CA nobody here trusts (a private CA, or TLS interception).
    case untrustedRoot
    /// The issuer is unknown: a missing intermediate, or no CA bundle on this computer.
    case unknownIssuer

    /// The problem the report shows, most telling first.
    static func of(_ report: TLSReport, now: Date) -> CertificateProblem? {
        let error = (report.chainError ?? "").lowercased()
        if let leaf = report.leaf, leaf.notBefore > now { return .notYetValid }
        if error.contains("not yet valid") { return .notYetValid }
        if error.contains("expired") || report.chain.contains(where: { $0.notAfter < now }) { return .expired }
        if error.contains("in certificate chain") { return .untrustedRoot }
        if error.contains("self-signed") || error.contains("self signed") { return .selfSigned }
        if error.contains("local issuer") || error.contains("issuer certificate") { return .unknownIssuer }
        if !report.chainTrusted, let leaf = report.leaf, leaf.isSelfIssued { return .selfSigned }
        return nil
    }
}

/// One condition of a catalogue entry. An entry matches when all its conditions hold; the entry
/// with the most specific conditions wins (`weight`).
public enum Condition: Sendable, Hashable {
    case `protocol`(MailProtocol)
    /// The stage is one of these (case-insensitive).
    case stage([String])
    /// The SMTP reply code is one of these.
    case code([Int])
    /// The reply class: 4 (transient) or 5 (permanent) for SMTP (RFC 5321 §4.2.1); for IMAP,
    /// 5 also matches a `NO` or `BAD` response.
    case replyClass(Int)
    /// The RFC 3463 enhanced code is one of these.
    case enhancedCode([String])
    /// A case-insensitive regular expression found in the server's words (or the transport evidence).
    case text(String)
    /// The provider is one of these.
    case provider([Provider])
    /// The TLS verdict.
    case tls(TLSFailure)
    /// What is wrong with the certificate.
    case certificate(CertificateProblem)
    /// The transport failure kind.
    case transport(TransportKind)
    /// The port is one of these.
    case port([UInt16])
    /// The security mode in use.
    case security(Security)
    /// Something the client observed.
    case observation(ClientObservation)
    /// The login name is set and is not this (SendGrid's user is literally `apikey`).
    case userIsNot(String)
    /// The login used this kind of secret (a password, an OAuth2 token).
    case credential(CredentialKind)
    /// The login did not use this kind of secret, or the kind is not known (weight 0: it only
    /// rules an entry out, e.g. a "wrong password" explanation when the secret was a token).
    case credentialIsNot(CredentialKind)
    /// Any one of these groups holds (all conditions of a group); its weight is the lightest group's.
    case anyOf([[Condition]])

    /// How specific the condition is; the sum decides between entries that all match.
    var weight: Int {
        switch self {
        case .credentialIsNot: 0
        case .anyOf(let groups): groups.map { $0.reduce(0) { $0 + $1.weight } }.min() ?? 0
        case .protocol, .stage, .port, .security, .replyClass: 1
        case .code, .tls, .transport, .userIsNot: 2
        case .enhancedCode, .provider, .certificate, .observation, .credential: 3
        case .text: 4
        }
    }

    func holds(for e: FailureEvidence, provider: Provider?, matchText: String) -> Bool {
        switch self {
        case .protocol(let p): return e.protocol == p
        case .stage(let stages): return stages.contains { $0.caseInsensitiveCompare(e.stage) == .orderedSame }
        case .code(let codes): return e.code.map(codes.contains) ?? false
        case .replyClass(let c):
            if let code = e.code { return code / 100 == c }
            guard c == 5, e.protocol == .imap, e.transport == nil else { return false }
            return Self.imapStatus(of: e.plainText).map { $0 == "NO" || $0 == "BAD" } ?? false
        case .enhancedCode(let codes): return e.enhancedCode.map(codes.contains) ?? false
        case .text(let pattern): return Self.find(pattern, in: matchText)
        case .provider(let ps): return provider.map(ps.contains) ?? false
        case .tls(let f):
            if case .tls(let actual)? = e.transport { return actual == f }
            return false
        case .certificate(let problem):
            // With a pin, the pin decides (the chain is only reported): a wrong pin is the failure.
            guard let report = e.tlsReport, !report.chainTrusted, report.pinMatches == nil else { return false }
            return CertificateProblem.of(report, now: e.now) == problem
        case .transport(let kind): return e.transport.map(kind.matches) ?? false
        case .port(let ports): return e.port.map(ports.contains) ?? false
        case .security(let s): return e.security == s
        case .observation(let o): return e.observation == o
        case .userIsNot(let name): return e.user.map { !$0.isEmpty && $0 != name } ?? false
        case .credential(let kind): return e.credential == kind
        case .credentialIsNot(let kind): return e.credential != kind
        case .anyOf(let groups):
            return groups.contains { $0.allSatisfy { $0.holds(for: e, provider: provider, matchText: matchText) } }
        }
    }

    /// `NO`, `BAD`, `BYE`, `OK` of an IMAP response line, after an optional tag or `*`.
    static func imapStatus(of text: String) -> String? {
        let words = text.split(separator: " ", maxSplits: 2).map { $0.uppercased() }
        let statuses: Set<String> = ["OK", "NO", "BAD", "BYE", "PREAUTH"]
        if let first = words.first, statuses.contains(first) { return first }
        if words.count > 1, statuses.contains(words[1]) { return words[1] }
        return nil
    }

    /// A case-insensitive regular-expression search.
    static func find(_ pattern: String, in text: String) -> Bool {
        guard let regex = try? NSRegularExpression(pattern: pattern, options: [.caseInsensitive]) else { return false }
        return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }
}

/// One row of the diagnosis catalogue: conditions → a cause and a fix in plain words.
///
/// Cause and fix may name facts of the failure: `{host}`, `{port}`, `{user}`, `{stage}`,
/// `{provider}`, `{implicitPort}`, `{startTLSPort}`, `{certNames}`, `{sha256}`, `{notBefore}`,
/// `{notAfter}`, `{today}`.
public struct CatalogueEntry: Sendable, Hashable {
    /// Stable identifier, e.g. `smtp.auth.gmail-app-password-required`.
    public var id: String
    /// The entry of diagnostics.md §3 it comes from (`E02`), if any.
    public var reference: String?
    /// A short title: "Gmail needs an app password".
    public var title: String
    public var conditions: [Condition]
    public var cause: String
    public var fix: String
    /// Whether trying again later may work without changing anything.
    public var transient: Bool

    public init(_ id: String, ref reference: String? = nil, _ title: String, when conditions: [Condition],
                cause: String, fix: String, transient: Bool = false) {
        self.id = id
        self.reference = reference
        self.title = title
        self.conditions = conditions
        self.cause = cause
        self.fix = fix
        self.transient = transient
    }

    /// The sum of the condition weights.
    public var specificity: Int { conditions.reduce(0) { $0 + $1.weight } }
}
