/// The MIME structure of a message as the server describes it (RFC 9051 §7.5.2
/// `BODYSTRUCTURE`): a single part, or a multipart with its children, each with the extension
/// data when the server sent it.
///
/// `.invalid` holds the raw text when the server's description does not follow the grammar
/// (Exchange is known to send such), so one broken message does not break the session.
public indirect enum BodyStructure: Sendable, Hashable {
    case singlePart(SinglePart)
    case multipart(Multipart)
    /// The bytes the server sent, unparsed, and why they were refused.
    case invalid(raw: String, reason: String)

    /// `body-type-1part`: basic fields plus, for `text/*` the line count, for
    /// `message/rfc822` the envelope, body and line count (RFC 9051 §9).
    public struct SinglePart: Sendable, Hashable {
        public var type: String
        public var subtype: String
        public var parameters: [String: String]
        public var id: String?
        public var contentDescription: String?
        public var encoding: String
        public var size: UInt32
        /// For `text/*` and `message/rfc822`.
        public var lines: UInt32?
        /// For `message/rfc822`: the embedded message's envelope and structure.
        public var envelope: Envelope?
        public var body: BodyStructure?
        public var extensions: Extensions?

        public init(type: String, subtype: String, parameters: [String: String] = [:], id: String? = nil,
                    contentDescription: String? = nil, encoding: String, size: UInt32, lines: UInt32? = nil,
                    envelope: Envelope? = nil, body: BodyStructure? = nil, extensions: Extensions? = nil) {
            self.type = type
            self.subtype = subtype
            self.parameters = parameters
            self.id = id
            self.contentDescription = contentDescription
            self.encoding = encoding
            self.size = size
            self.lines = lines
            self.envelope = envelope
            self.body = body
            self.extensions = extensions
        }
    }

    /// `body-type-mpart`: the parts, the subtype and the extension data.
    public struct Multipart: Sendable, Hashable {
        public var parts: [BodyStructure]
        public var subtype: String
        public var parameters: [String: String]
        public var extensions: Extensions?

        public init(parts: [BodyStructure], subtype: String, parameters: [String: String] = [:],
                    extensions: Extensions? = nil) {
            self.parts = parts
            self.subtype = subtype
            self.parameters = parameters
            self.extensions = extensions
        }
    }

    /// `body-ext-1part` / `body-ext-mpart`: MD5 (single part only), disposition, language,
    /// location, and any further extension values kept as text.
    public struct Extensions: Sendable, Hashable {
        public var md5: String?
        public var disposition: Disposition?
        public var language: [String]
        public var location: String?
        public var more: [String]

        public init(md5: String? = nil, disposition: Disposition? = nil, language: [String] = [],
                    location: String? = nil, more: [String] = []) {
            self.md5 = md5
            self.disposition = disposition
            self.language = language
            self.location = location
            self.more = more
        }
    }

    /// `body-fld-dsp`: `("attachment" ("filename" "invoice.pdf"))`.
    public struct Disposition: Sendable, Hashable {
        public var kind: String
        public var parameters: [String: String]
        public init(kind: String, parameters: [String: String]) {
            self.kind = kind
            self.parameters = parameters
        }
    }

    /// `true` when this or a nested part is `.invalid`.
    public var containsInvalid: Bool {
        switch self {
        case .invalid: true
        case .singlePart(let p): p.body?.containsInvalid ?? false
        case .multipart(let m): m.parts.contains { $0.containsInvalid }
        }
    }
}
