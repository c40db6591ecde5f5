extension ParseCursor {
    // resp-text = ["[" resp-text-code "]" SP] [text]
    mutating func respText() throws -> (ResponseCode?, String) {
        while skip(Self.SP) {}
        var code: ResponseCode?
        if skip(0x5B) {
            code = try respTextCode()
            _ = skip(Self.SP)
        }
        return (code, textToLineEnd())
    }

    /// `text = 1*TEXT-CHAR`, up to the frame's line end (UTF-8, invalid bytes replaced).
    mutating func textToLineEnd() -> String {
        let t = token { $0 != Self.CR && $0 != Self.LF }
        return String(decoding: t, as: UTF8.self)
    }

    // resp-text-code = "ALERT" / "BADCHARSET" [SP "(" charset *(SP charset) ")" ] / capability-data /
    //     "PARSE" / "PERMANENTFLAGS" SP "(" [flag-perm *(SP flag-perm)] ")" / "READ-ONLY" / "READ-WRITE" /
    //     "TRYCREATE" / "UIDNEXT" SP nz-number / "UIDVALIDITY" SP nz-number / "UNSEEN" SP nz-number /
    //     resp-code-apnd / resp-code-copy / atom [SP 1*<any TEXT-CHAR except "]">]
    /// Called after "["; consumes through "]". A known code whose arguments do not parse is kept
    /// as `.other` with its text.
    mutating func respTextCode() throws -> ResponseCode {
        let start = index
        let name = (try atom()).uppercased()
        let argStart = index
        var attempt = self
        if let code = try? attempt.knownCode(name), attempt.skip(0x5D) {
            self = attempt
            return code
        }
        index = argStart
        _ = skip(Self.SP)
        let text = token { $0 != 0x5D && $0 != Self.CR && $0 != Self.LF }
        guard skip(0x5D) else { throw fail("unterminated response code at \"\(printablePreview(bytes[start..<index]))\"") }
        return .other(name: name, text: text.isEmpty ? nil : String(decoding: text, as: UTF8.self))
    }

    private mutating func knownCode(_ name: String) throws -> ResponseCode? {
        switch name {
        case "ALERT": return .alert
        case "READ-ONLY": return .readOnly
        case "READ-WRITE": return .readWrite
        case "TRYCREATE": return .tryCreate
        case "CAPABILITY": return .capability(try capabilityList())
        case "PERMANENTFLAGS":
            try sp()
            return .permanentFlags(try parenthesizedList { try $0.flag() })
        case "UIDVALIDITY": try sp(); return .uidValidity(try nzNumber())
        case "UIDNEXT": try sp(); return .uidNext(try nzNumber())
        case "UNSEEN": try sp(); return .unseen(try nzNumber())
        case "HIGHESTMODSEQ": try sp(); return .highestModSeq(try number64())
        case "BADCHARSET":
            guard skip(Self.SP) else { return .badCharset([]) }
            return .badCharset(try parenthesizedList { try $0.astringText() })
        // resp-code-apnd = "APPENDUID" SP nz-number SP append-uid
        case "APPENDUID":
            try sp()
            let validity = try nzNumber()
            try sp()
            return .appendUID(uidValidity: validity, uids: try sequenceSet())
        // resp-code-copy = "COPYUID" SP nz-number SP uid-set SP uid-set
        case "COPYUID":
            try sp()
            let validity = try nzNumber()
            try sp()
            let source = try sequenceSet()
            try sp()
            return .copyUID(uidValidity: validity, source: source, destination: try sequenceSet())
        default: return nil
        }
    }

    // capability-data = "CAPABILITY" *(SP capability) SP "IMAP4rev2" *(SP capability)
    // capability = ("AUTH=" auth-type) / atom
    mutating func capabilityList() throws -> [Capability] {
        var caps: [Capability] = []
        while skip(Self.SP) {
            if peek == 0x5D || atLineEnd || atEnd { break }
            caps.append(Capability(try atom()))
        }
        return caps
    }

    // flag = "\Answered" / "\Flagged" / "\Deleted" / "\Seen" / "\Draft" / flag-keyword / flag-extension
    // flag-perm = flag / "\*"
    mutating func flag() throws -> Flag {
        if skip(0x5C) {
            if skip(0x2A) { return .wildcard }
            return Flag("\\" + (try atom()))
        }
        return Flag(try atom())
    }

    // sequence-set = (seq-number / seq-range) ["," sequence-set]
    // seq-range = seq-number ":" seq-number ; seq-number = nz-number / "*"
    mutating func sequenceSet() throws -> SequenceSet {
        func seqNumber(_ c: inout ParseCursor) throws -> UInt32 {
            if c.skip(0x2A) { return UInt32.max }
            return try c.nzNumber()
        }
        var ranges: [ClosedRange<UInt32>] = []
        repeat {
            let a = try seqNumber(&self)
            if skip(0x3A) {
                let b = try seqNumber(&self)
                ranges.append(min(a, b)...max(a, b))
            } else {
                ranges.append(a...a)
            }
        } while skip(0x2C)
        return SequenceSet(ranges)
    }
}
