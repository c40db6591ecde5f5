/// A position in one complete frame (or FETCH segment) of response bytes, with the primitive
/// productions of RFC 9051 §9. Every read past `end` is a `ParseFailure`: the framer only hands
/// over complete frames, so running out means the grammar was not followed.
struct ParseCursor {
    let bytes: [UInt8]
    var index: Int
    let end: Int
    var depth = 0
    let limits: ParserLimits

    init(_ bytes: [UInt8], from: Int, to: Int, limits: ParserLimits) {
        self.bytes = bytes
        self.index = from
        self.end = to
        self.limits = limits
    }

    static let SP: UInt8 = 0x20, CR: UInt8 = 0x0D, LF: UInt8 = 0x0A, DQUOTE: UInt8 = 0x22

    var atEnd: Bool { index >= end }
    var peek: UInt8? { index < end ? bytes[index] : nil }

    func fail(_ reason: String) -> ParseFailure { ParseFailure(reason: reason) }

    mutating func byte() throws -> UInt8 {
        guard index < end else { throw fail("unexpected end") }
        defer { index += 1 }
        return bytes[index]
    }

    mutating func expect(_ b: UInt8) throws {
        guard index < end, bytes[index] == b else {
            throw fail("expected \"\(Character(Unicode.Scalar(b)))\" at \"\(rest(20))\"")
        }
        index += 1
    }

    /// Consumes `b` if it is next.
    mutating func skip(_ b: UInt8) -> Bool {
        if index < end && bytes[index] == b { index += 1; return true }
        return false
    }

    // SP = %x20
    mutating func sp() throws { try expect(Self.SP) }

    /// Consumes a case-insensitive ASCII word if it is next.
    mutating func skipWord(_ word: String) -> Bool {
        var i = index
        for c in word.utf8 {
            guard i < end, Self.upper(bytes[i]) == c else { return false }
            i += 1
        }
        index = i
        return true
    }

    /// CRLF at the end of a frame (a bare LF is accepted).
    mutating func crlf() throws {
        _ = skip(Self.CR)
        try expect(Self.LF)
    }

    var atLineEnd: Bool { peek == Self.CR || peek == Self.LF }

    static func upper(_ b: UInt8) -> UInt8 { b >= 0x61 && b <= 0x7A ? b - 0x20 : b }

    func rest(_ n: Int) -> String { printablePreview(bytes[index..<min(end, index + n)]) }

    // atom-specials = "(" / ")" / "{" / SP / CTL / list-wildcards / quoted-specials / resp-specials
    static func isAtomChar(_ b: UInt8) -> Bool {
        switch b {
        case 0...0x20, 0x7F, 0x28, 0x29, 0x7B, 0x25, 0x2A, 0x22, 0x5C, 0x5D: false
        default: true
        }
    }

    // atom = 1*ATOM-CHAR
    mutating func atom() throws -> String {
        let start = index
        while index < end, Self.isAtomChar(bytes[index]) { index += 1 }
        guard index > start else { throw fail("expected an atom at \"\(rest(20))\"") }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    /// Bytes up to (not including) a delimiter, for `tag` and lenient tokens.
    mutating func token(while predicate: (UInt8) -> Bool) -> ArraySlice<UInt8> {
        let start = index
        while index < end, predicate(bytes[index]) { index += 1 }
        return bytes[start..<index]
    }

    // number = 1*DIGIT ; unsigned 32-bit
    mutating func number() throws -> UInt32 {
        let v = try number64()
        guard v <= UInt64(UInt32.max) else { throw fail("number \(v) does not fit 32 bits") }
        return UInt32(v)
    }

    // nz-number = digit-nz *DIGIT
    mutating func nzNumber() throws -> UInt32 {
        let v = try number()
        guard v > 0 else { throw fail("expected a non-zero number") }
        return v
    }

    // number64 = 1*DIGIT ; unsigned 63-bit
    mutating func number64() throws -> UInt64 {
        let start = index
        var v: UInt64 = 0
        while index < end, bytes[index] >= 0x30 && bytes[index] <= 0x39 {
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(bytes[index] - 0x30))
            guard !o1, !o2, a <= UInt64(Int64.max) else { throw fail("number too large") }
            v = a
            index += 1
        }
        guard index > start else { throw fail("expected a number at \"\(rest(20))\"") }
        return v
    }

    // nil = "NIL"
    mutating func skipNil() -> Bool {
        guard index + 3 <= end, Self.upper(bytes[index]) == 0x4E, Self.upper(bytes[index + 1]) == 0x49,
              Self.upper(bytes[index + 2]) == 0x4C
        else { return false }
        if index + 3 < end, Self.isAtomChar(bytes[index + 3]) { return false }
        index += 3
        return true
    }

    // quoted = DQUOTE *QUOTED-CHAR DQUOTE
    // QUOTED-CHAR = <any TEXT-CHAR except quoted-specials> / "\" quoted-specials / UTF8-2 / UTF8-3 / UTF8-4
    mutating func quoted() throws -> [UInt8] {
        try expect(Self.DQUOTE)
        var out: [UInt8] = []
        while true {
            guard index < end else { throw fail("unterminated quoted string") }
            let b = bytes[index]
            index += 1
            switch b {
            case Self.DQUOTE: return out
            case 0x5C:
                guard index < end else { throw fail("unterminated quoted string") }
                out.append(bytes[index])
                index += 1
            case Self.CR, Self.LF: throw fail("line end inside a quoted string")
            default: out.append(b)
            }
        }
    }

    /// Where a literal's data would start and its size, if a literal header is next.
    // literal = "{" number64 ["+"] "}" CRLF *CHAR8 ; literal8 = "~{" number64 "}" CRLF *OCTET
    mutating func literalHeader() throws -> Int? {
        let save = index
        _ = skip(0x7E)  // "~" of literal8 (RFC 3516 §4.2)
        guard skip(0x7B) else { index = save; return nil }
        let n = try number64()
        _ = skip(0x2B)
        try expect(0x7D)
        try crlf()
        guard n <= UInt64(limits.literalSize) else { throw fail("literal of \(n) bytes above the limit") }
        return Int(n)
    }

    mutating func literal() throws -> [UInt8] {
        guard let n = try literalHeader() else { throw fail("expected a literal") }
        guard index + n <= end else { throw fail("literal of \(n) bytes runs past the frame") }
        defer { index += n }
        return Array(bytes[index..<index + n])
    }

    // string = quoted / literal
    mutating func string() throws -> [UInt8] {
        if peek == Self.DQUOTE { return try quoted() }
        return try literal()
    }

    // nstring = string / nil
    mutating func nstring() throws -> [UInt8]? {
        if skipNil() { return nil }
        return try string()
    }

    // astring = 1*ASTRING-CHAR / string ; ASTRING-CHAR = ATOM-CHAR / resp-specials
    mutating func astring() throws -> [UInt8] {
        let literal8 = peek == 0x7E && index + 1 < end && bytes[index + 1] == 0x7B
        if peek == Self.DQUOTE || peek == 0x7B || literal8 { return try string() }
        let t = token { Self.isAtomChar($0) || $0 == 0x5D }
        guard !t.isEmpty else { throw fail("expected an astring at \"\(rest(20))\"") }
        return Array(t)
    }

    func text(_ b: [UInt8]) -> String { String(decoding: b, as: UTF8.self) }
    mutating func nstringText() throws -> String? { try nstring().map(text) }
    mutating func stringText() throws -> String { text(try string()) }
    mutating func astringText() throws -> String { text(try astring()) }

    /// Runs `body` one nesting level deeper; too deep is a failure, never a stack overflow.
    mutating func nested<T>(_ body: (inout ParseCursor) throws -> T) throws -> T {
        depth += 1
        defer { depth -= 1 }
        guard depth <= limits.nestingDepth else {
            throw ParseFailure(reason: "nesting deeper than \(limits.nestingDepth)", nestingTooDeep: true)
        }
        return try body(&self)
    }

    /// `"(" item *(SP item) ")"`, or `"(" ")"` when `allowEmpty`. Extra spaces are tolerated.
    mutating func parenthesizedList<T>(allowEmpty: Bool = true, _ item: (inout ParseCursor) throws -> T) throws -> [T] {
        try expect(0x28)
        return try nested { c in
            var out: [T] = []
            while c.skip(Self.SP) {}
            if c.skip(0x29) {
                guard allowEmpty else { throw c.fail("empty list") }
                return out
            }
            while true {
                out.append(try item(&c))
                var sawSpace = false
                while c.skip(Self.SP) { sawSpace = true }
                if c.skip(0x29) { return out }
                // Tolerate missing spaces between parenthesized items (Gmail's multiparts).
                if !sawSpace && c.peek != 0x28 { throw c.fail("expected SP or \")\" at \"\(c.rest(20))\"") }
            }
        }
    }

    /// Skips one value (atom, string, literal, or balanced list) without interpreting it; used
    /// to step over a malformed or unknown FETCH item. Iterative, so depth cannot hurt it.
    mutating func skipValue() throws {
        var level = 0
        repeat {
            guard index < end else { throw fail("unexpected end while skipping") }
            let b = bytes[index]
            switch b {
            case 0x28: level += 1; index += 1
            case 0x29:
                guard level > 0 else { return }
                level -= 1; index += 1
            case Self.DQUOTE: _ = try quoted()
            case 0x7B, 0x7E:
                if let n = try literalHeader() {
                    guard index + n <= end else { throw fail("literal runs past the frame") }
                    index += n
                } else { index += 1 }
            case Self.SP: if level == 0 { return } else { index += 1 }
            case Self.CR, Self.LF: if level == 0 { return } else { throw fail("line end inside a list") }
            default: index += 1
            }
        } while level > 0 || (index < end && bytes[index] != Self.SP && bytes[index] != 0x29
                              && bytes[index] != Self.CR && bytes[index] != Self.LF)
    }
}
