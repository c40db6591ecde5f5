/// The mechanisms this client knows, strongest first, and the choice among them.
/// (Filled out by the Auth work: SCRAM, CRAM-MD5, DIGEST-MD5 through libsasl2; LOGIN, XOAUTH2,
/// OAUTHBEARER in Swift. Until then only PLAIN is available.)
enum MechanismRegistry {
    static func choose(_ selection: MechanismSelection, offered: [String], credentials: Credentials,
                       encrypted: Bool, serviceName: String, host: String) throws(AuthError) -> any SASLMechanism {
        let offeredUpper = offered.map { $0.uppercased() }
        guard case .password(let password) = credentials.secret else {
            throw AuthError(.noCommonMechanism(offered: offered))
        }
        let wanted = selection.pinned?.uppercased() ?? "PLAIN"
        guard wanted == "PLAIN" else { throw AuthError(.mechanismUnavailable(wanted)) }
        guard offeredUpper.contains("PLAIN") else { throw AuthError(.noCommonMechanism(offered: offered)) }
        guard encrypted || selection.allowPlaintextPasswordUnsafe else {
            throw AuthError(.wouldExposeSecret(mechanism: "PLAIN"), mechanism: "PLAIN")
        }
        return PlainMechanism(user: credentials.user, password: password, authorizationID: credentials.authorizationID)
    }
}
