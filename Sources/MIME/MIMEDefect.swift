/// Something wrong with a parsed message that the parser worked around (in the spirit of
/// RFC 5322 §4 "obsolete syntax" tolerance); recorded on the part, never thrown.
public struct MIMEDefect: Sendable, Hashable, CustomStringConvertible {
    /// What was wrong, independent of wording.
    public enum Kind: String, Sendable, Hashable {
        /// A multipart ended without its close delimiter `--boundary--` (RFC 2046 §5.1.1).
        case missingClosingBoundary
        /// A multipart declared no `boundary` parameter; its body is kept as text.
        case multipartWithoutBoundary
        /// A header line had no colon; the header section was ended there (RFC 5322 §2.2).
        case invalidHeaderLine
        /// The header section passed ``MIMELimits/maximumHeaderSectionBytes``.
        case headerSectionTooLarge
        /// The message ended inside the header section (no empty line).
        case missingBody
        /// Characters outside the base64 alphabet were skipped (RFC 2045 §6.8).
        case invalidBase64
        /// The base64 body ended inside a quantum.
        case truncatedBase64
        /// `=` not followed by two hex digits in quoted-printable (RFC 2045 §6.7); kept as written.
        case invalidQuotedPrintable
        /// A content-transfer-encoding this parser does not know; the body is kept as it is.
        case unknownTransferEncoding
        /// A charset iconv does not know, or bytes invalid in it; decoded as UTF-8 or Windows-1252.
        case undecodableText
        /// Raw 8-bit bytes in a header that are not UTF-8; decoded as Windows-1252.
        case nonUTF8Header
        /// A Content-Type that is not `type/subtype`; taken as text/plain (RFC 2045 §5.2).
        case invalidContentType
        /// An address field with an entry that is not a mailbox.
        case invalidAddress
        /// A line longer than 998 octets (RFC 5322 §2.1.1).
        case lineTooLong
        /// Nesting deeper than ``MIMELimits/maximumNestingDepth``; the part is kept whole.
        case nestingTooDeep
        /// More than ``MIMELimits/maximumPartCount`` parts; later ones are not split out.
        case tooManyParts
    }

    public var kind: Kind
    /// The part, as child indexes from the root (`[]` is the message itself).
    public var path: [Int]
    /// Evidence: the charset, the header line, the encoding name.
    public var detail: String?

    /// A defect at `path`; control characters in `detail` are made visible.
    public init(_ kind: Kind, path: [Int], detail: String? = nil) {
        self.kind = kind
        self.path = path
        self.detail = detail.map { MIMEError.visible(String($0.prefix(200))) }
    }

    public var description: String {
        let where_ = path.isEmpty ? "message" : "part " + path.map { String($0 + 1) }.joined(separator: ".")
        return "\(where_): \(kind.rawValue)" + (detail.map { " (\($0))" } ?? "")
    }
}
