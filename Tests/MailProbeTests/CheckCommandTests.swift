import Foundation
import TestSupport
import Testing

/// `mailprobe check`, `send` and `detect` as a user runs them: the built binary against the local
/// Postfix and Dovecot; output, JSON, exit status, transcript and support bundle; and no password
/// used anywhere in this suite appears in any of them.
@Suite("mailprobe check/send/detect", .serialized)
struct CheckCommandTests {
    let servers: TestServers
    let dir: String
    static let smtpPassword = "alice-secret"
    static let wrongIMAPPassword = "imap-differs-9137"
    static let commandLinePassword = "cmdline-pw-5521"
    static let allSecrets = [smtpPassword, wrongIMAPPassword, commandLinePassword]

    init() throws {
        servers = try TestServers.load()
        dir = NSTemporaryDirectory() + "mailprobe-check-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    /// A settings file for alice; `smtp`/`imap` name the server ports.
    func ini(smtp: String = "submission", smtpSecurity: String = "starttls", imap: String = "imaps",
             imapSecurity: String = "tls", extra: String = "") throws -> String {
        let path = dir + "/shop-\(UUID().uuidString.prefix(8)).ini"
        let text = """
            \(try iniSection("smtp", port: smtp, security: smtpSecurity))
            \(try iniSection("imap", port: imap, security: imapSecurity))
            [identity]
            name = Corner Shop
            address = alice@example.test
            po_address = bob@example.test
            \(extra)
            """
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The `[smtp]` or `[imap]` section of `ini`: alice on the server port named `port`, trusting the
    /// test CA, her password in `SHOP_SMTP_PASSWORD` or `SHOP_IMAP_PASSWORD`.
    func iniSection(_ section: String, port: String, security: String) throws -> String {
        """
        [\(section)]
        host = localhost
        port = \(try servers.port(port))
        security = \(security)
        user = alice@example.test
        password_env = SHOP_\(section.uppercased())_PASSWORD
        ca_file = \(servers.tls("ca.crt"))
        """
    }

    func mailprobe(_ args: [String], imapPassword: String = CheckCommandTests.smtpPassword) async throws -> CommandResult {
        var env = ProcessInfo.processInfo.environment
        env["SHOP_SMTP_PASSWORD"] = Self.smtpPassword
        env["SHOP_IMAP_PASSWORD"] = imapPassword
        return try await run(mailprobePath(), args, environment: env)
    }

    /// No password of this suite in the outputs or the files.
    func expectNoSecrets(_ r: CommandResult, files: [String] = [], sourceLocation: SourceLocation = #_sourceLocation) {
        var texts = [r.stdout, r.stderr]
        for f in files { texts.append((try? String(contentsOfFile: f, encoding: .utf8)) ?? "") }
        for secret in Self.allSecrets {
            for (i, t) in texts.enumerated() {
                #expect(!t.contains(secret), "secret found in output \(i)", sourceLocation: sourceLocation)
            }
        }
    }

    func json(_ r: CommandResult) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "\(r.stdout)\(r.stderr)")
    }

    @Test func selfTestWithPDFPassesAndWritesLogAndBundle() async throws {
        let pdf = dir + "/Invoice 1042.pdf"
        // A real PDF file: the generated one, written by the binary's own demo path is not needed.
        try Data("%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n".utf8)
            .write(to: URL(fileURLWithPath: pdf))
        let log = dir + "/transcript.log", bundle = dir + "/bundle.txt"
        let r = try await mailprobe(["check", "--config", try ini(), "--self-test", "--attach", pdf, "--save-sent",
                                     "--log", log, "--bundle", bundle, "--delivery-timeout", "20"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.hasPrefix("Sending works. Receiving works. The test message reached alice@example.test in "))
        #expect(r.stdout.contains("with Invoice 1042.pdf"))
        #expect(r.stdout.contains("attachment intact: yes"))
        #expect(r.stdout.contains("copy saved in: Sent"))
        #expect(!r.stdout.contains("\u{1B}["), "no colour when stdout is not a terminal")
        let b = try String(contentsOfFile: bundle, encoding: .utf8)
        #expect(b.contains("== Versions"))
        #expect(b.contains("OpenSSL:         OpenSSL "))
        #expect(b.contains("Cyrus SASL:      Cyrus SASL"))
        #expect(b.contains("SASL mechanisms: ") && b.contains("PLAIN"))
        #expect(b.contains("password <set, 12 characters> (environment variable SHOP_SMTP_PASSWORD)"))
        #expect(b.contains("== Transcript (redacted)"))
        #expect(b.contains("<redacted"), "the AUTH line is in the transcript, redacted")
        let t = try String(contentsOfFile: log, encoding: .utf8)
        #expect(t.contains("X-MailEngine-Self-Test") || t.contains("DATA"))
        expectNoSecrets(r, files: [log, bundle])
    }

    @Test func wrongIMAPPasswordGivesDiagnosisJSONAndExit5() async throws {
        let bundle = dir + "/bundle-wrong.txt"
        let r = try await mailprobe(["check", "--config", try ini(), "--self-test", "--json", "--bundle", bundle,
                                     "--delivery-timeout", "5"], imapPassword: Self.wrongIMAPPassword)
        #expect(r.status == 5, "\(r.stdout)\(r.stderr)")
        let o = try json(r)
        #expect(o["ok"] as? Bool == false)
        #expect((o["verdict"] as? String)?.hasPrefix("Sending works. Receiving fails: the password for alice@example.test") == true)
        let imap = try #require(o["imap"] as? [[String: Any]])
        let login = try #require(imap.first { $0["name"] as? String == "LOGIN" })
        #expect(login["status"] as? String == "failed")
        let d = try #require(login["diagnosis"] as? [String: Any])
        #expect(d["id"] as? String == "imap.authentication-failed")
        for key in ["cause", "fix", "evidence"] { #expect((d[key] as? String)?.isEmpty == false, "\(key)") }
        let smtp = try #require(o["smtp"] as? [[String: Any]])
        #expect(smtp.first { $0["name"] as? String == "DATA" }?["status"] as? String == "passed")
        let b = try String(contentsOfFile: bundle, encoding: .utf8)
        #expect(b.contains("imap.authentication-failed"))
        #expect(b.contains("password <set, 17 characters>"))
        expectNoSecrets(r, files: [bundle])
    }

    @Test func startTLSOnPort465IsATLSExitWithTheFix() async throws {
        let r = try await mailprobe(["check", "--config", try ini(smtp: "submissions", smtpSecurity: "starttls"),
                                     "--greeting-timeout", "2"])
        #expect(r.status == 4, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.hasPrefix("Sending fails: "))
        #expect(r.stdout.contains("Receiving works."))
        #expect(r.stdout.contains("FAIL greeting"))
        #expect(r.stdout.contains("(port.starttls-on-implicit-tls-port)"))
        #expect(r.stdout.contains("Fix: "))
        expectNoSecrets(r)
    }

    @Test func quietUntilErrorPrintsNothingOnSuccess() async throws {
        let r = try await mailprobe(["check", "--config", try ini(), "--quiet-until-error"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.isEmpty)
    }

    @Test func passwordOnTheCommandLineIsRefusedWithAHint() async throws {
        let r = try await mailprobe(["check", "--config", try ini(), "--password", Self.commandLinePassword])
        #expect(r.status == 64)
        #expect(r.stderr.contains("visible to every user"), "\(r.stderr)")
        #expect(r.stderr.contains("password_env"))
        let s = try await mailprobe(["send", "--config", try ini(), "--to", "bob@example.test",
                                     "--password", Self.commandLinePassword])
        #expect(s.status == 64)
        expectNoSecrets(r)
        expectNoSecrets(s)
    }

    @Test func unsetPasswordVariableWithoutATerminalIsAUsageError() async throws {
        // stdin is not a terminal here: no prompt, no hang; the line naming the variable is shown.
        var env = ProcessInfo.processInfo.environment
        env["SHOP_SMTP_PASSWORD"] = nil
        env["SHOP_IMAP_PASSWORD"] = Self.smtpPassword
        let r = try await run(mailprobePath(), ["check", "--config", try ini()], environment: env)
        #expect(r.status == 64)
        #expect(r.stderr.contains("line 6"), "\(r.stderr)")
        #expect(r.stderr.contains("SHOP_SMTP_PASSWORD"))
        expectNoSecrets(r)
    }

    @Test func settingsLogPathGetsTheTranscriptToo() async throws {
        let log = dir + "/from-settings.log"
        // `log =` in [smtp]: the habit of these apps (LogSMTP=path).
        let path = try ini()
        var text = try String(contentsOfFile: path, encoding: .utf8)
        text = text.replacingOccurrences(of: "password_env = SHOP_SMTP_PASSWORD\n",
                                         with: "password_env = SHOP_SMTP_PASSWORD\nlog = \(log)\n")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let s = try await mailprobe(["check", "--config", path, "--quiet-until-error"])
        #expect(s.status == 0, "\(s.stderr)")
        let t = try String(contentsOfFile: log, encoding: .utf8)
        #expect(t.contains("AUTH") && t.contains("<redacted"))
        #expect(t.contains("verdict: Sending works. Receiving works."))
        expectNoSecrets(s, files: [log])
    }

    @Test func unknownSettingsKeyNamesTheLine() async throws {
        let r = try await mailprobe(["check", "--config", try ini(extra: "colour = red")])
        #expect(r.status == 64)
        #expect(r.stderr.contains("line 19: unknown key \"colour\""), "\(r.stderr)")
    }

    @Test func sendPurchaseOrderFromThePOAddressWithAttachment() async throws {
        let file = dir + "/order.txt"
        try "1 x widget".write(toFile: file, atomically: true, encoding: .utf8)
        let r = try await mailprobe(["send", "--config", try ini(), "--to", "alice@example.test", "--attach", file,
                                     "--purchase-order", "--json"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let o = try json(r)
        #expect(o["from"] as? String == "bob@example.test")
        #expect((o["reply"] as? String)?.contains("queued") == true)
        expectNoSecrets(r)
    }

    @Test func sendWithAWrongPasswordIsExplained() async throws {
        var env = ProcessInfo.processInfo.environment
        env["SHOP_SMTP_PASSWORD"] = Self.wrongIMAPPassword
        env["SHOP_IMAP_PASSWORD"] = Self.wrongIMAPPassword
        let r = try await run(mailprobePath(), ["send", "--config", try ini(), "--to", "alice@example.test"], environment: env)
        #expect(r.status == 5, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("(auth.wrong-password)"))
        expectNoSecrets(r)
    }

    /// An attachment bigger than the SIZE of Postfix `submission_small` (65536): `send` and the
    /// self-test both name it before sending, with exit 6 (sending).
    @Test func attachmentBiggerThanSIZEIsNamedBySendAndCheck() async throws {
        let file = dir + "/invoices-batch.pdf"
        var rng = SeededRNG(seed: 65)
        try Data((0..<90_000).map { _ in UInt8.random(in: 0...255, using: &rng) }).write(to: URL(fileURLWithPath: file))
        let config = try ini(smtp: "submission_small")
        let send = try await mailprobe(["send", "--config", config, "--to", "alice@example.test", "--attach", file])
        #expect(send.status == 6, "\(send.stdout)\(send.stderr)")
        #expect(send.stdout.contains("(message.exceeds-advertised-size)"), "\(send.stdout)")
        expectNoSecrets(send)
        let check = try await mailprobe(["check", "--config", config, "--self-test", "--attach", file, "--json"])
        #expect(check.status == 6, "\(check.stdout)\(check.stderr)")
        let smtp = try #require(try json(check)["smtp"] as? [[String: Any]])
        let data = try #require(smtp.last { $0["name"] as? String == "DATA" })
        #expect((data["diagnosis"] as? [String: Any])?["id"] as? String == "message.exceeds-advertised-size", "\(data)")
        expectNoSecrets(check)
    }

    @Test func detectFindsTheLocalServersFromAutoconfig() async throws {
        func server(_ type: String, _ name: String, _ socket: String) throws -> String {
            let tag = type == "imap" ? "incomingServer" : "outgoingServer"
            return "<\(tag) type=\"\(type)\"><hostname>localhost</hostname><port>\(try servers.port(name))</port>"
                + "<socketType>\(socket)</socketType><username>%EMAILADDRESS%</username>"
                + "<authentication>password-cleartext</authentication></\(tag)>"
        }
        let xml = "<clientConfig version=\"1.1\"><emailProvider id=\"shop.invalid\"><domain>shop.invalid</domain>"
            + (try server("smtp", "tls_expired_probe", "SSL")) + (try server("smtp", "submission", "STARTTLS"))
            + (try server("imap", "imaps", "SSL")) + "</emailProvider></clientConfig>"
        let http = try await LocalHTTPServer.start(files: ["shop.invalid.xml": xml])
        let port = http.port
        let r = try await run(mailprobePath(), ["detect", "till@shop.invalid", "--json", "--no-guess", "--ispdb-base", "none",
                                                "--autoconfig-url", "http://127.0.0.1:\(port)/{domain}.xml",
                                                "--ca-file", servers.tls("ca.crt"), "--timeout", "8"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let o = try json(r)
        let best = try #require(o["best"] as? [String: Any])
        let smtp = try #require(best["smtp"] as? [String: Any])
        #expect(smtp["port"] as? Int == Int(try servers.port("submission")), "587 wins over 465 with an expired certificate")
        #expect(smtp["security"] as? String == "starttls")
        let imap = try #require(best["imap"] as? [String: Any])
        #expect(imap["port"] as? Int == Int(try servers.port("imaps")))
        let all = try #require(o["smtp"] as? [[String: Any]])
        let expired = all.first { $0["port"] as? Int == Int(try! servers.port("tls_expired_probe")) }
        #expect((expired?["diagnosis"] as? [String: Any])?["id"] as? String == "tls.certificate-expired")
        let text = try await run(mailprobePath(), ["detect", "till@shop.invalid", "--no-guess", "--ispdb-base", "none",
                                                   "--autoconfig-url", "http://127.0.0.1:\(port)/{domain}.xml",
                                                   "--ca-file", servers.tls("ca.crt"), "--timeout", "8"])
        #expect(text.stdout.contains("Sending (SMTP): localhost port \(try servers.port("submission")), STARTTLS"), "\(text.stdout)")
    }

    @Test func detectRefusesSomethingThatIsNotAnAddress() async throws {
        let r = try await run(mailprobePath(), ["detect", "not an address", "--no-guess", "--ispdb-base", "none"])
        #expect(r.status == 64)
    }


}
