/// RFC 2047 encoded words (`=?utf-8?Q?M=C3=BCller?=`): encoding non-ASCII header text into
/// words of at most 75 characters that never split a UTF-8 sequence, and decoding them in any
/// charset iconv knows.
enum EncodedWord {
    /// RFC 2047 §5 (3): the characters a "Q" word may carry unencoded in every context
    /// (phrase, comment, unstructured text). Space is written as `_`.
    static func isQSafe(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39)
            || b == UInt8(ascii: "!") || b == UInt8(ascii: "*") || b == UInt8(ascii: "+")
            || b == UInt8(ascii: "-") || b == UInt8(ascii: "/")
    }

    private static let hex = Array("0123456789ABCDEF".utf8)
    private static let prefixB = "=?utf-8?B?", prefixQ = "=?utf-8?Q?", suffix = "?="

    /// Encodes `text` as a run of UTF-8 encoded words. The first word is at most `firstLimit`
    /// characters (room left on the header's first line); the rest at most 75. B or Q is chosen
    /// by which is shorter. Words break between user-perceived characters (so an emoji
    /// sequence or an accent stays whole for clients that render words one by one), and
    /// between Unicode scalars inside a character too long for one word: never inside UTF-8.
    static func encode(_ text: String, firstLimit: Int = MIMELimits.maximumEncodedWordLength) -> [String] {
        // Header text is short: grapheme iteration is fine here (never used on bodies).
        let characters: [(bytes: [UInt8], scalars: [[UInt8]])] = text.map { c in
            (Array(String(c).utf8), c.unicodeScalars.map { Array(String($0).utf8) })
        }
        var qLength = 0, byteCount = 0
        for c in characters { for b in c.bytes { byteCount += 1; qLength += (isQSafe(b) || b == 0x20) ? 1 : 3 } }
        let useB = (byteCount + 2) / 3 * 4 < qLength
        let overhead = prefixB.utf8.count + suffix.utf8.count
        var words: [String] = []
        // At least 12 characters of payload: room for any one scalar (4 bytes: "=XX" × 4).
        var limit = max(firstLimit, overhead + 12) - overhead
        var pending: [UInt8] = []
        var pendingLength = 0

        func flush() {
            guard !pending.isEmpty else { return }
            if useB {
                words.append(prefixB + Base64.encodeLine(pending) + suffix)
            } else {
                var q: [UInt8] = []
                for b in pending { appendQ(b, to: &q) }
                words.append(prefixQ + String(decoding: q, as: UTF8.self) + suffix)
            }
            pending.removeAll(keepingCapacity: true)
            pendingLength = 0
            limit = MIMELimits.maximumEncodedWordLength - overhead
        }
        func cost(_ u: [UInt8]) -> Int {
            useB ? (pending.count + u.count + 2) / 3 * 4 - pendingLength
                 : u.reduce(0) { $0 + ((isQSafe($1) || $1 == 0x20) ? 1 : 3) }
        }
        func add(_ u: [UInt8]) {
            if pendingLength + cost(u) > limit { flush() }
            let c = cost(u)
            pending += u
            pendingLength = useB ? (pending.count + 2) / 3 * 4 : pendingLength + c
        }
        for c in characters {
            if pendingLength + cost(c.bytes) > limit { flush() }
            if cost(c.bytes) <= limit {
                add(c.bytes)
            } else {
                for s in c.scalars { add(s) }   // a character too long for one word
            }
        }
        flush()
        if words.isEmpty { words.append(prefixQ + suffix) }
        return words
    }

    private static func appendQ(_ b: UInt8, to q: inout [UInt8]) {
        if b == 0x20 { q.append(UInt8(ascii: "_")) }
        else if isQSafe(b) { q.append(b) }
        else { q.append(UInt8(ascii: "=")); q.append(hex[Int(b >> 4)]); q.append(hex[Int(b & 15)]) }
    }

    // MARK: - decoding

    /// Decodes every encoded word in `text` (RFC 2047 §6). White space between two adjacent
    /// encoded words is dropped (§6.2); adjacent words in the same charset are joined before
    /// decoding, so a character split across words by a broken mailer still decodes. A word
    /// that cannot be decoded stays as written.
    static func decodeText(_ text: String) -> String {
        guard text.contains("=?") else { return text }
        let s = Array(text.utf8)
        var out: [UInt8] = []
        var i = 0
        var pendingBytes: [UInt8] = []
        var pendingCharset: String?
        var whitespaceSinceWord: [UInt8] = []

        func flushPending() {
            guard let cs = pendingCharset else { return }
            let (t, _) = Charset.decodeLeniently(pendingBytes, charset: cs)
            out += Array(t.utf8)
            pendingBytes.removeAll()
            pendingCharset = nil
        }

        let index = ScanIndex(s)
        while i < s.count {
            if s[i] == UInt8(ascii: "="), i + 1 < s.count, s[i + 1] == UInt8(ascii: "?"),
               let (charset, decoded, end) = parseWord(s, at: i, index: index) {
                if pendingCharset != nil, Charset.normalise(charset) == Charset.normalise(pendingCharset!) {
                    pendingBytes += decoded
                } else {
                    flushPending()
                    pendingCharset = charset
                    pendingBytes = decoded
                }
                whitespaceSinceWord.removeAll()
                i = end
                continue
            }
            if s[i] == 0x20 || s[i] == 0x09 || s[i] == 0x0D || s[i] == 0x0A, pendingCharset != nil {
                whitespaceSinceWord.append(s[i] == 0x0D || s[i] == 0x0A ? 0x20 : s[i])
                i += 1
                continue
            }
            flushPending()
            if !whitespaceSinceWord.isEmpty { out += whitespaceSinceWord; whitespaceSinceWord.removeAll() }
            out.append(s[i])
            i += 1
        }
        flushPending()
        out += whitespaceSinceWord
        return String(decoding: out, as: UTF8.self)
    }

    /// The longest encoded word the decoder accepts. RFC 2047 §2 allows 75 characters; real
    /// mailers write longer ones, so this is generous.
    static let maximumDecodedWordLength = 2048

    /// For each position, where the next `?`, the next `?=` and the next white space or
    /// control byte are: one backward pass, so finding every word in a header is linear even
    /// when a hostile header is full of unterminated `=?`.
    struct ScanIndex {
        var nextQuestion: [Int32], nextEnd: [Int32], nextSpace: [Int32]
        init(_ s: [UInt8]) {
            let n = s.count
            nextQuestion = [Int32](repeating: Int32(n), count: n + 1)
            nextEnd = nextQuestion
            nextSpace = nextQuestion
            var i = n - 1
            while i >= 0 {
                nextQuestion[i] = s[i] == UInt8(ascii: "?") ? Int32(i) : nextQuestion[i + 1]
                nextEnd[i] = (s[i] == UInt8(ascii: "?") && i + 1 < n && s[i + 1] == UInt8(ascii: "=")) ? Int32(i) : nextEnd[i + 1]
                nextSpace[i] = s[i] <= 0x20 ? Int32(i) : nextSpace[i + 1]
                i -= 1
            }
        }
    }

    /// `=?charset?encoding?text?=` at `start`: (charset, decoded bytes, index after the word).
    static func parseWord(_ s: [UInt8], at start: Int, index: ScanIndex? = nil) -> (String, [UInt8], Int)? {
        let x = index ?? ScanIndex(s)
        let csStart = start + 2
        guard csStart < s.count else { return nil }
        var i = Int(x.nextQuestion[csStart])
        guard i > csStart, i + 2 < s.count, Int(x.nextSpace[csStart]) > i else { return nil }
        let charset = String(decoding: s[csStart..<i], as: UTF8.self)
        let enc = s[i + 1] | 0x20
        guard s[i + 2] == UInt8(ascii: "?"), enc == UInt8(ascii: "b") || enc == UInt8(ascii: "q") else { return nil }
        i += 3
        let textStart = i
        guard textStart <= s.count else { return nil }
        i = Int(x.nextEnd[min(textStart, s.count)])
        guard i + 1 < s.count, Int(x.nextSpace[min(textStart, s.count)]) > i,
              i - start <= maximumDecodedWordLength else { return nil }
        let payload = s[textStart..<i]
        let decoded: [UInt8]
        if enc == UInt8(ascii: "b") {
            var d = Base64Decoder()
            var bytes: [UInt8] = []
            d.decode(payload, into: &bytes)
            d.finish(into: &bytes)
            decoded = bytes
        } else {
            decoded = QuotedPrintable.decodeQWord(payload)
        }
        return (charset, decoded, i + 2)
    }
}
