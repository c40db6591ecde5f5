import Foundation
import Testing
@testable import Auth

/// Byte-exact initial responses and answers of the Swift mechanisms, against the published
/// examples (RFC 4616, RFC 7628 §4.1, Google's XOAUTH2 page).
@Suite struct MechanismEncodingTests {
    @Test func plainIsNULSeparated() throws {
        var plain = PlainMechanism(user: "alice", password: "s3cret")
        #expect(try plain.initialResponse() == Array("\0alice\0s3cret".utf8))
        var withAuthzid = PlainMechanism(user: "alice", password: "s3cret", authorizationID: "shop")
        #expect(try withAuthzid.initialResponse() == Array("shop\0alice\0s3cret".utf8))
        // RFC 4616 §4 example: "\0tim\0tanstaaftanstaaf"
        var rfc = PlainMechanism(user: "tim", password: "tanstaaftanstaaf")
        #expect(SASLBase64.encode(try rfc.initialResponse()!) == "AHRpbQB0YW5zdGFhZnRhbnN0YWFm")
    }

    @Test func plainRefusesNUL() {
        var plain = PlainMechanism(user: "alice\0bob", password: "x")
        #expect(throws: AuthError(.invalidCharacter(field: "user name"), mechanism: "PLAIN")) { try plain.initialResponse() }
    }

    @Test func loginAnswersUserThenPassword() throws {
        var login = LoginMechanism(user: "alice@example.test", password: "alice-secret")
        #expect(try login.initialResponse() == nil)
        #expect(try login.respond(to: Array("Username:".utf8)) == Array("alice@example.test".utf8))
        #expect(try login.respond(to: Array("Password:".utf8)) == Array("alice-secret".utf8))
        #expect(throws: AuthError.self) { try login.respond(to: Array("Password:".utf8)) }
        #expect(login.sendsReusableSecret)
    }

    @Test(arguments: [
        ("User Name", "Password"),        // the draft's own wording
        ("Benutzername:", "Passwort:"),   // localized
        ("", ""),                         // no prompt text at all: by order
        ("Who are you?", "Prove it"),     // unknown wording
        ("Password:", "Username:"),       // odd order of words: still user name first
    ])
    func loginToleratesPromptTexts(userPrompt: String, passwordPrompt: String) throws {
        var login = LoginMechanism(user: "u", password: "p")
        #expect(try login.respond(to: Array(userPrompt.utf8)) == Array("u".utf8))
        #expect(try login.respond(to: Array(passwordPrompt.utf8)) == Array("p".utf8))
    }

    /// The prompt text is never interpreted: a first prompt that mentions a password still gets
    /// the user name, so the password cannot land in a server's user-name log.
    @Test func loginAnswersByOrderNotByWording() throws {
        var login = LoginMechanism(user: "u", password: "p")
        #expect(try login.respond(to: Array("Enter your user name (not your password)".utf8)) == Array("u".utf8))
        #expect(try login.respond(to: Array("Username:".utf8)) == Array("p".utf8))
    }

    @Test func loginRefusesAnAuthorizationIdentity() {
        var login = LoginMechanism(user: "u", password: "p", authorizationID: "other")
        #expect(throws: AuthError.self) { try login.respond(to: Array("Username:".utf8)) }
    }

    @Test func xoauth2MatchesGooglesExample() throws {
        var mechanism = XOAuth2Mechanism(user: "someuser@example.com",
                                         accessToken: "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg")
        let response = try #require(try mechanism.initialResponse())
        #expect(response == Array("user=someuser@example.com\u{1}auth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg\u{1}\u{1}".utf8))
        #expect(SASLBase64.encode(response)
                == "dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==")
        #expect(mechanism.failureExplanation == nil)
    }

    @Test func oauthBearerMatchesRFC7628Example() throws {
        var mechanism = OAuthBearerMechanism(user: "user@example.com", accessToken: "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==",
                                             host: "server.example.com", port: 143)
        let response = try #require(try mechanism.initialResponse())
        #expect(SASLBase64.encode(response)
                == "bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9MTQzAWF1dGg9QmVhcmVyIHZGOWRmdDRxbVRjMk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2c9PQEB")
    }

    @Test func oauthBearerWithoutHostAndPort() throws {
        var mechanism = OAuthBearerMechanism(user: "shop@example.com", accessToken: "T0k3n")
        #expect(try mechanism.initialResponse() == Array("n,a=shop@example.com,\u{1}auth=Bearer T0k3n\u{1}\u{1}".utf8))
    }

    @Test func oauthBearerEscapesTheAuthzid() throws {
        var mechanism = OAuthBearerMechanism(user: "a,b=c", accessToken: "t")
        #expect(try mechanism.initialResponse() == Array("n,a=a=2Cb=3Dc,\u{1}auth=Bearer t\u{1}\u{1}".utf8))
    }

    @Test(arguments: ["tok\u{1}en", "tok en", "tok\r\nen", ""])
    func oauthRefusesTokensThatWouldForgeFields(token: String) {
        var x = XOAuth2Mechanism(user: "u@example.com", accessToken: token)
        #expect(throws: AuthError(.invalidCharacter(field: "access token"), mechanism: "XOAUTH2")) { try x.initialResponse() }
        var b = OAuthBearerMechanism(user: "u@example.com", accessToken: token)
        #expect(throws: AuthError(.invalidCharacter(field: "access token"), mechanism: "OAUTHBEARER")) { try b.initialResponse() }
    }

    @Test func oauthRefusesAUserNameWithControlCharacters() {
        var x = XOAuth2Mechanism(user: "u\u{1}auth=Bearer evil", accessToken: "t")
        #expect(throws: AuthError(.invalidCharacter(field: "user name"), mechanism: "XOAUTH2")) { try x.initialResponse() }
    }

    /// RFC 4954 §4: when the initial response did not fit the AUTH line, the server's empty
    /// challenge asks for it.
    @Test func anEmptyFirstChallengeAsksForTheInitialResponse() throws {
        var x = XOAuth2Mechanism(user: "u@example.com", accessToken: "t")
        let initial = try x.initialResponse()
        #expect(try x.respond(to: []) == initial)
        var b = OAuthBearerMechanism(user: "u@example.com", accessToken: "t")
        let initialB = try b.initialResponse()
        #expect(try b.respond(to: []) == initialB)
        var p = PlainMechanism(user: "u", password: "p")
        #expect(try p.respond(to: []) == Array("\0u\0p".utf8))
    }

    @Test func descriptionsHoldNoSecret() {
        let password = Credentials.password(user: "shop@example.com", password: "hunter2-very-secret")
        let token = Credentials.oauth2(user: "shop@example.com", accessToken: "ya29.secret-token")
        for text in [password.description, password.redactedLabel, token.description, token.redactedLabel,
                     String(describing: password), String(reflecting: password.description)] {
            #expect(!text.contains("hunter2"))
            #expect(!text.contains("ya29"))
        }
    }
}

/// No rendering of a mechanism or an exchange shows the secret it holds.
@Suite struct MechanismRedactionTests {
    static let secret = "hunter2-very-secret"

    static func renderings(_ value: Any) -> [String] {
        var dumped = ""
        dump(value, to: &dumped)
        return [String(describing: value), String(reflecting: value), "\(value)", dumped]
    }

    @Test func mechanismsHideTheirSecrets() throws {
        let mechanisms: [any SASLMechanism] = [
            PlainMechanism(user: "u", password: Self.secret),
            LoginMechanism(user: "u", password: Self.secret),
            XOAuth2Mechanism(user: "u", accessToken: Self.secret),
            OAuthBearerMechanism(user: "u", accessToken: Self.secret),
            try CyrusSASLMechanism(name: "SCRAM-SHA-256", user: "u", password: Self.secret, serviceName: "smtp", host: "localhost"),
        ]
        for mechanism in mechanisms {
            for text in Self.renderings(mechanism) {
                #expect(!text.contains(Self.secret), "\(mechanism.name): \(text)")
                #expect(text.contains(mechanism.name))
            }
        }
    }

    @Test func anExchangeHidesThePendingResponse() throws {
        var exchange = SASLClientExchange(XOAuth2Mechanism(user: "u", accessToken: String(repeating: Self.secret, count: 40)))
        _ = try exchange.command(prefix: "AUTH XOAUTH2")
        let encoded = SASLBase64.encode(Array(Self.secret.utf8))
        for text in Self.renderings(exchange) {
            #expect(!text.contains(Self.secret))
            #expect(!text.contains(String(encoded.prefix(12))))
        }
    }
}
