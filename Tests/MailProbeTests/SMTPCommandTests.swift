import Foundation
import TestSupport
import Testing

/// `mailprobe smtp` as a user runs it: the built binary against real Postfix (submission and
/// submissions) and the XOAUTH2 aiosmtpd; its output, JSON, exit status and transcript file, which
/// never hold the password.
@Suite("mailprobe smtp", .serialized)
struct SMTPCommandTests {
    let servers: TestServers
    let maildir: String
    init() throws {
        servers = try TestServers.load()
        let path = ProcessInfo.processInfo.environment["MAILENGINE_SERVERS"]!
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
        maildir = object?["maildir"] as? String ?? "\(servers.dir)/mail"
    }

    static let password = "alice-secret"

    func probe(_ args: [String], env: [String: String] = [:]) async throws -> CommandResult {
        var environment = ProcessInfo.processInfo.environment
        for (k, v) in env { environment[k] = v }
        return try await run(mailprobePath(), ["smtp"] + args, environment: environment)
    }

    func json(_ r: CommandResult) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "\(r.stdout)\(r.stderr)")
    }

    func postfix(_ name: String, _ security: String) throws -> [String] {
        ["--host", "localhost", "--port", "\(try servers.port(name))", "--security", security,
         "--ca-file", servers.tls("ca.crt")]
    }

    static func temp(_ name: String) -> String { NSTemporaryDirectory() + "mailprobe-smtp-\(UUID().uuidString)-\(name)" }

    /// No form of the password in any output.
    func expectNoPassword(_ texts: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        let plain = Data([0] + Array("alice@example.test".utf8) + [0] + Array(Self.password.utf8)).base64EncodedString()
        for text in texts {
            #expect(!text.contains(Self.password) && !text.contains(plain)
                    && !text.contains(Data(Self.password.utf8).base64EncodedString()), sourceLocation: sourceLocation)
        }
    }

    @Test func settingsTestStopsAfterAUTH() async throws {
        let r = try await probe(try postfix("submission", "starttls") + ["--user", "alice@example.test", "--password-env", "PW"],
                          env: ["PW": Self.password])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.hasPrefix("SMTP OK: localhost:"))
        #expect(r.stdout.contains("with SCRAM-SHA-256 (settings test; nothing sent)"))
        for stage in ["connect", "greeting", "EHLO", "TLS", "AUTH"] {
            #expect(r.stdout.contains("\n  \(stage) "), "no \(stage) line: \(r.stdout)")
        }
        #expect(!r.stdout.contains("MAIL/RCPT") && !r.stdout.contains("recipients:"))
        let j = try json(try await probe(try postfix("submissions", "tls") + ["--user", "alice@example.test", "--password-env", "PW", "--json"],
                                   env: ["PW": Self.password]))
        #expect(j["ok"] as? Bool == true && j["stage"] as? String == "AUTH" && j["error"] is NSNull)
        #expect((j["auth"] as? [String: Any])?["mechanism"] as? String == "SCRAM-SHA-256")
        #expect((j["tls"] as? [String: Any])?["version"] as? String == "TLS 1.3")
        #expect((j["capabilities"] as? [String])?.contains("PIPELINING") == true)
        #expect((j["recipients"] as? [Any])?.isEmpty == true && j["queueId"] is NSNull)
        expectNoPassword([r.stdout, r.stderr])
    }

    @Test(.offCooperativePool) func sendsWithAttachmentThroughPostfix() async throws {
        let id = UUID().uuidString
        let attachment = Self.temp("Lieferschein 7.pdf")
        let pdf = Data("%PDF-1.4\n".utf8) + Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7919 >> 3) })
        try pdf.write(to: URL(fileURLWithPath: attachment))
        let passwordFile = Self.temp("pw")
        try Data((Self.password + "\n").utf8).write(to: URL(fileURLWithPath: passwordFile))
        let body = Self.temp("body.txt")
        try Data(".first line starts with a dot\nGrüße\n".utf8).write(to: URL(fileURLWithPath: body))
        let html = Self.temp("body.html")
        try Data("<p>Grüße</p>\n".utf8).write(to: URL(fileURLWithPath: html))
        let log = Self.temp("log")
        defer { for f in [attachment, passwordFile, body, html, log] { try? FileManager.default.removeItem(atPath: f) } }
        let r = try await probe(try postfix("submissions", "tls") + [
            "--user", "alice@example.test", "--password-file", passwordFile, "--mechanism", "PLAIN",
            "--from", "Jörg Müller <alice@example.test>", "--to", "bob@example.test", "--to", "nobody@example.test",
            "--cc", "Søren <alice@example.test>", "--reply-to", "accounts@example.test", "--subject", "Lieferschein \(id)",
            "--bcc", "sink@example.test", "--body-file", body, "--html-file", html, "--header", "X-Order: 7",
            "--attach", attachment, "--log", log, "--json",
        ])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let j = try json(r)
        #expect(j["ok"] as? Bool == true && j["stage"] as? String == "DATA")
        #expect((j["auth"] as? [String: Any])?["mechanism"] as? String == "PLAIN")
        let recipients = try #require(j["recipients"] as? [[String: Any]])
        #expect(recipients.map { $0["address"] as? String }
                == ["bob@example.test", "nobody@example.test", "alice@example.test", "sink@example.test"])
        #expect(recipients.map { $0["accepted"] as? Bool } == [true, false, true, true])
        #expect(recipients[1]["code"] as? Int == 550 && (recipients[1]["text"] as? String)?.contains("User unknown") == true)
        let queueID = try #require(j["queueId"] as? String)
        #expect(!queueID.isEmpty)
        let stages = try #require(j["stages"] as? [[String: Any]]).map { $0["name"] as? String }
        #expect(stages == ["connect", "TLS", "greeting", "EHLO", "AUTH", "MAIL/RCPT", "DATA"])
        let transcript = try String(contentsOfFile: log, encoding: .utf8)
        #expect(transcript.contains("~> AUTH PLAIN <redacted: credentials of alice@example.test>"))
        #expect(transcript.contains("bytes, mixed(alternative(text/plain, text/html), application/pdf \"\((attachment as NSString).lastPathComponent)\")>"))
        expectNoPassword([r.stdout, r.stderr, transcript])
        // Delivered to bob, with the attachment's name and the dot line intact.
        var delivered: String?
        for _ in 0..<200 where delivered == nil {
            for sub in ["new", "cur"] {
                let dir = "\(maildir)/bob@example.test/Maildir/\(sub)"
                for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] {
                    let text = (try? String(contentsOfFile: "\(dir)/\(name)", encoding: .utf8)) ?? ""
                    if text.contains("Lieferschein \(id)") { delivered = text }
                }
            }
            if delivered == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        let text = try #require(delivered)
        #expect(text.contains("X-Order: 7") && text.contains("Reply-To: accounts@example.test"))
        #expect(text.contains("\n.first line starts with a dot\n"))
        #expect(!text.contains("sink@example.test"), "Bcc must not be written")
        #expect(text.contains("Content-Type: application/pdf;") && text.contains("Content-Disposition: attachment;"))
    }

    /// Peak RSS (KiB) of one `mailprobe smtp` run, measured by a Python parent (RUSAGE_CHILDREN).
    func peakRSS(_ args: [String]) async throws -> (status: Int32, kib: Int) {
        let script = "import resource,subprocess,sys; r=subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL); "
            + "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
        var environment = ProcessInfo.processInfo.environment
        environment["PW"] = Self.password
        let r = try await run("/usr/bin/python3", ["-c", script, mailprobePath(), "smtp"] + args, environment: environment)
        let parts = r.stdout.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        return (Int32(parts.first ?? -1), parts.count > 1 ? parts[1] : -1)
    }

    /// The body is streamed: a 24 MB attachment (a 32 MB message once base64-encoded) costs the
    /// process no more memory than a few buffers over a run that sends nothing.
    @Test func bigAttachmentIsStreamedInBoundedMemory() async throws {
        let attachment = Self.temp("scan.bin")
        var bytes = [UInt8](repeating: 0, count: 24_000_000)
        var x: UInt64 = 0x9E37_79B9_7F4A_7C15
        for i in bytes.indices { x = x &* 6364136223846793005 &+ 1442695040888963407; bytes[i] = UInt8(truncatingIfNeeded: x >> 33) }
        try Data(bytes).write(to: URL(fileURLWithPath: attachment))
        defer { try? FileManager.default.removeItem(atPath: attachment) }
        let login = try postfix("submissions", "tls") + ["--user", "alice@example.test", "--password-env", "PW"]
        let baseline = try await peakRSS(login)
        let big = try await peakRSS(login + ["--from", "alice@example.test", "--to", "bob@example.test", "--attach", attachment])
        #expect(baseline.status == 0 && big.status == 0)
        #expect(baseline.kib > 0 && big.kib > 0)
        #expect(big.kib - baseline.kib < 16_000, "settings test \(baseline.kib) KiB, 32 MB message \(big.kib) KiB")
    }

    @Test func humanOutputListsRecipientsAfterTheStages() async throws {
        let r = try await probe(try postfix("submission", "starttls") + [
            "--user", "alice@example.test", "--password-env", "PW",
            "--from", "alice@example.test", "--to", "nobody@example.test", "--to", "bob@example.test",
        ], env: ["PW": Self.password])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first?.hasPrefix("SMTP OK: localhost:") == true)
        #expect(lines.first?.contains("accepted the message for 1 of 2 recipients (queue id ") == true)
        let data = try #require(lines.firstIndex { $0.hasPrefix("  DATA ") })
        let header = try #require(lines.firstIndex(of: "recipients:"))
        #expect(data < header)
        #expect(lines.contains { $0.hasPrefix("  nobody@example.test  REFUSED  550 5.1.1") })
        #expect(lines.contains { $0.hasPrefix("  bob@example.test  accepted  250") })
        #expect(lines.contains { $0.range(of: #"^  MAIL/RCPT +\d+ ms"#, options: .regularExpression) != nil })
    }

    @Test func wrongPasswordExitsFiveAtAUTH() async throws {
        let log = Self.temp("log")
        defer { try? FileManager.default.removeItem(atPath: log) }
        let r = try await probe(try postfix("submission", "starttls") + ["--user", "alice@example.test", "--password-env", "PW",
                                                                     "--mechanism", "LOGIN", "--json", "--log", log],
                          env: ["PW": "wrong-password-9"])
        #expect(r.status == 5, "\(r.stdout)\(r.stderr)")
        let j = try json(r)
        #expect(j["ok"] as? Bool == false && j["stage"] as? String == "AUTH")
        #expect((j["error"] as? String)?.contains("535 5.7.8") == true)
        let transcript = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        for text in [r.stdout, r.stderr, transcript] {
            #expect(!text.contains("wrong-password-9") && !text.contains(Data("wrong-password-9".utf8).base64EncodedString()))
        }
    }

    /// STARTTLS asked of the implicit-TLS port, and implicit TLS of the STARTTLS port: named,
    /// and status 4 (TLS) as the README's table says for the port mix-up.
    @Test func portMixUpIsNamedAndExitsFour() async throws {
        let implicitPort = try await probe(try postfix("submissions", "starttls") + ["--timeout", "1", "--json"])
        #expect(implicitPort.status == 4, "\(implicitPort.stdout)")
        #expect((try json(implicitPort)["error"] as? String)?.contains("this port expects implicit TLS") == true)
        let startTLSPort = try await probe(try postfix("submission", "tls"))
        #expect(startTLSPort.status == 4, "\(startTLSPort.stdout)")
        #expect(startTLSPort.stdout.hasPrefix("SMTP FAILED at TLS: the server answered in plain text"))
    }

    /// `--greeting-timeout` bounds only the wait for the greeting: STARTTLS to the implicit-TLS
    /// port is named after it, long before the 30 s step timeout.
    @Test func greetingTimeoutNamesTheMixUpBeforeTheStepTimeout() async throws {
        let started = ContinuousClock.now
        let r = try await probe(try postfix("submissions", "starttls") + ["--timeout", "30", "--greeting-timeout", "1", "--json"])
        #expect(r.status == 4, "\(r.stdout)\(r.stderr)")
        #expect((try json(r)["error"] as? String)?.contains("this port expects implicit TLS") == true, "\(r.stdout)")
        #expect(started.duration(to: .now) < .seconds(15))
        let refused = try await probe(try postfix("submission", "starttls") + ["--greeting-timeout", "0"])
        #expect(refused.status == 64 && refused.stderr.contains("--greeting-timeout"), "\(refused.stderr)")
    }

    @Test func expiredOAuthTokenExitsFiveWithTheReason() async throws {
        let r = try await probe(["--host", "localhost", "--port", "\(try servers.port("smtp_oauth"))", "--security", "starttls",
                           "--ca-file", servers.tls("ca.crt"), "--user", "shop@example.test",
                           "--oauth2-token-env", "TOKEN", "--json"], env: ["TOKEN": "ya29.expired-token-for-tests"])
        #expect(r.status == 5, "\(r.stdout)\(r.stderr)")
        let j = try json(r)
        #expect((j["explanation"] as? String)?.contains("expired") == true)
        #expect(!r.stdout.contains("ya29.expired-token-for-tests"))
        let good = try await probe(["--host", "localhost", "--port", "\(try servers.port("smtp_oauth"))", "--security", "starttls",
                              "--ca-file", servers.tls("ca.crt"), "--user", "shop@example.test",
                              "--oauth2-token-env", "TOKEN"], env: ["TOKEN": "ya29.good-token-for-tests"])
        #expect(good.status == 0, "\(good.stdout)")
        #expect(good.stdout.contains("with XOAUTH2"))
    }

    /// Every bad input is refused with status 64 before any connection: port 1 has no listener,
    /// so a connection attempt would end with status 2 instead.
    @Test func badInputIsRefusedBeforeConnecting() async throws {
        let base = ["--host", "127.0.0.1", "--port", "1", "--security", "starttls"]
        let send = ["--from", "alice@example.test", "--to", "bob@example.test"]
        let cases: [([String], String)] = [
            (send + ["--subject", "Invoice\r\nBcc: victim@example.test"], "Subject"),
            (send + ["--header", "X-Note: a\nBcc: victim@example.test"], "--header"),
            (send + ["--header", "no colon here"], "is not \"Name: value\""),
            (send + ["--header", "Content-Type: text/html"], "--header"),
            (["--from", "not an address", "--to", "bob@example.test"], "--from not an address is not a valid address"),
            (["--from", "alice@example.test", "--to", "bob@@example"], "--to bob@@example is not a valid address"),
            (["--from", "alice@example.test"], "needs --from and at least one --to"),
            (["--user", "alice@example.test", "--password", "alice-secret"], "refusing a secret on the command line"),
            (["--user", "alice@example.test", "--password-env", "MAILPROBE_UNSET_VARIABLE"], "MAILPROBE_UNSET_VARIABLE is not set"),
            (send + ["--attach", "/nonexistent/file.pdf"], "--attach /nonexistent/file.pdf is not a readable file"),
        ]
        for (args, words) in cases {
            let r = try await probe(base + args)
            #expect(r.status == 64, "\(args): \(r.stdout)\(r.stderr)")
            #expect(r.stderr.contains(words), "\(args): \(r.stderr)")
            #expect(!r.stderr.contains("alice-secret"))
        }
    }

    @Test func plaintextPasswordNeedsTheUnsafeFlag() async throws {
        let args = ["--host", "127.0.0.1", "--port", "1", "--security", "none", "--user", "alice@example.test",
                    "--password-env", "PW", "--mechanism", "PLAIN"]
        let refused = try await probe(args, env: ["PW": Self.password])
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("would send the password unencrypted"))
        #expect(refused.stderr.contains("--allow-plaintext-password-unsafe"))
        // With the flag the command goes on (and fails to connect to port 1: status 2, stage connect).
        let allowed = try await probe(args + ["--allow-plaintext-password-unsafe", "--json"], env: ["PW": Self.password])
        #expect(allowed.status == 2, "\(allowed.stdout)\(allowed.stderr)")
        let j = try json(allowed)
        #expect(j["stage"] as? String == "connect" && j["ok"] as? Bool == false)
    }
}
