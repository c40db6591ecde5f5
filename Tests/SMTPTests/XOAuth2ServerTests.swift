import Auth
import Foundation
import MIME
import NetIO
import TestSupport
import Testing
@testable import SMTP

/// XOAUTH2 against the aiosmtpd server of `scripts/peers/smtp_oauth_server.py` (`smtp_oauth`:
/// STARTTLS, AUTH XOAUTH2 only), which answers an expired token with Gmail's failure challenge.
@Suite("SMTP XOAUTH2 against aiosmtpd", .serialized)
struct XOAuth2ServerTests {
    static let good = "ya29.good-token-for-tests"
    static let expired = "ya29.expired-token-for-tests"

    static func client(_ servers: TestServers, user: String, token: String, logPath: String) throws -> SMTPClient {
        SMTPClient(SMTPConfiguration(
            endpoint: Endpoint(host: "localhost", port: try servers.port("smtp_oauth")),
            tls: TLSOptions(trust: .caFile(servers.tls("ca.crt"))),
            credentials: .oauth2(user: user, accessToken: token), clientName: "client.example.test",
            timeouts: .uniform(.seconds(10)),
            transcript: Transcript(sinks: [try FileTranscriptSink(path: logPath)], ringCapacity: 500)))
    }

    /// The server's log line for `user`'s AUTH, polled briefly (the server flushes each line).
    static func serverLog(_ servers: TestServers, user: String) async throws -> String? {
        for _ in 0..<100 {
            let text = (try? String(contentsOfFile: "\(servers.dir)/smtp_oauth.log", encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.contains("user=\(user):") }) { return String(line) }
            try await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    static func expectNoToken(_ client: SMTPClient, logPath: String, token: String,
                              sourceLocation: SourceLocation = #_sourceLocation) {
        let file = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: logPath)
        #expect(!file.isEmpty, sourceLocation: sourceLocation)
        for line in client.transcript.lastLines + file.split(separator: "\n").map(String.init) {
            #expect(!line.contains(token) && !line.contains(Data(token.utf8).base64EncodedString().prefix(20)),
                    "token in transcript: \(line)", sourceLocation: sourceLocation)
        }
    }

    @Test func goodTokenLogsInAndSends() async throws {
        let servers = try TestServers.load()
        let user = "shop-\(UUID().uuidString.prefix(8))@example.test"
        let logPath = NSTemporaryDirectory() + "xoauth2-\(UUID().uuidString).log"
        let client = try Self.client(servers, user: user, token: Self.good, logPath: logPath)
        let m = Message(from: try Address(user), to: [try Address("bob@example.test")], subject: "token ok", textBody: "hi")
        let result = try await client.send(m)
        #expect(await client.authenticatedMechanism == "XOAUTH2")
        #expect(result.accepted.count == 1 && result.reply.code == 250)
        await client.quit()
        #expect(try await Self.serverLog(servers, user: user)?.hasSuffix("accepted") == true)
        #expect(client.transcript.lastLines.contains { $0.contains("~> AUTH XOAUTH2 <redacted: OAuth2 token of \(user)>") })
        Self.expectNoToken(client, logPath: logPath, token: Self.good)
    }

    @Test func expiredTokenFailsAtAUTHWithTheDecodedReason() async throws {
        let servers = try TestServers.load()
        let user = "shop-\(UUID().uuidString.prefix(8))@example.test"
        let logPath = NSTemporaryDirectory() + "xoauth2-\(UUID().uuidString).log"
        let client = try Self.client(servers, user: user, token: Self.expired, logPath: logPath)
        var caught: SMTPError?
        do {
            try await client.connect()
        } catch let e as SMTPError {
            caught = e
        }
        let e = try #require(caught)
        #expect(e.kind == .authenticationFailed && e.stage == .auth)
        #expect(e.reply?.code == 535 && e.enhancedCode?.description == "5.7.8")
        let explanation = try #require(e.explanation)
        #expect(explanation.contains("expired") && explanation.contains("HTTP 401"))
        #expect(explanation.contains("https://mail.google.com/"))
        #expect(e.description.contains(explanation))
        #expect(e.isPermanent && !e.isTransient)
        // RFC 7628 §3.2.3 / Google's protocol: the failure challenge is answered with an empty line.
        let line = try #require(try await Self.serverLog(servers, user: user))
        #expect(line.hasSuffix("expired token; failure challenge answered with an empty line"), "\(line)")
        let lines = client.transcript.lastLines
        #expect(lines.contains { $0.hasSuffix("334 <redacted: challenge>") })
        #expect(!lines.contains { $0.contains("~> *") }, "the client cancelled instead of answering")
        Self.expectNoToken(client, logPath: logPath, token: Self.expired)
    }
}
