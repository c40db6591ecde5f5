public import NetIO

/// One client command and its encoding (RFC 5321 §4.1.1, RFC 3207, RFC 4954, RFC 3030).
///
/// `encoded()` refuses, before anything reaches the wire, CR, LF and NUL in every argument
/// (command injection: `"a@b>\r\nDATA"`), and characters that would end or break a path, a
/// keyword or a value (`<`, `>`, controls, spaces outside a quoted local part).
public enum SMTPCommand: Sendable, Hashable {
    case ehlo(String)
    case helo(String)
    case startTLS
    /// `AUTH mechanism [initial-response]` (RFC 4954 §4); the response is sent base64-encoded,
    /// an empty one as `=`.
    case auth(mechanism: String, initialResponse: [UInt8]?)
    /// A base64 line answering a `334` challenge (RFC 4954 §4).
    case authResponse([UInt8])
    /// `*`: cancels the AUTH exchange (RFC 4954 §4).
    case authCancel
    case mail(from: String, parameters: [SMTPParameter])
    case rcpt(to: String, parameters: [SMTPParameter])
    case data
    /// `BDAT size [LAST]` (RFC 3030 §2); the `size` octets follow the line.
    case bdat(size: Int, last: Bool)
    case rset
    case noop
    case quit

    /// The verb, for errors and stages.
    public var verb: String {
        switch self {
        case .ehlo: "EHLO"
        case .helo: "HELO"
        case .startTLS: "STARTTLS"
        case .auth, .authResponse, .authCancel: "AUTH"
        case .mail: "MAIL"
        case .rcpt: "RCPT"
        case .data: "DATA"
        case .bdat: "BDAT"
        case .rset: "RSET"
        case .noop: "NOOP"
        case .quit: "QUIT"
        }
    }

    /// The line without CR LF. Throws `SMTPError.Kind.invalidArgument` for forbidden characters.
    public func line() throws(SMTPError) -> String {
        switch self {
        case .ehlo(let domain), .helo(let domain):
            try Self.check(domain, as: "client name", allowSpace: false)
            guard !domain.isEmpty else { throw Self.invalid("the client name is empty") }
            return "\(verb) \(domain)"
        case .startTLS: return "STARTTLS"
        case .auth(let mechanism, let response):
            guard !mechanism.isEmpty, mechanism.utf8.count <= 20,
                  mechanism.utf8.allSatisfy({ (0x41...0x5A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D || $0 == 0x5F })
            else { throw Self.invalid("not a SASL mechanism name (RFC 4422 §3.1): \(mechanism.debugDescription)") }
            guard let response else { return "AUTH \(mechanism)" }
            return "AUTH \(mechanism) " + (response.isEmpty ? "=" : Base64.encode(response))
        case .authResponse(let response): return Base64.encode(response)
        case .authCancel: return "*"
        case .mail(let from, let parameters):
            return "MAIL FROM:<\(try Self.path(from, allowEmpty: true))>" + (try Self.encode(parameters))
        case .rcpt(let to, let parameters):
            return "RCPT TO:<\(try Self.path(to, allowEmpty: false))>" + (try Self.encode(parameters))
        case .data: return "DATA"
        case .bdat(let size, let last):
            guard size >= 0 else { throw Self.invalid("negative BDAT size") }
            return "BDAT \(size)" + (last ? " LAST" : "")
        case .rset: return "RSET"
        case .noop: return "NOOP"
        case .quit: return "QUIT"
        }
    }

    /// The bytes to send: the line and CR LF.
    public func encoded() throws(SMTPError) -> [UInt8] {
        Array(try line().utf8) + [0x0D, 0x0A]
    }

    /// What the transcript shows: AUTH arguments and responses redacted with `secretLabel`
    /// (`credentials of shop@example.com`), everything else as sent.
    public func transcriptText(secretLabel: String) throws(SMTPError) -> TranscriptText {
        switch self {
        case .auth(let mechanism, .some):
            return .redacted("AUTH \(mechanism)", secret: secretLabel)
        case .authResponse:
            return .redacted("", secret: secretLabel)
        default:
            return .line(try line())
        }
    }

    // MARK: validation

    /// A mailbox inside `<…>` (RFC 5321 §4.1.2 `Path`): no controls, no `<`/`>`, no space outside
    /// a quoted local part. Non-ASCII is allowed (SMTPUTF8 decides whether it may be sent).
    static func path(_ address: String, allowEmpty: Bool) throws(SMTPError) -> String {
        if address.isEmpty {
            guard allowEmpty else { throw invalid("an empty recipient address") }
            return ""
        }
        try check(address, as: "address", allowSpace: true)
        var quoted = false, escaped = false
        for b in address.utf8 {
            if escaped { escaped = false; continue }
            if quoted && b == 0x5C { escaped = true; continue }
            if b == 0x22 { quoted.toggle(); continue }
            if !quoted && (b == 0x20 || b == 0x3C || b == 0x3E) {
                throw invalid("the address \(address.debugDescription) holds \(b == 0x20 ? "a space" : "an angle bracket")")
            }
        }
        guard !quoted else { throw invalid("the address \(address.debugDescription) has an unclosed quote") }
        return address
    }

    static func encode(_ parameters: [SMTPParameter]) throws(SMTPError) -> String {
        var out = ""
        for p in parameters {
            guard !p.keyword.isEmpty,
                  p.keyword.utf8.allSatisfy({ ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A || (0x30...0x39).contains($0) || $0 == 0x2D }),
                  p.keyword.utf8.first != 0x2D
            else { throw invalid("not an ESMTP keyword: \(p.keyword.debugDescription)") }
            out += " " + p.keyword
            if let value = p.value {
                // esmtp-value = 1*(%d33-60 / %d62-126), UTF-8 allowed with SMTPUTF8 (RFC 6531 §3.3)
                guard !value.isEmpty, value.utf8.allSatisfy({ $0 >= 0x80 || ((33...126).contains($0) && $0 != 0x3D) })
                else { throw invalid("not an ESMTP value for \(p.keyword): \(value.debugDescription)") }
                out += "=" + value
            }
        }
        return out
    }

    static func check(_ s: String, as field: String, allowSpace: Bool) throws(SMTPError) {
        for b in s.utf8 where b < 0x20 || b == 0x7F || (!allowSpace && b == 0x20) {
            let name = b == 0x0D ? "CR" : b == 0x0A ? "LF" : b == 0 ? "NUL" : b == 0x20 ? "a space" : "byte 0x\(String(b, radix: 16))"
            throw invalid("the \(field) \(s.debugDescription) holds \(name)")
        }
    }

    static func invalid(_ why: String) -> SMTPError {
        SMTPError(.invalidArgument, stage: .write, evidence: why)
    }
}
