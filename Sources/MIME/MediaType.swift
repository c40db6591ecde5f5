/// An RFC 2045 §5.1 content type: `type/subtype` and its parameters (names lower-cased,
/// RFC 2231 continuations and charsets already decoded when parsed).
public struct MediaType: Sendable, Hashable, CustomStringConvertible {
    /// Lower-cased top-level type: `text`, `multipart`, `application`, …
    public var type: String
    /// Lower-cased subtype: `plain`, `mixed`, `pdf`, …
    public var subtype: String
    /// Parameters by lower-cased name (`charset`, `boundary`, `name`).
    public var parameters: [String: String]

    /// A type from its parts (lower-cased here).
    public init(type: String, subtype: String, parameters: [String: String] = [:]) {
        self.type = type.lowercased()
        self.subtype = subtype.lowercased()
        self.parameters = parameters
    }

    /// Parses `type/subtype` (no parameters); throws `.invalidContentType` otherwise.
    public init(_ text: String) throws(MIMEError) {
        try HeaderValidation.checkNoControls(text, field: "content type")
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy(MediaType.isTokenChar) }) else {
            throw MIMEError(.invalidContentType, field: "content type", evidence: text)
        }
        self.init(type: String(parts[0]), subtype: String(parts[1]))
    }

    /// `type/subtype`.
    public var mimeType: String { type + "/" + subtype }
    public var description: String { mimeType }
    /// RFC 2046 §5.1 multipart types.
    public var isMultipart: Bool { type == "multipart" }
    /// RFC 2046 §4.1 text types.
    public var isText: Bool { type == "text" }

    /// RFC 2045 §5.1 token: any CHAR except SPACE, CTLs and tspecials.
    static func isTokenChar(_ b: UInt8) -> Bool {
        b > 0x20 && b < 0x7F && !"()<>@,;:\\\"/[]?=".utf8.contains(b)
    }

    static let textPlain = MediaType(type: "text", subtype: "plain")

    /// The content type for a file name's extension; `application/octet-stream` when unknown.
    public static func forFileName(_ name: String) -> MediaType {
        guard let dot = name.lastIndex(of: ".") else { return MediaType(type: "application", subtype: "octet-stream") }
        let ext = name[name.index(after: dot)...].lowercased()
        guard let known = byExtension[ext] else { return MediaType(type: "application", subtype: "octet-stream") }
        return (try? MediaType(known)) ?? MediaType(type: "application", subtype: "octet-stream")
    }

    /// IANA media types of the files business apps attach.
    static let byExtension: [String: String] = [
        "pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg",
        "gif": "image/gif", "webp": "image/webp", "svg": "image/svg+xml", "bmp": "image/bmp",
        "tif": "image/tiff", "tiff": "image/tiff", "heic": "image/heic", "ico": "image/vnd.microsoft.icon",
        "csv": "text/csv", "txt": "text/plain", "log": "text/plain", "html": "text/html", "htm": "text/html",
        "xml": "application/xml", "json": "application/json", "ics": "text/calendar", "vcf": "text/vcard",
        "md": "text/markdown", "rtf": "application/rtf",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "xls": "application/vnd.ms-excel", "doc": "application/msword", "ppt": "application/vnd.ms-powerpoint",
        "odt": "application/vnd.oasis.opendocument.text", "ods": "application/vnd.oasis.opendocument.spreadsheet",
        "zip": "application/zip", "gz": "application/gzip", "tar": "application/x-tar", "7z": "application/x-7z-compressed",
        "eml": "message/rfc822", "p7s": "application/pkcs7-signature", "asc": "application/pgp-signature",
        "mp3": "audio/mpeg", "wav": "audio/wav", "mp4": "video/mp4", "mov": "video/quicktime",
        "xml.p7m": "application/pkcs7-mime", "p7m": "application/pkcs7-mime", "epub": "application/epub+zip",
    ]
}
