/// Chooses the SASL mechanism for a session: the strongest one both sides have for the
/// credentials given, or the one the caller pinned (RFC 4422 §3.1, mechanism negotiation).
///
/// Never returns "no authentication" when credentials were given and nothing matched: that is
/// `AuthError.noCommonMechanism`, so a caller can never send unauthenticated by accident.
public struct MechanismSelection: Sendable, Hashable {
    /// A mechanism name the caller insists on (`PLAIN`, `SCRAM-SHA-256`, …), or `nil` for "best".
    public var pinned: String?
    /// Lets PLAIN, LOGIN, XOAUTH2 and OAUTHBEARER run over a connection without TLS.
    public var allowPlaintextPasswordUnsafe: Bool

    public init(pinned: String? = nil, allowPlaintextPasswordUnsafe: Bool = false) {
        self.pinned = pinned
        self.allowPlaintextPasswordUnsafe = allowPlaintextPasswordUnsafe
    }

    /// Picks and instantiates a mechanism.
    /// - Parameters:
    ///   - offered: the mechanism names the server advertised (EHLO `AUTH`, IMAP `AUTH=`).
    ///   - credentials: what the caller gave; must not be `.none`.
    ///   - encrypted: whether the connection is inside TLS.
    ///   - serviceName: the SASL service (`smtp`, `imap`), for libsasl2 mechanisms.
    ///   - host: the server's host name, for libsasl2 mechanisms (DIGEST-MD5, GSSAPI).
    public func choose(offered: [String], credentials: Credentials, encrypted: Bool,
                       serviceName: String, host: String) throws(AuthError) -> any SASLMechanism {
        try MechanismRegistry.choose(self, offered: offered, credentials: credentials,
                                     encrypted: encrypted, serviceName: serviceName, host: host)
    }

    /// The mechanisms this process can run, strongest automatic choice first, then those used only
    /// when pinned: PLAIN, LOGIN, XOAUTH2 and OAUTHBEARER always; the libsasl2 ones whose plugins
    /// are installed (`SASLLibrary.availableMechanisms`).
    public static var availableMechanisms: [String] { MechanismRegistry.available }

    /// Password mechanisms in the order of automatic choice (RFC 7677, RFC 5802, RFC 2195,
    /// RFC 4616, draft-murchison-sasl-login).
    public static let passwordPreference: [String] = MechanismRegistry.passwordPreference

    /// OAuth 2.0 token mechanisms in the order of automatic choice (RFC 7628, then XOAUTH2).
    public static let tokenPreference: [String] = MechanismRegistry.tokenPreference
}
