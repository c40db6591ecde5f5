/// `PLAIN` (RFC 4616 §2): `[authzid] NUL authcid NUL passwd` as the initial response.
public struct PlainMechanism: SASLMechanism {
    public let name = "PLAIN"
    public let sendsReusableSecret = true
    private let user: String
    private let password: String
    private let authorizationID: String

    public init(user: String, password: String, authorizationID: String? = nil) {
        self.user = user
        self.password = password
        self.authorizationID = authorizationID ?? ""
    }

    public mutating func initialResponse() throws(AuthError) -> [UInt8]? {
        for (field, value) in [("user name", user), ("password", password), ("authorization identity", authorizationID)]
        where value.utf8.contains(0) {
            throw AuthError(.invalidCharacter(field: field), mechanism: name)
        }
        return Array(authorizationID.utf8) + [0] + Array(user.utf8) + [0] + Array(password.utf8)
    }

    public mutating func respond(to challenge: [UInt8]) throws(AuthError) -> [UInt8] {
        // RFC 4616: PLAIN has no challenges; an empty one asks for the initial response again.
        if challenge.isEmpty, let response = try initialResponse() { return response }
        throw AuthError(.protocolViolation("PLAIN takes no challenge"), mechanism: name)
    }
}
