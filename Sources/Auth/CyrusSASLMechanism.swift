/// A mechanism run by libsasl2 (Cyrus SASL): SCRAM-SHA-256 (RFC 7677), SCRAM-SHA-1 (RFC 5802),
/// CRAM-MD5 (RFC 2195), DIGEST-MD5 (RFC 2831, deprecated by RFC 6331), GSSAPI (RFC 4752), NTLM,
/// whichever `SASLLibrary.availableMechanisms` lists.
///
/// A value type over one exchange: copies share the same libsasl2 connection (a class reference),
/// so use one value for one exchange, as `SASLMechanism` says. SCRAM's server signature is
/// checked by libsasl2 when the server-final message arrives (as a challenge, or as success data
/// given to `verifySuccess`); a server that reports success without it is refused.
public struct CyrusSASLMechanism: SASLMechanism {
    public let name: String
    public let sendsReusableSecret = false
    private let session: CyrusSASLSession

    /// Prepares an exchange.
    /// - Parameters:
    ///   - name: the mechanism (`SCRAM-SHA-256`, …); it must be in `SASLLibrary.availableMechanisms`.
    ///   - user, password, authorizationID: the credentials (GSSAPI uses the Kerberos ticket
    ///     instead of the password).
    ///   - serviceName: the SASL service (`smtp`, `imap`; RFC 4422 §4, used in DIGEST-MD5's
    ///     digest-uri and GSSAPI's service principal).
    ///   - host: the server's fully qualified host name.
    public init(name: String, user: String, password: String, authorizationID: String? = nil,
                serviceName: String, host: String) throws(AuthError) {
        let upper = name.uppercased()
        guard SASLLibrary.provides(upper) else { throw AuthError(.mechanismUnavailable(upper), mechanism: upper) }
        self.name = upper
        self.session = try CyrusSASLSession(mechanism: upper, user: user, password: password,
                                            authorizationID: authorizationID, serviceName: serviceName, host: host)
    }

    public mutating func initialResponse() throws(AuthError) -> [UInt8]? { try session.start() }

    public mutating func respond(to challenge: [UInt8]) throws(AuthError) -> [UInt8] { try session.step(challenge) }

    public mutating func verifySuccess(_ additionalData: [UInt8]?) throws(AuthError) {
        try session.verifySuccess(additionalData)
    }

    public var failureExplanation: String? { session.failureExplanation }
}
