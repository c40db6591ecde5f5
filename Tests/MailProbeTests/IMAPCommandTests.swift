import Foundation
import TestSupport
import Testing

/// `mailprobe imap` as a user runs it, against the real Dovecot of `scripts/servers`: the built
/// binary, its output, JSON and exit status, and no password anywhere.
@Suite("mailprobe imap", .serialized)
struct IMAPCommandTests {
    let servers: TestServers
    init() throws { servers = try TestServers.load() }

    static let user = "alice@example.test"
    static let password = "alice-secret"
    static let environment: [String: String] = ProcessInfo.processInfo.environment.merging(
        ["PROBE_PW": IMAPCommandTests.password, "PROBE_BAD_PW": "not-the-password", "PROBE_TOKEN": IMAPCommandTests.token]) { $1 }
    static let token = "ya29.probe-token-\(UUID().uuidString)"

    func probe(_ args: [String]) async throws -> CommandResult {
        try await run(mailprobePath(), ["imap"] + args, environment: Self.environment)
    }

    func account(_ portName: String, _ security: String, password: String = "PROBE_PW") throws -> [String] {
        ["--host", "localhost", "--port", "\(try servers.port(portName))", "--security", security,
         "--user", Self.user, "--password-env", password, "--ca-file", servers.tls("ca.crt"), "--timeout", "10"]
    }

    func json(_ r: CommandResult) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "\(r.stdout)\(r.stderr)")
    }

    /// A fresh mailbox of alice's holding `messages`, delivered with `doveadm save`.
    func seededMailbox(_ messages: [String]) async throws -> String {
        let name = "probe-\(UUID().uuidString.prefix(8))"
        try await doveadm(["mailbox", "create", "-u", Self.user, name])
        for m in messages { try await doveadm(["save", "-u", Self.user, "-m", name], input: m) }
        return name
    }

    func removeMailbox(_ name: String) async {
        _ = try? await doveadm(["mailbox", "delete", "-u", Self.user, name])
    }

    func doveadm(_ arguments: [String], input: String? = nil) async throws {
        let path = try #require(ProcessInfo.processInfo.environment["MAILENGINE_SERVERS"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        let conf = try #require(object["doveconf"] as? String)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("probe-\(UUID().uuidString).eml")
        try Data((input ?? "").utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let r = try await run("/bin/sh", ["-c", "exec /usr/bin/doveadm -c \"$0\" \"$@\" < \"\(file.path)\"", conf] + arguments)
        #expect(r.status == 0, "doveadm \(arguments.joined(separator: " ")): \(r.stderr)")
    }

    static func message(subject: String, from: String, date: String) -> String {
        "From: \(from)\r\nTo: alice@example.test\r\nSubject: \(subject)\r\nDate: \(date)\r\n"
            + "Message-ID: <\(UUID().uuidString)@example.test>\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: text/plain; charset=utf-8\r\n\r\nHallo.\r\n"
    }

    /// Three messages; the newest two have RFC 2047 encoded subjects and sender names.
    static let seed = [
        message(subject: "Invoice 1042", from: "shop@example.test", date: "Mon, 30 Nov 2026 08:00:00 +0000"),
        message(subject: "=?UTF-8?Q?Rechnung_f=C3=BCr_M=C3=BCller?=", from: "=?ISO-8859-1?Q?J=F6rg_B=E4r?= <joerg@example.test>",
                date: "Tue, 01 Dec 2026 08:00:00 +0000"),
        message(subject: "=?UTF-8?B?0JfQsNC60LDQtyDihJYgNw==?=", from: "bob@example.test", date: "Tue, 01 Dec 2026 09:00:00 +0100"),
    ]

    @Test func implicitTLSLogsInAndShowsTheNewestMessagesDecoded() async throws {
        let box = try await seededMailbox(Self.seed)
        let r = try await probe(try account("imaps", "tls") + ["--mailbox", box, "--fetch", "2"])
        await removeMailbox(box)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.hasPrefix("IMAP OK: localhost:"))
        #expect(r.stdout.contains("\(box) has 3 messages"))
        for stage in ["greeting", "AUTH", "LIST", "SELECT", "FETCH"] {
            #expect(r.stdout.contains("  \(stage.padding(toLength: 14, withPad: " ", startingAt: 0))ok  "), "no \(stage) line")
        }
        #expect(r.stdout.contains("Sent  \\Sent"))
        #expect(r.stdout.contains("Заказ № 7"))
        #expect(r.stdout.contains("Jörg Bär <joerg@example.test>  Rechnung für Müller"))
        #expect(!r.stdout.contains("Invoice 1042"), "--fetch 2 shows only the newest two")
        #expect(!r.stdout.contains(Self.password) && !r.stderr.contains(Self.password))
    }

    @Test func startTLSJSONHasTheDocumentedFields() async throws {
        let box = try await seededMailbox(Self.seed)
        let r = try await probe(try account("imap", "starttls") + ["--mailbox", box, "--json"])
        await removeMailbox(box)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let o = try json(r)
        #expect(o["ok"] as? Bool == true)
        #expect(o["stage"] as? String == "FETCH")
        #expect(o["error"] is NSNull)
        let tls = try #require(o["tls"] as? [String: Any])
        #expect(tls["trusted"] as? Bool == true)
        #expect((tls["version"] as? String)?.hasPrefix("TLS 1.") == true)
        let caps = try #require(o["capabilities"] as? [String])
        #expect(caps.contains("IMAP4rev1") && !caps.contains("STARTTLS"), "capabilities re-read after login")
        let folders = try #require(o["folders"] as? [[String: Any]])
        #expect(folders.contains { $0["name"] as? String == "Sent" && $0["specialUse"] as? String == "\\Sent" })
        #expect(folders.contains { $0["name"] as? String == box })
        let mailbox = try #require(o["mailbox"] as? [String: Any])
        #expect(mailbox["name"] as? String == box)
        #expect(mailbox["exists"] as? Int == 3)
        #expect((mailbox["uidValidity"] as? Int ?? 0) > 0)
        #expect(mailbox["uidNext"] as? Int == 4)
        let messages = try #require(o["messages"] as? [[String: Any]])
        #expect(messages.map { $0["uid"] as? Int } == [3, 2, 1])
        #expect(messages.map { $0["subject"] as? String } == ["Заказ № 7", "Rechnung für Müller", "Invoice 1042"])
        #expect(messages[1]["from"] as? String == "Jörg Bär <joerg@example.test>")
        #expect(messages[0]["date"] as? String == "2026-12-01T08:00:00Z")
        #expect((messages[2]["size"] as? Int ?? 0) > 100)
    }

    @Test func wrongPasswordExitsFiveAtTheAuthStage() async throws {
        let log = NSTemporaryDirectory() + "mailprobe-imap-\(UUID().uuidString).log"
        defer { try? FileManager.default.removeItem(atPath: log) }
        let r = try await probe(try account("imaps", "tls", password: "PROBE_BAD_PW") + ["--json", "--log", log])
        #expect(r.status == 5, "\(r.stdout)\(r.stderr)")
        let o = try json(r)
        #expect(o["ok"] as? Bool == false)
        #expect(o["stage"] as? String == "AUTH")
        #expect((o["error"] as? String)?.contains("AUTHENTICATIONFAILED") == true, "\(o["error"] ?? "")")
        let transcript = try String(contentsOfFile: log, encoding: .utf8)
        #expect(transcript.contains("AUTHENTICATE SCRAM-SHA-256"))
        for secret in ["not-the-password", Self.password] {
            #expect(!transcript.contains(secret) && !r.stdout.contains(secret) && !r.stderr.contains(secret))
        }
    }

    @Test func logHasTheTranscriptWithoutThePassword() async throws {
        let log = NSTemporaryDirectory() + "mailprobe-imap-\(UUID().uuidString).log"
        defer { try? FileManager.default.removeItem(atPath: log) }
        let passwordFile = NSTemporaryDirectory() + "mailprobe-imap-\(UUID().uuidString).pw"
        defer { try? FileManager.default.removeItem(atPath: passwordFile) }
        try "\(Self.password)\n".write(toFile: passwordFile, atomically: true, encoding: .utf8)
        let args = ["--host", "localhost", "--port", "\(try servers.port("imap"))", "--security", "starttls",
                    "--user", Self.user, "--password-file", passwordFile, "--ca-file", servers.tls("ca.crt"), "--log", log]
        let r = try await probe(args)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let transcript = try String(contentsOfFile: log, encoding: .utf8)
        let lines = transcript.split(separator: "\n")
        #expect(lines.contains { $0.hasSuffix(" STARTTLS") && $0.contains("->") })
        #expect(lines.contains { $0.contains("SELECT") || $0.contains("EXAMINE") })
        #expect(lines.contains { $0.contains("LOGOUT") })
        #expect(!transcript.contains(Self.password))
        #expect(!transcript.contains(Data(Self.password.utf8).base64EncodedString()))
        // The next run appends.
        _ = try await probe(args)
        let again = try String(contentsOfFile: log, encoding: .utf8)
        #expect(again.count > transcript.count && again.hasPrefix(transcript))
    }

    @Test func unknownMailboxExitsSeven() async throws {
        let r = try await probe(try account("imaps", "tls") + ["--mailbox", "no-such-\(UUID().uuidString.prefix(6))", "--json"])
        #expect(r.status == 7, "\(r.stdout)\(r.stderr)")
        let o = try json(r)
        #expect(o["stage"] as? String == "SELECT")
        #expect(o["ok"] as? Bool == false)
        #expect((o["folders"] as? [Any])?.isEmpty == false, "folders listed before the failure")
    }

    @Test func portAndTLSMixUpsExitWithTheTLSOrGreetingStatus() async throws {
        // Implicit TLS to the STARTTLS port: the server greets in plain text, no handshake.
        let a = try await probe(try account("imap", "tls") + ["--json", "--timeout", "5"])
        #expect(a.status == 4, "\(a.stdout)\(a.stderr)")
        #expect(try json(a)["stage"] as? String == "TLS")
        #expect(try json(a)["hint"] as? String == "this port speaks plain text first: try --security starttls")
        // STARTTLS to the implicit-TLS port: no plain-text greeting ever comes.
        let b = try await probe(try account("imaps", "starttls") + ["--json", "--timeout", "3"])
        #expect([3, 4].contains(b.status), "\(b.stdout)\(b.stderr)")
        #expect(try json(b)["ok"] as? Bool == false)
        #expect((try json(b)["hint"] as? String)?.contains("--security tls") == true, "\(b.stdout)")
        // Nothing listening.
        let c = try await probe(["--host", "127.0.0.1", "--port", "1", "--security", "tls", "--user", Self.user,
                                 "--password-env", "PROBE_PW", "--json"])
        #expect(c.status == 2, "\(c.stdout)\(c.stderr)")
    }

    /// `--greeting-timeout`: STARTTLS to the implicit-TLS port (no plain-text greeting ever
    /// comes) is named after it, long before the 30 s step timeout.
    @Test func greetingTimeoutNamesTheMixUpBeforeTheStepTimeout() async throws {
        let started = ContinuousClock.now
        let r = try await probe(try account("imaps", "starttls") + ["--json", "--timeout", "30", "--greeting-timeout", "1"])
        #expect([3, 4].contains(r.status), "\(r.stdout)\(r.stderr)")
        #expect((try json(r)["hint"] as? String)?.contains("--security tls") == true, "\(r.stdout)")
        #expect(started.duration(to: .now) < .seconds(15))
        let refused = try await probe(try account("imaps", "tls") + ["--greeting-timeout", "700"])
        #expect(refused.status == 64 && refused.stderr.contains("--greeting-timeout"), "\(refused.stderr)")
    }

    @Test func securityNoneLogsInOnlyWithAMechanismThatHidesThePassword() async throws {
        // Dovecot offers SCRAM-SHA-256 outside TLS: the password itself never crosses the wire.
        let log = NSTemporaryDirectory() + "mailprobe-imap-\(UUID().uuidString).log"
        defer { try? FileManager.default.removeItem(atPath: log) }
        let r = try await probe(try account("imap", "none") + ["--json", "--log", log])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let o = try json(r)
        #expect(o["tls"] is NSNull)
        #expect(o["mechanism"] as? String == "SCRAM-SHA-256")
        let transcript = try String(contentsOfFile: log, encoding: .utf8)
        #expect(!transcript.contains(Self.password) && !transcript.contains("AUTHENTICATE PLAIN"))
    }

    /// A plain-text server offering only PLAIN, or no AUTH= at all (LOGIN fallback).
    func plaintextServer(_ capabilities: String, then steps: [ScriptedPeer.Step] = [.readUntilClosed]) throws -> ScriptedPeer {
        try ScriptedPeer([.send("* OK [CAPABILITY IMAP4rev1 \(capabilities)] scripted")] + steps)
    }

    func plaintextArgs(_ peer: ScriptedPeer) -> [String] {
        ["--host", "127.0.0.1", "--port", "\(peer.port)", "--security", "none", "--user", "alice",
         "--password-env", "PROBE_PW", "--json", "--timeout", "5"]
    }

    @Test func securityNoneRefusesClearTextPasswordsUnlessAllowed() async throws {
        for capabilities in ["AUTH=PLAIN AUTH=LOGIN", ""] {
            let peer = try plaintextServer(capabilities)
            let r = try await probe(plaintextArgs(peer))
            _ = await peer.finish()
            #expect(r.status == 5, "[\(capabilities)] \(r.stdout)\(r.stderr)")
            #expect(try json(r)["ok"] as? Bool == false)
            #expect(!peer.log.contains { $0.contains("LOGIN alice") || $0.contains("AUTHENTICATE") },
                    "[\(capabilities)] nothing secret is sent: \(peer.log)")
        }
        // Opted in: LOGIN goes out (no AUTH= offered), and the probe goes on.
        let peer = try plaintextServer("", then: [
            .expect("A1 LOGIN alice \(Self.password)"),
            .send("A1 OK [CAPABILITY IMAP4rev1] logged in"),
            .expectPrefix("A2 LIST"), .send("* LIST () \"/\" INBOX"), .send("A2 OK done"),
            .expect("A3 EXAMINE INBOX"), .send("* 0 EXISTS"), .send("* OK [UIDVALIDITY 9] v"), .send("* OK [UIDNEXT 1] n"),
            .send("A3 OK [READ-ONLY] examined"),
            .expect("A4 LOGOUT"), .send("* BYE bye"), .send("A4 OK bye"), .readUntilClosed,
        ])
        let r = try await probe(plaintextArgs(peer) + ["--allow-plaintext-password-unsafe"])
        #expect(await peer.finish() == nil)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let o = try json(r)
        #expect(o["mechanism"] as? String == "LOGIN command")
        #expect((o["mailbox"] as? [String: Any])?["uidValidity"] as? Int == 9)
        #expect(!r.stdout.contains(Self.password))
    }

    @Test func oauth2TokenGoesWithOAUTHBEARERAndNeverIntoTheOutput() async throws {
        let log = NSTemporaryDirectory() + "mailprobe-imap-\(UUID().uuidString).log"
        defer { try? FileManager.default.removeItem(atPath: log) }
        let args = ["--host", "127.0.0.1", "--security", "none", "--user", "shop@example.test",
                    "--oauth2-token-env", "PROBE_TOKEN", "--json", "--timeout", "5", "--log", log]
        // Without TLS a bearer token is refused unless the caller opted in.
        let refusing = try plaintextServer("AUTH=XOAUTH2 AUTH=OAUTHBEARER SASL-IR")
        let refused = try await probe(args + ["--port", "\(refusing.port)"])
        _ = await refusing.finish()
        #expect(refused.status == 5, "\(refused.stdout)\(refused.stderr)")
        #expect(!refusing.log.contains { $0.contains("AUTHENTICATE") })

        let peer = try plaintextServer("AUTH=XOAUTH2 AUTH=OAUTHBEARER SASL-IR", then: [
            .expectPrefix("A1 AUTHENTICATE OAUTHBEARER "),
            .send("A1 OK [CAPABILITY IMAP4rev1] logged in"),
            .expectPrefix("A2 LIST"), .send("* LIST (\\HasNoChildren) \"/\" INBOX"), .send("A2 OK done"),
            .expect("A3 EXAMINE INBOX"), .send("* 0 EXISTS"), .send("* OK [UIDVALIDITY 3] v"), .send("A3 OK [READ-ONLY] examined"),
            .expect("A4 LOGOUT"), .send("A4 OK bye"), .readUntilClosed,
        ])
        let r = try await probe(args + ["--port", "\(peer.port)", "--allow-plaintext-password-unsafe"])
        #expect(await peer.finish() == nil)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(try json(r)["mechanism"] as? String == "OAUTHBEARER")
        let transcript = try String(contentsOfFile: log, encoding: .utf8)
        #expect(transcript.contains("AUTHENTICATE OAUTHBEARER"))
        for text in [r.stdout, r.stderr, transcript] { #expect(!text.contains(Self.token) && !text.contains("probe-token")) }
    }

    @Test func badArgumentsExitSixtyFourBeforeConnecting() async throws {
        let base = ["--host", "localhost", "--port", "1", "--security", "tls", "--user", Self.user]
        let onCommandLine = try await probe(base + ["--password", Self.password])
        #expect(onCommandLine.status == 64)
        #expect(onCommandLine.stderr.contains("--password-env"), "\(onCommandLine.stderr)")
        let cases: [[String]] = [
            base,                                                         // no secret
            base + ["--password-env", "PROBE_PW", "--password-file", "/x"], // two secrets
            base + ["--password-env", "PROBE_UNSET_\(UUID().uuidString.prefix(4))"],
            base + ["--password-env", "PROBE_PW", "--fetch", "-1"],
            base + ["--password-env", "PROBE_PW", "--timeout", "0"],
            ["--host", "localhost", "--port", "1", "--security", "ssl", "--user", Self.user, "--password-env", "PROBE_PW"],
            base + ["--password-env", "PROBE_PW", "--allow-plaintext-password-unsafe"],
        ]
        for args in cases {
            let r = try await probe(args)
            #expect(r.status == 64, "\(args): \(r.stdout)\(r.stderr)")
            #expect(!r.stderr.contains("connect"), "\(args): must fail before connecting")
        }
    }
}
