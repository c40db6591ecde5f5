import Testing
import Auth
import NetIO
@testable import Diagnosis

@Suite struct ServerURLTests {
    @Test(arguments: [
        ("smtps://shop@example.com@smtp.example.com:465", MailProtocol.smtp, "smtp.example.com", UInt16(465),
         Security.implicitTLS, "shop@example.com"),
        ("smtps://shop%40example.com@smtp.example.com", .smtp, "smtp.example.com", 465, .implicitTLS, "shop@example.com"),
        ("smtp://smtp.example.com:587?tls=starttls", .smtp, "smtp.example.com", 587, .startTLS, ""),
        ("smtp://smtp.example.com", .smtp, "smtp.example.com", 587, .startTLS, ""),
        ("smtp://relay.lan:25?tls=none", .smtp, "relay.lan", 25, .plaintextUnsafe, ""),
        ("smtp://smtp.example.com:465", .smtp, "smtp.example.com", 465, .implicitTLS, ""),
        ("smtp://smtp.example.com?tls=ssl", .smtp, "smtp.example.com", 465, .implicitTLS, ""),
        ("imaps://shop@imap.example.com", .imap, "imap.example.com", 993, .implicitTLS, "shop"),
        ("imap://imap.example.com:143", .imap, "imap.example.com", 143, .startTLS, ""),
        ("IMAP://IMAP.Example.COM", .imap, "imap.example.com", 143, .startTLS, ""),
        ("imaps://[::1]:1993", .imap, "::1", 1993, .implicitTLS, ""),
    ])
    func forms(url: String, proto: MailProtocol, host: String, port: UInt16, security: Security, user: String) throws {
        let secret: Credentials.Secret = user.isEmpty ? .none : .password("pw")
        let (s, _) = try ServerSettings.parse(url: url, secret: secret)
        #expect(s.protocol == proto)
        #expect(s.host == host)
        #expect(s.port == port)
        #expect(s.security == security)
        #expect(s.credentials.user == user)
    }

    @Test func optionsAndWarnings() throws {
        let (s, w) = try ServerSettings.parse(url: "smtp://smtp.example.com:465?tls=starttls&ca_file=/etc/ca.pem&log=/tmp/s.log")
        #expect(s.security == .startTLS)
        #expect(s.caFile == "/etc/ca.pem")
        #expect(s.transcriptPath == "/tmp/s.log")
        #expect(w.contains { $0.message.contains("hang waiting for a greeting") })
    }

    @Test(arguments: [
        ("smtps://shop:hunter2@smtp.example.com", "contains a password"),
        ("smtp://smtp.example.com?password=hunter2", "contains a secret"),
        ("ftp://example.com", "unknown scheme"),
        ("smtp.example.com:587", "expected a URL"),
        ("smtp://smtp.example.com:99999", "port must be"),
        ("smtps://smtp.example.com?tls=starttls", "means implicit TLS"),
        ("smtp://smtp.example.com?tls=maybe", "unknown tls=maybe"),
        ("smtp://smtp.example.com?colour=red", "unknown URL option"),
        ("smtp://:587", "no host"),
        ("smtp://smtp.example.com/inbox", "no path"),
        ("smtps://shop%0D%0AQUIT@smtp.example.com", "control character"),
        ("smtps://smtp.example.com\r\nQUIT", "control character"),
    ])
    func refused(url: String, words: String) {
        do {
            _ = try ServerSettings.parse(url: url)
            Issue.record("accepted \(url)")
        } catch {
            #expect(error.message.contains(words), "\(error)")
            #expect(!error.description.contains("hunter2"))
        }
    }

    @Test func secretsNeedAUserAndTLS() {
        #expect(throws: SettingsError.self) { try ServerSettings.parse(url: "smtps://smtp.example.com", secret: .password("p")) }
        #expect(throws: SettingsError.self) {
            try ServerSettings.parse(url: "smtp://u@relay.lan?tls=none", secret: .password("p"))
        }
    }
}
