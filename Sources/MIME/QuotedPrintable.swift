/// RFC 2045 §6.7 quoted-printable for text bodies, and the RFC 2047 §4.2 "Q" variant.
enum QuotedPrintable {
    private static let hex = Array("0123456789ABCDEF".utf8)

    /// Encodes text whose line breaks are already CRLF. Lines are at most 76 characters
    /// (soft breaks `=` CRLF), `=` and non-printable octets are `=XX`, white space before a
    /// line break is encoded (rules 1–5). Output ends as the input does.
    static func encode(_ input: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(input.count + input.count / 8 + 8)
        var column = 0
        var i = 0
        let n = input.count
        let limit = MIMELimits.quotedPrintableLineLength - 1   // room for a soft-break "="
        while i < n {
            let b = input[i]
            if b == 13, i + 1 < n, input[i + 1] == 10 {
                out.append(13); out.append(10); column = 0; i += 2
                continue
            }
            let atLineEnd = i + 1 == n || (input[i + 1] == 13 && i + 2 < n && input[i + 2] == 10)
            let literal = (b >= 33 && b <= 126 && b != UInt8(ascii: "=")) || ((b == 32 || b == 9) && !atLineEnd)
            let width = literal ? 1 : 3
            // Keep the last character of a line on it when it fits exactly (no soft break needed).
            let fitsAsLast = atLineEnd && column + width <= MIMELimits.quotedPrintableLineLength
            if column + width > limit && !fitsAsLast {
                out.append(UInt8(ascii: "=")); out.append(13); out.append(10)
                column = 0
            }
            if literal {
                out.append(b)
            } else {
                out.append(UInt8(ascii: "=")); out.append(hex[Int(b >> 4)]); out.append(hex[Int(b & 15)])
            }
            column += width
            i += 1
        }
        return out
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x41...0x46: c - 0x41 + 10
        case 0x61...0x66: c - 0x61 + 10
        default: nil
        }
    }

    /// Decodes one line of a quoted-printable body (without its line break). Trailing white
    /// space is dropped when `complete` (rule 3). Returns whether the line ended in a soft break,
    /// and counts malformed `=` sequences (kept literally) in `invalid`.
    static func decodeLine(_ line: UnsafeRawBufferPointer, complete: Bool, into out: inout [UInt8], invalid: inout Int) -> Bool {
        var end = line.count
        if complete { while end > 0, line[end - 1] == 32 || line[end - 1] == 9 { end -= 1 } }
        var soft = false
        if complete, end > 0, line[end - 1] == UInt8(ascii: "=") { soft = true; end -= 1 }
        var i = 0
        while i < end {
            let c = line[i]
            if c == UInt8(ascii: "=") {
                if i + 2 < end, let h = hexValue(line[i + 1]), let l = hexValue(line[i + 2]) {
                    out.append(h << 4 | l)
                    i += 3
                    continue
                }
                invalid += 1
            }
            out.append(c)
            i += 1
        }
        return soft
    }

    /// RFC 2047 §4.2: `_` is space, `=XX` an octet; malformed escapes kept as written.
    static func decodeQWord(_ s: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        var i = s.startIndex
        while i < s.endIndex {
            let c = s[i]
            if c == UInt8(ascii: "_") { out.append(32); i += 1; continue }
            if c == UInt8(ascii: "="), i + 2 < s.endIndex, let h = hexValue(s[i + 1]), let l = hexValue(s[i + 2]) {
                out.append(h << 4 | l); i += 3; continue
            }
            out.append(c)
            i += 1
        }
        return out
    }
}
