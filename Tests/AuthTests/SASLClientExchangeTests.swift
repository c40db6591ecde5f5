import Foundation
import Testing
@testable import Auth

/// The I/O-free driver of one exchange, as SMTP `AUTH` (RFC 4954) would use it.
@Suite struct SASLClientExchangeTests {
    @Test func plainGoesOnTheAuthLine() throws {
        var exchange = SASLClientExchange(PlainMechanism(user: "u", password: "p"))
        #expect(try exchange.command(prefix: "AUTH PLAIN") == "AUTH PLAIN AHUAcA==")
        try exchange.succeeded()
        #expect(exchange.failureExplanation == nil)
    }

    @Test func aLongTokenGoesAfterTheEmptyChallenge() throws {
        let token = String(repeating: "eyJ0eXAiOiJKV1Qi", count: 100)
        var exchange = SASLClientExchange(XOAuth2Mechanism(user: "shop@contoso.com", accessToken: token))
        #expect(try exchange.command(prefix: "AUTH XOAUTH2") == "AUTH XOAUTH2")
        let line = exchange.answer(challenge: "")
        #expect(try SASLBase64.decodeChallenge(line) == Array("user=shop@contoso.com\u{1}auth=Bearer \(token)\u{1}\u{1}".utf8))
        // The refusal: an error challenge, answered with an empty line, then 535.
        let json = SASLBase64.encode(Array(#"{"status":"401","schemes":"bearer","scope":"https://outlook.office.com/SMTP.Send"}"#.utf8))
        #expect(exchange.answer(challenge: json) == "")
        #expect(exchange.failureExplanation?.contains("expired or was revoked") == true)
        #expect(exchange.error == nil)
    }

    @Test func oauthBearerAnswersTheErrorWithAQ() throws {
        var exchange = SASLClientExchange(OAuthBearerMechanism(user: "u@gmail.com", accessToken: "t"))
        _ = try exchange.command(prefix: "AUTH OAUTHBEARER")
        let json = SASLBase64.encode(Array(#"{"status":"invalid_token"}"#.utf8))
        #expect(exchange.answer(challenge: json) == "AQ==")
    }

    @Test func aChallengeThatIsNotBase64Cancels() {
        var exchange = SASLClientExchange(LoginMechanism(user: "u", password: "p"))
        #expect(exchange.answer(challenge: "Username:") == "*")
        #expect(exchange.error != nil)
        #expect(throws: AuthError.self) { try exchange.succeeded() }
    }

    @Test func loginAnswersInOrderAndCancelsAThirdChallenge() throws {
        var exchange = SASLClientExchange(LoginMechanism(user: "u", password: "p"))
        #expect(try exchange.command(prefix: "AUTH LOGIN") == "AUTH LOGIN")
        #expect(exchange.answer(challenge: "VXNlcm5hbWU6") == "dQ==")
        #expect(exchange.answer(challenge: "UGFzc3dvcmQ6") == "cA==")
        #expect(exchange.answer(challenge: "UGFzc3dvcmQ6") == "*")
    }

    @Test func scramThroughTheExchangeChecksTheSignature() throws {
        for corrupt in [false, true] {
            var exchange = SASLClientExchange(try CyrusSASLMechanism(name: "SCRAM-SHA-256", user: "alice", password: "pw",
                                                                      serviceName: "smtp", host: "localhost"))
            var server = SCRAMTestServer(digest: .sha256, user: "alice", password: "pw")
            let command = try exchange.command(prefix: "AUTH SCRAM-SHA-256")
            let clientFirst = try SASLBase64.decodeChallenge(String(command.dropFirst("AUTH SCRAM-SHA-256 ".count)))
            let clientFinal = exchange.answer(challenge: SASLBase64.encode(try server.first(clientFirst)))
            let serverFinal = try server.final(try SASLBase64.decodeChallenge(clientFinal), corruptSignature: corrupt)
            let last = exchange.answer(challenge: SASLBase64.encode(serverFinal))
            if corrupt {
                #expect(last == "*")
                #expect(throws: AuthError.self) { try exchange.succeeded() }
            } else {
                #expect(last == "")
                try exchange.succeeded()
            }
        }
    }

    @Test func successWithoutTheSCRAMSignatureIsRefused() throws {
        var exchange = SASLClientExchange(try CyrusSASLMechanism(name: "SCRAM-SHA-1", user: "alice", password: "pw",
                                                                  serviceName: "smtp", host: "localhost"))
        _ = try exchange.command(prefix: "AUTH SCRAM-SHA-1")
        #expect(throws: AuthError.self) { try exchange.succeeded() }
    }

    @Test func theChallengeCountIsBounded() {
        var exchange = SASLClientExchange(XOAuth2Mechanism(user: "u", accessToken: "t"))
        var lines: [String] = []
        for _ in 0..<(SASLClientExchange.challengeLimit + 2) { lines.append(exchange.answer(challenge: "e30=")) }
        #expect(lines.last == "*")
    }
}
