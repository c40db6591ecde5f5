public import Foundation
#if canImport(FoundationXML)
internal import FoundationXML
#endif
internal import NetIO

/// A Thunderbird autoconfig document (`config-v1.1.xml`, the ISPDB format; diagnostics.md §1.1,
/// wiki.mozilla.org/Thunderbird:Autoconfiguration:ConfigFileFormat) read into candidate settings.
///
/// Several servers of one kind are kept in document order (the first is preferred); POP3, NNTP and
/// Exchange servers are skipped. `%EMAILADDRESS%`, `%EMAILLOCALPART%`, `%EMAILDOMAIN%` and
/// `%REALNAME%` are substituted in host names and user names.
public struct AutoconfigDocument: Sendable, Hashable {
    public var providerID: String?
    /// The `<domain>` entries (mailbox domains, and MX domains for custom-domain matching).
    public var domains: [String]
    public var displayName: String?
    /// IMAP servers, preferred first.
    public var incoming: [ServerCandidate]
    /// SMTP servers, preferred first.
    public var outgoing: [ServerCandidate]
    /// `<enable visiturl>`: a step the user must do first ("You need to enable IMAP access").
    public var enableInstruction: EnableStep?
    /// `<documentation url>` links.
    public var documentation: [String]
    /// Servers of a kind this engine does not speak (pop3, exchange), by type.
    public var skipped: [String]

    /// `<enable visiturl="…"><instruction>…</instruction></enable>`.
    public struct EnableStep: Sendable, Hashable {
        public var url: String?
        public var text: String
    }

    /// A document that cannot be used.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        public var message: String
        public var description: String { "autoconfig: \(message)" }
    }

    /// The largest document accepted: real ISPDB files are a few kilobytes.
    public static let maximumSize = 256 * 1024

    /// Parses a document for an address. `source` names where it came from (its URL); a server
    /// outside the address's domain that is not a known provider (`DetectionPlan.isTrusted`,
    /// with `presets`) is marked for confirmation.
    public static func parse(_ data: Data, address: String, realName: String? = nil,
                             source: String = "autoconfig",
                             presets: [ProviderPreset] = ProviderPreset.standard) throws(ParseError) -> AutoconfigDocument {
        guard data.count <= maximumSize else { throw ParseError(message: "document larger than \(maximumSize) bytes") }
        let reader = Reader()
        let parser = XMLParser(data: data)
        parser.shouldResolveExternalEntities = false
        parser.delegate = reader
        guard parser.parse() else {
            throw ParseError(message: "not well-formed XML (\(parser.parserError.map { "\($0.localizedDescription)" } ?? "unknown error"))")
        }
        if let open = reader.open.last {
            throw ParseError(message: "not well-formed XML (<\(open)> is never closed)")
        }
        guard reader.sawRoot else { throw ParseError(message: "no <clientConfig> element") }
        guard reader.sawProvider else { throw ParseError(message: "no <emailProvider> element") }

        let parts = address.split(separator: "@", maxSplits: 1).map(String.init)
        let local = parts.first ?? ""
        let domain = parts.count > 1 ? parts[1].lowercased() : ""
        func fill(_ s: String) -> String {
            s.replacingOccurrences(of: "%EMAILADDRESS%", with: address)
                .replacingOccurrences(of: "%EMAILLOCALPART%", with: local)
                .replacingOccurrences(of: "%EMAILDOMAIN%", with: domain)
                .replacingOccurrences(of: "%REALNAME%", with: realName ?? "")
        }

        var document = AutoconfigDocument(providerID: reader.providerID, domains: reader.domains.map { $0.lowercased() },
                                          displayName: reader.displayName, incoming: [], outgoing: [],
                                          enableInstruction: nil, documentation: reader.documentation, skipped: [])
        if let text = reader.enableText { document.enableInstruction = EnableStep(url: reader.enableURL, text: text) }
        for server in reader.servers {
            let proto: MailProtocol
            switch (server.element, server.type.lowercased()) {
            case ("incomingServer", "imap"): proto = .imap
            case ("outgoingServer", "smtp"): proto = .smtp
            default:
                document.skipped.append(server.type)
                continue
            }
            // socketType is repeatable; the first one understood wins.
            guard let security = server.socketTypes.lazy.compactMap(Self.security).first,
                  let hostname = server.hostname.map(fill), !hostname.isEmpty,
                  let portText = server.port, let port = UInt16(portText.trimmingCharacters(in: .whitespaces)), port > 0
            else {
                document.skipped.append("\(server.type) (incomplete)")
                continue
            }
            let username = server.username.map(fill)
            // Names that would inject commands (CR, LF, NUL) or are not host names are refused.
            guard Self.isHostName(hostname), username.map(Self.hasNoControlCharacters) ?? true else {
                document.skipped.append("\(server.type) (invalid host or user name)")
                continue
            }
            let auth = server.authentication.compactMap(Self.authKind)
            let host = hostname.lowercased()
            let candidate = ServerCandidate(
                protocol: proto, host: host, port: port, security: security,
                username: username, authKinds: auth, source: .autoconfig(source),
                needsConfirmation: !DetectionPlan.isTrusted(host: host, forDomain: domain, presets: presets))
            if proto == .imap { document.incoming.append(candidate) } else { document.outgoing.append(candidate) }
        }
        return document
    }

    /// Letters, digits, `-`, `.` (RFC 1123 §2.1), or an IP literal; at most 253 characters.
    static func isHostName(_ s: String) -> Bool {
        !s.isEmpty && s.count <= 253
            && s.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-.:[]".unicodeScalars.contains($0)) }
    }

    static func hasNoControlCharacters(_ s: String) -> Bool {
        !s.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
    }

    /// `SSL`, `STARTTLS`, `plain` (diagnostics.md §1.1).
    static func security(_ word: String) -> Security? {
        switch word.trimmingCharacters(in: .whitespaces).uppercased() {
        case "SSL", "TLS": .implicitTLS
        case "STARTTLS": .startTLS
        case "PLAIN": .plaintextUnsafe
        default: nil
        }
    }

    /// The `<authentication>` values (diagnostics.md §1.1).
    static func authKind(_ word: String) -> AuthKind? {
        switch word.trimmingCharacters(in: .whitespaces).lowercased() {
        case "password-cleartext", "plain": .password
        case "password-encrypted", "secure": .challengeResponse
        case "oauth2": .oauth2
        case "gssapi": .gssapi
        case "ntlm": .ntlm
        case "none", "client-ip-address", "smtp-after-pop": AuthKind.none
        default: nil
        }
    }

    struct Server {
        var element: String
        var type: String
        var hostname: String?
        var port: String?
        var socketTypes: [String] = []
        var authentication: [String] = []
        var username: String?
    }

    /// The SAX reader; used on one thread during `parse`.
    final class Reader: NSObject, XMLParserDelegate {
        var sawRoot = false
        var sawProvider = false
        var providerID: String?
        var domains: [String] = []
        var displayName: String?
        var servers: [Server] = []
        var enableURL: String?
        var enableText: String?
        var documentation: [String] = []
        var current: Server?
        var text = ""
        /// Elements opened and not yet closed.
        var open: [String] = []

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
                    qualifiedName: String?, attributes: [String: String] = [:]) {
            text = ""
            open.append(name)
            switch name {
            case "clientConfig": sawRoot = true
            case "emailProvider":
                sawProvider = true
                providerID = attributes["id"]
            case "incomingServer", "outgoingServer":
                current = Server(element: name, type: attributes["type"] ?? "")
            case "enable": enableURL = attributes["visiturl"]
            case "documentation": if let url = attributes["url"] { documentation.append(url) }
            default: break
            }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
            text = ""
            if open.last == name { open.removeLast() }
            if current != nil {
                switch name {
                case "hostname": current?.hostname = value
                case "port": current?.port = value
                case "socketType": current?.socketTypes.append(value)
                case "authentication": current?.authentication.append(value)
                case "username": current?.username = value
                case "incomingServer", "outgoingServer":
                    if let c = current { servers.append(c) }
                    current = nil
                default: break
                }
                return
            }
            switch name {
            case "domain": if !value.isEmpty { domains.append(value) }
            case "displayName": if displayName == nil, !value.isEmpty { displayName = value }
            case "instruction": if enableText == nil, !value.isEmpty { enableText = value }
            default: break
            }
        }
    }
}
