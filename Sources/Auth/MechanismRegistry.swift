/// The mechanisms this client knows, how strong each is, and the choice among them
/// (RFC 4422 §3.1: the client picks from the server's list).
///
/// Automatic choice, strongest first:
/// - with a password: SCRAM-SHA-256 (RFC 7677) > SCRAM-SHA-1 (RFC 5802) > CRAM-MD5 (RFC 2195)
///   > PLAIN (RFC 4616) > LOGIN (draft-murchison-sasl-login);
/// - with an OAuth 2.0 token: OAUTHBEARER (RFC 7628) > XOAUTH2.
///
/// Used only when pinned: DIGEST-MD5 (moved to Historic by RFC 6331 for its weaknesses and poor
/// interoperability), NTLM (NTLMv1 responses are crackable), GSSAPI and GS2-KRB5 (they prove a
/// Kerberos ticket, not the password given), SCRAM-SHA-224/384/512 (not standards-track) and the
/// rest of what libsasl2 offers. SCRAM `-PLUS` variants need TLS channel binding, which this
/// client does not provide, so they are never used.
///
/// Mechanisms that send a reusable secret (PLAIN, LOGIN, XOAUTH2, OAUTHBEARER) run only inside TLS
/// unless `allowPlaintextPasswordUnsafe`; challenge-response ones (SCRAM, CRAM-MD5) may run on a
/// plaintext connection, since what they send cannot be replayed.
enum MechanismRegistry {
    /// What a mechanism needs from the credentials.
    enum SecretKind {
        case password
        case oauth2Token
        /// A Kerberos ticket from the environment (GSSAPI): the password is not used.
        case ticket
    }

    struct Descriptor {
        let name: String
        let secret: SecretKind
        let sendsReusableSecret: Bool
        /// Whether it runs in Swift (always available) or needs a libsasl2 plugin.
        let inSwift: Bool
    }

    /// Password mechanisms chosen automatically, strongest first.
    static let passwordPreference = ["SCRAM-SHA-256", "SCRAM-SHA-1", "CRAM-MD5", "PLAIN", "LOGIN"]
    /// Token mechanisms chosen automatically, strongest first.
    static let tokenPreference = ["OAUTHBEARER", "XOAUTH2"]

    /// Everything that can be pinned.
    static let known: [String: Descriptor] = {
        var table: [String: Descriptor] = [:]
        func add(_ name: String, _ secret: SecretKind, reusable: Bool, swift: Bool) {
            table[name] = Descriptor(name: name, secret: secret, sendsReusableSecret: reusable, inSwift: swift)
        }
        add("PLAIN", .password, reusable: true, swift: true)
        add("LOGIN", .password, reusable: true, swift: true)
        add("XOAUTH2", .oauth2Token, reusable: true, swift: true)
        add("OAUTHBEARER", .oauth2Token, reusable: true, swift: true)
        for scram in ["SCRAM-SHA-1", "SCRAM-SHA-224", "SCRAM-SHA-256", "SCRAM-SHA-384", "SCRAM-SHA-512"] {
            add(scram, .password, reusable: false, swift: false)
        }
        add("CRAM-MD5", .password, reusable: false, swift: false)
        add("DIGEST-MD5", .password, reusable: false, swift: false)
        add("NTLM", .password, reusable: false, swift: false)
        add("GSSAPI", .ticket, reusable: false, swift: false)
        add("GS2-KRB5", .ticket, reusable: false, swift: false)
        return table
    }()

    /// The mechanisms that can run in this process: the Swift ones and the libsasl2 ones whose
    /// plugin is installed, in preference order, then the pinned-only ones.
    static var available: [String] {
        let order = passwordPreference + tokenPreference
            + known.keys.filter { !passwordPreference.contains($0) && !tokenPreference.contains($0) }.sorted()
        return order.filter(isAvailable)
    }

    static func isAvailable(_ name: String) -> Bool {
        guard let d = known[name] else { return false }
        return d.inSwift || SASLLibrary.provides(name)
    }

    static func choose(_ selection: MechanismSelection, offered: [String], credentials: Credentials,
                       encrypted: Bool, serviceName: String, host: String) throws(AuthError) -> any SASLMechanism {
        let offeredUpper = normalise(offered)
        if credentials.isNone {
            throw AuthError(.credentialsUnsuitable("no credentials were given, so there is nothing to authenticate with"))
        }
        if let pinned = selection.pinned?.uppercased() {
            guard offeredUpper.contains(pinned) else {
                throw AuthError(.mechanismUnavailable(pinned), mechanism: pinned,
                                detail: "the server offers: " + (offeredUpper.isEmpty ? "none" : offeredUpper.joined(separator: " ")))
            }
            guard let descriptor = known[pinned], isAvailable(pinned) else {
                throw AuthError(.mechanismUnavailable(pinned), mechanism: pinned,
                                detail: "not supported here; available: " + available.joined(separator: " "))
            }
            try check(descriptor, credentials: credentials)
            try checkExposure(descriptor, encrypted: encrypted, selection: selection)
            return try make(descriptor, credentials: credentials, serviceName: serviceName, host: host)
        }

        let preference: [String]
        switch credentials.secret {
        case .none: preference = []
        case .password: preference = passwordPreference
        case .oauth2AccessToken: preference = tokenPreference
        }
        var candidates = preference.filter { offeredUpper.contains($0) && isAvailable($0) }
        // LOGIN cannot carry an authorization identity (PLAIN, SCRAM can).
        if let authzid = credentials.authorizationID, !authzid.isEmpty, authzid != credentials.user {
            candidates.removeAll { $0 == "LOGIN" }
        }
        guard let best = candidates.first else {
            let pinnable = offeredUpper.filter { isAvailable($0) && !preference.contains($0) && !$0.hasSuffix("-PLUS") }
            throw AuthError(.noCommonMechanism(offered: offered), detail: pinnable.isEmpty ? nil
                            : "not chosen automatically, but usable when pinned: " + pinnable.joined(separator: " "))
        }
        // The strongest usable one; a reusable secret is sent only inside TLS (or when opted in).
        let usable = candidates.first { encrypted || selection.allowPlaintextPasswordUnsafe || !known[$0]!.sendsReusableSecret }
        guard let name = usable, let descriptor = known[name] else {
            throw AuthError(.wouldExposeSecret(mechanism: best), mechanism: best)
        }
        return try make(descriptor, credentials: credentials, serviceName: serviceName, host: host)
    }

    /// Upper-cased, without empty names or duplicates, in the server's order.
    static func normalise(_ offered: [String]) -> [String] {
        var seen = Set<String>()
        return offered.map { $0.uppercased() }.filter { !$0.isEmpty && seen.insert($0).inserted }
    }

    private static func check(_ d: Descriptor, credentials: Credentials) throws(AuthError) {
        switch (d.secret, credentials.secret) {
        case (.password, .password), (.oauth2Token, .oauth2AccessToken), (.ticket, _):
            return
        case (.password, _):
            throw AuthError(.credentialsUnsuitable("\(d.name) needs a password, and the credentials hold an OAuth2 token"),
                            mechanism: d.name)
        case (.oauth2Token, _):
            throw AuthError(.credentialsUnsuitable("\(d.name) needs an OAuth2 access token, and the credentials hold a password"),
                            mechanism: d.name)
        }
    }

    private static func checkExposure(_ d: Descriptor, encrypted: Bool, selection: MechanismSelection) throws(AuthError) {
        if d.sendsReusableSecret && !encrypted && !selection.allowPlaintextPasswordUnsafe {
            throw AuthError(.wouldExposeSecret(mechanism: d.name), mechanism: d.name)
        }
    }

    private static func make(_ d: Descriptor, credentials: Credentials, serviceName: String,
                             host: String) throws(AuthError) -> any SASLMechanism {
        let user = credentials.user
        let authzid = credentials.authorizationID
        switch (d.name, credentials.secret) {
        case ("PLAIN", .password(let password)):
            return PlainMechanism(user: user, password: password, authorizationID: authzid)
        case ("LOGIN", .password(let password)):
            return LoginMechanism(user: user, password: password, authorizationID: authzid)
        case ("XOAUTH2", .oauth2AccessToken(let token)):
            return XOAuth2Mechanism(user: user, accessToken: token)
        case ("OAUTHBEARER", .oauth2AccessToken(let token)):
            return OAuthBearerMechanism(user: authzid ?? user, accessToken: token, host: host.isEmpty ? nil : host)
        default:
            var password = ""
            if case .password(let p) = credentials.secret { password = p }
            return try CyrusSASLMechanism(name: d.name, user: user, password: password, authorizationID: authzid,
                                          serviceName: serviceName, host: host)
        }
    }
}
