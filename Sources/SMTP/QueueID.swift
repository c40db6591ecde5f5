/// Finds the server's queue id in the reply to the final dot (RFC 5321 §4.1.1.4 leaves the text
/// free; these are the forms of common servers).
///
/// | server | reply text |
/// |---|---|
/// | Postfix | `2.0.0 Ok: queued as 4Xyz12` |
/// | Exim | `OK id=1qAbCd-000123-Ef` |
/// | Sendmail | `2.0.0 3AB1cD4e012345 Message accepted for delivery` |
/// | Gmail | `2.0.0 OK  1700000000 a1-20020a05600c.123 - gsmtp` |
/// | Exchange / Office 365 | `2.6.0 <msgid> [InternalId=123, Hostname=…] Queued mail for delivery` |
/// | Amazon SES, qmail, others | `Ok 0100018b-…`, `ok 1700000000 qp 12345` |
public enum QueueID {
    public static func parse(_ reply: SMTPReply) -> String? {
        let text = reply.textLines.joined(separator: " ")
        let words = text.split(separator: " ").map(String.init)
        func clean(_ s: String) -> String {
            String(s.trimmingCharacters(in: CharacterSetLite.punctuation))
        }
        if let i = words.firstIndex(where: { $0.lowercased() == "as" }), i > 0,
           words[i - 1].lowercased() == "queued", i + 1 < words.count {
            return clean(words[i + 1])
        }
        if let w = words.first(where: { $0.lowercased().hasPrefix("id=") }) { return clean(String(w.dropFirst(3))) }
        if let w = words.first(where: { $0.hasPrefix("[InternalId=") }) {
            return clean(String(w.dropFirst("[InternalId=".count)))
        }
        if let g = words.firstIndex(of: "gsmtp"), g >= 2, words[g - 1] == "-" { return words[g - 2] }
        if let q = words.firstIndex(where: { $0.lowercased() == "qp" }), q + 1 < words.count { return words[q + 1] }
        if words.contains(where: { $0.lowercased() == "accepted" }), let first = words.first, looksLikeID(first) {
            return first
        }
        if let ok = words.firstIndex(where: { $0.lowercased() == "ok" }), ok + 1 < words.count, looksLikeID(words[ok + 1]) {
            return words[ok + 1]
        }
        return nil
    }

    /// At least 6 characters of letters, digits, `-`, `.`, `_`, with a digit in it.
    static func looksLikeID(_ s: String) -> Bool {
        s.count >= 6 && s.contains(where: \.isASCIIDigit)
            && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-._".contains($0)) }
    }
}

/// The few characters trimmed around an id (`<`, `>`, `,`, `;`, `[`, `]`, `.`, `:`).
enum CharacterSetLite {
    static let punctuation: Set<Character> = ["<", ">", ",", ";", "[", "]", ".", ":", "(", ")"]
}

extension String {
    func trimmingCharacters(in set: Set<Character>) -> Substring {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return s
    }
}
