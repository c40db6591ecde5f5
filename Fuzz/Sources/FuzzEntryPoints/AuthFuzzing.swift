import Auth

/// The SASL challenge handlers (RFC 4422): every mechanism answers (or refuses) any server
/// challenge, for one or several steps, without crashing. The first byte picks the mechanism;
/// the rest is split into challenges at 0xFF bytes.
enum AuthFuzzing {
    static func sasl(_ bytes: [UInt8]) {
        guard let first = bytes.first else { return }
        let challenges = bytes.dropFirst().split(separator: 0xFF, omittingEmptySubsequences: false).map(Array.init)
        var mechanism: any SASLMechanism
        switch first % 6 {
        case 0: mechanism = PlainMechanism(user: "shop@example.test", password: "pw")
        case 1: mechanism = LoginMechanism(user: "shop@example.test", password: "pw")
        case 2: mechanism = XOAuth2Mechanism(user: "shop@example.test", accessToken: "tok")
        case 3: mechanism = OAuthBearerMechanism(user: "shop@example.test", accessToken: "tok", host: "localhost", port: 587)
        case 4:
            guard let m = try? CyrusSASLMechanism(name: "SCRAM-SHA-256", user: "u", password: "pw",
                                                  serviceName: "smtp", host: "localhost") else { return }
            mechanism = m
        default:
            guard let m = try? CyrusSASLMechanism(name: "CRAM-MD5", user: "u", password: "pw",
                                                  serviceName: "smtp", host: "localhost") else { return }
            mechanism = m
        }
        _ = try? mechanism.initialResponse()
        for challenge in challenges.prefix(8) {
            _ = try? mechanism.respond(to: challenge)
        }
        _ = try? mechanism.verifySuccess(challenges.last)
        _ = mechanism.failureExplanation
        // The text side: base64 challenges as a protocol layer receives them.
        if let text = String(validating: bytes.dropFirst(), as: UTF8.self) {
            var exchange = SASLClientExchange(PlainMechanism(user: "u", password: "p"))
            _ = try? exchange.command(prefix: "AUTH")
            _ = exchange.answer(challenge: text)
            _ = try? exchange.succeeded(additionalData: text)
        }
    }
}
