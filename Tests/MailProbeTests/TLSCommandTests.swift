import Foundation
import TestSupport
import Testing

/// `mailprobe tls` as a user runs it: the built binary, its output, JSON and exit status.
@Suite("mailprobe tls", .serialized)
struct TLSCommandTests {
    let servers: TestServers
    init() throws { servers = try TestServers.load() }

    func probe(_ args: [String]) async throws -> CommandResult { try await run(mailprobePath(), ["tls"] + args) }

    func json(_ r: CommandResult) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    }

    @Test func trustedServerExitsZeroWithReport() async throws {
        let r = try await probe(["--host", "localhost", "--port", "\(try servers.port("tls_good"))",
                           "--ca-file", servers.tls("ca.crt")])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.hasPrefix("TLS OK: localhost:"))
        #expect(r.stdout.contains("chain trusted yes"))
        #expect(r.stdout.contains("name matches  yes (localhost)"))
    }

    @Test func jsonHasTheDocumentedFields() async throws {
        let r = try await probe(["--host", "localhost", "--port", "\(try servers.port("tls_good"))",
                           "--ca-file", servers.tls("ca.crt"), "--json"])
        #expect(r.status == 0)
        let o = try json(r)
        #expect(o["ok"] as? Bool == true)
        #expect(o["stage"] as? String == "TLS")
        #expect(o["error"] is NSNull)
        let tls = try #require(o["tls"] as? [String: Any])
        #expect(tls["version"] as? String == "TLS 1.3")
        #expect((tls["cipher"] as? String)?.isEmpty == false)
        #expect(tls["trusted"] as? Bool == true)
        #expect(tls["hostnameMatches"] as? Bool == true)
        #expect((tls["notAfter"] as? String)?.hasSuffix("Z") == true)
    }

    @Test func untrustedAndMismatchExitNonZeroWithTheReason() async throws {
        let cases: [(String, String)] = [
            ("tls_selfsigned", "self-signed certificate"),
            ("tls_wrongname", "host name mismatch: certificate is for other.example"),
            ("tls_expired", "certificate has expired (not valid after 2021-01-01)"),
        ]
        for (name, words) in cases {
            let r = try await probe(["--host", "localhost", "--port", "\(try servers.port(name))",
                               "--ca-file", servers.tls("ca.crt"), "--json"])
            #expect(r.status == 4, "\(name): \(r.stdout)")
            let o = try json(r)
            #expect(o["ok"] as? Bool == false)
            #expect((o["error"] as? String)?.contains(words) == true, "\(name): \(o["error"] ?? "")")
            let tls = try #require(o["tls"] as? [String: Any])
            #expect(tls["trusted"] as? Bool == false)
        }
    }

    @Test func pinnedSelfSignedCertificateIsAccepted() async throws {
        let first = try await probe(["--host", "localhost", "--port", "\(try servers.port("tls_selfsigned"))"])
        #expect(first.status == 4)
        let hint = try #require(first.stdout.split(separator: "\n").first { $0.contains("--pin-sha256 ") })
        let pin = String(hint.split(separator: " ").last!)
        let second = try await probe(["--host", "localhost", "--port", "\(try servers.port("tls_selfsigned"))",
                                "--pin-sha256", pin])
        #expect(second.status == 0, "\(second.stdout)")
        #expect(second.stdout.contains("pin matches   yes"))
    }

    @Test func startTLSOverSMTPWithTranscript() async throws {
        let log = NSTemporaryDirectory() + "mailprobe-tls-\(UUID().uuidString).log"
        defer { try? FileManager.default.removeItem(atPath: log) }
        let r = try await probe(["--host", "localhost", "--port", "\(try servers.port("smtp_starttls"))",
                           "--starttls", "smtp", "--ca-file", servers.tls("ca.crt"), "--log", log])
        #expect(r.status == 0, "\(r.stdout)")
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        #expect(lines.contains { $0.hasSuffix(" -> STARTTLS") })
        #expect(lines.contains { $0.contains("<-  220 ") })
        #expect(lines.contains { $0.contains("=== chain trusted") })
    }

    @Test func realPostfixAndDovecotOnEveryPort() async throws {
        let cases: [(String, [String])] = [
            ("submission", ["--starttls", "smtp"]), ("submissions", []),
            ("imap", ["--starttls", "imap"]), ("imaps", []),
        ]
        for (name, extra) in cases {
            let r = try await probe(["--host", "localhost", "--port", "\(try servers.port(name))",
                               "--ca-file", servers.tls("ca.crt"), "--json"] + extra)
            #expect(r.status == 0, "\(name): \(r.stdout)")
            let o = try json(r)
            #expect(o["ok"] as? Bool == true, "\(name)")
        }
    }

    @Test func implicitTLSOnAPlainPortIsNamed() async throws {
        let r = try await probe(["--host", "127.0.0.1", "--port", "\(try servers.port("smtp_plain"))", "--json"])
        #expect(r.status == 4)
        let o = try json(r)
        #expect((o["error"] as? String)?.contains("this port expects STARTTLS or no TLS") == true)
    }

    @Test func badArgumentsAreRefusedBeforeConnecting() async throws {
        let r = try await probe(["--host", "localhost", "--port", "1", "--pin-sha256", "xyz"])
        #expect(r.status == 64)
        #expect(r.stderr.contains("--pin-sha256 takes 64 hex digits"))
    }
}
