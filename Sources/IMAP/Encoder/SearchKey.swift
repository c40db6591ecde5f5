#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// A typed SEARCH query (RFC 9051 §6.4.4 `search-key`). Keys in an array are ANDed.
///
///     let query: SearchKey = .and([.unseen, .since(date), .from("shop@example.com")])
///     C: A9 UID SEARCH UNSEEN SINCE 1-Dec-2026 FROM shop@example.com
public indirect enum SearchKey: Sendable, Hashable {
    case all
    case seen, unseen, answered, unanswered, flagged, unflagged, deleted, undeleted, draft, undraft
    case keyword(Flag), unkeyword(Flag)
    /// Internal date on or after the day (the day of `Date` in UTC; the server compares in its zone).
    case since(Date)
    case before(Date)
    case on(Date)
    /// The Date: header (RFC 9051 `SENTSINCE`, …).
    case sentSince(Date), sentBefore(Date)
    case from(String), to(String), cc(String), bcc(String), subject(String), body(String), text(String)
    case header(String, String)
    case larger(UInt32), smaller(UInt32)
    case uid(SequenceSet)
    case sequence(SequenceSet)
    case not(SearchKey)
    case or(SearchKey, SearchKey)
    case and([SearchKey])

    /// Whether any string in the query is outside US-ASCII (and so needs a CHARSET).
    var needsCharset: Bool {
        switch self {
        case .from(let s), .to(let s), .cc(let s), .bcc(let s), .subject(let s), .body(let s), .text(let s):
            s.unicodeScalars.contains { $0.value > 0x7F }
        case .header(let a, let b): (a + b).unicodeScalars.contains { $0.value > 0x7F }
        case .not(let k): k.needsCharset
        case .or(let a, let b): a.needsCharset || b.needsCharset
        case .and(let ks): ks.contains { $0.needsCharset }
        default: false
        }
    }

    /// The arguments, strings encoded with `encodeString` (UTF-8, or the charset retried after
    /// BADCHARSET); `nil` from it means the text cannot be put in that charset.
    func arguments(encodeString: (String) -> [UInt8]?) throws(IMAPError) -> [CommandArgument] {
        func str(_ s: String) throws(IMAPError) -> CommandArgument {
            guard let bytes = encodeString(s) else {
                throw IMAPError(kind: .invalidArgument, stage: IMAPStage.search,
                                evidence: "\"\(s)\" cannot be written in the server's search charsets")
            }
            return .string(bytes)
        }
        switch self {
        case .all: return [.atom("ALL")]
        case .seen: return [.atom("SEEN")]
        case .unseen: return [.atom("UNSEEN")]
        case .answered: return [.atom("ANSWERED")]
        case .unanswered: return [.atom("UNANSWERED")]
        case .flagged: return [.atom("FLAGGED")]
        case .unflagged: return [.atom("UNFLAGGED")]
        case .deleted: return [.atom("DELETED")]
        case .undeleted: return [.atom("UNDELETED")]
        case .draft: return [.atom("DRAFT")]
        case .undraft: return [.atom("UNDRAFT")]
        case .keyword(let f): return [.atom("KEYWORD"), .atom(f.rawValue)]
        case .unkeyword(let f): return [.atom("UNKEYWORD"), .atom(f.rawValue)]
        case .since(let d): return [.atom("SINCE"), .atom(Self.searchDate(d))]
        case .before(let d): return [.atom("BEFORE"), .atom(Self.searchDate(d))]
        case .on(let d): return [.atom("ON"), .atom(Self.searchDate(d))]
        case .sentSince(let d): return [.atom("SENTSINCE"), .atom(Self.searchDate(d))]
        case .sentBefore(let d): return [.atom("SENTBEFORE"), .atom(Self.searchDate(d))]
        case .from(let s): return [.atom("FROM"), try str(s)]
        case .to(let s): return [.atom("TO"), try str(s)]
        case .cc(let s): return [.atom("CC"), try str(s)]
        case .bcc(let s): return [.atom("BCC"), try str(s)]
        case .subject(let s): return [.atom("SUBJECT"), try str(s)]
        case .body(let s): return [.atom("BODY"), try str(s)]
        case .text(let s): return [.atom("TEXT"), try str(s)]
        case .header(let name, let value): return [.atom("HEADER"), try str(name), try str(value)]
        case .larger(let n): return [.atom("LARGER"), .atom(String(n))]
        case .smaller(let n): return [.atom("SMALLER"), .atom(String(n))]
        case .uid(let set): return [.atom("UID"), .raw(set.description)]
        case .sequence(let set): return [.raw(set.description)]
        case .not(let k): return [.atom("NOT")] + (try k.grouped(encodeString))
        case .or(let a, let b): return [.atom("OR")] + (try a.grouped(encodeString)) + (try b.grouped(encodeString))
        case .and(let keys):
            if keys.isEmpty { return [.atom("ALL")] }
            var out: [CommandArgument] = []
            for k in keys { out += try k.arguments(encodeString: encodeString) }
            return out
        }
    }

    /// The key as one search-key: an AND of several is parenthesized.
    private func grouped(_ encodeString: (String) -> [UInt8]?) throws(IMAPError) -> [CommandArgument] {
        let args = try arguments(encodeString: encodeString)
        if case .and(let keys) = self, keys.count > 1 {
            // Parentheses around the group: the encoder joins with SP, so mark them as raw pieces.
            return [.raw("(")] + args + [.raw(")")]
        }
        return args
    }

    // date = date-day "-" date-month "-" date-year
    static func searchDate(_ d: Date) -> String {
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = .gmt
        let c = cal.dateComponents([.year, .month, .day], from: d)
        return "\(c.day ?? 1)-\(months[(c.month ?? 1) - 1])-\(c.year ?? 1970)"
    }
}
