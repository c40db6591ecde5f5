import Foundation
import NetIO
import Testing
import TestSupport
@testable import Auth

/// Every mechanism against the real Dovecot started by `scripts/servers` (passdb `{PLAIN}`, so
/// all of them work), over STARTTLS (`imap`) and implicit TLS (`imaps`), with IMAP
/// `AUTHENTICATE` (RFC 9051 §6.2.2, SASL-IR RFC 4959). The transcript must hold no secret.
///
/// Serialized: Dovecot allows 10 sessions per user and IP (`mail_max_userip_connections`), so
/// only `parallelLogins` runs many at once, spread over the three test users.
@Suite(.serialized) struct DovecotAuthenticationTests {
    let servers: TestServers
    init() throws { servers = try TestServers.load() }

    static let user = "alice@example.test"
    static let password = "alice-secret"
    static let users = [("alice@example.test", "alice-secret"), ("bob@example.test", "bob-secret"),
                        ("sink@example.test", "sink-secret")]
    static let mechanisms = ["PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256"]

    static func mechanism(_ name: String, user: String, password: String) throws -> any SASLMechanism {
        try MechanismSelection(pinned: name).choose(offered: [name], credentials: .password(user: user, password: password),
                                                    encrypted: true, serviceName: "imap", host: "localhost")
    }

    /// One AUTHENTICATE on a fresh connection; checks the transcript for secrets.
    func run(_ name: String, user: String = user, password: String, port: String, useInitialResponse: Bool = true)
        async throws -> (IMAPSASLExchange.Outcome, String?) {
        var session = try await IMAPSASLExchange.open(servers, port: port)
        let offered = try await session.offeredMechanisms()
        #expect(offered.contains(name), "Dovecot offers \(offered)")
        let mechanism = try Self.mechanism(name, user: user, password: password)
        let outcome: IMAPSASLExchange.Outcome
        let exchange: SASLClientExchange
        do {
            (outcome, exchange) = try await session.authenticate(mechanism, label: "credentials of \(user)",
                                                                 useInitialResponse: useInitialResponse)
            if case .ok = outcome { _ = try await session.simple("LOGOUT") }
        } catch {
            await session.close()
            throw error
        }
        let lines = session.connection.transcript.lastLines
        #expect(lines.contains { $0.contains("AUTHENTICATE \(name)") })
        for line in lines {
            #expect(!line.contains(password), "password in transcript: \(line)")
            for secret in session.sentSecrets { #expect(!line.contains(secret), "client response in transcript: \(line)") }
        }
        await session.close()
        return (outcome, exchange.failureExplanation)
    }

    @Test(arguments: mechanisms, ["imap", "imaps"])
    func succeeds(name: String, port: String) async throws {
        let (outcome, _) = try await run(name, password: Self.password, port: port)
        guard case .ok = outcome else { Issue.record("\(name) on \(port): \(outcome)"); return }
    }

    @Test(arguments: mechanisms)
    func wrongPasswordFails(name: String) async throws {
        do {
            let (outcome, _) = try await run(name, password: "not-the-password", port: "imaps")
            guard case .no(let line) = outcome else { Issue.record("\(name) accepted a wrong password"); return }
            #expect(line.contains("NO"), "\(line)")
        } catch let error as AuthError {
            // SCRAM may learn of the refusal from the server-final `e=` message instead.
            #expect(name.hasPrefix("SCRAM"), "\(name): \(error)")
        }
    }

    /// Without SASL-IR the initial response goes after the server's empty `+` challenge.
    @Test(arguments: ["PLAIN", "SCRAM-SHA-256"])
    func initialResponseByContinuation(name: String) async throws {
        let (outcome, _) = try await run(name, password: Self.password, port: "imap", useInitialResponse: false)
        guard case .ok = outcome else { Issue.record("\(name): \(outcome)"); return }
    }

    /// The automatic choice from Dovecot's own CAPABILITY list is SCRAM-SHA-256, and it works.
    @Test func automaticChoiceFromCapabilities() async throws {
        var session = try await IMAPSASLExchange.open(servers, port: "imap")
        let offered = try await session.offeredMechanisms()
        let mechanism = try MechanismSelection().choose(offered: offered,
                                                        credentials: .password(user: Self.user, password: Self.password),
                                                        encrypted: await session.connection.isTLS,
                                                        serviceName: "imap", host: "localhost")
        #expect(mechanism.name == "SCRAM-SHA-256")
        let (outcome, _) = try await session.authenticate(mechanism, label: "credentials of \(Self.user)")
        await session.close()
        guard case .ok = outcome else { Issue.record("\(outcome)"); return }
    }

    /// Many libsasl2 exchanges against the real server at once.
    @Test func parallelLogins() async throws {
        let names = ["SCRAM-SHA-256", "SCRAM-SHA-1", "CRAM-MD5", "PLAIN"]
        let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
            for i in 0..<12 {
                group.addTask {
                    let (user, password) = Self.users[i % Self.users.count]
                    let (outcome, _) = try await run(names[i % names.count], user: user, password: password, port: "imaps")
                    if case .ok = outcome { return true }
                    return false
                }
            }
            var all: [Bool] = []
            for try await ok in group { all.append(ok) }
            return all
        }
        #expect(outcomes.count == 12)
        #expect(outcomes.allSatisfy { $0 })
    }
}
