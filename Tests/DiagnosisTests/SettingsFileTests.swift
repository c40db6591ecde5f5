import Testing
import Foundation
import Auth
import NetIO
@testable import Diagnosis

/// A temporary folder removed at the end of the test.
final class TempDir {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "diag-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    @discardableResult
    func write(_ name: String, _ text: String, mode: Int = 0o600) -> String {
        let p = path + "/" + name
        _ = FileManager.default.createFile(atPath: p, contents: Data(text.utf8))
        try! FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: p)
        return p
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// Parses, expecting an error; returns it.
func settingsError(_ text: String, environment: [String: String] = [:], base: String? = nil) -> SettingsError? {
    do {
        _ = try SettingsFile.parse(text, source: "shop.ini", baseDirectory: base, environment: environment)
        return nil
    } catch {
        return error
    }
}

@Suite struct SettingsFileTests {
    let fullFile = """
        # Corner Shop e-mail settings
        [smtp]
        host = smtp.gmail.com
        port = 465
        security = ssl
        user = shop@gmail.com
        password_env = SHOP_SMTP_PW
        log = smtp.log

        [imap]
        host = imap.gmail.com
        security = tls
        user = shop@gmail.com
        oauth2_token_env = SHOP_TOKEN

        [identity]
        name = Corner Shop
        address = shop@gmail.com
        po_address = orders@cornershop.example
        """

    @Test func fullFileParses() throws {
        let dir = TempDir()
        let env = ["SHOP_SMTP_PW": "abcd efgh ijkl mnop", "SHOP_TOKEN": "ya29.token-value"]
        let parsed = try SettingsFile.parse(fullFile, source: "shop.ini", baseDirectory: dir.path, environment: env)
        let smtp = try #require(parsed.account.smtp)
        #expect(smtp.host == "smtp.gmail.com")
        #expect(smtp.port == 465)
        #expect(smtp.security == .implicitTLS)
        #expect(smtp.credentials == .password(user: "shop@gmail.com", password: "abcd efgh ijkl mnop"))
        #expect(smtp.secretOrigin == .environment("SHOP_SMTP_PW"))
        #expect(smtp.transcriptPath == dir.path + "/smtp.log")
        #expect(smtp.provider == .gmail)
        let imap = try #require(parsed.account.imap)
        #expect(imap.port == 993)
        #expect(imap.security == .implicitTLS)
        #expect(imap.credentials == .oauth2(user: "shop@gmail.com", accessToken: "ya29.token-value"))
        #expect(parsed.account.identity == SenderIdentity(name: "Corner Shop", address: "shop@gmail.com",
                                                          purchaseOrderAddress: "orders@cornershop.example"))
        #expect(parsed.warnings.isEmpty)
    }

    @Test func defaultsFromSecurityAndPort() throws {
        let cases: [(String, UInt16, Security)] = [
            ("[smtp]\nhost = h.example\nsecurity = tls", 465, .implicitTLS),
            ("[smtp]\nhost = h.example\nsecurity = starttls", 587, .startTLS),
            ("[smtp]\nhost = h.example\nsecurity = none", 25, .plaintextUnsafe),
            ("[smtp]\nhost = h.example", 465, .implicitTLS),
            ("[smtp]\nhost = h.example\nport = 587", 587, .startTLS),
            ("[smtp]\nhost = h.example\nport = 25", 25, .startTLS),
            ("[smtp]\nhost = h.example\nport = 465", 465, .implicitTLS),
            ("[imap]\nhost = h.example", 993, .implicitTLS),
            ("[imap]\nhost = h.example\nport = 143", 143, .startTLS),
            ("[imap]\nhost = h.example\nsecurity = starttls", 143, .startTLS),
            ("[imap]\nhost = h.example\nsecurity = SSL", 993, .implicitTLS),
        ]
        for (text, port, security) in cases {
            let parsed = try SettingsFile.parse(text, environment: [:])
            let server = try #require(parsed.account.smtp ?? parsed.account.imap)
            #expect(server.port == port, "\(text)")
            #expect(server.security == security, "\(text)")
        }
    }

    @Test func commentsQuotesAndCase() throws {
        let text = "; comment\n[SMTP]\r\nHost = \"Mail.Example.com\"\r\nport = 587   ; submission\r\n# end\n"
        let smtp = try #require(try SettingsFile.parse(text, environment: [:]).account.smtp)
        #expect(smtp.host == "mail.example.com")
        #expect(smtp.port == 587)
        #expect(smtp.security == .startTLS)
    }

    @Test(arguments: [
        ("[smtp]\nhost = a.example\nhots = b", 3, "unknown key \"hots\" in [smtp] (did you mean \"host\"?)"),
        ("[smtp]\nhost = a.example\n[mail]\n", 3, "unknown section [mail]"),
        ("host = a.example\n", 1, "outside any section"),
        ("[smtp]\nhost = a.example\nport = 70000", 3, "port must be a number from 1 to 65535, not \"70000\""),
        ("[smtp]\nhost = a.example\nport = abc", 3, "not \"abc\""),
        ("[smtp]\nhost = a.example\nport = 0", 3, "from 1 to 65535"),
        ("[smtp]\nhost = a.example\nsecurity = tls1.2", 3, "unknown security \"tls1.2\""),
        ("[smtp]\nhost = a.example\nhost = b.example", 3, "set twice in [smtp] (first on line 2)"),
        ("[smtp]\nhost = a.example\n[smtp]", 3, "appears twice (first on line 1)"),
        ("\n\n[smtp]\nport = 587\n", 3, "[smtp] needs a host"),
        ("[smtp]\nhost = smtp://mail.example.com", 2, "write host = mail.example.com"),
        ("[smtp]\nhost = mail.example.com:587", 2, "port = 587"),
        ("[smtp]\nhost = mail.example.com\njust-a-line", 3, "expected \"key = value\""),
        ("[smtp]\nhost = a.example\n[identity]\naddress = not-an-address", 4, "plain e-mail address"),
        ("[smtp]\nhost = a.example\nunsafe_plaintext_auth = maybe", 3, "yes or no"),
        ("[smtp]\nhost = a.example\nuser = u@a.example", 3, "has a user but no password"),
        ("[smtp]\nhost = a.example\n[identity]\ncolour = red", 4, "unknown key \"colour\" in [identity]"),
        ("[smtp\nhost = a", 1, "must end with"),
        ("[smtp]\nhost = a.example\npassword_env = MISSING_VAR", 3, "MISSING_VAR"),
        ("[smtp]\nhost = a.example\nuser = u\npassword_env = PW\npassword_file = /x", 5,
         "both password_env (line 4) and password_file"),
        ("[smtp]\nhost = a.example\nca_file = /nonexistent/ca.pem", 3, "ca_file /nonexistent/ca.pem does not exist"),
        ("[smtp]\nhost = a.example\nsecurity = none\nuser = u\npassword_env = PW", 3, "unencrypted"),
        ("[smtp]\nhost = a.example\nuser = u\npassword_env = not a name", 4, "name of an environment variable"),
        ("[smtp]\nhost = a.example\nuser = u\rQUIT\npassword_env = PW", 3, "control character"),
        ("[smtp]\nhost = a.example\nuser = u\0x", 3, "control character"),
    ])
    func errorsNameTheLine(text: String, line: Int, words: String) {
        let error = settingsError(text, environment: ["PW": "pw-value"])
        #expect(error?.line == line, "\(text)")
        #expect(error?.message.contains(words) == true, "\(error?.message ?? "no error") for \(text)")
        #expect(error?.description.hasPrefix("shop.ini line \(line): ") == true)
    }

    @Test func noSectionsIsAnError() {
        let error = settingsError("# nothing\n")
        #expect(error?.line == nil)
        #expect(error?.message.contains("no [smtp] or [imap] section") == true)
    }

    @Test func passwordInTheFileIsRefusedWithoutQuotingIt() {
        let error = settingsError("[smtp]\nhost = a.example\npassword = hunter2-secret")
        #expect(error?.line == 3)
        #expect(error?.message.contains("password_env") == true)
        #expect(error?.description.contains("hunter2") == false)
        // A password pasted on a line of its own is not echoed either.
        let pasted = settingsError("[smtp]\nhost = a.example\nhunter2-secret")
        #expect(pasted?.line == 3)
        #expect(pasted?.description.contains("hunter2") == false)
    }

    @Test func secretFromFileAndPermissions() throws {
        let dir = TempDir()
        dir.write("pw", "file-secret-42\n", mode: 0o600)
        let open = dir.write("pw-open", "open-secret-43\n", mode: 0o644)
        let text = "[smtp]\nhost = a.example\nuser = shop@a.example\npassword_file = pw\n"
        let parsed = try SettingsFile.parse(text, baseDirectory: dir.path, environment: [:])
        #expect(parsed.account.smtp?.credentials == .password(user: "shop@a.example", password: "file-secret-42"))
        #expect(parsed.account.smtp?.secretOrigin == .file(dir.path + "/pw"))
        #expect(parsed.warnings.isEmpty)

        let loose = try SettingsFile.parse("[imap]\nhost = a.example\nuser = u\npassword_file = \(open)\n",
                                           environment: [:])
        #expect(loose.account.imap?.credentials.secret == .password("open-secret-43"))
        #expect(loose.warnings.count == 1)
        #expect(loose.warnings.first?.line == 4)
        #expect(loose.warnings.first?.message.contains("chmod 600") == true)

        dir.write("empty", "\n")
        let empty = settingsError("[smtp]\nhost = a.example\nuser = u\npassword_file = empty", base: dir.path)
        #expect(empty?.line == 4)
        #expect(empty?.message.contains("is empty") == true)
        let missing = settingsError("[smtp]\nhost = a.example\nuser = u\npassword_file = nope", base: dir.path)
        #expect(missing?.message.contains("does not exist") == true)
    }

    @Test func loadFromDiskResolvesRelativePaths() throws {
        let dir = TempDir()
        dir.write("token", "tok-123")
        dir.write("ca.pem", "-----BEGIN CERTIFICATE-----\n")
        let ini = dir.write("shop.ini", "[smtp]\nhost = a.example\nuser = u\noauth2_token_file = token\nca_file = ca.pem\n")
        let parsed = try SettingsFile.load(path: ini, environment: [:])
        #expect(parsed.account.smtp?.credentials == .oauth2(user: "u", accessToken: "tok-123"))
        #expect(parsed.account.smtp?.caFile == dir.path + "/ca.pem")
        #expect(parsed.account.smtp?.tlsOptions.trust == .caFile(dir.path + "/ca.pem"))
        #expect(throws: SettingsError.self) { try SettingsFile.load(path: dir.path + "/missing.ini") }
    }

    @Test func userDefaultsToTheSenderAddress() throws {
        let text = "[smtp]\nhost = a.example\npassword_env = PW\n[identity]\naddress = shop@a.example\n"
        let parsed = try SettingsFile.parse(text, environment: ["PW": "x"])
        #expect(parsed.account.smtp?.credentials.user == "shop@a.example")
        #expect(parsed.warnings.map(\.message).contains { $0.contains("using the sender address") })
    }

    @Test(arguments: [
        ("[smtp]\nhost = a.example\nport = 465\nsecurity = starttls", "hang waiting for a greeting"),
        ("[smtp]\nhost = a.example\nport = 587\nsecurity = tls", "wrong version number"),
        ("[smtp]\nhost = a.example\nport = 25\nsecurity = ssl", "expects STARTTLS"),
        ("[imap]\nhost = a.example\nport = 993\nsecurity = starttls", "hang waiting for a greeting"),
        ("[imap]\nhost = a.example\nport = 143\nsecurity = tls", "wrong version number"),
        ("[smtp]\nhost = a.example\nport = 993", "belongs to IMAP"),
        ("[imap]\nhost = a.example\nport = 587", "belongs to SMTP"),
        ("[smtp]\nhost = a.example\nport = 2526", "not a standard SMTP port"),
        ("[smtp]\nhost = a.example\nport = 25\nuser = u\npassword_env = PW", "often blocked"),
        ("[smtp]\nhost = a.example\nsecurity = none\nuser = u\npassword_env = PW\nunsafe_plaintext_auth = yes",
         "sent unencrypted"),
    ])
    func portAndSecurityWarnings(text: String, words: String) throws {
        let parsed = try SettingsFile.parse(text, environment: ["PW": "pw"])
        #expect(parsed.warnings.contains { $0.message.contains(words) }, "\(parsed.warnings)")
    }

    @Test func securityWordsStayAsWritten() throws {
        // A warning explains a mismatch; the setting itself is not changed behind the user's back.
        let parsed = try SettingsFile.parse("[smtp]\nhost = a.example\nport = 465\nsecurity = starttls", environment: [:])
        #expect(parsed.account.smtp?.security == .startTLS)
        #expect(parsed.account.smtp?.port == 465)
        #expect(parsed.warnings.first?.line == 3)
    }
}
