import Foundation
import Auth
import NetIO
import SMTP
import TestSupport
import Testing
@testable import Diagnosis

/// The findings of `ScriptedReproductionTests` fixed (issue 6): a refused OAuth2 token is not a
/// wrong password; the message is compared with the EHLO SIZE before it is sent; the provider is
/// told from the login's or sender's domain when the host is an IP address or `localhost`.
@Suite(.serialized) struct ProbeFindingsTests {
    // Real servers on a busy 2-core machine: Postfix forks an smtpd per session; be patient.
    static let options = AccountProbe.Options(timeout: .seconds(10), greetingTimeout: .seconds(5),
                                              tlsProbeTimeout: .milliseconds(300), clientName: "probe.test")

    static func smtpFailure(_ report: AccountReport) -> StageReport? { report.smtp.first { $0.status == .failed } }
    static func stage(_ r: [StageReport], _ name: String) -> StageReport? { r.last { $0.name == name } }

    // MARK: 1. OAuth2 refusals

    /// Gmail's answer to an expired XOAUTH2 token, from the real aiosmtpd XOAUTH2 server
    /// (`smtp_oauth`: the 334 JSON challenge, then `535 5.7.8 Username and Password not
    /// accepted … BadCredentials`), through the Test button: the token, not the password.
    @Test func expiredTokenAtTheXOAuth2ServerIsTheTokenEntry() async throws {
        let servers = try TestServers.load()
        let smtp = ServerSettings(protocol: .smtp, host: "localhost", port: try servers.port("smtp_oauth"), security: .startTLS,
                                  credentials: .oauth2(user: "shop@gmail.com", accessToken: "ya29.expired-token-for-tests"),
                                  caFile: servers.tls("ca.crt"))
        let report = await AccountProbe(account: MailAccount(smtp: smtp, identity: SenderIdentity(address: "shop@gmail.com")),
                                        options: Self.options).run()
        let f = try #require(Self.smtpFailure(report), "\(report.json())")
        #expect(f.name == "AUTH")
        #expect(f.diagnosis?.id == "auth.oauth-token-rejected", "\(f.diagnosis?.id ?? "") \(f.detail)")
        #expect(f.diagnosis?.evidence.contains("535") == true)
        #expect(!report.json().contains("ya29.expired-token-for-tests"))
    }

    /// The same Gmail words with a password are the Gmail password entry; with a token, the
    /// token entry (SMTP and IMAP; Microsoft's refusal too).
    @Test func credentialKindDecidesBetweenPasswordAndTokenEntries() {
        let gmail535 = "535-5.7.8 Username and Password not accepted. Learn more at\n535 5.7.8  https://support.google.com/mail/?p=BadCredentials a1 - gsmtp"
        func smtp(_ text: String, host: String, _ credentials: Credentials) -> String {
            let s = ServerSettings(protocol: .smtp, host: host, port: 465, security: .implicitTLS, credentials: credentials)
            return DiagnosisCatalogue.standard.diagnose(FailureEvidence(protocol: .smtp, stage: "AUTH", text: text, host: s.host,
                                                                        port: s.port, security: s.security, user: s.credentials.user,
                                                                        credential: CredentialKind(s.credentials))).id
        }
        let password = Credentials.password(user: "shop@gmail.com", password: "pw")
        let token = Credentials.oauth2(user: "shop@gmail.com", accessToken: "ya29.t")
        #expect(smtp(gmail535, host: "smtp.gmail.com", password) == "auth.gmail-bad-credentials")
        #expect(smtp(gmail535, host: "smtp.gmail.com", token) == "auth.oauth-token-rejected")
        #expect(smtp("535 5.7.3 Authentication unsuccessful [XX.prod.outlook.com]", host: "smtp.office365.com", token)
            == "auth.oauth-token-rejected")
        #expect(smtp("535 5.7.8 Error: authentication failed: authentication failure", host: "mail.example.net", token)
            == "auth.oauth-token-rejected")
        #expect(smtp("454 4.7.0 Temporary authentication failure", host: "mail.example.net", token) == "auth.temporary-failure")
        let imap = ServerSettings(protocol: .imap, host: "imap.gmail.com", port: 993, credentials: token)
        #expect(DiagnosisCatalogue.standard.diagnose(.imapResponse(stage: "AUTHENTICATE", text: "A1 NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)",
                                                                   server: imap)).id == "auth.oauth-token-rejected")
        var pw = imap
        pw.credentials = .password(user: "shop@gmail.com", password: "pw")
        #expect(DiagnosisCatalogue.standard.diagnose(.imapResponse(stage: "LOGIN", text: "A1 NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)",
                                                                   server: pw)).id == "imap.gmail-bad-credentials")
    }

    /// A token without the mail scope refused with the RFC 6750 §3.1 code (`insufficient_scope`,
    /// as OAUTHBEARER servers send it), through AccountProbe at 127.0.0.1 (scripted: no local
    /// server checks scopes). Gmail's own `"status":"400"` does not tell a wrong scope from an
    /// expired token, so that one is `auth.oauth-token-rejected`, whose cause names both.
    @Test func wrongScopeTokenThroughTheProbe() async throws {
        let challenge = Data(#"{"status":"insufficient_scope","schemes":"bearer","scope":"https://mail.google.com/"}"#.utf8)
            .base64EncodedString()
        let peer = try ScriptedPeer([
            .send("220 127.0.0.1 ESMTP scripted"), .expectPrefix("EHLO "), .send("250-127.0.0.1"), .send("250 AUTH XOAUTH2"),
            .expectPrefix("AUTH XOAUTH2"), .send("334 " + challenge), .readLine,
            .send("535-5.7.8 Username and Password not accepted. Learn more at"),
            .send("535 5.7.8  https://support.google.com/mail/?p=BadCredentials a1 - gsmtp"),
            .expect("QUIT"), .send("221 2.0.0 Bye"), .close,
        ], acceptTimeout: 5)
        let s = ServerSettings(protocol: .smtp, host: "127.0.0.1", port: peer.port, security: .plaintextUnsafe,
                               credentials: .oauth2(user: "shop@gmail.com", accessToken: "ya29.scoped"), allowsPlaintextAuthUnsafe: true)
        let report = await AccountProbe(account: MailAccount(smtp: s), options: Self.options).run()
        #expect(Self.smtpFailure(report)?.diagnosis?.id == "auth.oauth-wrong-scope", "\(report.json())\n\(peer.log.joined(separator: "\n"))")
        #expect(await peer.finish(timeout: 3) == nil)
    }

    // MARK: 3. The message and the server's SIZE

    static func attachment(bytes: Int) throws -> URL {
        let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("invoices-\(UUID().uuidString).pdf")
        var rng = SeededRNG(seed: 6)
        try Data((0..<bytes).map { _ in UInt8.random(in: 0...255, using: &rng) }).write(to: url)
        return url
    }

    /// Real Postfix with `message_size_limit = 65536` (`submission_small`, EHLO `SIZE 65536`):
    /// a self-test with a 100 kB attachment is not sent; MAIL and RCPT are still proven.
    @Test func attachmentBiggerThanPostfixSIZEIsNamedBeforeSending() async throws {
        let servers = try TestServers.load()
        let file = try Self.attachment(bytes: 100_000)
        defer { try? FileManager.default.removeItem(at: file) }
        let smtp = ServerSettings(protocol: .smtp, host: "localhost", port: try servers.port("submission_small"), security: .startTLS,
                                  credentials: .password(user: "alice@example.test", password: "alice-secret"),
                                  caFile: servers.tls("ca.crt"))
        var options = Self.options
        options.selfTest = SelfTestOptions(attachment: file)
        let report = await AccountProbe(account: MailAccount(smtp: smtp, identity: SenderIdentity(address: "alice@example.test")),
                                        options: options).run()
        let data = try #require(Self.stage(report.smtp, "DATA"), "\(report.json())")
        #expect(data.status == .failed, "\(report.json())")
        #expect(data.diagnosis?.id == "message.exceeds-advertised-size", "\(data.diagnosis?.id ?? "") \(data.detail)")
        #expect(data.detail.contains("65536"))
        #expect(Self.stage(report.smtp, "MAIL")?.status == .passed)
        #expect(Self.stage(report.smtp, "RCPT")?.status == .passed)
        #expect(report.selfTest?.queuedReply == nil, "nothing was sent")
    }

    /// aiosmtpd with a 16 KiB data limit (`smtp_small`, EHLO `SIZE 16384`), no TLS, no login.
    @Test func attachmentBiggerThanAiosmtpdSIZEIsNamedBeforeSending() async throws {
        let servers = try TestServers.load()
        let file = try Self.attachment(bytes: 20_000)
        defer { try? FileManager.default.removeItem(at: file) }
        let smtp = ServerSettings(protocol: .smtp, host: "localhost", port: try servers.port("smtp_small"), security: .plaintextUnsafe)
        var options = Self.options
        options.selfTest = SelfTestOptions(attachment: file)
        let report = await AccountProbe(account: MailAccount(smtp: smtp, identity: SenderIdentity(address: "shop@example.test")),
                                        options: options).run()
        let data = try #require(Self.stage(report.smtp, "DATA"), "\(report.json())")
        #expect(data.diagnosis?.id == "message.exceeds-advertised-size", "\(data.diagnosis?.id ?? "") \(data.detail)")
        #expect(Self.stage(report.smtp, "RCPT")?.status == .passed)
    }

    /// A message within SIZE is declared with `SIZE=` (RFC 1870 §6) and accepted by the same Postfix.
    @Test func messageWithinSIZEIsDeclaredAndSent() async throws {
        let servers = try TestServers.load()
        let transcript = Transcript(ringCapacity: 400)
        let smtp = ServerSettings(protocol: .smtp, host: "localhost", port: try servers.port("submission_small"), security: .startTLS,
                                  credentials: .password(user: "alice@example.test", password: "alice-secret"),
                                  caFile: servers.tls("ca.crt"))
        var options = Self.options
        options.sendsTestMessage = true
        options.transcript = transcript
        let report = await AccountProbe(account: MailAccount(smtp: smtp, identity: SenderIdentity(address: "alice@example.test")),
                                        options: options).run()
        #expect(Self.stage(report.smtp, "DATA")?.status == .passed, "\(report.json())")
        #expect(transcript.lastLines.contains { $0.contains("MAIL FROM:<alice@example.test> SIZE=") })
    }

    /// Real Postfix refusing a message above `message_size_limit` itself, when the client did not
    /// compare (`SMTPClient` verbs one by one): `552 5.3.4` at MAIL (declared SIZE) and at DATA.
    @Test func postfix552IsTheMessageTooBigEntry() async throws {
        let servers = try TestServers.load()
        let settings = ServerSettings(protocol: .smtp, host: "localhost", port: try servers.port("submission_small"), security: .startTLS,
                                      credentials: .password(user: "alice@example.test", password: "alice-secret"),
                                      caFile: servers.tls("ca.crt"))
        let big = Array(String(repeating: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789\r\n", count: 1200).utf8)
        for declared in [true, false] {
            let client = SMTPClient(SMTPConfiguration(endpoint: settings.endpoint, security: .startTLS, tls: settings.tlsOptions,
                                                      credentials: settings.credentials, clientName: "probe.test",
                                                      timeouts: .uniform(.seconds(10)), usePipelining: false, useChunking: false))
            var diagnosis: FailureDiagnosis?
            do {
                _ = try await client.open()
                _ = try await client.ehlo()
                _ = try await client.startTLS()
                _ = try await client.authenticate()
                _ = try await client.mail(from: "alice@example.test", parameters: declared ? [.size(big.count)] : [])
                _ = try await client.rcpt(to: "alice@example.test")
                _ = try await client.data(big)
            } catch let error as SMTPError {
                diagnosis = DiagnosisCatalogue.standard.diagnose(error, server: settings)
            }
            await client.quit()
            #expect(diagnosis?.stage == (declared ? "MAIL" : "DATA"), "\(diagnosis?.evidence ?? "no error")")
            #expect(diagnosis?.evidence.hasPrefix("552 5.3.4") == true, "\(diagnosis?.evidence ?? "")")
            #expect(diagnosis?.id == "message.too-big", "\(diagnosis?.id ?? "none"): \(diagnosis?.evidence ?? "")")
        }
    }

    /// aiosmtpd's own refusal at DATA (`552 Error: Too much mail data`) when the SIZE was not compared.
    @Test func aiosmtpd552AtDataIsTheMessageTooBigEntry() async throws {
        let servers = try TestServers.load()
        let settings = ServerSettings(protocol: .smtp, host: "localhost", port: try servers.port("smtp_small"), security: .plaintextUnsafe)
        let client = SMTPClient(SMTPConfiguration(endpoint: settings.endpoint, security: .plaintextUnsafe, clientName: "probe.test",
                                                  timeouts: .uniform(.seconds(10)), usePipelining: false, useChunking: false))
        let big = Array(String(repeating: String(repeating: "y", count: 70) + "\r\n", count: 400).utf8)
        var diagnosis: FailureDiagnosis?
        do {
            _ = try await client.open()
            _ = try await client.ehlo()
            _ = try await client.mail(from: "shop@example.test")
            _ = try await client.rcpt(to: "shop@example.test")
            _ = try await client.data(big)
        } catch let error as SMTPError {
            diagnosis = DiagnosisCatalogue.standard.diagnose(error, server: settings)
        }
        await client.quit()
        #expect(diagnosis?.stage == "DATA")
        #expect(diagnosis?.id == "message.too-big", "\(diagnosis?.id ?? "none"): \(diagnosis?.evidence ?? "")")
    }

    /// The probe's pre-check against a scripted server: no DATA command goes out.
    @Test func scriptedSIZEIsComparedBeforeDATA() async throws {
        let peer = try ScriptedPeer([
            .send("220 127.0.0.1 ESMTP scripted"), .expectPrefix("EHLO "), .send("250-127.0.0.1"), .send("250 SIZE 200"),
            .expect("MAIL FROM:<shop@example.net>"), .send("250 2.1.0 Ok"), .expect("RCPT TO:<shop@example.net>"),
            .send("250 2.1.5 Ok"), .expect("RSET"), .send("250 2.0.0 Ok"), .expect("QUIT"), .send("221 2.0.0 Bye"), .close,
        ], acceptTimeout: 5)
        let s = ServerSettings(protocol: .smtp, host: "127.0.0.1", port: peer.port, security: .plaintextUnsafe)
        var options = Self.options
        options.sendsTestMessage = true
        let report = await AccountProbe(account: MailAccount(smtp: s, identity: SenderIdentity(address: "shop@example.net")),
                                        options: options).run()
        #expect(Self.stage(report.smtp, "DATA")?.diagnosis?.id == "message.exceeds-advertised-size", "\(report.json())")
        #expect(await peer.finish(timeout: 3) == nil)
    }

    // MARK: 5. The provider from the login's or the sender's domain

    /// A password refusal from a server at 127.0.0.1 whose words name no provider: the login's
    /// domain (or, with a bare user name, the sender address's) names it.
    @Test(arguments: [
        ("shop@gmail.com", "shop@gmail.com", "535 5.7.8 Username and Password not accepted.", "auth.gmail-bad-credentials"),
        ("shop@yahoo.com", "shop@yahoo.com", "535 5.7.0 Authentication failed", "auth.yahoo-app-password"),
        ("shop", "shop@icloud.com", "535 5.7.8 Authentication failed", "auth.icloud-app-password"),
        ("shop@example.net", "shop@example.net", "535 5.7.8 Authentication failed", "auth.wrong-password"),
    ])
    func providerFromTheAddressWhenTheHostIsAnIP(user: String, sender: String, reply: String, id: String) async throws {
        let peer = try ScriptedPeer([
            .send("220 127.0.0.1 ESMTP scripted"), .expectPrefix("EHLO "), .send("250-127.0.0.1"), .send("250 AUTH PLAIN LOGIN"),
            .expectPrefix("AUTH "), .send(reply), .expect("QUIT"), .send("221 2.0.0 Bye"), .close,
        ], acceptTimeout: 5)
        let s = ServerSettings(protocol: .smtp, host: "127.0.0.1", port: peer.port, security: .plaintextUnsafe,
                               credentials: .password(user: user, password: "pw"), allowsPlaintextAuthUnsafe: true)
        let report = await AccountProbe(account: MailAccount(smtp: s, identity: SenderIdentity(address: sender)),
                                        options: Self.options).run()
        #expect(Self.smtpFailure(report)?.diagnosis?.id == id, "\(report.json())")
        #expect(await peer.finish(timeout: 3) == nil)
    }

    @Test func providerSourcesInOrder() {
        func provider(host: String?, user: String? = nil, sender: String? = nil, text: String = "535 5.7.8 Authentication failed") -> Provider? {
            FailureEvidence(protocol: .smtp, stage: "AUTH", text: text, host: host, port: 587, user: user, sender: sender).effectiveProvider
        }
        #expect(provider(host: "127.0.0.1", user: "shop@gmail.com") == .gmail)
        #expect(provider(host: "::1", user: "shop@hotmail.com") == .outlookConsumer)
        #expect(provider(host: "[::1]", user: "shop", sender: "Shop <shop@me.com>") == .icloud)
        #expect(provider(host: "localhost", user: "shop@yahoo.com") == .yahoo)
        #expect(provider(host: nil, sender: "shop@gmx.net") == .gmx)
        // A real host name decides: a Gmail address on a custom server is not Gmail.
        #expect(provider(host: "mail.shop.example", user: "shop@gmail.com") == nil)
        #expect(provider(host: "smtp.mail.me.com", user: "shop@gmail.com") == .icloud)
        // IMAP too: Gmail's refusal through 127.0.0.1 for a Gmail login is the Gmail entry.
        let imap = ServerSettings(protocol: .imap, host: "127.0.0.1", port: 9993,
                                  credentials: .password(user: "shop@gmail.com", password: "pw"))
        #expect(DiagnosisCatalogue.standard.diagnose(.imapResponse(stage: "LOGIN", text: "A1 NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)",
                                                                   server: imap)).id == "imap.gmail-bad-credentials")
        // The server's own words come before the address.
        #expect(provider(host: "127.0.0.1", user: "shop@yahoo.com", text: "535 5.7.8 BadCredentials - gsmtp") == .gmail)
    }
}
