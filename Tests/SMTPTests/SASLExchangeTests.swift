import Auth
import Foundation
import NetIO
import TestSupport
import Testing
@testable import SMTP

/// The AUTH exchange is mechanism-generic (RFC 4954 §4): challenges, continuation, empty
/// initial responses, mutual authentication and error reports, with mechanisms written here.
@Suite("AUTH exchange with any SASL mechanism", .serialized)
struct SASLExchangeTests {
    /// LOGIN-shaped: no initial response, answers "Username:" then "Password:".
    struct TwoStep: SASLMechanism {
        let name = "X-TWOSTEP"
        let sendsReusableSecret = true
        var seen: [String] = []
        mutating func initialResponse() throws(AuthError) -> [UInt8]? { nil }
        mutating func respond(to challenge: [UInt8]) throws(AuthError) -> [UInt8] {
            let text = String(decoding: challenge, as: UTF8.self)
            seen.append(text)
            switch text {
            case "Username:": return Array("shop@example.test".utf8)
            case "Password:": return Array("two-step-secret".utf8)
            default: throw AuthError(.protocolViolation("unexpected \(text)"), mechanism: name)
            }
        }
    }

    /// SCRAM-shaped: an empty initial response, then the server's final message must verify.
    struct Mutual: SASLMechanism {
        let name = "X-MUTUAL"
        let sendsReusableSecret = false
        var serverFinal: [UInt8]?
        mutating func initialResponse() throws(AuthError) -> [UInt8]? { [] }
        mutating func respond(to challenge: [UInt8]) throws(AuthError) -> [UInt8] {
            serverFinal = challenge
            return []
        }
        mutating func verifySuccess(_ additionalData: [UInt8]?) throws(AuthError) {
            guard serverFinal == Array("v=good".utf8) else {
                throw AuthError(.protocolViolation("server signature mismatch"), mechanism: name)
            }
        }
    }

    /// XOAUTH2-shaped: a token as initial response; a JSON error challenge answered empty.
    struct Bearer: SASLMechanism {
        let name = "X-BEARER"
        let sendsReusableSecret = true
        var report: String?
        mutating func initialResponse() throws(AuthError) -> [UInt8]? { Array("token=ya29.secret-token".utf8) }
        mutating func respond(to challenge: [UInt8]) throws(AuthError) -> [UInt8] {
            let json = (try? JSONSerialization.jsonObject(with: Data(challenge))) as? [String: Any]
            report = (json?["status"] as? String).map { $0 == "401" ? "the access token has expired or is invalid" : $0 }
            return []
        }
        var failureExplanation: String? { report }
    }

    static func client(_ port: UInt16) -> SMTPClient {
        ScriptedSessionTests.client(port, allowPlaintext: true)
    }

    static func b64(_ s: String) -> String { Data(s.utf8).base64EncodedString() }

    @Test func challengesAreDecodedAnsweredAndRedacted() async throws {
        let peer = try ScriptedPeer(ScriptedSessionTests.hello(["AUTH X-TWOSTEP"]) + [
            .expect("AUTH X-TWOSTEP"), .send("334 " + Self.b64("Username:")), .expect(Self.b64("shop@example.test")),
            .send("334 " + Self.b64("Password:")), .expect(Self.b64("two-step-secret")),
            .send("235 2.7.0 Authentication successful"),
        ])
        let client = Self.client(peer.port)
        try await client.open()
        try await client.ehlo()
        #expect(try await client.authenticate(with: TwoStep(), label: "credentials of shop@example.test") == "X-TWOSTEP")
        #expect(await peer.finish() == nil)
        let lines = client.transcript.lastLines
        #expect(lines.filter { $0.hasSuffix("<-  334 <redacted: challenge>") }.count == 2)
        #expect(lines.filter { $0.hasSuffix(" -> <redacted: credentials of shop@example.test>") }.count == 2)
        #expect(!lines.contains { $0.contains(Self.b64("two-step-secret")) || $0.contains("two-step-secret") })
        await client.close()
    }

    @Test func emptyInitialResponseIsAnEqualsSignAndTheServerIsVerified() async throws {
        let peer = try ScriptedPeer(ScriptedSessionTests.hello(["AUTH X-MUTUAL"]) + [
            .expect("AUTH X-MUTUAL ="), .send("334 " + Self.b64("v=good")), .expect(""), .send("235 2.7.0 ok"),
        ])
        let client = Self.client(peer.port)
        try await client.open()
        try await client.ehlo()
        #expect(try await client.authenticate(with: Mutual(), label: "x") == "X-MUTUAL")
        #expect(await peer.finish() == nil)
        await client.close()
    }

    @Test func aServerThatFailsMutualAuthenticationIsRefused() async throws {
        let peer = try ScriptedPeer(ScriptedSessionTests.hello(["AUTH X-MUTUAL"]) + [
            .expect("AUTH X-MUTUAL ="), .send("334 " + Self.b64("v=forged")), .expect(""), .send("235 2.7.0 ok"),
        ])
        let client = Self.client(peer.port)
        try await client.open()
        try await client.ehlo()
        await #expect {
            try await client.authenticate(with: Mutual(), label: "x")
        } throws: { error in
            guard let e = error as? SMTPError, case .protocolViolation(let why)? = e.authError?.kind else { return false }
            return e.kind == .auth && e.stage == .auth && why.contains("signature")
        }
        #expect(await client.authenticatedMechanism == nil)
        await client.close()
    }

    @Test func anErrorChallengeIsExplainedInTheFailure() async throws {
        let json = #"{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}"#
        let peer = try ScriptedPeer(ScriptedSessionTests.hello(["AUTH X-BEARER"]) + [
            .expect("AUTH X-BEARER " + Self.b64("token=ya29.secret-token")), .send("334 " + Self.b64(json)), .expect(""),
            .send("535 5.7.8 Username and Password not accepted"),
        ])
        let client = Self.client(peer.port)
        try await client.open()
        try await client.ehlo()
        await #expect {
            try await client.authenticate(with: Bearer(), label: "OAuth2 token of shop@example.test")
        } throws: { error in
            let e = error as? SMTPError
            return e?.kind == .authenticationFailed && e?.reply?.code == 535
                && e?.explanation == "the access token has expired or is invalid"
                && e?.description.contains("the access token has expired") == true
        }
        #expect(!client.transcript.lastLines.contains { $0.contains("ya29") || $0.contains(Self.b64("token=ya29.secret-token")) })
        #expect(client.transcript.lastLines.contains { $0.hasSuffix("-> AUTH X-BEARER <redacted: OAuth2 token of shop@example.test>") })
        await client.close()
    }

    @Test func aReusableSecretWithoutTLSNeedsTheOptIn() async throws {
        let peer = try ScriptedPeer(ScriptedSessionTests.hello(["AUTH X-TWOSTEP"]) + [.readUntilClosed])
        let client = ScriptedSessionTests.client(peer.port)
        try await client.open()
        try await client.ehlo()
        await #expect {
            try await client.authenticate(with: TwoStep(), label: "x")
        } throws: { error in
            guard let e = error as? SMTPError, case .wouldExposeSecret? = e.authError?.kind else { return false }
            return true
        }
        await client.close()
        #expect(await peer.finish() == nil)
        #expect(!peer.log.contains { $0.hasPrefix("C: AUTH") })
    }

    @Test func endlessChallengesAreCancelled() async throws {
        var steps = ScriptedSessionTests.hello(["AUTH X-MUTUAL"]) + [Step.expect("AUTH X-MUTUAL =")]
        for _ in 0..<SMTPClient.authRoundLimit { steps += [.send("334 " + Self.b64("v=again")), .expect("")] }
        steps += [.expect("*"), .send("501 5.7.0 cancelled")]
        let peer = try ScriptedPeer(steps)
        let client = Self.client(peer.port)
        try await client.open()
        try await client.ehlo()
        await #expect {
            try await client.authenticate(with: Mutual(), label: "x")
        } throws: { ($0 as? SMTPError)?.kind == .auth }
        #expect(await peer.finish() == nil)
        await client.close()
    }
}
