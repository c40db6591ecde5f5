#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// RFC 2045 §5.1 parameters (`; name=value`) with RFC 2231 extensions: writing file names as
/// `filename*=utf-8''…` with continuations, and parsing every form real mailers produce.
enum MIMEParameters {
    /// RFC 2231 §7 attribute-char: token characters except `*`, `'`, `%`.
    static func isAttributeChar(_ b: UInt8) -> Bool {
        MediaType.isTokenChar(b) && b != UInt8(ascii: "*") && b != UInt8(ascii: "'") && b != UInt8(ascii: "%")
    }

    private static let hex = Array("0123456789ABCDEF".utf8)

    /// Tokens for `name`: a quoted value when ASCII and short; otherwise RFC 2231 §4
    /// `name*=utf-8''…`, split into §3 continuations `name*0*=`, `name*1*=` (never inside a
    /// UTF-8 sequence) so each line stays within 78 characters. Tokens after the first are
    /// preceded by `;` on the previous one by the caller.
    static func extendedTokens(_ name: String, _ value: String) -> [String] {
        let simple = value.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
        let quoted = "\"" + value.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\""
        if simple, name.utf8.count + 1 + quoted.utf8.count + 2 <= MIMELimits.preferredLineLength {
            return ["\(name)=\(quoted)"]
        }
        // Percent-encode per scalar so segments never split a character.
        let pieces: [String] = value.unicodeScalars.map { s in
            var piece = ""
            for b in String(s).utf8 {
                if isAttributeChar(b) { piece.unicodeScalars.append(Unicode.Scalar(b)) }
                else { piece += "%" + String(decoding: [hex[Int(b >> 4)], hex[Int(b & 15)]], as: UTF8.self) }
            }
            return piece
        }
        let whole = "\(name)*=utf-8''" + pieces.joined()
        if whole.utf8.count + 2 <= MIMELimits.preferredLineLength { return [whole] }
        var tokens: [String] = []
        var current = ""
        var index = 0
        func head(_ i: Int) -> String { i == 0 ? "\(name)*0*=utf-8''" : "\(name)*\(i)*=" }
        for piece in pieces {
            if !current.isEmpty, head(index).utf8.count + current.utf8.count + piece.utf8.count + 2 > MIMELimits.preferredLineLength {
                tokens.append(head(index) + current)
                index += 1
                current = ""
            }
            current += piece
        }
        tokens.append(head(index) + current)
        return tokens
    }

    /// Tokens for the RFC 2047 fallback `name="=?utf-8?B?…?= …"` that old Outlook reads.
    static func encodedWordTokens(_ name: String, _ value: String) -> [String] {
        if value.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            let quoted = "\"" + value.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\""
            return ["\(name)=\(quoted)"]
        }
        var words = EncodedWord.encode(value, firstLimit: MIMELimits.maximumEncodedWordLength - name.utf8.count - 3)
        words[0] = "\(name)=\"" + words[0]
        words[words.count - 1] += "\""
        return words
    }

    // MARK: - parsing

    /// Splits a structured field body into its leading value and parameters
    /// (RFC 2045 §5.1, RFC 2183 §2). Parameter names are lower-cased; RFC 2231 continuations
    /// and charsets are joined and decoded; RFC 2047 words inside plain values are decoded
    /// (Outlook writes `name="=?utf-8?B?…?="`). Broken syntax is taken as far as it goes.
    static func parse(_ text: String) -> (value: String, parameters: [String: String]) {
        let pieces = splitOutsideQuotes(AddressListScanner.stripComments(text))
        let value = (pieces.first ?? "").trimmingWSP()
        var plain: [String: String] = [:]
        var extended: [String: [(index: Int, encoded: Bool, value: String)]] = [:]
        for piece in pieces.dropFirst() {
            guard let eq = piece.firstIndex(of: "=") else { continue }
            var name = String(piece[..<eq]).trimmingWSP().lowercased()
            let raw = String(piece[piece.index(after: eq)...]).trimmingWSP()
            let v = unquote(raw)
            guard !name.isEmpty else { continue }
            if let star = name.firstIndex(of: "*") {
                let base = String(name[..<star])
                var rest = name[name.index(after: star)...]
                var encoded = false
                if rest.hasSuffix("*") { encoded = true; rest = rest.dropLast() }
                if rest.isEmpty {
                    extended[base, default: []].append((0, true, v))
                } else if let n = Int(rest) {
                    extended[base, default: []].append((n, encoded, v))
                } else {
                    continue
                }
                name = base
            } else if plain[name] == nil {
                plain[name] = v
            }
        }
        var result = plain.mapValues { v in v.contains("=?") ? EncodedWord.decodeText(v) : v }
        for (name, segments) in extended {
            let sorted = segments.sorted { $0.index < $1.index }
            var charset: String?
            var bytes: [UInt8] = []
            for (i, seg) in sorted.enumerated() {
                var s = Substring(seg.value)
                if seg.encoded, i == 0 {
                    let parts = s.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
                    if parts.count == 3 { charset = String(parts[0]); s = parts[2] }
                }
                bytes += seg.encoded ? percentDecode(s) : Array(s.utf8)
            }
            result[name] = Charset.decodeLeniently(bytes, charset: charset.flatMap { $0.isEmpty ? nil : $0 }).text
        }
        return (value, result)
    }

    static func percentDecode(_ s: Substring) -> [UInt8] {
        let u = Array(s.utf8)
        var out: [UInt8] = []
        var i = 0
        while i < u.count {
            if u[i] == UInt8(ascii: "%"), i + 2 < u.count, let h = QuotedPrintable.hexValue(u[i + 1]), let l = QuotedPrintable.hexValue(u[i + 2]) {
                out.append(h << 4 | l); i += 3
            } else {
                out.append(u[i]); i += 1
            }
        }
        return out
    }

    static func unquote(_ s: String) -> String {
        guard s.hasPrefix("\"") else { return s }
        var out = String.UnicodeScalarView()
        var escaped = false
        for c in s.unicodeScalars.dropFirst() {
            if escaped { out.append(c); escaped = false; continue }
            if c == "\\" { escaped = true; continue }
            if c == "\"" { break }
            out.append(c)
        }
        return String(out)
    }

    static func splitOutsideQuotes(_ text: String) -> [String] {
        var parts: [String] = []
        var current = String.UnicodeScalarView()
        var inQuote = false, escaped = false
        for c in text.unicodeScalars {
            if escaped { current.append(c); escaped = false; continue }
            if inQuote && c == "\\" { escaped = true; current.append(c); continue }
            if c == "\"" { inQuote.toggle() }
            if c == ";" && !inQuote { parts.append(String(current)); current = String.UnicodeScalarView(); continue }
            current.append(c)
        }
        parts.append(String(current))
        return parts
    }
}
