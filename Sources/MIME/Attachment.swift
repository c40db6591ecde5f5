#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// A file part of a message (RFC 2183 Content-Disposition, RFC 2045 Content-Type): an
/// attachment, or an inline image referenced from the HTML body as `cid:` (RFC 2392).
///
/// A file attachment is streamed from disk when the message is written, never read whole.
public struct Attachment: Sendable, Hashable {
    /// Where the bytes come from.
    public enum Content: Sendable, Hashable {
        /// A file, read in chunks while writing; its size is taken when the writer plans the message.
        case file(URL)
        /// Bytes in memory.
        case data(Data)
    }

    /// RFC 2183 §2.1–2.2.
    public enum Disposition: String, Sendable, Hashable {
        /// Shown as a file to save.
        case attachment
        /// Shown in the body (an image referenced by `cid:`).
        case inline
    }

    /// The bytes, or the file they are streamed from.
    public var content: Content
    /// The file name shown to the recipient (RFC 2183 §2.3), any Unicode; no CR, LF or NUL.
    public var filename: String
    /// RFC 2045 §5 type; from the file extension unless given (``MediaType/forFileName(_:)``).
    public var contentType: MediaType
    /// `attachment`, or `inline` for images shown in the HTML.
    public var disposition: Disposition
    /// RFC 2392 content ID without angle brackets, for inline parts referenced as `cid:…`.
    public var contentID: String?

    /// An attachment streamed from a file; the type is guessed from the extension unless given.
    public init(file: URL, filename: String? = nil, contentType: MediaType? = nil,
                disposition: Disposition = .attachment, contentID: String? = nil) throws(MIMEError) {
        let name = filename ?? file.lastPathComponent
        try Attachment.validate(filename: name, contentID: contentID)
        self.content = .file(file)
        self.filename = name
        self.contentType = contentType ?? MediaType.forFileName(name)
        self.disposition = disposition
        self.contentID = contentID
    }

    /// An attachment from bytes in memory.
    public init(data: Data, filename: String, contentType: MediaType? = nil,
                disposition: Disposition = .attachment, contentID: String? = nil) throws(MIMEError) {
        try Attachment.validate(filename: filename, contentID: contentID)
        self.content = .data(data)
        self.filename = filename
        self.contentType = contentType ?? MediaType.forFileName(filename)
        self.disposition = disposition
        self.contentID = contentID
    }

    static func validate(filename: String, contentID: String?) throws(MIMEError) {
        try HeaderValidation.checkNoControls(filename, field: "attachment file name")
        if let contentID {
            try HeaderValidation.checkNoControls(contentID, field: "Content-ID")
            guard !contentID.isEmpty, contentID.utf8.count <= MessageID.maximumLength, contentID.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "<") && $0 != UInt8(ascii: ">") }) else {
                throw MIMEError(.invalidContentID, field: "Content-ID", evidence: contentID)
            }
        }
    }
}
