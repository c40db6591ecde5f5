import Testing
import Foundation
import Auth
import NetIO
@testable import Diagnosis

/// No description, warning or error of the settings ever shows a password or token.
@Suite struct SecretLeakTests {
    static let password = "P4ss-w0rd-NEVER-SHOWN"
    static let token = "ya29.TOKEN-NEVER-SHOWN"

    @Test func descriptionsHideSecrets() throws {
        let dir = TempDir()
        dir.write("pw", Self.password, mode: 0o644)
        let text = """
            [smtp]
            host = smtp.example.com
            user = shop@example.com
            password_file = pw
            [imap]
            host = imap.example.com
            user = shop@example.com
            oauth2_token_env = TOKEN
            [identity]
            address = shop@example.com
            """
        let parsed = try SettingsFile.parse(text, baseDirectory: dir.path, environment: ["TOKEN": Self.token])
        let rendered = [parsed.account.description, String(describing: parsed.account),
                        String(reflecting: parsed.account.smtp!.credentials), parsed.account.imap!.description]
            + parsed.warnings.map(\.description)
        for r in rendered {
            #expect(!r.contains(Self.password))
            #expect(!r.contains(Self.token))
        }
        #expect(parsed.account.smtp!.description.contains("<set, \(Self.password.count) characters>"))
        #expect(parsed.account.imap!.description.contains("<OAuth2 token, \(Self.token.count) characters>"))
        #expect(parsed.account.imap!.description.contains("environment variable TOKEN"))
    }

    @Test func errorsHideSecrets() throws {
        let env = ["PW": Self.password, "TOKEN": Self.token]
        let texts = [
            "[smtp]\nhost = a.example\nuser = u\npassword_env = PW\noauth2_token_env = TOKEN",
            "[smtp]\nhost = a.example\npassword = \(Self.password)",
            "[smtp]\nhost = a.example\n\(Self.password)",
            "[smtp]\nhost = a.example\nsecurity = none\nuser = u\npassword_env = PW",
            "[smtp]\nhost = a.example\npassword_env = PW",
            // The password typed where the variable's name or the file's path belongs.
            "[smtp]\nhost = a.example\nuser = u\npassword_env = \(Self.password.replacingOccurrences(of: "-", with: "_"))",
            "[smtp]\nhost = a.example\nuser = u\npassword_file = \(Self.password)",
        ]
        for text in texts {
            let error = settingsError(text, environment: env)
            #expect(error != nil, "\(text)")
            #expect(!(error?.description.contains(Self.password) ?? false), "\(text)")
            #expect(!(error?.description.contains(Self.password.replacingOccurrences(of: "-", with: "_")) ?? false))
            #expect(!(error?.description.contains(Self.token) ?? false))
        }
        do {
            _ = try ServerSettings.parse(url: "smtps://u:\(Self.password)@h.example")
            Issue.record("a URL with a password was accepted")
        } catch {
            #expect(!error.description.contains(Self.password))
        }
    }
}
