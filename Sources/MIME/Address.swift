/// An RFC 5322 §3.4 mailbox: an optional display name and an addr-spec `local@domain`.
///
/// The domain may be an internationalised domain name (RFC 5890); it is written in its ASCII
/// (`xn--`) form unless the transport allows SMTPUTF8. A non-ASCII local part needs SMTPUTF8
/// (RFC 6531 §3.3). `Address("ana@example.com", displayName: "Ana Müller")`.
public struct Address: Sendable, Hashable, CustomStringConvertible {
    /// The phrase shown to people (RFC 5322 §3.4 `display-name`), decoded text, no quoting.
    public var displayName: String?
    /// `local-part@domain` (RFC 5322 §3.4.1), as given: no angle brackets, no comments.
    public var addrSpec: String

    /// Validates `addrSpec` (RFC 5322 §3.4.1, RFC 6531 for UTF-8, RFC 5890 for IDN domains) and
    /// the display name (no CR, LF or NUL).
    public init(_ addrSpec: String, displayName: String? = nil) throws(MIMEError) {
        try Address.validate(addrSpec: addrSpec, field: "address")
        if let displayName { try HeaderValidation.checkNoControls(displayName, field: "display name") }
        self.addrSpec = addrSpec
        self.displayName = (displayName?.isEmpty ?? true) ? nil : displayName
    }

    /// Parses one RFC 5322 §3.4 mailbox: `Name <a@b>`, `"Last, First" <a@b>`, `a@b`,
    /// `a@b (Name)`; RFC 2047 encoded words in the display name are decoded.
    public static func parse(_ text: String) throws(MIMEError) -> Address {
        let list = try parseList(text)
        guard list.count == 1 else {
            throw MIMEError(.invalidAddress, field: "address", evidence: text)
        }
        return list[0]
    }

    /// Parses an RFC 5322 §3.4 address-list; groups (`Team: a@b, c@d;`) are flattened.
    public static func parseList(_ text: String) throws(MIMEError) -> [Address] {
        try HeaderValidation.checkNoControls(text, field: "address")
        var out: [Address] = []
        for item in AddressListScanner.items(text) {
            guard let (name, spec) = AddressListScanner.mailbox(item) else {
                throw MIMEError(.invalidAddress, field: "address", evidence: item)
            }
            out.append(try Address(spec, displayName: name))
        }
        return out
    }

    /// The local part, before the last `@`.
    public var localPart: Substring {
        addrSpec[..<(addrSpec.lastIndex(of: "@") ?? addrSpec.endIndex)]
    }

    /// The domain, after the last `@`.
    public var domain: Substring {
        guard let at = addrSpec.lastIndex(of: "@") else { return "" }
        return addrSpec[addrSpec.index(after: at)...]
    }

    /// `true` when the local part is not ASCII: only an SMTPUTF8 transport can carry it (RFC 6531).
    public var requiresSMTPUTF8: Bool { !localPart.utf8.allSatisfy { $0 < 0x80 } }

    /// The addr-spec with an internationalised domain in ASCII (`xn--`) form, for transports
    /// without SMTPUTF8; nil when the local part itself is not ASCII.
    public var asciiAddrSpec: String? {
        guard !requiresSMTPUTF8, let d = Punycode.asciiDomain(String(domain)) else { return nil }
        return localPart + "@" + d
    }

    /// `Name <local@domain>` or `local@domain`, unencoded (for people and logs).
    public var description: String {
        guard let displayName else { return addrSpec }
        return "\(displayName) <\(addrSpec)>"
    }

    // MARK: - validation

    /// RFC 5321 §4.5.3.1.1: the maximum total length of a local part is 64 octets.
    static let maximumLocalPartLength = 64
    /// RFC 5321 §4.5.3.1.2: the maximum total length of a domain is 255 octets.
    static let maximumDomainLength = 255
    /// RFC 1035 §2.3.4: labels are 63 octets or less.
    static let maximumLabelLength = 63

    static func validate(addrSpec: String, field: String) throws(MIMEError) {
        try HeaderValidation.checkNoControls(addrSpec, field: field)
        let bad = MIMEError(.invalidAddress, field: field, evidence: addrSpec)
        guard let at = addrSpec.lastIndex(of: "@") else { throw bad }
        let local = addrSpec[..<at], domain = addrSpec[addrSpec.index(after: at)...]
        guard !local.isEmpty, !domain.isEmpty, local.utf8.count <= maximumLocalPartLength else { throw bad }
        guard isValidLocalPart(local), isValidDomain(domain) else { throw bad }
    }

    /// RFC 5322 §3.2.3 atext, extended by RFC 6532 §3.2 to any non-ASCII UTF-8.
    static func isAtext(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"): true
        case 0x80...0xFF: true
        default: "!#$%&'*+-/=?^_`{|}~".utf8.contains(b)
        }
    }

    // local-part = dot-atom / quoted-string
    static func isValidLocalPart(_ local: Substring) -> Bool {
        let bytes = Array(local.utf8)
        if bytes.first == UInt8(ascii: "\"") {
            guard bytes.count >= 2, bytes.last == UInt8(ascii: "\"") else { return false }
            var i = 1
            while i < bytes.count - 1 {
                let b = bytes[i]
                if b == UInt8(ascii: "\\") {
                    i += 1
                    guard i < bytes.count - 1 else { return false }
                } else if b == UInt8(ascii: "\"") || b < 0x20 || b == 0x7F {
                    return false
                }
                i += 1
            }
            return true
        }
        return isDotAtom(bytes)
    }

    // dot-atom-text = 1*atext *("." 1*atext)
    static func isDotAtom(_ bytes: [UInt8]) -> Bool {
        guard !bytes.isEmpty, bytes.first != UInt8(ascii: "."), bytes.last != UInt8(ascii: ".") else { return false }
        var previousDot = false
        for b in bytes {
            if b == UInt8(ascii: ".") {
                if previousDot { return false }
                previousDot = true
            } else {
                guard isAtext(b) else { return false }
                previousDot = false
            }
        }
        return true
    }

    // domain = dot-atom / domain-literal; host names per RFC 1123 §2.1 with IDN labels (RFC 5890)
    static func isValidDomain(_ domain: Substring) -> Bool {
        if domain.hasPrefix("[") {
            guard domain.hasSuffix("]"), domain.count > 2 else { return false }
            return domain.dropFirst().dropLast().utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "[") && $0 != UInt8(ascii: "]") && $0 != UInt8(ascii: "\\") }
        }
        guard let ascii = Punycode.asciiDomain(String(domain)), ascii.utf8.count <= maximumDomainLength else { return false }
        let labels = ascii.split(separator: ".", omittingEmptySubsequences: false)
        for label in labels {
            guard !label.isEmpty, label.utf8.count <= maximumLabelLength,
                  label.first != "-", label.last != "-" else { return false }
            for b in label.utf8 {
                let ok = (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39)
                    || b == UInt8(ascii: "-") || b == UInt8(ascii: "_")
                guard ok else { return false }
            }
        }
        return true
    }
}

/// RFC 5322 §3.4.1 domain-literal: after an `@`, `[ … ]` holds dtext, where `<`, `>`, `,`, `;`, `:`
/// and `(` are ordinary characters (`a@[<a]` is one addr-spec). A `[` anywhere else (an unquoted
/// display name such as `Support [EXT] <a@b>`, which real mailers write) is not a literal.
struct DomainLiteralTracker {
    private var inside = false
    private var previous: Unicode.Scalar = " "

    /// Feeds one scalar; `true` when it belongs to a domain literal (the caller takes it as text).
    mutating func consume(_ s: Unicode.Scalar, outsideQuotesAndComments: Bool) -> Bool {
        defer { if s != " " && s != "\t" { previous = s } }
        if inside {
            if s == "]" { inside = false }
            return true
        }
        if outsideQuotesAndComments, s == "[", previous == "@" {
            inside = true
            return true
        }
        return false
    }
}

/// Splits RFC 5322 §3.4 address lists into mailboxes, honouring quoted strings, comments,
/// angle brackets and groups, tolerant of what real mailers write.
enum AddressListScanner {
    /// The mailbox texts of a list, groups flattened (`Team: a@b, c@d;` → `a@b`, `c@d`).
    static func items(_ text: String) -> [String] {
        var items: [String] = []
        var current: [Unicode.Scalar] = []
        var inQuote = false, escaped = false, comment = 0, angle = false
        var literal = DomainLiteralTracker()
        for s in text.unicodeScalars {
            if escaped { current.append(s); escaped = false; continue }
            if literal.consume(s, outsideQuotesAndComments: !inQuote && comment == 0) { current.append(s); continue }
            if inQuote {
                if s == "\\" { escaped = true } else if s == "\"" { inQuote = false }
                current.append(s); continue
            }
            if comment > 0 {
                if s == "\\" { escaped = true } else if s == "(" { comment += 1 } else if s == ")" { comment -= 1 }
                current.append(s); continue
            }
            switch s {
            case "\"": inQuote = true; current.append(s)
            case "(": comment += 1; current.append(s)
            case "<": angle = true; current.append(s)
            case ">": angle = false; current.append(s)
            case ":" where !angle:
                current.removeAll()   // a group's display name: drop it
            case ";" where !angle, "," where !angle:
                flush(&current, into: &items)
            default: current.append(s)
            }
        }
        flush(&current, into: &items)
        return items
    }

    private static func flush(_ current: inout [Unicode.Scalar], into items: inout [String]) {
        var s = String(String.UnicodeScalarView(current))
        s = s.trimmingWSP()
        if !s.isEmpty { items.append(s) }
        current.removeAll()
    }

    /// (display name, addr-spec) of one mailbox text, or nil when no addr-spec is present.
    static func mailbox(_ item: String) -> (String?, String)? {
        let scalars = Array(item.unicodeScalars)
        // Find the angle-addr outside quotes and comments.
        var inQuote = false, escaped = false, comment = 0
        var lt: Int?, gt: Int?
        var literal = DomainLiteralTracker()
        for (i, s) in scalars.enumerated() {
            if escaped { escaped = false; continue }
            if literal.consume(s, outsideQuotesAndComments: !inQuote && comment == 0) { continue }
            if inQuote { if s == "\\" { escaped = true } else if s == "\"" { inQuote = false }; continue }
            if comment > 0 { if s == "\\" { escaped = true } else if s == "(" { comment += 1 } else if s == ")" { comment -= 1 }; continue }
            if s == "\"" { inQuote = true } else if s == "(" { comment += 1 }
            else if s == "<", lt == nil { lt = i } else if s == ">", lt != nil, gt == nil { gt = i }
        }
        if let lt {
            let end = gt ?? scalars.count
            var spec = String(String.UnicodeScalarView(scalars[(lt + 1)..<end])).trimmingWSP()
            if spec.hasPrefix("@"), let colon = spec.firstIndex(of: ":") {   // obs-route
                spec = String(spec[spec.index(after: colon)...])
            }
            spec = removingWSPOutsideQuotes(stripComments(spec))
            guard !spec.isEmpty else { return nil }
            let name = Phrase.decode(String(String.UnicodeScalarView(scalars[..<lt])))
            return (name.isEmpty ? nil : name, spec)
        }
        // addr-spec, perhaps with a trailing comment holding the name: `a@b (Name)`.
        var commentText = ""
        let spec = stripComments(item, collect: &commentText).trimmingWSP()
        guard !spec.isEmpty, !spec.contains(" ") || spec.hasPrefix("\"") else { return nil }
        let name = Phrase.decode(commentText)
        return (name.isEmpty ? nil : name, spec)
    }

    /// An addr-spec without the CFWS around its tokens (RFC 5322 §3.4.1, §4.4 obs-local-part),
    /// keeping white space inside a quoted-string local part as written: `" cal"@e` stays
    /// `" cal"@e`, `a . b @ c` becomes `a.b@c`.
    static func removingWSPOutsideQuotes(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        var inQuote = false, escaped = false
        for s in text.unicodeScalars {
            if escaped { escaped = false; out.append(s); continue }
            if inQuote {
                if s == "\\" { escaped = true } else if s == "\"" { inQuote = false }
                out.append(s)
                continue
            }
            if s == "\"" { inQuote = true }
            if s == " " || s == "\t" || s == "\r" || s == "\n" { continue }
            out.append(s)
        }
        return String(out)
    }

    static func stripComments(_ text: String) -> String {
        var ignored = ""
        return stripComments(text, collect: &ignored)
    }

    /// Removes `( … )` comments outside quoted strings; their text is gathered into `collect`.
    static func stripComments(_ text: String, collect: inout String) -> String {
        var out = String.UnicodeScalarView()
        var inQuote = false, escaped = false, depth = 0
        for s in text.unicodeScalars {
            if depth > 0 {
                if escaped { escaped = false; collect.unicodeScalars.append(s); continue }
                if s == "\\" { escaped = true; continue }
                if s == "(" { depth += 1 } else if s == ")" { depth -= 1; if depth == 0 { continue } }
                collect.unicodeScalars.append(s)
                continue
            }
            if escaped { escaped = false; out.append(s); continue }
            if inQuote { if s == "\\" { escaped = true } else if s == "\"" { inQuote = false }; out.append(s); continue }
            if s == "\"" { inQuote = true; out.append(s) }
            else if s == "(" { depth = 1; if !collect.isEmpty { collect += " " } }
            else { out.append(s) }
        }
        return String(out)
    }
}

/// RFC 5322 §3.2.5 phrases (display names): quoted strings unquoted, RFC 2047 encoded words
/// decoded (also inside quotes, as Outlook writes them), runs of white space collapsed.
enum Phrase {
    static func decode(_ text: String) -> String {
        var unquoted = String.UnicodeScalarView()
        var inQuote = false, escaped = false
        for s in text.unicodeScalars {
            if escaped { unquoted.append(s); escaped = false; continue }
            if s == "\\" && inQuote { escaped = true; continue }
            if s == "\"" { inQuote.toggle(); continue }
            unquoted.append(s)
        }
        let decoded = EncodedWord.decodeText(String(unquoted))
        return decoded.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }
}

extension String {
    /// Without leading and trailing spaces and tabs (RFC 5234 WSP) and line breaks.
    func trimmingWSP() -> String {
        let scalars = unicodeScalars
        var start = scalars.startIndex, end = scalars.endIndex
        func isWSP(_ s: Unicode.Scalar) -> Bool { s == " " || s == "\t" || s == "\r" || s == "\n" }
        while start < end, isWSP(scalars[start]) { start = scalars.index(after: start) }
        while end > start, isWSP(scalars[scalars.index(before: end)]) { end = scalars.index(before: end) }
        return String(scalars[start..<end])
    }
}
