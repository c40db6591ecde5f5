/// Parsing one RFC 5322 §2.2 header section into fields, tolerant of what real mailers send.
enum HeaderSection {
    /// Turns raw unfolded lines (`Name: value`, continuation already joined) into fields:
    /// value bytes read as UTF-8 (RFC 6532) or else Windows-1252 (a defect), then RFC 2047 decoded.
    static func fields(_ lines: [[UInt8]], path: [Int], defects: inout [MIMEDefect]) -> [HeaderField] {
        var out: [HeaderField] = []
        out.reserveCapacity(lines.count)
        for line in lines {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { continue }
            let name = String(decoding: line[..<colon], as: UTF8.self).trimmingWSP()
            var valueBytes = line[(colon + 1)...]
            while let f = valueBytes.first, f == 0x20 || f == 0x09 { valueBytes = valueBytes.dropFirst() }
            while let l = valueBytes.last, l == 0x20 || l == 0x09 || l == 0x0D { valueBytes = valueBytes.dropLast() }
            let raw: String
            if let s = String(validating: valueBytes, as: UTF8.self) {
                raw = s
            } else {
                raw = Charset.decodeLeniently(valueBytes, charset: "windows-1252").text
                defects.append(MIMEDefect(.nonUTF8Header, path: path, detail: name))
            }
            out.append(HeaderField(parsedName: name, rawValue: raw, value: EncodedWord.decodeText(raw)))
        }
        return out
    }

    /// True when `line` starts a field: a name of printable characters, then `:` (RFC 5322 §3.6.8,
    /// with white space before the colon tolerated as in RFC 5322 §4.5).
    static func isFieldStart(_ line: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        while i < line.count {
            let b = line[i]
            if b == UInt8(ascii: ":") { return i > 0 }
            if b <= 0x20 || b >= 0x7F {
                // "Name :" — allow trailing white space before the colon.
                if b == 0x20 || b == 0x09 {
                    var j = i
                    while j < line.count, line[j] == 0x20 || line[j] == 0x09 { j += 1 }
                    return j < line.count && line[j] == UInt8(ascii: ":") && i > 0
                }
                return false
            }
            i += 1
        }
        return false
    }
}
