import Foundation
import NetIO
import Testing
import TestSupport
@testable import Auth

/// SMTP `AUTH` (RFC 4954) against the real Postfix submission service (SASL through Dovecot),
/// with the mechanisms of this target, as the SMTP client will run them. The transcript must hold
/// no secret.
@Suite(.serialized) struct PostfixAuthenticationTests {
    let servers: TestServers
    init() throws { servers = try TestServers.load() }

    func run(_ pinned: String?, password: String, port: String) async throws -> (Int, String, String) {
        var (session, offered) = try await SMTPSASLExchange.open(servers, port: port)
        let credentials = Credentials.password(user: "alice@example.test", password: password)
        let mechanism = try MechanismSelection(pinned: pinned).choose(offered: offered, credentials: credentials,
                                                                      encrypted: await session.connection.isTLS,
                                                                      serviceName: "smtp", host: "localhost")
        let (code, text, _) = try await session.authenticate(mechanism, label: credentials.redactedLabel)
        await session.quit()
        for line in session.connection.transcript.lastLines {
            #expect(!line.contains(password), "password in transcript: \(line)")
            for secret in session.sentSecrets { #expect(!line.contains(secret), "client response in transcript: \(line)") }
        }
        return (code, text, mechanism.name)
    }

    @Test(arguments: ["PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-256", "SCRAM-SHA-1"], ["submission", "submissions"])
    func succeeds(name: String, port: String) async throws {
        let (code, text, _) = try await run(name, password: "alice-secret", port: port)
        #expect(code == 235, "\(name) on \(port): \(code) \(text)")
    }

    @Test func automaticChoiceIsSCRAMSHA256() async throws {
        let (code, _, chosen) = try await run(nil, password: "alice-secret", port: "submission")
        #expect(chosen == "SCRAM-SHA-256")
        #expect(code == 235)
    }

    @Test(arguments: ["PLAIN", "SCRAM-SHA-256"])
    func wrongPasswordIs535(name: String) async throws {
        let (code, text, _) = try await run(name, password: "wrong-password", port: "submissions")
        #expect(code == 535, "\(code) \(text)")
    }
}
