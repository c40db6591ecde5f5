import Foundation
import NetIO
import Auth
import TestSupport
import Testing
@testable import Diagnosis

/// `AccountProbe` (the Test button) against the real local Postfix and Dovecot, misconfigured
/// `openssl s_server`s, and a scripted server for LOGINDISABLED.
@Suite(.serialized) struct AccountProbeTests {
    let servers: TestServers
    static let user = "alice@example.test"
    static let password = "alice-secret"
    static let wrongPassword = "wrong-imap-pass-41"

    init() throws { servers = try TestServers.load() }

    func server(_ p: MailProtocol, _ name: String, _ security: Security, password: String = AccountProbeTests.password,
                ca: Bool = true, user: String = AccountProbeTests.user) throws -> ServerSettings {
        ServerSettings(protocol: p, host: "localhost", port: try servers.port(name), security: security,
                       credentials: .password(user: user, password: password),
                       caFile: ca ? servers.tls("ca.crt") : nil)
    }

    func account(smtp: ServerSettings? = nil, imap: ServerSettings? = nil) throws -> MailAccount {
        MailAccount(smtp: try smtp ?? server(.smtp, "submission", .startTLS),
                    imap: try imap ?? server(.imap, "imaps", .implicitTLS),
                    identity: SenderIdentity(name: "Corner Shop", address: Self.user))
    }

    func probe(_ a: MailAccount, selfTest: SelfTestOptions? = nil) async -> AccountReport {
        await AccountProbe(account: a, options: AccountProbe.Options(timeout: .seconds(10), greetingTimeout: .seconds(3),
                                                                      selfTest: selfTest)).run()
    }

    func stage(_ r: [StageReport], _ name: String) -> StageReport? { r.last { $0.name == name } }

    @Test func goodAccountPassesEveryStage() async throws {
        let r = await probe(try account())
        #expect(r.ok, "\(r.json())")
        #expect(r.verdict == "Sending works. Receiving works.")
        for name in ["DNS", "connect", "greeting", "EHLO", "TLS", "AUTH", "MAIL", "RCPT"] {
            #expect(stage(r.smtp, name)?.status == .passed, "\(name)")
        }
        #expect(stage(r.smtp, "DATA")?.status == .skipped)
        #expect(stage(r.smtp, "TLS")?.tls?.trusted == true)
        #expect(stage(r.smtp, "EHLO")?.facts.contains { $0.hasPrefix("AUTH") } == true)
        for name in ["connect", "TLS", "greeting", "CAPABILITY", "LOGIN", "LIST", "SELECT"] {
            #expect(stage(r.imap, name)?.status == .passed, "\(name)")
        }
        #expect(stage(r.imap, "LIST")?.detail.contains("sent mail in \"Sent\"") == true)
    }

    @Test func wrongIMAPPasswordIsDiagnosedAndSendingStillWorks() async throws {
        let r = await probe(try account(imap: server(.imap, "imaps", .implicitTLS, password: Self.wrongPassword)))
        #expect(!r.ok)
        let login = try #require(stage(r.imap, "LOGIN"))
        #expect(login.status == .failed)
        #expect(login.diagnosis?.id == "imap.authentication-failed", "\(login.diagnosis?.id ?? "") \(login.detail)")
        #expect(login.diagnosis?.evidence.contains("AUTHENTICATIONFAILED") == true)
        #expect(stage(r.imap, "SELECT")?.status == .skipped)
        #expect(r.verdict == "Sending works. Receiving fails: the password for alice@example.test was refused by localhost.")
        #expect(!r.json().contains(Self.wrongPassword))
    }

    @Test func wrongSMTPPasswordIsDiagnosed() async throws {
        let r = await probe(try account(smtp: server(.smtp, "submissions", .implicitTLS, password: Self.wrongPassword)))
        let auth = try #require(stage(r.smtp, "AUTH"))
        #expect(auth.status == .failed)
        #expect(auth.diagnosis?.id == "auth.wrong-password", "\(auth.diagnosis?.id ?? "") \(auth.detail)")
        #expect(stage(r.smtp, "MAIL")?.status == .skipped)
        #expect(r.verdict.hasPrefix("Sending fails: the password for alice@example.test was refused by localhost."))
        #expect(r.verdict.hasSuffix("Receiving works."))
    }

    @Test func expiredCertificateStopsBeforeCredentials() async throws {
        let r = await probe(MailAccount(smtp: try server(.smtp, "tls_expired_diag", .implicitTLS)))
        let tls = try #require(stage(r.smtp, "TLS"))
        #expect(tls.status == .failed)
        #expect(tls.diagnosis?.id == "tls.certificate-expired")
        #expect(tls.tls?.trusted == false)
        #expect(stage(r.smtp, "AUTH")?.status == .skipped)
        #expect(stage(r.smtp, "AUTH")?.detail.contains("no password is sent") == true)
    }

    @Test func untrustedCertificateStillShowsCapabilitiesWithoutLoggingIn() async throws {
        // The system store does not know the test CA: Postfix's certificate is untrusted.
        let r = await probe(MailAccount(smtp: try server(.smtp, "submissions", .implicitTLS, ca: false),
                                        imap: try server(.imap, "imaps", .implicitTLS, ca: false)))
        #expect(stage(r.smtp, "TLS")?.status == .failed)
        #expect(stage(r.smtp, "TLS")?.diagnosis?.id.hasPrefix("tls.") == true)
        let ehlo = try #require(stage(r.smtp, "EHLO"))
        #expect(ehlo.status == .untrusted)
        #expect(ehlo.facts.contains { $0.uppercased().hasPrefix("AUTH") }, "\(ehlo.facts)")
        #expect(stage(r.smtp, "AUTH")?.status == .skipped)
        let caps = try #require(stage(r.imap, "CAPABILITY"))
        #expect(caps.status == .untrusted)
        #expect(stage(r.imap, "LOGIN")?.status == .skipped)
    }

    @Test func startTLSOnTheImplicitPortIsNamedQuickly() async throws {
        let start = ContinuousClock.now
        let r = await probe(MailAccount(smtp: try server(.smtp, "submissions", .startTLS)))
        #expect(ContinuousClock.now - start < .seconds(9))
        #expect(r.firstFailure?.diagnosis?.id == "port.starttls-on-implicit-tls-port", "\(r.json())")
        #expect(r.firstFailure?.name == "greeting")
    }

    @Test func implicitTLSOnTheSTARTTLSPort() async throws {
        let r = await probe(MailAccount(smtp: try server(.smtp, "submission", .implicitTLS)))
        #expect(r.firstFailure?.diagnosis?.id == "port.implicit-tls-on-starttls-port", "\(r.json())")
    }

    @Test func imapPortMixUps() async throws {
        let options = AccountProbe.Options(timeout: .seconds(3), greetingTimeout: .seconds(3))
        let starttlsOn993 = await AccountProbe(account: MailAccount(imap: try server(.imap, "imaps", .startTLS)),
                                               options: options).run()
        #expect(starttlsOn993.firstFailure?.diagnosis?.id == "port.starttls-on-implicit-tls-port", "\(starttlsOn993.json())")
        #expect(stage(starttlsOn993.imap, "LOGIN")?.status == .skipped)
        let tlsOn143 = await AccountProbe(account: MailAccount(imap: try server(.imap, "imap", .implicitTLS)),
                                          options: options).run()
        #expect(tlsOn143.firstFailure?.diagnosis?.id == "port.implicit-tls-on-starttls-port", "\(tlsOn143.json())")
    }

    /// The IMAP analog of STARTTLS on 465: Dovecot's implicit-TLS port with STARTTLS or plain
    /// text waits for a ClientHello while the client waits for a greeting. With a 20 s `timeout`
    /// the probe names it after the short greeting wait plus the TLS probe, not after 20 s.
    @Test func plainTextOnTheIMAPImplicitPortIsNamedQuickly() async throws {
        let options = AccountProbe.Options(timeout: .seconds(20), greetingTimeout: .seconds(1))
        for security in [Security.startTLS, .plaintextUnsafe] {
            let start = ContinuousClock.now
            let r = await AccountProbe(account: MailAccount(imap: try server(.imap, "imaps", security)), options: options).run()
            let elapsed = ContinuousClock.now - start
            #expect(elapsed < .seconds(6), "\(security): \(elapsed)")
            let failure = try #require(r.firstFailure, "\(r.json())")
            #expect(failure.name == "greeting", "\(security): \(r.json())")
            #expect(failure.diagnosis?.id == "port.starttls-on-implicit-tls-port", "\(security): \(r.json())")
            #expect(failure.diagnosis?.title == "Port \(try servers.port("imaps")) needs SSL/TLS, not STARTTLS")
            #expect(stage(r.imap, "LOGIN")?.status == .skipped)
        }
    }

    @Test func startTLSMissingStopsBeforeTheLogin() async throws {
        // aiosmtpd without TLS: STARTTLS is required, so nothing (no password) goes out in clear text.
        let r = await probe(MailAccount(smtp: try server(.smtp, "smtp_plain", .startTLS)))
        let failure = try #require(r.firstFailure)
        #expect(failure.diagnosis?.id == "starttls.not-offered", "\(r.json())")
        #expect(stage(r.smtp, "EHLO")?.status == .passed)
        #expect(stage(r.smtp, "AUTH")?.status == .skipped)
    }

    @Test func loginDisabledWithoutTLSIsExplained() async throws {
        let peer = try ScriptedPeer([
            .send("* OK [CAPABILITY IMAP4rev1 LOGINDISABLED] ready"),
            .readLine,  // LOGOUT
            .send("* BYE logging out"),
            .close,
        ])
        var imap = ServerSettings(protocol: .imap, host: "127.0.0.1", port: peer.port, security: .plaintextUnsafe,
                                  credentials: .password(user: Self.user, password: Self.password))
        imap.allowsPlaintextAuthUnsafe = true
        let r = await probe(MailAccount(imap: imap))
        let login = try #require(stage(r.imap, "LOGIN"))
        #expect(login.diagnosis?.id == "imap.logindisabled-capability", "\(login.diagnosis?.id ?? "") \(login.detail)")
        #expect(!peer.log.joined().contains(Self.password))
        _ = await peer.finish()
    }

    @Test func reportJSONHasDiagnosisFields() async throws {
        let r = await probe(try account(imap: server(.imap, "imaps", .implicitTLS, password: Self.wrongPassword)))
        let o = try #require(JSONSerialization.jsonObject(with: Data(r.json().utf8)) as? [String: Any])
        let imap = try #require(o["imap"] as? [[String: Any]])
        let login = try #require(imap.first { $0["name"] as? String == "LOGIN" })
        let d = try #require(login["diagnosis"] as? [String: Any])
        for key in ["cause", "fix", "evidence", "id"] { #expect((d[key] as? String)?.isEmpty == false, "\(key)") }
        #expect(o["verdict"] as? String == r.verdict)
    }

    @Test func selfTestDeliversThePDFAndSavesToSent() async throws {
        let r = await probe(try account(), selfTest: SelfTestOptions(attachGeneratedPDF: true, deadline: .seconds(20),
                                                                     appendToSent: true))
        #expect(r.ok, "\(r.json())")
        let t = try #require(r.selfTest)
        #expect(t.deliverySeconds != nil)
        #expect(t.attachmentIntact == true)
        #expect(t.attachment?.hasSuffix(".pdf") == true)
        #expect(t.sentMailbox == "Sent")
        #expect(t.queuedReply?.contains("queued") == true)
        #expect(stage(r.smtp, "DATA")?.status == .passed)
        #expect(stage(r.imap, "FETCH")?.status == .passed)
        #expect(r.verdict.contains("The test message reached alice@example.test in"))
    }

    @Test func selfTestFailsWhenTheIMAPPasswordDiffers() async throws {
        let r = await probe(try account(imap: server(.imap, "imaps", .implicitTLS, password: Self.wrongPassword)),
                            selfTest: SelfTestOptions(deadline: .seconds(5)))
        #expect(!r.ok)
        #expect(stage(r.smtp, "DATA")?.status == .passed)
        #expect(stage(r.imap, "LOGIN")?.diagnosis?.id == "imap.authentication-failed")
        #expect(stage(r.imap, "FETCH")?.status == .skipped)
        #expect(r.selfTest?.deliverySeconds == nil)
    }

    @Test func generatedPDFIsWellFormed() {
        let pdf = String(decoding: InvoicePDF.invoice(number: "1042"), as: UTF8.self)
        #expect(pdf.hasPrefix("%PDF-1.4\n"))
        #expect(pdf.hasSuffix("%%EOF\n"))
        // Every xref offset points at its object.
        let bytes = Array(pdf.utf8)
        let xrefStart = pdf.range(of: "xref\n")!
        let lines = pdf[xrefStart.upperBound...].split(separator: "\n").dropFirst(2).prefix(5)
        for (i, line) in lines.enumerated() {
            let offset = Int(line.prefix(10))!
            #expect(String(decoding: bytes[offset..<(offset + 8)], as: UTF8.self).hasPrefix("\(i + 1) 0 obj"))
        }
    }
}

extension AccountProbeTests {
    @Test func connectionRefusedVerdict() async throws {
        let smtp = ServerSettings(protocol: .smtp, host: "127.0.0.1", port: LiveReproductionTests.closedPort(),
                                  security: .startTLS, credentials: .password(user: "shop@example.com", password: "pw-123"))
        let r = await AccountProbe(account: MailAccount(smtp: smtp), options: .init(timeout: .seconds(2))).run()
        #expect(r.firstFailure?.name == "connect")
        #expect(r.firstFailure?.diagnosis?.id == "network.connection-refused")
        #expect(r.smtp.first?.name == "DNS" && r.smtp.first?.status == .passed)
        #expect(r.verdict.hasPrefix("Sending fails: nothing accepts connections on port"), "\(r.verdict)")
        #expect(r.advice.isEmpty)
    }
}
