internal import Foundation
public import NetIO
import MIME

/// One thing to try when detecting settings from an address, in the order of diagnostics.md §1.6.
public enum DetectionStep: Sendable, Hashable, CustomStringConvertible {
    /// The built-in settings of a known provider (by mailbox domain).
    case preset(Provider)
    /// Fetch an autoconfig document (config-v1.1.xml) and parse it with `AutoconfigDocument`.
    case autoconfig(url: String)
    /// Ask the Thunderbird ISPDB for the domain.
    case ispdb(url: String)
    /// Look up an RFC 6186 / RFC 8314 §7 SRV record.
    case srv(name: String, protocol: MailProtocol, security: Security)
    /// Look up the domain's MX, then use `DetectionPlan.steps(forMX:)`.
    case mx(domain: String)
    /// Probe a candidate (connect, greeting, TLS) to confirm or to guess.
    case probe(ServerCandidate)

    public var description: String {
        switch self {
        case .preset(let p): "built-in settings for \(p.displayName)"
        case .autoconfig(let url): "autoconfig \(url)"
        case .ispdb(let url): "ISPDB \(url)"
        case .srv(let name, _, _): "DNS SRV \(name)"
        case .mx(let d): "DNS MX \(d)"
        case .probe(let c): "probe \(c.protocol.rawValue) \(c.endpoint) \(c.security.settingsWord)"
        }
    }
}

/// Where detection looks; injectable so tests run against 127.0.0.1.
public struct DetectionOptions: Sendable, Hashable {
    /// Autoconfig URL templates in priority order; `{domain}` is replaced (diagnostics.md §1.2).
    public var autoconfigTemplates: [String]
    /// The ISPDB base URL; the domain is appended. `nil` skips the ISPDB.
    public var ispdbBase: String?
    /// Send `?emailaddress=` with autoconfig requests (Thunderbird does, unless told not to).
    public var sendEmailAddress: Bool
    /// Also guess and probe plain-text candidates (last, flagged).
    public var includePlaintext: Bool
    /// Probe guessed host names when nothing published works (each guess costs a DNS lookup).
    public var guessWhenNothingWorks: Bool
    /// The known providers: their presets select settings by mailbox domain or MX, and their
    /// server hosts may be used without confirmation when DNS or a document names them.
    public var presets: [ProviderPreset]
    /// The autoconfig URL template tried for the MX host's domains (diagnostics.md §1.6 step 2,
    /// after the ISPDB); `{domain}` is replaced; `nil` skips it.
    public var mxAutoconfigTemplate: String?

    public init(autoconfigTemplates: [String] = DetectionOptions.standardAutoconfigTemplates,
                ispdbBase: String? = "https://live.thunderbird.net/autoconfig/v1.1/",
                sendEmailAddress: Bool = true, includePlaintext: Bool = true, guessWhenNothingWorks: Bool = true,
                presets: [ProviderPreset] = ProviderPreset.standard,
                mxAutoconfigTemplate: String? = DetectionOptions.standardMXAutoconfigTemplate) {
        self.mxAutoconfigTemplate = mxAutoconfigTemplate
        self.guessWhenNothingWorks = guessWhenNothingWorks
        self.autoconfigTemplates = autoconfigTemplates
        self.ispdbBase = ispdbBase
        self.sendEmailAddress = sendEmailAddress
        self.includePlaintext = includePlaintext
        self.presets = presets
    }

    /// HTTPS first, then HTTP, `autoconfig.` before `.well-known` (Thunderbird `fromISP`).
    public static let standardAutoconfigTemplates = [
        "https://autoconfig.{domain}/mail/config-v1.1.xml",
        "https://{domain}/.well-known/autoconfig/mail/config-v1.1.xml",
        "http://autoconfig.{domain}/mail/config-v1.1.xml",
        "http://{domain}/.well-known/autoconfig/mail/config-v1.1.xml",
    ]

    /// HTTPS only for a domain learned from the MX (unsigned DNS).
    public static let standardMXAutoconfigTemplate = "https://autoconfig.{domain}/mail/config-v1.1.xml"
}

/// What to try, in order, to find the settings of an address (diagnostics.md §1.6, §1.3): the
/// built-in preset, then autoconfig URLs, the ISPDB, SRV records, the MX, then guessed hosts and
/// ports (implicit TLS first, RFC 8314 §3; plain text last). A pure function: nothing is fetched.
public struct DetectionPlan: Sendable, Hashable {
    public var address: String
    /// The domain in IDNA A-label form, lower case.
    public var domain: String
    /// The preset found by the mailbox domain, if any.
    public var preset: ProviderPreset?
    public var steps: [DetectionStep]

    /// The plan for an address, or `nil` when it is not an address.
    public init?(address: String, options: DetectionOptions = DetectionOptions()) {
        let trimmed = address.trimmingCharacters(in: .whitespaces)
        let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty,
              !trimmed.contains(where: { $0.isWhitespace || $0 == "\r" || $0 == "\n" || $0 == "\0" }),
              var domain = Punycode.asciiDomain(String(parts[1]).lowercased())
        else { return nil }
        while domain.hasSuffix(".") { domain.removeLast() }
        guard domain.contains("."), !domain.hasPrefix(".") else { return nil }
        self.address = String(parts[0]) + "@" + domain
        self.domain = domain
        self.preset = ProviderPreset.forDomain(domain, in: options.presets)
        if let preset {
            // A known provider: its settings, confirmed by probing them (diagnostics.md §1.6 step 4).
            steps = [.preset(preset.provider)] + preset.candidates(for: self.address).map { .probe($0) }
        } else {
            steps = Self.discoverySteps(address: self.address, domain: domain, options: options)
                + Self.guesses(address: self.address, domain: domain, includePlaintext: options.includePlaintext)
                    .map { .probe($0) }
        }
    }

    /// Autoconfig, ISPDB, SRV and MX steps for a domain.
    static func discoverySteps(address: String, domain: String, options: DetectionOptions) -> [DetectionStep] {
        var steps: [DetectionStep] = []
        let query = options.sendEmailAddress ? "?emailaddress=" + (address.addingPercentEncodingForQuery) : ""
        for template in options.autoconfigTemplates {
            steps.append(.autoconfig(url: template.replacingOccurrences(of: "{domain}", with: domain) + query))
        }
        if let base = options.ispdbBase { steps.append(.ispdb(url: base + domain)) }
        steps += [
            .srv(name: "_submissions._tcp." + domain, protocol: .smtp, security: .implicitTLS),
            .srv(name: "_submission._tcp." + domain, protocol: .smtp, security: .startTLS),
            .srv(name: "_imaps._tcp." + domain, protocol: .imap, security: .implicitTLS),
            .srv(name: "_imap._tcp." + domain, protocol: .imap, security: .startTLS),
        ]
        steps.append(.mx(domain: domain))
        return steps
    }

    /// Guessed candidates (diagnostics.md §1.3), sorted: TLS before plain, implicit TLS before
    /// STARTTLS (RFC 8314), then host order, then port order.
    public static func guesses(address: String, domain: String, includePlaintext: Bool = true) -> [ServerCandidate] {
        func make(_ p: MailProtocol, _ host: String, _ port: UInt16, _ s: Security) -> ServerCandidate {
            ServerCandidate(protocol: p, host: host, port: port, security: s, username: address,
                            authKinds: [.password], source: .guess)
        }
        let smtpHosts = ["smtp.", "mail.", ""].map { $0 + domain }
        let imapHosts = ["imap.", "mail.", ""].map { $0 + domain }
        var smtp: [ServerCandidate] = smtpHosts.map { make(.smtp, $0, 465, .implicitTLS) }
        smtp += smtpHosts.flatMap { h in [587, 25].map { make(.smtp, h, $0, .startTLS) } }
        var imap: [ServerCandidate] = imapHosts.map { make(.imap, $0, 993, .implicitTLS) }
        imap += imapHosts.map { make(.imap, $0, 143, .startTLS) }
        if includePlaintext {
            smtp += smtpHosts.flatMap { h in [587, 25].map { make(.smtp, h, $0, .plaintextUnsafe) } }
            imap += imapHosts.map { make(.imap, $0, 143, .plaintextUnsafe) }
        }
        return smtp + imap
    }

    /// What to do once the MX host is known (diagnostics.md §1.2 `forMX`, §1.6 step 2): the
    /// preset whose MX suffix matches (Google Workspace, Microsoft 365…), else the ISPDB and
    /// HTTPS autoconfig of the MX's base domain (never the e-mail domain itself again).
    public static func steps(forMX mx: String, address: String, domain: String,
                             options: DetectionOptions = DetectionOptions()) -> [DetectionStep] {
        if let preset = ProviderPreset.forMX(mx, in: options.presets) {
            return [.preset(preset.provider)] + preset.candidates(for: address).map { .probe($0) }
        }
        let base = baseDomain(of: mx)
        guard base != domain else { return [] }
        var steps: [DetectionStep] = []
        let labels = Provider.normalised(mx).split(separator: ".")
        // More specific first: the "next subdomain", then the base domain.
        if labels.count > base.split(separator: ".").count + 1 {
            let next = labels.suffix(base.split(separator: ".").count + 1).joined(separator: ".")
            if let isp = options.ispdbBase { steps.append(.ispdb(url: isp + next)) }
            if let template = options.mxAutoconfigTemplate {
                steps.append(.autoconfig(url: template.replacingOccurrences(of: "{domain}", with: next)))
            }
        }
        if let isp = options.ispdbBase { steps.append(.ispdb(url: isp + base)) }
        if let template = options.mxAutoconfigTemplate {
            steps.append(.autoconfig(url: template.replacingOccurrences(of: "{domain}", with: base)))
        }
        return steps
    }

    /// Candidates from an SRV answer (RFC 6186 §3.4, RFC 2782: lowest priority first, then
    /// highest weight; a target of `.` means "not offered"). A target outside the domain that is
    /// not a known provider (built in, or a host of one of `presets`) needs confirmation: SRV
    /// answers are unsigned (RFC 6186 §6).
    public static func candidates(fromSRV records: [SRVRecord],
                                  name: String, protocol proto: MailProtocol, security: Security,
                                  address: String, domain: String,
                                  presets: [ProviderPreset] = ProviderPreset.standard) -> [ServerCandidate] {
        records.filter { $0.target != "." && !$0.target.isEmpty }
            .sorted { $0.priority != $1.priority ? $0.priority < $1.priority : $0.weight > $1.weight }
            .map { r in
                var host = r.target.lowercased()
                while host.hasSuffix(".") { host.removeLast() }
                return ServerCandidate(protocol: proto, host: host, port: r.port, security: security, username: address,
                                       authKinds: [.password], source: .srv(name),
                                       needsConfirmation: !isTrusted(host: host, forDomain: domain, presets: presets))
            }
    }

    /// Whether a host learned indirectly may be used without asking: it is the domain or under
    /// it, or it belongs to a known provider: the built-in host table (`Provider.identify(host:)`)
    /// or exactly a server host of one of `presets` (RFC 7525 §6.1; diagnostics.md §1.4). A
    /// preset's registrable domain is not enough: anyone can have a name under `amazonaws.com`.
    public static func isTrusted(host: String, forDomain domain: String,
                                 presets: [ProviderPreset] = ProviderPreset.standard) -> Bool {
        let h = Provider.normalised(host), d = Provider.normalised(domain)
        if h == d || h.hasSuffix("." + d) { return true }
        if Provider.identify(host: h) != nil { return true }
        return presets.contains { preset in (preset.smtp + preset.imap).contains { Provider.normalised($0.host) == h } }
    }

    /// The registrable domain, approximately (eTLD+1 without the public suffix list: two labels,
    /// or three under a two-letter country code with a short second level such as `co.uk`).
    static func baseDomain(of host: String) -> String {
        let labels = Provider.normalised(host).split(separator: ".").map(String.init)
        guard labels.count > 2 else { return labels.joined(separator: ".") }
        let tld = labels[labels.count - 1], second = labels[labels.count - 2]
        let take = tld.count == 2 && ["co", "com", "net", "org", "ac", "gov", "ne", "or"].contains(second) ? 3 : 2
        return labels.suffix(take).joined(separator: ".")
    }
}

extension String {
    /// Percent-encoding for a query value (RFC 3986 §3.4): unreserved characters and `@` kept.
    var addingPercentEncodingForQuery: String {
        var out = ""
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                 UInt8(ascii: "~"), UInt8(ascii: "@"):
                out.append(Character(Unicode.Scalar(byte)))
            default:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(2)
            }
        }
        return out
    }

    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
