#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// One item of a `FETCH` reply (RFC 9051 §7.5.2 `msg-att`).
///
///     S: * 12 FETCH (UID 4827 FLAGS (\Seen) RFC822.SIZE 44827 BODY[] {44827}
public enum MessageAttribute: Sendable, Hashable {
    case uid(UInt32)
    case flags([Flag])
    /// `INTERNALDATE`: when the server received the message; the text and the parsed date.
    case internalDate(String, Date?)
    case rfc822Size(UInt64)
    case envelope(Envelope)
    /// `BODYSTRUCTURE` (or the non-extensible `BODY`), possibly `.invalid`.
    case bodyStructure(BodyStructure)
    /// A body section that fitted under the streaming threshold: `BODY[section]<origin>`,
    /// `BINARY[section]`, `RFC822`, `RFC822.HEADER`, `RFC822.TEXT`; `nil` data for NIL.
    case bodySection(BodySectionKind, [UInt8]?)
    /// `MODSEQ (n)` (RFC 7162 §3.1.4.1).
    case modSeq(UInt64)
    /// `BINARY.SIZE[section] n` (RFC 3516 §4.3).
    case binarySize(SectionSpecifier, UInt64)
    /// An item whose value did not follow the grammar, or an item this client does not know:
    /// its name and raw text (the rest of the message's items are still parsed).
    case invalid(name: String, raw: String)
}

/// Which body item a section's bytes belong to (RFC 9051 §7.5.2).
public struct BodySectionKind: Sendable, Hashable, CustomStringConvertible {
    /// `BINARY[…]` (RFC 3516) rather than `BODY[…]`.
    public var binary: Bool
    public var section: SectionSpecifier
    /// `<origin>`: the offset of a partial fetch.
    public var origin: UInt32?

    public init(binary: Bool = false, section: SectionSpecifier, origin: UInt32? = nil) {
        self.binary = binary
        self.section = section
        self.origin = origin
    }

    public var description: String {
        "\(binary ? "BINARY" : "BODY")[\(section)]" + (origin.map { "<\($0)>" } ?? "")
    }
}
