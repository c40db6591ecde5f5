/// Why authentication could not go on, before or during the SASL exchange.
public struct AuthError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// The server offers no mechanism that this client can use with these credentials.
        case noCommonMechanism(offered: [String])
        /// The mechanism the caller pinned is not offered by the server, or not available here.
        case mechanismUnavailable(String)
        /// The mechanism would send a reusable secret over a connection without TLS, and the
        /// caller did not opt in with `allowPlaintextPasswordUnsafe`.
        case wouldExposeSecret(mechanism: String)
        /// The credentials do not fit the mechanism (no password for SCRAM, no token for XOAUTH2).
        case credentialsUnsuitable(String)
        /// The server sent something the mechanism cannot accept (bad challenge, wrong nonce,
        /// server signature mismatch).
        case protocolViolation(String)
        /// libsasl2 reported an error (its code and words).
        case sasl(code: Int32, message: String)
        /// A user name or token holds a character the mechanism cannot carry (NUL, `,` …).
        case invalidCharacter(field: String)
    }

    public var kind: Kind
    /// The mechanism involved, when one was chosen.
    public var mechanism: String?
    /// More words on why, when there are any (what the server offers, what is installed here).
    /// Never holds a secret.
    public var detail: String?

    public init(_ kind: Kind, mechanism: String? = nil, detail: String? = nil) {
        self.kind = kind
        self.mechanism = mechanism
        self.detail = detail
    }

    public var description: String {
        detail.map { summary + " (\($0))" } ?? summary
    }

    private var summary: String {
        let prefix = mechanism.map { "AUTH \($0): " } ?? "AUTH: "
        switch kind {
        case .noCommonMechanism(let offered):
            return prefix + "the server offers no mechanism usable with these credentials (offered: "
                + (offered.isEmpty ? "none" : offered.joined(separator: " ")) + ")"
        case .mechanismUnavailable(let m):
            return prefix + "mechanism \(m) is not available"
        case .wouldExposeSecret(let m):
            return prefix + "\(m) would send the password in clear text over a connection without TLS; "
                + "use TLS or STARTTLS (or opt in with allowPlaintextPasswordUnsafe)"
        case .credentialsUnsuitable(let why):
            return prefix + why
        case .protocolViolation(let why):
            return prefix + "the server's answer is not valid: \(why)"
        case .sasl(let code, let message):
            return prefix + "SASL library error \(code): \(message)"
        case .invalidCharacter(let field):
            return prefix + "the \(field) holds a character that cannot be sent"
        }
    }
}
