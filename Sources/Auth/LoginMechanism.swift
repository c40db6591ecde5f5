/// `LOGIN` (draft-murchison-sasl-login-00 §2): no initial response; the server asks for the
/// user name, then the password, each as a challenge (`334 VXNlcm5hbWU6` = "Username:").
///
/// Servers word the prompts differently ("User Name", "Username:", "Password:", localized text, or
/// nothing at all), so the prompt text is not interpreted: the first challenge gets the user name,
/// the second the password, whatever they say. (Guessing from the words could send the password
/// where a user name was asked, and a server would log it.) A third challenge is a protocol
/// violation. LOGIN cannot carry an authorization identity.
public struct LoginMechanism: SASLMechanism {
    public let name = "LOGIN"
    public let sendsReusableSecret = true
    private let user: String
    private let password: String
    private let authorizationID: String?
    private var sentUser = false
    private var sentPassword = false

    public init(user: String, password: String, authorizationID: String? = nil) {
        self.user = user
        self.password = password
        self.authorizationID = authorizationID
    }

    public mutating func initialResponse() throws(AuthError) -> [UInt8]? { nil }

    public mutating func respond(to challenge: [UInt8]) throws(AuthError) -> [UInt8] {
        if let authorizationID, !authorizationID.isEmpty, authorizationID != user {
            throw AuthError(.credentialsUnsuitable("LOGIN cannot act as another user (authorization identity)"),
                            mechanism: name)
        }
        for (field, value) in [("user name", user), ("password", password)] where value.utf8.contains(0) {
            throw AuthError(.invalidCharacter(field: field), mechanism: name)
        }
        if !sentUser {
            sentUser = true
            return Array(user.utf8)
        }
        if !sentPassword {
            sentPassword = true
            return Array(password.utf8)
        }
        throw AuthError(.protocolViolation("LOGIN asks for two values only, the server sent another challenge"),
                        mechanism: name)
    }
}
