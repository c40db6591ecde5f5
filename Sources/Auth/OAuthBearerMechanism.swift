#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `OAUTHBEARER` (RFC 7628 §3.1): the initial response is a GS2 header without channel binding
/// (`n,a=user,`, RFC 5801 §4) followed by `^A`-separated key/value pairs: optional `host=` and
/// `port=`, then `auth=Bearer T`, ended by `^A^A`.
///
/// ```
/// n,a=user@example.com,^Ahost=imap.example.com^Aport=993^Aauth=Bearer ya29.vF9dft4…^A^A
/// ```
/// A refused token brings an error challenge (base64 JSON, RFC 7628 §3.2.2), which the client
/// answers with the single byte `%x01` (RFC 7628 §3.2.3); the server then sends its failure.
public struct OAuthBearerMechanism: SASLMechanism {
    public let name = "OAUTHBEARER"
    public let sendsReusableSecret = true
    private let authorizationID: String
    private let accessToken: String
    private let host: String?
    private let port: UInt16?
    private var answeredChallenge = false
    /// The server's error report, once it refused the token.
    public private(set) var errorReport: OAuthErrorReport?

    /// - Parameters:
    ///   - user: the identity to log in as (the GS2 `a=` authzid; servers expect the mail address).
    ///   - host, port: the server the client connected to, sent when given (RFC 7628 §3.1; some
    ///     servers check them).
    public init(user: String, accessToken: String, host: String? = nil, port: UInt16? = nil) {
        self.authorizationID = user
        self.accessToken = accessToken
        self.host = host
        self.port = port
    }

    public mutating func initialResponse() throws(AuthError) -> [UInt8]? {
        try OAuthField.check(user: authorizationID, token: accessToken, mechanism: name)
        if let host, host.unicodeScalars.contains(where: OAuthField.isControl) {
            throw AuthError(.invalidCharacter(field: "host name"), mechanism: name)
        }
        var message = "n,a=\(Self.saslname(authorizationID)),\u{1}"
        if let host, !host.isEmpty { message += "host=\(host)\u{1}" }
        if let port { message += "port=\(port)\u{1}" }
        message += "auth=Bearer \(accessToken)\u{1}\u{1}"
        return Array(message.utf8)
    }

    public mutating func respond(to challenge: [UInt8]) throws(AuthError) -> [UInt8] {
        if challenge.isEmpty && !answeredChallenge && errorReport == nil {
            answeredChallenge = true
            return try initialResponse() ?? []
        }
        guard errorReport == nil else {
            throw AuthError(.protocolViolation("OAUTHBEARER allows one error challenge only"), mechanism: name)
        }
        answeredChallenge = true
        errorReport = OAuthErrorReport(challenge: challenge)
        return Self.errorAcknowledgement
    }

    public var failureExplanation: String? { errorReport?.explanation }

    /// The client's answer to an error challenge: a single `%x01` (RFC 7628 §3.2.3).
    public static let errorAcknowledgement: [UInt8] = [0x01]

    /// `saslname` (RFC 5801 §4): `=` and `,` escaped as `=3D` and `=2C`.
    static func saslname(_ s: String) -> String {
        s.replacing("=", with: "=3D").replacing(",", with: "=2C")
    }
}
