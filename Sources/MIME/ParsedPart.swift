/// One entity of a parsed message (RFC 2045 §2.4): its decoded header fields, content type,
/// and either children (multipart, message/rfc822) or a decoded body.
public struct ParsedPart: Sendable {
    /// Child indexes from the root; `[]` for the message itself.
    public var path: [Int]
    /// Header fields in order, unfolded, RFC 2047 decoded.
    public var headers: [HeaderField]
    /// RFC 2045 §5: the declared type, or text/plain (message/rfc822 in multipart/digest).
    public var contentType: MediaType
    /// RFC 2045 §6.1, lower-cased; `7bit` when absent.
    public var transferEncoding: String
    /// RFC 2183 disposition type, lower-cased (`attachment`, `inline`), when present.
    public var disposition: String?
    /// RFC 2183 `filename` (RFC 2231 decoded), else the Content-Type `name`.
    public var filename: String?
    /// RFC 2392 content ID without angle brackets.
    public var contentID: String?
    /// Sub-parts of a multipart; the embedded message of a message/rfc822 part.
    public var children: [ParsedPart] = []
    /// The decoded body (base64 / quoted-printable undone; line breaks CRLF). Empty for
    /// multiparts, and in ``MIMEEvent/partStart(_:)`` events (bodies come as events then).
    public var body: [UInt8] = []
    /// For text/* leaves: the body converted from its charset (RFC 2046 §4.1.2).
    public var text: String?
    /// What was wrong with this part and how it was worked around.
    public var defects: [MIMEDefect] = []

    /// Decoded body size in bytes.
    public var size: Int { body.count }
    /// The RFC 2046 §4.1.2 charset parameter, when present.
    public var charset: String? { contentType.parameters["charset"] }
    /// True for multipart containers.
    public var isMultipart: Bool { contentType.isMultipart }

    /// True for a leaf that is an attachment rather than a body: disposition `attachment`, a
    /// file name that is not inline, or a non-text leaf that is not inline.
    public var isAttachment: Bool {
        guard !contentType.isMultipart, children.isEmpty else { return false }
        if disposition == "attachment" { return true }
        if disposition == "inline" { return !contentType.isText && contentID == nil && filename != nil }
        if filename != nil { return contentID == nil || contentType.isText }
        return !contentType.isText && contentID == nil && contentType.mimeType != "message/rfc822"
    }

    /// Every part depth first, this one included.
    public var allParts: [ParsedPart] { [self] + children.flatMap(\.allParts) }

    /// The structure in the form of ``Message/summary`` (an embedded message/rfc822 shows as
    /// `rfc822(…)`, as Python's `email` shows it).
    public var summary: String {
        if !children.isEmpty {
            return contentType.subtype + "(" + children.map(\.summary).joined(separator: ", ") + ")"
        }
        if let filename { return "\(contentType.mimeType) \"\(filename)\"" }
        return contentType.mimeType
    }
}
