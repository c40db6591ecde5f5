import Testing
import Foundation
import NetIO
import TestSupport
@testable import Diagnosis

/// Catalogue entries reproduced against real misconfigured local servers (`scripts/servers start`),
/// and the candidate probe ranked on them. Serialized: each `openssl s_server` serves one
/// connection at a time.
@Suite(.serialized) struct LiveReproductionTests {
    let servers: TestServers
    let tls: TLSOptions

    init() throws {
        servers = try TestServers.load()
        tls = TLSOptions(trust: .caFile(servers.tls("ca.crt")))
    }

    func candidate(_ p: MailProtocol, _ name: String, _ security: Security) throws -> ServerCandidate {
        ServerCandidate(protocol: p, host: "localhost", port: try servers.port(name), security: security, source: .guess)
    }

    func probe(_ p: MailProtocol, _ name: String, _ security: Security) async throws -> PortProbeResult {
        // Long enough to queue behind other suites' connections to a one-at-a-time s_server;
        // the greeting wait stays short.
        await PortProbe.run(try candidate(p, name, security), tls: tls, timeout: .seconds(8), greetingTimeout: .seconds(3))
    }

    /// A port nothing listens on: bound, then closed.
    static func closedPort() -> UInt16 { LoopbackPorts.freeTCP() }

    @Test(arguments: [
        (MailProtocol.smtp, "tls_expired_diag", Security.implicitTLS, "tls.certificate-expired"),
        (.smtp, "tls_selfsigned_diag", .implicitTLS, "tls.self-signed"),
        (.smtp, "tls_wrongname_diag", .implicitTLS, "tls.name-mismatch"),
        (.smtp, "tls_legacy_diag", .implicitTLS, "tls.protocol-too-old"),
        (.smtp, "submissions", .startTLS, "port.starttls-on-implicit-tls-port"),
        (.smtp, "submission", .implicitTLS, "port.implicit-tls-on-starttls-port"),
        (.imap, "imaps", .startTLS, "port.starttls-on-implicit-tls-port"),
        (.imap, "imap", .implicitTLS, "port.implicit-tls-on-starttls-port"),
        (.smtp, "smtp_plain", .startTLS, "starttls.not-offered"),
    ])
    func reproduced(proto: MailProtocol, server: String, security: Security, id: String) async throws {
        let r = try await probe(proto, server, security)
        #expect(r.verdict == .failed || r.verdict == .worksWithUntrustedCertificate)
        #expect(r.diagnosis?.id == id, "\(server): \(r.diagnosis?.id ?? "none") \(r.evidence?.quotedEvidence ?? "")")
    }

    @Test func clientCertificateRequired() async throws {
        let r = try await probe(.smtp, "tls_clientauth_diag", .implicitTLS)
        #expect(r.verdict == .failed)
        #expect(r.diagnosis?.id == "tls.client-certificate-required", "\(r.evidence?.quotedEvidence ?? "")")
    }

    @Test func connectionRefused() async throws {
        let c = ServerCandidate(protocol: .smtp, host: "127.0.0.1", port: Self.closedPort(), security: .implicitTLS,
                                source: .guess)
        let r = await PortProbe.run(c, tls: tls, timeout: .seconds(2))
        #expect(r.diagnosis?.id == "network.connection-refused")
        #expect(r.diagnosis?.cause.contains("port \(c.port)") == true)
    }

    @Test func tlsProbeResultsAreDiagnosed() async throws {
        // TLSProbe (mailprobe tls) gets the same explanations.
        let expired = Endpoint(host: "localhost", port: try servers.port("tls_expired_diag"))
        let r = await TLSProbe.run(endpoint: expired, starttls: nil, tls: tls, timeout: .seconds(8), transcript: Transcript())
        #expect(!r.ok)
        #expect(r.diagnosis(endpoint: expired, starttls: nil)?.id == "tls.certificate-expired")
        let plain = Endpoint(host: "localhost", port: try servers.port("smtp_plain"))
        let p = await TLSProbe.run(endpoint: plain, starttls: .smtp, tls: tls, timeout: .seconds(3), transcript: Transcript())
        #expect(p.diagnosis(endpoint: plain, starttls: .smtp)?.id == "starttls.not-offered")
        let good = Endpoint(host: "localhost", port: try servers.port("submissions"))
        let g = await TLSProbe.run(endpoint: good, starttls: nil, tls: tls, timeout: .seconds(3), transcript: Transcript())
        #expect(g.ok)
        #expect(g.diagnosis(endpoint: good, starttls: nil) == nil)
    }

    @Test func transcriptFileFromSettings() async throws {
        let dir = TempDir()
        let text = "[smtp]\nhost = localhost\nport = \(try servers.port("submissions"))\nsecurity = tls\nlog = probe.log\n"
        let settings = try #require(try SettingsFile.parse(text, baseDirectory: dir.path, environment: [:]).account.smtp)
        let transcript = try settings.makeTranscript()
        let c = ServerCandidate(protocol: .smtp, host: settings.host, port: settings.port, security: settings.security,
                                source: .guess)
        let r = await PortProbe.run(c, tls: tls, timeout: .seconds(3), transcript: transcript)
        #expect(r.verdict == .works, "\(r.diagnosis?.description ?? "")")
        let log = try String(contentsOfFile: dir.path + "/probe.log", encoding: .utf8)
        #expect(log.contains("EHLO \(PortProbe.ehloName)"))
        #expect(log.contains("=== TLS"))
    }

    @Test func untrustedCertificateStillShowsCapabilities() async throws {
        // An expired certificate on a real SMTP server: the probe reads the capabilities without
        // trusting it, and marks it.
        var pinless = TLSOptions(trust: .systemStore)
        pinless.serverName = "localhost"
        let c = try candidate(.smtp, "submissions", .implicitTLS)
        let r = await PortProbe.run(c, tls: pinless, timeout: .seconds(3))
        #expect(r.verdict == .worksWithUntrustedCertificate)
        #expect(r.diagnosis?.id == "tls.unknown-issuer" || r.diagnosis?.id == "tls.untrusted-root",
                "\(r.diagnosis?.id ?? "none"): \(r.tlsReport?.chainError ?? "")")
        #expect(r.authMechanisms.contains("PLAIN"))
        #expect(r.greeting?.hasPrefix("220") == true)
    }

    @Test func workingServers() async throws {
        let submissions = try await probe(.smtp, "submissions", .implicitTLS)
        #expect(submissions.verdict == .works)
        #expect(submissions.tlsReport?.trusted == true)
        #expect(submissions.authMechanisms.contains("PLAIN"))
        let submission = try await probe(.smtp, "submission", .startTLS)
        #expect(submission.verdict == .works)
        #expect(submission.capabilities.contains("STARTTLS") == false, "capabilities are the ones seen inside TLS")
        #expect(submission.authMechanisms.contains("PLAIN"))
        let imaps = try await probe(.imap, "imaps", .implicitTLS)
        #expect(imaps.verdict == .works)
        #expect(imaps.capabilities.contains("IMAP4rev1"))
        let imap = try await probe(.imap, "imap", .startTLS)
        #expect(imap.verdict == .works)
        #expect(imap.authMechanisms.contains("PLAIN"))
        let plain = try await probe(.smtp, "smtp_plain", .plaintextUnsafe)
        #expect(plain.verdict == .plaintextOnly)
    }

    @Test func expiredImplicitLosesToWorkingSTARTTLS() async throws {
        // The domain where 465 has an expired certificate and 587 works: 587 must win.
        let candidates = [
            try candidate(.smtp, "tls_expired_diag", .implicitTLS),
            try candidate(.smtp, "smtp_plain", .plaintextUnsafe),
            ServerCandidate(protocol: .smtp, host: "127.0.0.1", port: Self.closedPort(), security: .implicitTLS, source: .guess),
            try candidate(.smtp, "submission", .startTLS),
        ]
        let results = await PortProbe.runAll(candidates, tls: tls, timeout: .seconds(8), greetingTimeout: .seconds(3),
                                             stagger: .milliseconds(20))
        #expect(results.map(\.candidate) == candidates)
        let ranked = PortProbe.ranked(results)
        #expect(ranked.first?.candidate.port == (try servers.port("submission")))
        #expect(ranked.map(\.verdict) == [.works, .plaintextOnly, .failed, .failed])
        #expect(results[0].diagnosis?.id == "tls.certificate-expired")
    }

    @Test func noTLSAtAllIsFlagged() async throws {
        let results = await PortProbe.runAll([try candidate(.smtp, "smtp_plain", .implicitTLS),
                                              try candidate(.smtp, "smtp_plain", .plaintextUnsafe)],
                                             tls: tls, timeout: .milliseconds(1500))
        let best = try #require(PortProbe.ranked(results).first)
        #expect(best.verdict == .plaintextOnly)
        #expect(best.candidate.isPlaintext)
    }
}

/// Replies of real Postfix and Dovecot, fed to the catalogue.
@Suite(.serialized) struct LiveReplyTests {
    let servers: TestServers
    let tls: TLSOptions

    init() throws {
        servers = try TestServers.load()
        tls = TLSOptions(trust: .caFile(servers.tls("ca.crt")))
    }

    /// Opens a session, runs the lines, returns the reply to the last one (all lines of it).
    func smtp(_ port: String, security: Security, startTLS: Bool, lines: [String]) async throws -> String {
        let c = try await Connection.connect(to: Endpoint(host: "localhost", port: try servers.port(port)),
                                             security: security, tls: tls, timeouts: .uniform(.seconds(15)))
        defer { Task { await c.close() } }
        func reply() async throws -> String {
            var out: [String] = []
            for _ in 0..<100 {
                let l = try await c.readLineString()
                out.append(l)
                if l.count < 4 || l.dropFirst(3).first != "-" { break }
            }
            return out.joined(separator: "\n")
        }
        _ = try await reply()
        try await c.writeLine("EHLO test.invalid")
        _ = try await reply()
        if startTLS {
            try await c.writeLine("STARTTLS")
            _ = try await reply()
            _ = try await c.upgradeToTLS(tls)
            try await c.writeLine("EHLO test.invalid")
            _ = try await reply()
        }
        var last = ""
        for line in lines {
            try await c.writeLine(line, log: .line("<test line>"))
            last = try await reply()
        }
        return last
    }

    func imap(_ port: String, security: Security, lines: [String]) async throws -> String {
        try await imap(port: try servers.port(port), security: security, lines: lines)
    }

    func imap(port: UInt16, security: Security, lines: [String]) async throws -> String {
        let c = try await Connection.connect(to: Endpoint(host: "localhost", port: port),
                                             security: security, tls: tls, timeouts: .uniform(.seconds(15)))
        defer { Task { await c.close() } }
        _ = try await c.readLineString()
        var last = ""
        for (i, line) in lines.enumerated() {
            try await c.writeLine("t\(i) \(line)", log: .line("<test line>"))
            for _ in 0..<100 {
                last = try await c.readLineString()
                if last.hasPrefix("t\(i) ") { break }
            }
        }
        return last
    }

    @Test func wrongPasswordAtPostfix() async throws {
        let wrong = Data("\0alice@example.test\0not-her-password".utf8).base64EncodedString()
        let reply = try await smtp("submission", security: .startTLS, startTLS: true, lines: ["AUTH PLAIN \(wrong)"])
        let d = DiagnosisCatalogue.standard.diagnose(Fixture.smtp("AUTH", reply, host: "localhost"))
        #expect(reply.hasPrefix("535"))
        #expect(d.id == "auth.wrong-password", "\(reply)")
    }

    @Test func mailBeforeSTARTTLSAtPostfix() async throws {
        let reply = try await smtp("submission", security: .startTLS, startTLS: false, lines: ["MAIL FROM:<alice@example.test>"])
        let d = DiagnosisCatalogue.standard.diagnose(Fixture.smtp("MAIL", reply, host: "localhost"))
        #expect(d.id == "smtp.must-starttls-first", "\(reply)")
    }

    @Test func relayDeniedAtPostfix() async throws {
        let reply = try await smtp("submission", security: .startTLS, startTLS: true,
                                   lines: ["MAIL FROM:<alice@example.test>", "RCPT TO:<customer@elsewhere.example>"])
        let d = DiagnosisCatalogue.standard.diagnose(Fixture.smtp("RCPT", reply, host: "localhost"))
        #expect(d.id == "relay.denied", "\(reply)")
    }

    @Test func wrongPasswordAtDovecot() async throws {
        let reply = try await imap("imaps", security: .implicitTLS, lines: ["LOGIN alice@example.test not-her-password"])
        let d = DiagnosisCatalogue.standard.diagnose(Fixture.imap("LOGIN", reply, host: "localhost"))
        #expect(d.id == "imap.authentication-failed", "\(reply)")
    }

    @Test func loginWithoutTLSReplayed() async throws {
        // Local Dovecot treats loopback as secure and accepts a plain-text LOGIN, so Dovecot's
        // refusal for other networks is replayed by a scripted server (its exact words).
        let peer = try ScriptedPeer([
            .send("* OK [CAPABILITY IMAP4rev1 SASL-IR LITERAL+ ID ENABLE STARTTLS LOGINDISABLED] Dovecot ready."),
            .expectPrefix("t0 LOGIN "),
            .send("* BAD [ALERT] Plaintext authentication not allowed without SSL/TLS, but your client did it anyway. If anyone was listening, the password was exposed."),
            .send("t0 NO [PRIVACYREQUIRED] Plaintext authentication disallowed on non-secure (SSL/TLS) connections."),
            .readUntilClosed,
        ])
        let reply = try await imap(port: peer.port, security: .startTLS, lines: ["LOGIN alice@example.test alice-secret"])
        let d = DiagnosisCatalogue.standard.diagnose(Fixture.imap("LOGIN", reply, host: "localhost"))
        #expect(d.id == "imap.privacy-required", "reply: \(reply)")
        #expect(d.evidence.hasPrefix("t0 NO [PRIVACYREQUIRED]"))
        #expect(await peer.finish() == nil)
    }
}
