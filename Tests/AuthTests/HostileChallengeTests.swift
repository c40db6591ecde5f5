import Foundation
import Testing
import TestSupport
@testable import Auth

/// Hostile or garbled challenges never crash or hang a mechanism: each answer is either bytes or
/// an `AuthError` (the Swift mechanisms and libsasl2's plugins alike).
@Suite(.offCooperativePool) struct HostileChallengeTests {
    static func randomBytes(_ count: Int, using rng: inout some RandomNumberGenerator) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
    }

    static func make(_ name: String) throws -> any SASLMechanism {
        switch name {
        case "PLAIN": PlainMechanism(user: "u", password: "p")
        case "LOGIN": LoginMechanism(user: "u", password: "p")
        case "XOAUTH2": XOAuth2Mechanism(user: "u", accessToken: "t")
        case "OAUTHBEARER": OAuthBearerMechanism(user: "u", accessToken: "t")
        default: try CyrusSASLMechanism(name: name, user: "u", password: "p", serviceName: "imap", host: "localhost")
        }
    }

    @Test(arguments: ["PLAIN", "LOGIN", "XOAUTH2", "OAUTHBEARER", "SCRAM-SHA-256", "SCRAM-SHA-1", "CRAM-MD5", "DIGEST-MD5", "NTLM"])
    func randomChallengesGiveBytesOrErrors(name: String) throws {
        var rng = SeededRNG(seed: UInt64(name.utf8.reduce(0) { $0 &* 31 &+ UInt64($1) }))
        var errors = 0
        for round in 0..<60 {
            var mechanism = try Self.make(name)
            _ = try? mechanism.initialResponse()
            for _ in 0..<3 {
                let challenge = Self.randomBytes(Int.random(in: 1...(round % 2 == 0 ? 64 : 700), using: &rng), using: &rng)
                do {
                    _ = try mechanism.respond(to: challenge)
                } catch {
                    errors += 1
                    break
                }
            }
            // libsasl2 mechanisms check success data; random bytes never pass.
            if mechanism is CyrusSASLMechanism {
                #expect(throws: AuthError.self) { try mechanism.verifySuccess(Self.randomBytes(40, using: &rng)) }
            }
        }
        if name.hasPrefix("SCRAM") || name == "DIGEST-MD5" { #expect(errors == 60) }
    }

    @Test func anOversizedChallengeIsRefused() throws {
        var mechanism = try CyrusSASLMechanism(name: "CRAM-MD5", user: "u", password: "p", serviceName: "imap", host: "localhost")
        let error = try #require(throws: AuthError.self) {
            try mechanism.respond(to: [UInt8](repeating: 0x41, count: CyrusSASLSession.challengeLimit + 1))
        }
        guard case .protocolViolation = error.kind else { Issue.record("\(error)"); return }
    }

    @Test func ntlmStartsWithANegotiateMessage() throws {
        var mechanism = try CyrusSASLMechanism(name: "NTLM", user: "u", password: "p", serviceName: "smtp", host: "localhost")
        let first = try #require(try mechanism.initialResponse())
        #expect(first.starts(with: Array("NTLMSSP\0".utf8)))
        #expect(first.count >= 12 && first[8] == 1)   // message type 1
    }
}
