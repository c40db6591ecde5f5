public import Auth
internal import NetIO
internal import Foundation

extension ServerSettings {
    /// Reads a server URL: `smtps://user@host:465`, `smtp://host:587?tls=starttls`,
    /// `imaps://user@host`, `imap://host:143` (RFC 3986 §3; schemes as in RFC 8314 §7 service names).
    ///
    /// `smtps`/`imaps` mean implicit TLS; `smtp`/`imap` mean STARTTLS unless `?tls=` says otherwise
    /// (`tls`, `ssl`, `starttls`, `none`). Other query keys: `ca_file`, `log`. A password inside the URL
    /// is refused (URLs end up in logs and shell history): pass it as `secret`. The user is
    /// percent-decoded (`shop%40example.com`); an unencoded `@` in the user is accepted too.
    public static func parse(url text: String, secret: Credentials.Secret = .none,
                             secretOrigin: SecretOrigin? = nil) throws(SettingsError)
        -> (settings: ServerSettings, warnings: [SettingsWarning])
    {
        func fail(_ message: String) -> SettingsError { SettingsError(line: nil, source: "URL", message) }
        if text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw fail("the URL contains a control character (CR, LF, NUL…)")
        }
        guard let schemeEnd = text.range(of: "://") else {
            throw fail("expected a URL like smtps://user@host:465 or imap://host:143")
        }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        let proto: MailProtocol
        var security: Security?
        switch scheme {
        case "smtps": proto = .smtp; security = .implicitTLS
        case "smtp", "submission": proto = .smtp
        case "imaps": proto = .imap; security = .implicitTLS
        case "imap": proto = .imap
        default: throw fail("unknown scheme \"\(scheme)\"; use smtps, smtp, imaps or imap")
        }
        var rest = text[schemeEnd.upperBound...]
        var query: Substring = ""
        if let q = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: q)...]
            rest = rest[..<q]
        }
        if let slash = rest.firstIndex(of: "/") {
            let path = rest[rest.index(after: slash)...]
            guard path.isEmpty else { throw fail("a server URL has no path (found \"/\(path)\")") }
            rest = rest[..<slash]
        }
        var user: String?
        if let at = rest.lastIndex(of: "@") {
            let userinfo = rest[..<at]
            if userinfo.contains(":") {
                throw fail("the URL contains a password; never put it in a URL (it ends up in logs and shell "
                           + "history): give it through an environment variable or a file")
            }
            user = String(userinfo).removingPercentEncoding ?? String(userinfo)
            if user!.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
                throw fail("the user name contains a control character (CR, LF, NUL…)")
            }
            rest = rest[rest.index(after: at)...]
        }
        var host: Substring
        var port: UInt16?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw fail("unclosed [ in the IPv6 address") }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") { port = try portNumber(after.dropFirst(), fail) } else if !after.isEmpty {
                throw fail("unexpected \"\(after)\" after the IPv6 address")
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            port = try portNumber(rest[rest.index(after: colon)...], fail)
        } else {
            host = rest
        }
        guard !host.isEmpty else { throw fail("the URL has no host") }
        var caFile: String?
        var log: String?
        for pair in query.split(separator: "&") where !pair.isEmpty {
            let kv = pair.split(separator: "=", maxSplits: 1)
            let key = kv[0].lowercased()
            let value = kv.count > 1 ? (String(kv[1]).removingPercentEncoding ?? String(kv[1])) : ""
            switch key {
            case "tls", "security":
                guard let s = SettingsFile.Reader.security(value) else {
                    throw fail("unknown tls=\(value); use tls, starttls or none")
                }
                if security == .implicitTLS && scheme.hasSuffix("s") && s != .implicitTLS {
                    throw fail("\(scheme):// means implicit TLS but tls=\(value) says otherwise; use "
                               + "\(proto.rawValue)://…?tls=\(value)")
                }
                security = s
            case "ca_file": caFile = value
            case "log": log = value
            case "password", "pass", "token":
                throw fail("the URL contains a secret (\(key)=); give it through an environment variable or a file")
            default: throw fail("unknown URL option \"\(key)\"; the options are tls, ca_file and log")
            }
        }
        let finalSecurity = security ?? port.flatMap { proto.expectedSecurity(onPort: $0) } ?? .startTLS
        let finalPort = port ?? proto.defaultPort(for: finalSecurity)
        var reader = SettingsFile.Reader(source: "URL", baseDirectory: nil, environment: [:])
        reader.checkPortAndSecurity(proto, port: finalPort, security: finalSecurity, line: 0)
        let warnings = reader.warnings.map { SettingsWarning(line: nil, $0.message) }

        let credentials: Credentials
        switch secret {
        case .none: credentials = .none
        case .password(let p): credentials = .password(user: user ?? "", password: p)
        case .oauth2AccessToken(let t): credentials = .oauth2(user: user ?? "", accessToken: t)
        }
        if !credentials.isNone && (user ?? "").isEmpty {
            throw fail("a password or token was given but the URL has no user (write \(scheme)://user@host)")
        }
        if finalSecurity == .plaintextUnsafe && !credentials.isNone {
            throw fail("tls=none would send the password unencrypted; use tls or starttls")
        }
        let settings = ServerSettings(protocol: proto, host: host.lowercased(), port: finalPort,
                                      security: finalSecurity, credentials: credentials,
                                      secretOrigin: credentials.isNone ? nil : (secretOrigin ?? .program),
                                      caFile: caFile, transcriptPath: log)
        return (settings, warnings)
    }

    private static func portNumber(_ text: Substring, _ fail: (String) -> SettingsError) throws(SettingsError) -> UInt16 {
        guard let n = Int(text), (1...65_535).contains(n) else {
            throw fail("port must be a number from 1 to 65535, not \"\(text)\"")
        }
        return UInt16(n)
    }
}
