/// The part of a message a `BODY[…]` or `BINARY[…]` item names (RFC 9051 §6.4.5 `section`):
/// the whole message (`[]`), a part number path (`[1.2]`), and a text kind (`HEADER`, `TEXT`,
/// `MIME`, `HEADER.FIELDS (…)`).
public struct SectionSpecifier: Sendable, Hashable, CustomStringConvertible {
    /// The part path, e.g. `[1, 2]` for `1.2`; empty for the whole message.
    public var part: [Int]
    /// `HEADER`, `TEXT`, `MIME`, `HEADER.FIELDS (FROM SUBJECT)`, … or `nil`.
    public var text: String?

    public init(part: [Int] = [], text: String? = nil) {
        self.part = part
        self.text = text
    }

    /// `[]`: the whole message.
    public static let complete = SectionSpecifier()
    /// `[HEADER]`
    public static let header = SectionSpecifier(text: "HEADER")
    /// `[TEXT]`
    public static let text = SectionSpecifier(text: "TEXT")

    /// The text between the brackets.
    public var description: String {
        let p = part.map(String.init).joined(separator: ".")
        switch (p.isEmpty, text) {
        case (true, nil): return ""
        case (true, let t?): return t
        case (false, nil): return p
        case (false, let t?): return "\(p).\(t)"
        }
    }
}
