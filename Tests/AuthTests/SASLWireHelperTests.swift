import Foundation
import Testing
@testable import Auth

/// The base64 conventions of SASL profiles and the RFC 4954 §4 initial-response rule.
@Suite struct SASLWireHelperTests {
    @Test func encodeAndTheEmptyConventions() {
        #expect(SASLBase64.encode(Array("Username:".utf8)) == "VXNlcm5hbWU6")
        #expect(SASLBase64.encode([]) == "")
        #expect(SASLBase64.encodeInitialResponse([]) == "=")
        #expect(SASLBase64.encodeInitialResponse([0x01]) == "AQ==")
        #expect(SASLBase64.cancel == "*")
    }

    @Test(arguments: [
        ("VXNlcm5hbWU6", Array("Username:".utf8)),
        ("  UGFzc3dvcmQ6 ", Array("Password:".utf8)),
        ("", []),
        ("=", []),
        ("QQ", Array("A".utf8)),          // padding left off by the server
        ("QUI", Array("AB".utf8)),
    ] as [(String, [UInt8])])
    func decodeChallenges(text: String, expected: [UInt8]) throws {
        #expect(try SASLBase64.decodeChallenge(text) == expected)
    }

    @Test(arguments: ["not base64!", "VXNl cm5h", "Q", "QQ=A", "Username:"])
    func refuseWhatIsNotBase64(text: String) {
        #expect(throws: AuthError.self) { try SASLBase64.decodeChallenge(text, mechanism: "LOGIN") }
    }

    @Test func shortInitialResponseGoesOnTheCommandLine() {
        let placement = InitialResponsePlacement.decide(commandPrefix: "AUTH PLAIN", initialResponse: Array("\0u\0p".utf8))
        #expect(placement == .commandLine(argument: "AHUAcA=="))
    }

    @Test func emptyAndMissingInitialResponses() {
        #expect(InitialResponsePlacement.decide(commandPrefix: "AUTH EXTERNAL", initialResponse: []) == .commandLine(argument: "="))
        #expect(InitialResponsePlacement.decide(commandPrefix: "AUTH LOGIN", initialResponse: nil) == .none)
        #expect(InitialResponsePlacement.decide(commandPrefix: "AUTH EXTERNAL", initialResponse: [], lineLimit: 0)
                == .afterEmptyChallenge(line: ""))
    }

    /// `prefix + " " + base64 + CRLF` may be 512 octets, not one more (RFC 5321 §4.5.3.1.4).
    @Test func theLimitIsExactly512OctetsWithCRLF() {
        let response = [UInt8](repeating: 0x41, count: 375)   // 500 base64 characters
        let base64 = SASLBase64.encode(response)
        #expect(base64.count == 500)
        #expect(InitialResponsePlacement.decide(commandPrefix: "AUTH ABCD", initialResponse: response)   // 9+1+500+2 = 512
                == .commandLine(argument: base64))
        #expect(InitialResponsePlacement.decide(commandPrefix: "AUTH ABCDE", initialResponse: response)  // 513
                == .afterEmptyChallenge(line: base64))
    }

    @Test func aMicrosoftSizedTokenGoesByContinuation() throws {
        var mechanism = XOAuth2Mechanism(user: "shop@contoso.com", accessToken: String(repeating: "eyJ0eXAi", count: 200))
        let placement = InitialResponsePlacement.decide(commandPrefix: "AUTH XOAUTH2", initialResponse: try mechanism.initialResponse())
        guard case .afterEmptyChallenge(let line) = placement else {
            Issue.record("expected continuation, got \(placement)")
            return
        }
        #expect(try SASLBase64.decodeChallenge(line) == (try mechanism.initialResponse()))
        // IMAP with SASL-IR has no 512 limit.
        #expect(InitialResponsePlacement.decide(commandPrefix: "A1 AUTHENTICATE XOAUTH2", initialResponse: try mechanism.initialResponse(),
                                                lineLimit: nil) == .commandLine(argument: line))
    }
}
