/// The client side of one SASL exchange (RFC 4422 §3): an optional initial response, then one
/// answer per server challenge, then a check of the server's final data (SCRAM's server
/// signature). Values do no I/O: the protocol layer (SMTP `AUTH`, IMAP `AUTHENTICATE`) moves
/// the bytes, base64-encoding them on the wire. One instance serves one exchange.
public protocol SASLMechanism: Sendable {
    /// The registered mechanism name, e.g. `PLAIN`, `SCRAM-SHA-256`.
    var name: String { get }

    /// `true` when what is sent lets an eavesdropper log in (PLAIN, LOGIN, XOAUTH2, OAUTHBEARER):
    /// such a mechanism is only used inside TLS unless the caller opted in by an unsafe option.
    var sendsReusableSecret: Bool { get }

    /// The initial response (RFC 4422 §3.3), or `nil` when the mechanism starts with a server
    /// challenge (LOGIN, CRAM-MD5). An empty array is an empty initial response (`=` in SMTP).
    mutating func initialResponse() throws(AuthError) -> [UInt8]?

    /// The answer to one server challenge (already base64-decoded).
    mutating func respond(to challenge: [UInt8]) throws(AuthError) -> [UInt8]

    /// Called when the server reports success, with any additional data it sent (RFC 4422 §3.6);
    /// a mechanism with mutual authentication (SCRAM) verifies it here.
    mutating func verifySuccess(_ additionalData: [UInt8]?) throws(AuthError)

    /// After a failure, what the server's last challenge said, in plain words, when the mechanism
    /// carries an error report (XOAUTH2 and OAUTHBEARER send JSON: "the access token has
    /// expired"). `nil` when there is none.
    var failureExplanation: String? { get }
}

extension SASLMechanism {
    public mutating func verifySuccess(_ additionalData: [UInt8]?) throws(AuthError) {}
    public var failureExplanation: String? { nil }
}
