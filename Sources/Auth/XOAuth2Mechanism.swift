/// `XOAUTH2` (Google, Microsoft; not an RFC, see developers.google.com/gmail/imap/xoauth2-protocol):
/// the initial response `user=U ^A auth=Bearer T ^A ^A`.
///
/// When the server refuses the token it sends a challenge holding base64 JSON
/// (`{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}`); the client must
/// answer with an empty response, after which the server sends its final failure. The decoded
/// report is kept in `errorReport` and told in `failureExplanation`.
public struct XOAuth2Mechanism: SASLMechanism {
    public let name = "XOAUTH2"
    public let sendsReusableSecret = true
    private let user: String
    private let accessToken: String
    private var answeredChallenge = false
    /// The server's error report, once it refused the token.
    public private(set) var errorReport: OAuthErrorReport?

    public init(user: String, accessToken: String) {
        self.user = user
        self.accessToken = accessToken
    }

    public mutating func initialResponse() throws(AuthError) -> [UInt8]? {
        try OAuthField.check(user: user, token: accessToken, mechanism: name)
        return Array("user=\(user)\u{1}auth=Bearer \(accessToken)\u{1}\u{1}".utf8)
    }

    public mutating func respond(to challenge: [UInt8]) throws(AuthError) -> [UInt8] {
        // An empty first challenge asks for the initial response (sent by continuation, RFC 4954 §4).
        if challenge.isEmpty && !answeredChallenge && errorReport == nil {
            answeredChallenge = true
            return try initialResponse() ?? []
        }
        guard errorReport == nil else {
            throw AuthError(.protocolViolation("XOAUTH2 allows one error challenge only"), mechanism: name)
        }
        answeredChallenge = true
        errorReport = OAuthErrorReport(challenge: challenge)
        return []
    }

    public var failureExplanation: String? { errorReport?.explanation }
}
