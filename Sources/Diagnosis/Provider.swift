internal import Foundation

/// A mail provider or e-mail service whose quirks the catalogue and presets know
/// (diagnostics.md §2).
public enum Provider: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    case gmail
    /// Google Workspace's relay `smtp-relay.gmail.com` (IP allow-list or SMTP AUTH).
    case googleWorkspaceRelay
    /// Outlook.com, Hotmail, Live (consumer accounts): OAuth2 only since Sept 2024.
    case outlookConsumer
    /// Microsoft 365 / Exchange Online.
    case microsoft365
    case yahoo
    case aol
    case icloud
    case zoho
    case gmx
    case fastmail
    case sendgrid
    case mailgun
    case amazonSES
    case postmark
    case brevo
    case mandrill

    public var description: String { displayName }

    /// The name a shop owner knows.
    public var displayName: String {
        switch self {
        case .gmail: "Gmail / Google Workspace"
        case .googleWorkspaceRelay: "Google Workspace SMTP relay"
        case .outlookConsumer: "Outlook.com"
        case .microsoft365: "Microsoft 365"
        case .yahoo: "Yahoo Mail"
        case .aol: "AOL Mail"
        case .icloud: "iCloud Mail"
        case .zoho: "Zoho Mail"
        case .gmx: "GMX"
        case .fastmail: "Fastmail"
        case .sendgrid: "SendGrid"
        case .mailgun: "Mailgun"
        case .amazonSES: "Amazon SES"
        case .postmark: "Postmark"
        case .brevo: "Brevo"
        case .mandrill: "Mandrill (Mailchimp Transactional)"
        }
    }

    /// The provider a server host name belongs to (`smtp.gmail.com` → Gmail), or `nil`.
    public static func identify(host: String) -> Provider? {
        let h = normalised(host)
        if h == "smtp-relay.gmail.com" { return .googleWorkspaceRelay }
        if h == "smtp-mail.outlook.com" || h == "imap-mail.outlook.com" || h == "pop-mail.outlook.com" {
            return .outlookConsumer
        }
        for (suffix, provider) in hostSuffixes where h == suffix || h.hasSuffix("." + suffix) {
            return provider
        }
        if h.hasPrefix("email-smtp.") && h.hasSuffix(".amazonaws.com") { return .amazonSES }
        if h.split(separator: ".").contains("zoho") || h.split(separator: ".").contains("zohomail") { return .zoho }
        return nil
    }

    /// The provider of an e-mail domain (`gmail.com`, `hotmail.co.uk`, `me.com`), or `nil`.
    public static func identify(domain: String) -> Provider? {
        let d = normalised(domain)
        if let p = mailboxDomains[d] { return p }
        let labels = d.split(separator: ".")
        if let first = labels.first, labels.count >= 2 {
            switch first {
            case "hotmail", "outlook", "live", "msn": return .outlookConsumer
            case "yahoo", "ymail": return .yahoo
            case "gmx": return .gmx
            default: break
            }
        }
        return nil
    }

    /// The provider behind an MX host (diagnostics.md §1.6 step 2), e.g. `aspmx.l.google.com` →
    /// Gmail (Workspace), `x.mail.protection.outlook.com` → Microsoft 365.
    public static func identify(mx: String) -> Provider? {
        let h = normalised(mx)
        for (suffix, provider) in mxSuffixes where h == suffix || h.hasSuffix("." + suffix) { return provider }
        return nil
    }

    /// A provider told by the server's own words when the host name is a custom one
    /// (`- gsmtp`, `prod.outlook.com`).
    public static func identify(replyText text: String) -> Provider? {
        let t = text.lowercased()
        if t.hasSuffix("gsmtp") || t.contains("support.google.com") || t.contains("accounts.google.com") { return .gmail }
        if t.contains("prod.outlook.com") || t.contains("aka.ms/") || t.contains("storedrv") { return .microsoft365 }
        if t.contains("#auth005") || t.contains("yahoo") { return .yahoo }
        if t.contains("sendgrid") { return .sendgrid }
        if t.contains("mailgun") { return .mailgun }
        if t.contains("amazonses") || t.contains("aws") && t.contains("ses") { return .amazonSES }
        return nil
    }

    static func normalised(_ name: String) -> String {
        var h = name.lowercased().trimmingCharacters(in: .whitespaces)
        while h.hasSuffix(".") { h.removeLast() }
        return h
    }

    /// Server host suffixes, most specific first.
    static let hostSuffixes: [(String, Provider)] = [
        ("gmail.com", .gmail), ("googlemail.com", .gmail), ("google.com", .gmail),
        ("office365.com", .microsoft365), ("outlook.com", .microsoft365),
        ("mail.yahoo.com", .yahoo), ("yahoo.com", .yahoo), ("yahoodns.net", .yahoo),
        ("aol.com", .aol),
        ("mail.me.com", .icloud), ("icloud.com", .icloud),
        ("gmx.net", .gmx), ("gmx.com", .gmx), ("gmx.de", .gmx), ("mail.com", .gmx),
        ("fastmail.com", .fastmail), ("messagingengine.com", .fastmail),
        ("sendgrid.net", .sendgrid), ("mailgun.org", .mailgun),
        ("postmarkapp.com", .postmark), ("brevo.com", .brevo), ("sendinblue.com", .brevo),
        ("mandrillapp.com", .mandrill),
    ]

    /// MX host suffixes (ISPDB `<domain>` entries naming MX domains, diagnostics.md §1.1, §1.6).
    static let mxSuffixes: [(String, Provider)] = [
        ("aspmx.l.google.com", .gmail), ("googlemail.com", .gmail), ("google.com", .gmail),
        ("mail.protection.outlook.com", .microsoft365), ("olc.protection.outlook.com", .outlookConsumer),
        ("yahoodns.net", .yahoo), ("mail.icloud.com", .icloud), ("zoho.com", .zoho), ("zoho.eu", .zoho),
        ("messagingengine.com", .fastmail), ("gmx.net", .gmx),
    ]

    /// Mailbox domains of consumer providers.
    static let mailboxDomains: [String: Provider] = [
        "gmail.com": .gmail, "googlemail.com": .gmail,
        "outlook.com": .outlookConsumer, "hotmail.com": .outlookConsumer, "live.com": .outlookConsumer,
        "msn.com": .outlookConsumer,
        "yahoo.com": .yahoo, "ymail.com": .yahoo, "rocketmail.com": .yahoo,
        "aol.com": .aol, "aim.com": .aol,
        "icloud.com": .icloud, "me.com": .icloud, "mac.com": .icloud,
        "zoho.com": .zoho, "zohomail.com": .zoho, "zoho.eu": .zoho, "zohomail.eu": .zoho, "zoho.in": .zoho,
        "gmx.net": .gmx, "gmx.de": .gmx, "gmx.at": .gmx, "gmx.ch": .gmx, "gmx.com": .gmx, "mail.com": .gmx,
        "fastmail.com": .fastmail, "fastmail.fm": .fastmail,
    ]
}
