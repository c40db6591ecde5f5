#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The error a server sends as a challenge when it refuses an OAuth 2.0 token: base64 JSON with
/// `status`, and optionally `scope`, `schemes` and `openid-configuration` (RFC 7628 §3.2.2 for
/// OAUTHBEARER; Google's and Microsoft's XOAUTH2 send the same shape with an HTTP status code).
///
/// ```
/// S: 334 eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwuZ29vZ2xlLmNvbS8ifQ==
///    {"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}
/// ```
/// The report holds no secret (the server never echoes the token), so it may be logged.
public struct OAuthErrorReport: Sendable, Hashable, CustomStringConvertible {
    /// `status`: an RFC 6750 §3.1 error code (`invalid_token`, `insufficient_scope`,
    /// `invalid_request`) or an HTTP status code (`400`, `401`, `403`), as servers send it.
    public var status: String?
    /// `scope`: the scope the server requires (space-separated, RFC 6749 §3.3).
    public var scope: String?
    /// `schemes`: the HTTP authentication schemes the server accepts (`bearer`).
    public var schemes: String?
    /// `openid-configuration`: where the client can discover the authorization server.
    public var openIDConfiguration: String?
    /// The challenge as received, printable, when it could not be read as a JSON object.
    public var unreadable: String?

    /// The longest piece of an unreadable challenge kept for the explanation.
    static let unreadablePreviewLimit = 200

    public init(status: String? = nil, scope: String? = nil, schemes: String? = nil,
                openIDConfiguration: String? = nil, unreadable: String? = nil) {
        self.status = status
        self.scope = scope
        self.schemes = schemes
        self.openIDConfiguration = openIDConfiguration
        self.unreadable = unreadable
    }

    /// Reads the (already base64-decoded) challenge. Never fails: a challenge that is not a
    /// JSON object gives a report with `unreadable` set, so the exchange can still be answered
    /// as the RFCs require.
    public init(challenge: [UInt8]) {
        guard let object = try? JSONDecoder().decode(Fields.self, from: Data(challenge)) else {
            let text = String(decoding: challenge.prefix(Self.unreadablePreviewLimit), as: UTF8.self)
            self.init(unreadable: String(text.unicodeScalars.map {
                $0.value < 0x20 || $0.value == 0x7F ? "." : Character($0)
            }))
            return
        }
        self.init(status: object.status, scope: object.scope, schemes: object.schemes,
                  openIDConfiguration: object.openIDConfiguration)
    }

    /// The JSON object's fields of RFC 7628 §3.2.2; a number (`"status": 401`) is read as its
    /// digits, any other kind of value as absent, unknown members are ignored.
    private struct Fields: Decodable {
        var status, scope, schemes, openIDConfiguration: String?

        private enum Key: String, CodingKey {
            case status, scope, schemes, openIDConfiguration = "openid-configuration"
        }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: Key.self)
            func field(_ key: Key) -> String? {
                if let s = try? c.decode(String.self, forKey: key) { return s }
                if let n = try? c.decode(Int.self, forKey: key) { return String(n) }
                if let d = try? c.decode(Double.self, forKey: key) { return String(d) }
                return nil
            }
            status = field(.status)
            scope = field(.scope)
            schemes = field(.schemes)
            openIDConfiguration = field(.openIDConfiguration)
        }
    }

    /// What the refusal means, in plain words, with the fix.
    public var explanation: String {
        if let unreadable {
            return "the server refused the token and sent an error report that is not JSON: \"\(unreadable)\""
        }
        let scopeWords = scope.map { " (the server requires the scope \($0))" } ?? ""
        switch status?.lowercased() {
        case "401", "invalid_token":
            let code = status == "401" ? "HTTP 401" : "invalid_token"
            return "the access token was refused (\(code)): it has expired or was revoked; get a new token"
                + scopeWords
        case "403", "insufficient_scope":
            let code = status == "403" ? "HTTP 403" : "insufficient_scope"
            if let scope {
                return "the token lacks the scope \(scope) (\(code)); request a token with that scope"
            }
            return "the token does not grant access to mail (\(code)); request a token with the mail scope"
        case "400", "invalid_request":
            let code = status == "400" ? "HTTP 400" : "invalid_request"
            return "the server could not accept the token request (\(code)): the user name may not match the "
                + "account the token was issued for, or the token is not a valid access token" + scopeWords
        case let other?:
            return "the server refused the token (status \(other))" + scopeWords
        case nil:
            return "the server refused the token (no status given)" + scopeWords
        }
    }

    public var description: String { explanation }
}
