/// What a client proves its identity with (RFC 4422 §2: authentication identity, optional
/// authorization identity, and the secret). Its `description` never shows the secret.
public struct Credentials: Sendable, Hashable, CustomStringConvertible {
    /// The kind of secret held.
    public enum Secret: Sendable, Hashable {
        /// No authentication: the session stays anonymous (a relay on the LAN, port 25).
        case none
        /// A password or an app password.
        case password(String)
        /// An OAuth 2.0 bearer access token (RFC 6750), for XOAUTH2 and OAUTHBEARER (RFC 7628).
        case oauth2AccessToken(String)
    }

    /// The authentication identity (the user name the server knows).
    public var user: String
    /// An authorization identity to act as, when it differs from `user` (RFC 4422 §3.4.1).
    public var authorizationID: String?
    public var secret: Secret

    public init(user: String, secret: Secret, authorizationID: String? = nil) {
        self.user = user
        self.secret = secret
        self.authorizationID = authorizationID
    }

    /// No credentials: nothing is sent and AUTH is skipped.
    public static let none = Credentials(user: "", secret: .none)

    /// A user name and password (or app password).
    public static func password(user: String, password: String) -> Credentials {
        Credentials(user: user, secret: .password(password))
    }

    /// A user name and an OAuth 2.0 access token.
    public static func oauth2(user: String, accessToken: String) -> Credentials {
        Credentials(user: user, secret: .oauth2AccessToken(accessToken))
    }

    public var isNone: Bool { if case .none = secret { true } else { false } }

    /// The label the transcript shows in place of the secret: `credentials of shop@example.com`.
    public var redactedLabel: String {
        switch secret {
        case .none: "no credentials"
        case .password: "credentials of \(user)"
        case .oauth2AccessToken: "OAuth2 token of \(user)"
        }
    }

    public var description: String {
        switch secret {
        case .none: "Credentials(none)"
        case .password: "Credentials(user: \(user), password: <redacted>)"
        case .oauth2AccessToken: "Credentials(user: \(user), OAuth2 token: <redacted>)"
        }
    }
}
