import Foundation
import NetIO
import TestSupport
import Testing

@Suite("Transcript")
struct TranscriptTests {
    static let fixed = Date(timeIntervalSince1970: 1_795_342_502.19)  // 2026-11-22T10:15:02.190Z

    @Test func formatMatchesTheDesign() {
        let t = Transcript(clock: { Self.fixed })
        t.received("220 mx.example.com ESMTP Postfix", tls: false)
        t.sent(.line("EHLO pos-terminal-3.local"), tls: false)
        t.fact("TLS 1.3 TLS_AES_256_GCM_SHA384, SNI mx.example.com")
        t.sent(.redacted("AUTH PLAIN", secret: "credentials of shop@example.com"), tls: true)
        t.received("235 2.7.0 Authentication successful", tls: true)
        t.sent(.summary("message: 48213 bytes"), tls: true)
        t.received("550 5.7.1 Relaying denied", tls: true, unexpected: true)
        t.diagnosis("RCPT rejected: the server will not relay for you.")
        t.received("bad\u{0}byte\r", tls: false)
        #expect(t.lastLines == [
            "2026-11-22T10:15:02.190Z <-  220 mx.example.com ESMTP Postfix",
            "2026-11-22T10:15:02.190Z  -> EHLO pos-terminal-3.local",
            "2026-11-22T10:15:02.190Z === TLS 1.3 TLS_AES_256_GCM_SHA384, SNI mx.example.com",
            "2026-11-22T10:15:02.190Z  ~> AUTH PLAIN <redacted: credentials of shop@example.com>",
            "2026-11-22T10:15:02.190Z <~  235 2.7.0 Authentication successful",
            "2026-11-22T10:15:02.190Z  ~> <message: 48213 bytes>",
            "2026-11-22T10:15:02.190Z <~* 550 5.7.1 Relaying denied",
            "2026-11-22T10:15:02.190Z !!! RCPT rejected: the server will not relay for you.",
            "2026-11-22T10:15:02.190Z <-  bad\\x00byte\\x0D",
        ])
    }

    @Test func ringKeepsTheLastLines() {
        let t = Transcript(ringCapacity: 3, clock: { Self.fixed })
        for i in 1...5 { t.fact("line \(i)") }
        #expect(t.lastLines.map { String($0.suffix(6)) } == ["line 3", "line 4", "line 5"])
        #expect(t.tail(2).count == 2)
    }
}

/// A whole STARTTLS session against real aiosmtpd, logged to a file, checked line by line.
@Suite("Transcript of a real STARTTLS session", .serialized)
struct TranscriptFileTests {
    @Test func startTLSSessionIsLoggedAndRedacted() async throws {
        let servers = try TestServers.load()
        let path = NSTemporaryDirectory() + "transcript-\(UUID().uuidString).log"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let transcript = Transcript(sinks: [try FileTranscriptSink(path: path)])
        let secret = "hunter2-S3cret"
        let authArgument = Data("\u{0}shop@example.com\u{0}\(secret)".utf8).base64EncodedString()

        let c = try await Connection.connect(
            to: Endpoint(host: "localhost", port: try servers.port("smtp_starttls")), security: .startTLS,
            transcript: transcript)
        #expect(try await c.readGreetingLine(timeout: .seconds(5)).starts(with: Array("220".utf8)))
        try await c.writeLine("EHLO client.example")
        var line = ""
        repeat { line = try await c.readLineString() } while line.hasPrefix("250-")
        try await c.writeLine("STARTTLS")
        #expect(try await c.readLineString().hasPrefix("220"))
        let report = try await c.upgradeToTLS(.init(trust: .caFile(servers.tls("ca.crt"))))
        #expect(report.trusted)
        try await c.writeLine("EHLO client.example")
        var capabilities: [String] = []
        repeat { line = try await c.readLineString(); capabilities.append(line) } while line.hasPrefix("250-")
        #expect(capabilities.contains { $0.contains("AUTH") } || capabilities.count > 1)
        try await c.writeLine("AUTH PLAIN \(authArgument)",
                              log: .redacted("AUTH PLAIN", secret: "credentials of shop@example.com"))
        _ = try await c.readLineString()  // aiosmtpd without an authenticator refuses; the reply is logged
        try await c.writeLine("QUIT")
        _ = try? await c.readLineString()
        await c.close()

        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n").map(String.init)
        let shape = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (<-[ *]| ->|<~[ *]| ~>|===|!!!) .+$/
        for l in lines { #expect(l.wholeMatch(of: shape) != nil, "bad line: \(l)") }
        #expect(lines.contains { $0.hasSuffix(" -> STARTTLS") })
        #expect(lines.contains { $0.contains(" === TLS 1.3 ") && $0.contains("SNI localhost") })
        #expect(lines.contains { $0.contains(" === chain trusted (CA file ") && $0.contains("host name matches: yes") })
        #expect(lines.contains { $0.hasSuffix(" ~> AUTH PLAIN <redacted: credentials of shop@example.com>") })
        #expect(lines.contains { $0.contains(" ~> EHLO client.example") })
        #expect(!text.contains(secret))
        #expect(!text.contains(authArgument))
        let attrs = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attrs[.posixPermissions] as? Int) == 0o600)
    }
}
