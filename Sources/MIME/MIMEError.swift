/// Why a message could not be built, validated or written (RFC 5322, RFC 2045–2049): what is
/// wrong, in which field, and the offending text with control characters made visible.
///
/// Parsing never throws for malformed input; it records a ``MIMEDefect`` on the part instead.
public struct MIMEError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, independent of wording.
    public enum Kind: Sendable, Hashable {
        /// CR, LF or NUL inside a header value, address, file name or header name (header injection).
        case forbiddenCharacter
        /// Not an RFC 5322 §3.4.1 addr-spec (or not a §3.4 mailbox / address list).
        case invalidAddress
        /// A header field name outside RFC 5322 §3.6.8 `ftext`, or empty.
        case invalidHeaderName
        /// A custom header that the builder writes itself (From, Content-Type, …).
        case reservedHeader
        /// A non-ASCII local part, but the writer was told the transport has no SMTPUTF8 (RFC 6531).
        case requiresSMTPUTF8
        /// A required field is missing (From, RFC 5322 §3.6).
        case missingField
        /// A Message-ID / In-Reply-To / References value that is not an RFC 5322 §3.6.4 msg-id.
        case invalidMessageID
        /// A content type that is not `type/subtype` (RFC 2045 §5.1).
        case invalidContentType
        /// A header value that cannot be folded under the 998-octet line limit (RFC 5322 §2.1.1).
        case lineTooLong
        /// An attachment file could not be opened, read or measured.
        case fileUnreadable
        /// An attachment file changed size between measuring and writing it.
        case fileChanged
        /// A content ID that is not an RFC 2392 `addr-spec`-like id.
        case invalidContentID
    }

    /// What went wrong.
    public var kind: Kind
    /// The field or parameter concerned: `Subject`, `To`, `attachment file name`, …
    public var field: String
    /// The offending text, with CR, LF, NUL and other controls written as `\r`, `\n`, `\0`, `\xNN`.
    public var evidence: String?

    /// An error about `field`; `evidence` is stored with control characters made visible.
    public init(_ kind: Kind, field: String, evidence: String? = nil) {
        self.kind = kind
        self.field = field
        self.evidence = evidence.map(MIMEError.visible)
    }

    /// One sentence: the field, the problem, the evidence.
    public var description: String {
        var s = "MIME \(field): \(summary)"
        if let evidence { s += " (\"\(evidence)\")" }
        return s
    }

    /// The problem in plain words.
    public var summary: String {
        switch kind {
        case .forbiddenCharacter: "holds CR, LF or NUL, which could inject header fields; refused"
        case .invalidAddress: "is not a valid e-mail address"
        case .invalidHeaderName: "is not a valid header field name"
        case .reservedHeader: "is written by the message builder and cannot be set as a custom header"
        case .requiresSMTPUTF8: "has a non-ASCII local part, which needs a server offering SMTPUTF8"
        case .missingField: "is required"
        case .invalidMessageID: "is not a valid message identifier <left@right>"
        case .invalidContentType: "is not a valid content type type/subtype"
        case .lineTooLong: "cannot be folded into lines of at most 998 octets"
        case .fileUnreadable: "cannot be read"
        case .fileChanged: "changed while the message was being written"
        case .invalidContentID: "is not a valid content ID"
        }
    }

    /// Makes control characters visible and shortens long evidence to 120 characters.
    static func visible(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\r": out += "\\r"
            case "\n": out += "\\n"
            case "\0": out += "\\0"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\x" + String(scalar.value, radix: 16, uppercase: true).leftPadded(2)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
            if out.count > 120 { return String(out.prefix(117)) + "..." }
        }
        return out
    }
}

extension String {
    func leftPadded(_ width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
