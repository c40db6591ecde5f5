/// Checks that keep header injection out (RFC 5322 §2.2: a field body may not hold CR or LF
/// except in folding; NUL is never allowed, RFC 5322 §4.1).
enum HeaderValidation {
    /// Throws `.forbiddenCharacter` naming `field` when `text` holds CR, LF or NUL.
    static func checkNoControls(_ text: String, field: String) throws(MIMEError) {
        for b in text.utf8 where b == 0x0D || b == 0x0A || b == 0x00 {
            throw MIMEError(.forbiddenCharacter, field: field, evidence: text)
        }
    }

    /// RFC 5322 §3.6.8: field-name = 1*ftext; ftext = %d33-57 / %d59-126 (printable ASCII but `:`).
    static func checkFieldName(_ name: String) throws(MIMEError) {
        try checkNoControls(name, field: "header name")
        guard !name.isEmpty, name.utf8.allSatisfy({ $0 >= 33 && $0 <= 126 && $0 != UInt8(ascii: ":") }) else {
            throw MIMEError(.invalidHeaderName, field: "header name", evidence: name)
        }
    }
}
