import Foundation
import Testing
@testable import Auth

/// The error challenge of XOAUTH2 and OAUTHBEARER: decoded, answered as the RFCs say (an empty
/// response for XOAUTH2; `%x01` for OAUTHBEARER, RFC 7628 §3.2.3) and told in plain words.
@Suite struct OAuthFailureTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let json: String
        let mustSay: [String]
        var testDescription: String { json }
    }

    static let cases: [Case] = [
        Case(json: #"{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}"#,
             mustSay: ["the access token was refused (HTTP 401): it has expired or was revoked; get a new token",
                       "https://mail.google.com/"]),
        Case(json: #"{"status":"invalid_token","scope":"https://mail.google.com/","openid-configuration":"https://accounts.google.com/.well-known/openid-configuration"}"#,
             mustSay: ["the access token was refused (invalid_token): it has expired or was revoked; get a new token"]),
        Case(json: #"{"status":"insufficient_scope","scope":"https://mail.google.com/"}"#,
             mustSay: ["the token lacks the scope https://mail.google.com/"]),
        Case(json: #"{"status":"403","scope":"https://outlook.office.com/SMTP.Send"}"#,
             mustSay: ["the token lacks the scope https://outlook.office.com/SMTP.Send"]),
        Case(json: #"{"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"}"#,
             mustSay: ["HTTP 400", "the user name may not match"]),
        Case(json: #"{"status":401}"#, mustSay: ["HTTP 401", "expired"]),
        Case(json: #"{"status":"invalid_request"}"#, mustSay: ["invalid_request"]),
        Case(json: #"{"status":"teapot"}"#, mustSay: ["refused the token (status teapot)"]),
        Case(json: #"{}"#, mustSay: ["no status given"]),
        Case(json: #"{"status":"401","sch"#, mustSay: ["not JSON", "{\"status\":\"401\",\"sch"]),
        Case(json: "[1,2,3]", mustSay: ["not JSON"]),
        Case(json: "garbage\u{7}bytes", mustSay: ["not JSON", "garbage.bytes"]),
    ]

    @Test(arguments: cases)
    func xoauth2AnswersEmptyAndExplains(_ c: Case) throws {
        var mechanism = XOAuth2Mechanism(user: "shop@example.com", accessToken: "ya29.token")
        _ = try mechanism.initialResponse()
        #expect(try mechanism.respond(to: Array(c.json.utf8)) == [])
        let explanation = try #require(mechanism.failureExplanation)
        for words in c.mustSay { #expect(explanation.contains(words), "\(explanation)") }
        #expect(!explanation.contains("ya29.token"))
        // One error challenge only; a second is a protocol violation.
        #expect(throws: AuthError.self) { try mechanism.respond(to: Array(c.json.utf8)) }
    }

    @Test(arguments: cases)
    func oauthBearerAnswers0x01AndExplains(_ c: Case) throws {
        var mechanism = OAuthBearerMechanism(user: "shop@example.com", accessToken: "ya29.token")
        _ = try mechanism.initialResponse()
        #expect(try mechanism.respond(to: Array(c.json.utf8)) == [0x01])
        let explanation = try #require(mechanism.failureExplanation)
        for words in c.mustSay { #expect(explanation.contains(words), "\(explanation)") }
    }

    /// As it arrives on the wire: `334 <base64>` from Gmail's SMTP (E17 in diagnostics.md).
    @Test func decodesTheBase64ChallengeFromGmail() throws {
        let challenge = try SASLBase64.decodeChallenge(
            "eyJzdGF0dXMiOiI0MDAiLCJzY2hlbWVzIjoiQmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwuZ29vZ2xlLmNvbS8ifQ==")
        let report = OAuthErrorReport(challenge: challenge)
        #expect(report == OAuthErrorReport(status: "400", scope: "https://mail.google.com/", schemes: "Bearer"))
        var mechanism = XOAuth2Mechanism(user: "u@gmail.com", accessToken: "t")
        _ = try mechanism.initialResponse()
        #expect(SASLBase64.encode(try mechanism.respond(to: challenge)) == "")   // the empty line
        #expect(mechanism.errorReport == report)
    }

    @Test func readsEveryField() {
        let report = OAuthErrorReport(challenge: Array(
            #"{"status":"invalid_token","scope":"a b","schemes":"bearer","openid-configuration":"https://x/.well-known"}"#.utf8))
        #expect(report.status == "invalid_token")
        #expect(report.scope == "a b")
        #expect(report.schemes == "bearer")
        #expect(report.openIDConfiguration == "https://x/.well-known")
        #expect(report.unreadable == nil)
    }

    @Test func anUnreadableReportIsBounded() {
        let report = OAuthErrorReport(challenge: [UInt8](repeating: 0x41, count: 10_000))
        #expect((report.unreadable?.count ?? 0) == OAuthErrorReport.unreadablePreviewLimit)
    }
}
