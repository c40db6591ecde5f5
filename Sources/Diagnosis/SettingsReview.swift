internal import Auth
internal import NetIO

/// Checks a settings form against what the provider is known to need (diagnostics.md §2) before
/// anything is sent: ports and security the provider does not offer, a password where only
/// OAuth2 works, SendGrid's `apikey` user, a Google password that cannot be an app password, a
/// sender address other than the login. Secrets are only measured, never shown.
public enum SettingsReview {
    /// Advice for an account, in the order: SMTP, IMAP, sender.
    public static func review(_ account: MailAccount, presets: [ProviderPreset] = ProviderPreset.standard)
        -> [SettingsWarning]
    {
        var out: [SettingsWarning] = []
        if let smtp = account.smtp { out += review(smtp, presets: presets) }
        if let imap = account.imap { out += review(imap, presets: presets) }
        if let smtp = account.smtp, let provider = smtp.provider, !smtp.credentials.isNone {
            let login = smtp.credentials.user.lowercased()
            for (label, address) in [("sender address", account.identity.address),
                                     ("purchase-order sender address", account.identity.purchaseOrderAddress)] {
                guard let address, login.contains("@"), address.lowercased() != login else { continue }
                if [.gmail, .microsoft365, .outlookConsumer, .yahoo, .aol, .icloud, .zoho, .fastmail].contains(provider) {
                    out.append(SettingsWarning(line: nil, "the \(label) \(address) is not the login \(smtp.credentials.user): "
                        + "\(provider.displayName) only sends from it if it is set up as an alias or \"Send As\" address of that "
                        + "account; otherwise the message is refused or the sender is rewritten"))
                }
            }
        }
        return out
    }

    /// Advice for one server.
    public static func review(_ s: ServerSettings, presets: [ProviderPreset] = ProviderPreset.standard) -> [SettingsWarning] {
        guard let provider = s.provider, let preset = presetFor(s, provider: provider, presets: presets) else { return [] }
        var out: [SettingsWarning] = []
        let servers = s.protocol == .smtp ? preset.smtp : preset.imap
        let name = provider.displayName
        if !servers.isEmpty && !servers.contains(where: { $0.port == s.port && $0.security == s.security }) {
            let offered = servers.filter { $0.host == s.host }.isEmpty ? servers : servers.filter { $0.host == s.host }
            let list = offered.map { "\($0.port) (\($0.security.settingsWord))" }.joined(separator: " or ")
            out.append(SettingsWarning(line: nil, "[\(s.protocol.rawValue)] \(name) offers \(s.host) on \(list), not on "
                + "\(s.port) with \(s.security.settingsWord)"))
        }
        if case .password(let password) = s.credentials.secret {
            if preset.authKinds == [.oauth2] {
                out.append(SettingsWarning(line: nil, "[\(s.protocol.rawValue)] \(name) only accepts \"Sign in with "
                    + "Microsoft\" (OAuth2) since September 2024; a password will be refused"))
            }
            if provider == .gmail {
                let letters = password.filter { !$0.isWhitespace }
                if letters.count != googleAppPasswordLength || !letters.allSatisfy({ $0.isLetter && $0.isASCII }) {
                    out.append(SettingsWarning(line: nil, "[\(s.protocol.rawValue)] the password does not look like a Google "
                        + "app password (16 letters); Google refuses the normal account password here. Create one at "
                        + "https://myaccount.google.com/apppasswords"))
                }
            }
        }
        let form = s.protocol == .smtp ? preset.smtpUsername : preset.imapUsername
        if !s.credentials.isNone {
            switch form {
            case .fixed(let word) where s.credentials.user != word:
                out.append(SettingsWarning(line: nil, "[\(s.protocol.rawValue)] \(name)'s user name must be \(word), "
                    + "not \(s.credentials.user)"))
            case .emailAddress where !s.credentials.user.contains("@"):
                out.append(SettingsWarning(line: nil, "[\(s.protocol.rawValue)] \(name) expects the full e-mail address "
                    + "as the user name, not \(s.credentials.user)"))
            default:
                break
            }
        }
        return out
    }

    /// Google app passwords are 16 letters, shown in four groups (support.google.com/accounts/answer/185833).
    static let googleAppPasswordLength = 16

    static func presetFor(_ s: ServerSettings, provider: Provider, presets: [ProviderPreset]) -> ProviderPreset? {
        let candidates = presets.filter { $0.provider == provider }
        let host = Provider.normalised(s.host)
        return candidates.first { ($0.smtp + $0.imap).contains { $0.host == host } } ?? candidates.first
    }
}
