/// An ESMTP parameter of `MAIL FROM` or `RCPT TO` (RFC 5321 §4.1.2):
/// `esmtp-param = esmtp-keyword ["=" esmtp-value]`, e.g. `SIZE=48213`, `BODY=8BITMIME`, `SMTPUTF8`.
public struct SMTPParameter: Sendable, Hashable, CustomStringConvertible {
    public var keyword: String
    public var value: String?

    public init(_ keyword: String, _ value: String? = nil) {
        self.keyword = keyword
        self.value = value
    }

    /// `SIZE=n` (RFC 1870 §3).
    public static func size(_ n: Int) -> SMTPParameter { SMTPParameter("SIZE", String(n)) }
    /// `BODY=8BITMIME` (RFC 6152 §2).
    public static let body8BitMIME = SMTPParameter("BODY", "8BITMIME")
    /// `SMTPUTF8` (RFC 6531 §3.4).
    public static let smtpUTF8 = SMTPParameter("SMTPUTF8")
    /// `RET=FULL|HDRS` (RFC 3461 §4.3).
    public static func ret(_ r: DSNOptions.Return) -> SMTPParameter { SMTPParameter("RET", r.rawValue) }
    /// `ENVID=xtext` (RFC 3461 §4.4).
    public static func envelopeID(_ id: String) -> SMTPParameter { SMTPParameter("ENVID", XText.encode(id)) }
    /// `NOTIFY=…` (RFC 3461 §4.1).
    public static func notify(_ n: [DSNOptions.Notify]) -> SMTPParameter {
        SMTPParameter("NOTIFY", n.map(\.rawValue).joined(separator: ","))
    }
    /// `ORCPT=rfc822;xtext` (RFC 3461 §4.2).
    public static func originalRecipient(_ address: String) -> SMTPParameter {
        SMTPParameter("ORCPT", "rfc822;" + XText.encode(address))
    }

    public var description: String { value.map { "\(keyword)=\($0)" } ?? keyword }
}

/// `xtext` (RFC 3461 §4): printable ASCII except `+` and `=` as itself, others as `+XX`.
public enum XText {
    public static func encode(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            if (33...126).contains(b) && b != 0x2B && b != 0x3D {
                out.unicodeScalars.append(Unicode.Scalar(b))
            } else {
                out += "+" + (b < 0x10 ? "0" : "") + String(b, radix: 16, uppercase: true)
            }
        }
        return out
    }
}
