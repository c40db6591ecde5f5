/// What a FETCH asks for (RFC 9051 §6.4.5 `fetch-att`).
public enum FetchAttribute: Sendable, Hashable {
    case uid, flags, internalDate, rfc822Size, envelope, bodyStructure, modSeq
    /// `BODY.PEEK[section]<origin.count>` (peek: `\Seen` is not set) or `BODY[…]`.
    case body(SectionSpecifier = .complete, peek: Bool = true, partial: ClosedRange<UInt32>? = nil)
    /// `BINARY.PEEK[section]` (RFC 3516): the content transfer decoding done by the server.
    case binary(SectionSpecifier = .complete, peek: Bool = true)

    var wire: String {
        switch self {
        case .uid: return "UID"
        case .flags: return "FLAGS"
        case .internalDate: return "INTERNALDATE"
        case .rfc822Size: return "RFC822.SIZE"
        case .envelope: return "ENVELOPE"
        case .bodyStructure: return "BODYSTRUCTURE"
        case .modSeq: return "MODSEQ"
        case .body(let section, let peek, let partial):
            var s = (peek ? "BODY.PEEK[" : "BODY[") + section.description + "]"
            if let p = partial { s += "<\(p.lowerBound).\(p.upperBound - p.lowerBound + 1)>" }
            return s
        case .binary(let section, let peek):
            return (peek ? "BINARY.PEEK[" : "BINARY[") + section.description + "]"
        }
    }

    /// UID, FLAGS, INTERNALDATE, RFC822.SIZE and ENVELOPE: a message list.
    public static let summary: [FetchAttribute] = [.uid, .flags, .internalDate, .rfc822Size, .envelope]
    /// The summary and the whole message.
    public static let full: [FetchAttribute] = summary + [.body()]
}
