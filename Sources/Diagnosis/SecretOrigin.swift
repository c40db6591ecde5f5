public import Auth

/// Where a secret came from: told in descriptions instead of the secret itself.
public enum SecretOrigin: Sendable, Hashable, CustomStringConvertible {
    /// An environment variable, by name.
    case environment(String)
    /// A file, by path.
    case file(String)
    /// Given by the program (a prompt, a keychain, an API call).
    case program

    public var description: String {
        switch self {
        case .environment(let name): "environment variable \(name)"
        case .file(let path): "file \(path)"
        case .program: "given by the program"
        }
    }
}

extension Credentials.Secret {
    /// `<set, 16 characters>`, `<OAuth2 token, 1630 characters>`, `<none>`: never the secret.
    public var redactedSummary: String {
        switch self {
        case .none: "<none>"
        case .password(let p): "<set, \(p.count) characters>"
        case .oauth2AccessToken(let t): "<OAuth2 token, \(t.count) characters>"
        }
    }
}

