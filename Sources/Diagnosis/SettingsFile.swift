public import Foundation
internal import Auth
internal import NetIO

/// A settings file or URL read into an account, with the warnings found on the way.
public struct ParsedSettings: Sendable, Hashable {
    public var account: MailAccount
    public var warnings: [SettingsWarning]
}

/// The INI form of the settings (`[smtp]`, `[imap]`, `[identity]`), the `key = value` format of
/// these apps' configuration files.
///
/// ```
/// [smtp]
/// host = smtp.gmail.com
/// security = tls          ; tls (also "ssl"), starttls, none
/// user = shop@gmail.com
/// password_env = SHOP_MAIL_PASSWORD
/// log = /var/log/shop/smtp.log
/// [identity]
/// name = Corner Shop
/// address = shop@gmail.com
/// po_address = orders@example.com
/// ```
/// Passwords are never written in the file: `password_env`, `password_file`, `oauth2_token_env`
/// or `oauth2_token_file` say where to read them.
public enum SettingsFile {
    /// Keys of `[smtp]` and `[imap]`.
    public static let serverKeys: [String] = [
        "host", "port", "security", "user", "password_env", "password_file", "oauth2_token_env",
        "oauth2_token_file", "ca_file", "log", "unsafe_plaintext_auth",
    ]
    /// Keys of `[identity]`.
    public static let identityKeys: [String] = ["name", "address", "po_address"]

    /// Reads and checks a settings file; relative paths inside it are relative to its directory.
    public static func load(path: String,
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws(SettingsError)
        -> ParsedSettings
    {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SettingsError(line: nil, source: path, "the settings file cannot be read (missing, or no permission)")
        }
        let text = String(decoding: data, as: UTF8.self)
        let base = (path as NSString).deletingLastPathComponent
        return try parse(text, source: path, baseDirectory: base.isEmpty ? "." : base, environment: environment)
    }

    /// Parses settings text. Unknown sections and keys, bad values and missing secrets are errors
    /// naming the line; likely mistakes that still work are warnings.
    public static func parse(_ text: String, source: String? = nil, baseDirectory: String? = nil,
                             environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(SettingsError) -> ParsedSettings
    {
        var parser = Reader(source: source, baseDirectory: baseDirectory, environment: environment)
        let sections = try parser.sections(of: text)
        return try parser.build(sections)
    }
}

/// One `key = value` with its line.
struct SettingsEntry {
    var value: String
    var line: Int
}

/// The sections of a file: name → key → entry, plus each section's header line.
struct SettingsSections {
    var entries: [String: [String: SettingsEntry]] = [:]
    var headerLine: [String: Int] = [:]
}

extension SettingsFile {
    struct Reader {
        let source: String?
        let baseDirectory: String?
        let environment: [String: String]
        var warnings: [SettingsWarning] = []

        init(source: String?, baseDirectory: String?, environment: [String: String]) {
            self.source = source
            self.baseDirectory = baseDirectory
            self.environment = environment
        }

        func error(_ line: Int?, _ message: String) -> SettingsError {
            SettingsError(line: line, source: source, message)
        }

        // MARK: lines → sections

        func sections(of text: String) throws(SettingsError) -> SettingsSections {
            var result = SettingsSections()
            var current: String?
            var number = 0
            for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
                number += 1
                var line = Substring(rawLine)
                if line.hasSuffix("\r") { line = line.dropLast() }
                if number == 1, line.hasPrefix("\u{FEFF}") { line = line.dropFirst() }
                if line.unicodeScalars.contains(where: { ($0.value < 0x20 && $0 != "\t") || $0.value == 0x7F }) {
                    throw error(number, "the line contains a control character (NUL, CR or similar)")
                }
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }
                if trimmed.hasPrefix("[") {
                    guard trimmed.hasSuffix("]") else { throw error(number, "a section header must end with \"]\"") }
                    let name = trimmed.dropFirst().dropLast().trimmingCharacters(in: .whitespaces).lowercased()
                    guard ["smtp", "imap", "identity"].contains(name) else {
                        throw error(number, "unknown section [\(name)]; the sections are [smtp], [imap] and [identity]")
                    }
                    if let first = result.headerLine[name] {
                        throw error(number, "section [\(name)] appears twice (first on line \(first))")
                    }
                    result.headerLine[name] = number
                    result.entries[name] = [:]
                    current = name
                    continue
                }
                guard let eq = trimmed.firstIndex(of: "=") else {
                    // Never quote the line: it may be a password pasted on its own.
                    throw error(number, "expected \"key = value\"")
                }
                let key = trimmed[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
                let value = Self.cleanValue(trimmed[trimmed.index(after: eq)...])
                guard let section = current else {
                    throw error(number, "\"\(Self.printable(key))\" is outside any section; put it under [smtp], [imap] or [identity]")
                }
                let allowed = section == "identity" ? SettingsFile.identityKeys : SettingsFile.serverKeys
                if section != "identity" && (key == "password" || key == "pass" || key == "oauth2_token" || key == "token") {
                    throw error(number, "secrets are not written in the settings file; use password_env (an environment "
                                + "variable) or password_file (a file only you can read) instead of \(key)")
                }
                guard allowed.contains(key) else {
                    var message = "unknown key \"\(Self.printable(key))\" in [\(section)]"
                    if let near = Self.nearest(key, in: allowed) { message += " (did you mean \"\(near)\"?)" }
                    message += "; the keys are: " + allowed.joined(separator: ", ")
                    throw error(number, message)
                }
                if let first = result.entries[section]?[key] {
                    throw error(number, "\"\(key)\" is set twice in [\(section)] (first on line \(first.line))")
                }
                result.entries[section, default: [:]][key] = SettingsEntry(value: value, line: number)
            }
            return result
        }

        /// Trims, removes a trailing ` ; comment` / ` # comment`, and one pair of surrounding quotes.
        static func cleanValue(_ raw: Substring) -> String {
            var value = raw.trimmingCharacters(in: .whitespaces)
            if let q = value.first, q == "\"" || q == "'", value.count >= 2, value.last == q {
                return String(value.dropFirst().dropLast())
            }
            for marker in [" ;", " #", "\t;", "\t#"] {
                if let r = value.range(of: marker) { value = String(value[..<r.lowerBound]) }
            }
            return value.trimmingCharacters(in: .whitespaces)
        }

        /// A key as the file has it, cut short and without control characters (it is not a secret:
        /// the text before `=`).
        static func printable(_ s: String) -> String {
            String(s.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.prefix(40).map(Character.init))
        }

        /// The allowed key within edit distance 2, for "did you mean".
        static func nearest(_ key: String, in allowed: [String]) -> String? {
            allowed.map { ($0, editDistance(key, $0)) }.filter { $0.1 <= 2 }.min { $0.1 < $1.1 }?.0
        }

        static func editDistance(_ a: String, _ b: String) -> Int {
            let a = Array(a), b = Array(b)
            if a.isEmpty { return b.count }
            if b.isEmpty { return a.count }
            var previous = Array(0...b.count)
            for i in 1...a.count {
                var row = [i] + Array(repeating: 0, count: b.count)
                for j in 1...b.count {
                    row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                }
                previous = row
            }
            return previous[b.count]
        }

        // MARK: sections → account

        mutating func build(_ sections: SettingsSections) throws(SettingsError) -> ParsedSettings {
            let identity = try identity(sections.entries["identity"] ?? [:])
            var account = MailAccount(identity: identity)
            if let smtp = sections.entries["smtp"] {
                account.smtp = try server(.smtp, smtp, header: sections.headerLine["smtp"] ?? 0, identity: identity)
            }
            if let imap = sections.entries["imap"] {
                account.imap = try server(.imap, imap, header: sections.headerLine["imap"] ?? 0, identity: identity)
            }
            if account.smtp == nil && account.imap == nil {
                throw error(nil, "no [smtp] or [imap] section: nothing to connect to")
            }
            return ParsedSettings(account: account, warnings: warnings)
        }

        func identity(_ entries: [String: SettingsEntry]) throws(SettingsError) -> SenderIdentity {
            var identity = SenderIdentity()
            if let name = entries["name"], !name.value.isEmpty { identity.name = name.value }
            if let address = entries["address"] { identity.address = try checkedAddress(address, key: "address") }
            if let po = entries["po_address"] { identity.purchaseOrderAddress = try checkedAddress(po, key: "po_address") }
            return identity
        }

        func checkedAddress(_ entry: SettingsEntry, key: String) throws(SettingsError) -> String {
            let v = entry.value
            let parts = v.split(separator: "@", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasSuffix("."),
                  !v.contains(where: { $0.isWhitespace || $0 == "<" || $0 == ">" || $0 == "," })
            else {
                throw error(entry.line, "\(key) must be a plain e-mail address like shop@example.com, not \"\(Self.printable(v))\"")
            }
            return v
        }

        mutating func server(_ proto: MailProtocol, _ e: [String: SettingsEntry], header: Int,
                             identity: SenderIdentity) throws(SettingsError) -> ServerSettings
        {
            let section = "[\(proto.rawValue)]"
            guard let hostEntry = e["host"] else { throw error(header, "\(section) needs a host") }
            let host = try checkedHost(hostEntry, proto: proto)

            var port: UInt16?
            if let p = e["port"] {
                guard let n = Int(p.value), (1...65_535).contains(n) else {
                    throw error(p.line, "port must be a number from 1 to 65535, not \"\(Self.printable(p.value))\"")
                }
                port = UInt16(n)
            }

            var security: Security
            if let s = e["security"] {
                guard let parsed = Self.security(s.value) else {
                    throw error(s.line, "unknown security \"\(Self.printable(s.value))\"; use tls (implicit TLS, also "
                                + "called SSL), starttls, or none")
                }
                security = parsed
            } else if let port {
                if let expected = proto.expectedSecurity(onPort: port) {
                    security = expected
                } else {
                    security = .startTLS
                    warnings.append(SettingsWarning(line: e["port"]?.line, "\(section) port \(port) is not a standard "
                        + "\(proto) port and no security is set: assuming starttls (set security = tls if the server "
                        + "expects TLS from the first byte)"))
                }
            } else {
                security = .implicitTLS  // RFC 8314 §3: implicit TLS preferred
            }
            let finalPort = port ?? proto.defaultPort(for: security)
            checkPortAndSecurity(proto, port: finalPort, security: security,
                                 line: e["port"]?.line ?? e["security"]?.line ?? header)

            var unsafePlain = false
            if let u = e["unsafe_plaintext_auth"] {
                guard let b = Self.boolean(u.value) else {
                    throw error(u.line, "unsafe_plaintext_auth must be yes or no, not \"\(Self.printable(u.value))\"")
                }
                unsafePlain = b
            }

            let secretKeys = ["password_env", "password_file", "oauth2_token_env", "oauth2_token_file"]
            let given = secretKeys.compactMap { k in e[k].map { (k, $0) } }.sorted { $0.1.line < $1.1.line }
            if given.count > 1 {
                throw error(given[1].1.line, "\(section) has both \(given[0].0) (line \(given[0].1.line)) and "
                            + "\(given[1].0); keep one")
            }
            var credentials = Credentials.none
            var origin: SecretOrigin?
            if let (key, entry) = given.first {
                let (secret, from) = try readSecret(key: key, entry: entry)
                origin = from
                var user = e["user"]?.value ?? ""
                if user.isEmpty {
                    guard let address = identity.address else {
                        throw error(entry.line, "\(section) has a \(key.hasPrefix("oauth2") ? "token" : "password") "
                                    + "but no user; add user = (usually the full e-mail address)")
                    }
                    user = address
                    warnings.append(SettingsWarning(line: header, "\(section) has no user: using the sender address \(address)"))
                }
                credentials = key.hasPrefix("oauth2") ? .oauth2(user: user, accessToken: secret)
                    : .password(user: user, password: secret)
            } else if let u = e["user"], !u.value.isEmpty {
                throw error(u.line, "\(section) has a user but no password; add password_env or password_file "
                            + "(or oauth2_token_env for a token)")
            }

            if security == .plaintextUnsafe && !credentials.isNone {
                if !unsafePlain {
                    throw error(e["security"]?.line ?? header, "security = none would send the password unencrypted, "
                                + "readable by anyone on the network; use tls or starttls (or, on a trusted network only, "
                                + "add unsafe_plaintext_auth = yes)")
                }
                warnings.append(SettingsWarning(line: e["unsafe_plaintext_auth"]?.line, "\(section) the password will "
                    + "be sent unencrypted (unsafe_plaintext_auth = yes)"))
            }
            if proto == .smtp && finalPort == MailPorts.smtpRelay && !credentials.isNone {
                warnings.append(SettingsWarning(line: e["port"]?.line ?? header, "[smtp] port 25 is for server-to-server "
                    + "mail and is often blocked by internet providers and cloud hosts; use 587 (starttls) or 465 (tls)"))
            }

            var caFile: String?
            if let c = e["ca_file"] {
                let path = resolve(c.value)
                guard FileManager.default.isReadableFile(atPath: path) else {
                    throw error(c.line, "ca_file \(path) does not exist or cannot be read")
                }
                caFile = path
            }
            var log: String?
            if let l = e["log"], !l.value.isEmpty {
                let path = resolve(l.value)
                let dir = (path as NSString).deletingLastPathComponent
                var isDir: ObjCBool = false
                if !dir.isEmpty && !(FileManager.default.fileExists(atPath: dir, isDirectory: &isDir) && isDir.boolValue) {
                    warnings.append(SettingsWarning(line: l.line, "the folder of log \(path) does not exist: no "
                        + "transcript can be written there"))
                }
                log = path
            }
            return ServerSettings(protocol: proto, host: host, port: finalPort, security: security,
                                  credentials: credentials, secretOrigin: origin, caFile: caFile,
                                  transcriptPath: log, allowsPlaintextAuthUnsafe: unsafePlain)
        }

        func checkedHost(_ entry: SettingsEntry, proto: MailProtocol) throws(SettingsError) -> String {
            let host = entry.value
            if host.isEmpty { throw error(entry.line, "host is empty") }
            if let r = host.range(of: "://") {
                let rest = host[r.upperBound...].split(separator: "/").first.map(String.init) ?? ""
                throw error(entry.line, "host must be a server name without \"\(host[..<r.upperBound])\"; "
                            + "write host = \(rest)")
            }
            if host.contains(where: { $0.isWhitespace }) {
                throw error(entry.line, "host must not contain spaces")
            }
            if !host.hasPrefix("["), host.filter({ $0 == ":" }).count == 1,
               let colon = host.firstIndex(of: ":"), Int(host[host.index(after: colon)...]) != nil {
                throw error(entry.line, "write the port on its own line: host = \(host[..<colon]) and "
                            + "port = \(host[host.index(after: colon)...])")
            }
            if host.contains("@") {
                throw error(entry.line, "host is a server name like smtp.example.com, not an e-mail address")
            }
            var h = host.lowercased()
            if h.hasPrefix("[") && h.hasSuffix("]") { h = String(h.dropFirst().dropLast()) }
            if h.hasSuffix(".") { h = String(h.dropLast()) }
            return h
        }

        /// The words these apps use: tls and ssl mean implicit TLS, starttls means upgrade in band.
        static func security(_ word: String) -> Security? {
            switch word.lowercased().replacingOccurrences(of: "-", with: "_") {
            case "tls", "ssl", "ssl/tls", "implicit", "implicit_tls", "smtps", "imaps", "wrapper", "yes", "on", "true":
                .implicitTLS
            case "starttls", "start_tls", "explicit", "explicit_tls", "tls_required":
                .startTLS
            case "none", "plain", "plaintext", "off", "no", "false":
                .plaintextUnsafe
            default: nil
            }
        }

        static func boolean(_ word: String) -> Bool? {
            switch word.lowercased() {
            case "yes", "true", "on", "1": true
            case "no", "false", "off", "0": false
            default: nil
            }
        }

        mutating func checkPortAndSecurity(_ proto: MailProtocol, port: UInt16, security: Security, line: Int) {
            let section = "[\(proto.rawValue)]"
            if proto.foreignPorts.contains(port) {
                warnings.append(SettingsWarning(line: line, "\(section) port \(port) belongs to "
                    + "\(proto == .smtp ? "IMAP/POP (reading mail)" : "SMTP (sending mail)"), not \(proto)"))
                return
            }
            guard let expected = proto.expectedSecurity(onPort: port), expected != security else { return }
            let good = proto.defaultPort(for: security)
            switch (expected, security) {
            case (.implicitTLS, .startTLS):
                warnings.append(SettingsWarning(line: line, "\(section) port \(port) expects TLS from the first byte "
                    + "but security is starttls: the connection will hang waiting for a greeting. Use security = tls "
                    + "on port \(port), or keep starttls on port \(good)"))
            case (.startTLS, .implicitTLS):
                warnings.append(SettingsWarning(line: line, "\(section) port \(port) expects STARTTLS but security is "
                    + "tls (implicit TLS, \"SSL\"): the TLS handshake will fail (\"wrong version number\"). Use "
                    + "security = starttls on port \(port), or keep tls on port \(good)"))
            case (.implicitTLS, .plaintextUnsafe):
                warnings.append(SettingsWarning(line: line, "\(section) port \(port) expects TLS from the first byte "
                    + "but security is none: the server will not answer"))
            default:
                break  // none on a STARTTLS port: allowed, already flagged if a password is sent
            }
        }

        func resolve(_ path: String) -> String {
            var p = path
            if p.hasPrefix("~/"), let home = environment["HOME"] { p = home + p.dropFirst(1) }
            if p.hasPrefix("/") || baseDirectory == nil { return p }
            return baseDirectory! + "/" + p
        }

        mutating func readSecret(key: String, entry: SettingsEntry) throws(SettingsError) -> (String, SecretOrigin) {
            let what = key.hasPrefix("oauth2") ? "token" : "password"
            if key.hasSuffix("_env") {
                let name = entry.value
                guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                    throw error(entry.line, "\(key) must be the name of an environment variable, like SHOP_MAIL_PASSWORD")
                }
                guard let value = environment[name], !value.isEmpty else {
                    // A lower-case "name" may be the secret itself, typed in the wrong place: never echo it.
                    let shown = name.allSatisfy { $0.isUppercase || $0.isNumber || $0 == "_" } ? "\(name) " : ""
                    throw error(entry.line, "the environment variable \(shown)named by \(key) is not set or empty; "
                                + "the \(what) is read from it (write the variable's name here, not the \(what))")
                }
                return (value, .environment(name))
            }
            let path = resolve(entry.value)
            guard let data = FileManager.default.contents(atPath: path) else {
                // Something that does not look like a path may be the secret itself: never echo it.
                let looksLikePath = entry.value.contains("/") || entry.value.contains(".")
                throw error(entry.line, "\(key) \(looksLikePath ? path + " " : "")does not exist or cannot be read "
                            + "(write the path of a file holding the \(what), not the \(what))")
            }
            var value = String(decoding: data, as: UTF8.self)
            while value.hasSuffix("\n") || value.hasSuffix("\r") { value.removeLast() }
            guard !value.isEmpty else { throw error(entry.line, "\(key) \(path) is empty") }
            if value.contains("\n") {
                throw error(entry.line, "\(key) \(path) has more than one line; it must hold only the \(what)")
            }
            if let attributes = try? FileManager.default.attributesOfItem(atPath: path),
               let mode = attributes[.posixPermissions] as? Int, mode & 0o004 != 0 {
                warnings.append(SettingsWarning(line: entry.line, "\(key) \(path) can be read by every user of this "
                    + "computer; restrict it with: chmod 600 \(path)"))
            }
            return (value, .file(path))
        }
    }
}
