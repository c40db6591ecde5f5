#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// An Internet message to send (RFC 5322 §3.6 fields, RFC 2045–2049 structure), built as a value.
///
/// The structure follows from what is set: text and HTML make `multipart/alternative`; inline
/// images make `multipart/related` around the HTML; attachments make `multipart/mixed`.
/// Bcc recipients are only in ``envelopeRecipients``, never written. Nothing here knows SMTP.
///
/// ```swift
/// var m = Message(from: try Address("shop@example.com", displayName: "Café Zürich"),
///                 to: [try Address("ana@example.org")], subject: "Rechnung 1042")
/// m.textBody = "Guten Tag …"
/// try m.attach(file: URL(fileURLWithPath: "/tmp/Rechnung 1042.pdf"))
/// ```
public struct Message: Sendable, Hashable {
    /// RFC 5322 §3.6.2 `From` (required to write).
    public var from: Address?
    /// RFC 5322 §3.6.2 `Sender`, when the submitter is not the author.
    public var sender: Address?
    /// RFC 5322 §3.6.2 `Reply-To`.
    public var replyTo: [Address] = []
    /// RFC 5322 §3.6.3 destination fields.
    public var to: [Address] = []
    /// RFC 5322 §3.6.3 `Cc`.
    public var cc: [Address] = []
    /// Blind copies: envelope only, never written (RFC 5322 §3.6.3 third way).
    public var bcc: [Address] = []
    /// RFC 5322 §3.6.5 `Subject`, any Unicode (RFC 2047 encoded when not ASCII).
    public var subject: String?
    /// RFC 5322 §3.6.1 origination date; the writer's clock when nil.
    public var date: Date?
    /// RFC 5322 §3.6.4 `Message-ID`, with or without angle brackets; generated when nil.
    public var messageID: String?
    /// RFC 5322 §3.6.4 `In-Reply-To` msg-id.
    public var inReplyTo: String?
    /// RFC 5322 §3.6.4 `References` msg-ids, oldest first.
    public var references: [String] = []
    /// Custom header fields (RFC 5322 §3.6.8), written after the standard ones in order.
    public var headers: [HeaderField] = []
    /// The plain-text body (`text/plain; charset=utf-8`); line breaks are normalised to CRLF.
    public var textBody: String?
    /// The HTML body (`text/html; charset=utf-8`).
    public var htmlBody: String?
    /// Images the HTML references as `cid:<contentID>` (RFC 2392), in `multipart/related`.
    public var inlineImages: [Attachment] = []
    /// Files attached (`multipart/mixed`).
    public var attachments: [Attachment] = []

    /// A message; everything else is set through the properties and methods below.
    public init(from: Address? = nil, to: [Address] = [], subject: String? = nil,
                textBody: String? = nil, htmlBody: String? = nil) {
        self.from = from
        self.to = to
        self.subject = subject
        self.textBody = textBody
        self.htmlBody = htmlBody
    }

    /// Header fields the builder writes itself; a custom header may not take these names.
    static let reservedHeaderNames: Set<String> = [
        "from", "sender", "reply-to", "to", "cc", "bcc", "subject", "date", "message-id",
        "in-reply-to", "references", "mime-version", "content-type", "content-transfer-encoding",
        "content-disposition", "content-id",
    ]

    /// Adds a custom header field; throws for a bad or reserved name or CR/LF/NUL in the value.
    public mutating func addHeader(_ name: String, _ value: String) throws(MIMEError) {
        let field = try HeaderField(name, value)
        guard !Message.reservedHeaderNames.contains(name.lowercased()) else {
            throw MIMEError(.reservedHeader, field: name)
        }
        headers.append(field)
    }

    /// Attaches a file, streamed when written; content type from the extension unless given.
    public mutating func attach(file: URL, filename: String? = nil, contentType: MediaType? = nil) throws(MIMEError) {
        attachments.append(try Attachment(file: file, filename: filename, contentType: contentType))
    }

    /// Attaches bytes under a file name.
    public mutating func attach(data: Data, filename: String, contentType: MediaType? = nil) throws(MIMEError) {
        attachments.append(try Attachment(data: data, filename: filename, contentType: contentType))
    }

    /// Adds an inline image and returns the URL to use in the HTML (`cid:…`, RFC 2392).
    @discardableResult
    public mutating func embedImage(data: Data, filename: String, contentID: String,
                                    contentType: MediaType? = nil) throws(MIMEError) -> String {
        inlineImages.append(try Attachment(data: data, filename: filename, contentType: contentType,
                                           disposition: .inline, contentID: contentID))
        return "cid:" + contentID
    }

    /// Adds an inline image streamed from a file; returns its `cid:` URL.
    @discardableResult
    public mutating func embedImage(file: URL, contentID: String, filename: String? = nil,
                                    contentType: MediaType? = nil) throws(MIMEError) -> String {
        inlineImages.append(try Attachment(file: file, filename: filename, contentType: contentType,
                                           disposition: .inline, contentID: contentID))
        return "cid:" + contentID
    }

    // MARK: - fluent forms

    /// A copy with `to` appended.
    public func adding(to address: Address) -> Message { var m = self; m.to.append(address); return m }
    /// A copy with `cc` appended.
    public func adding(cc address: Address) -> Message { var m = self; m.cc.append(address); return m }
    /// A copy with `bcc` appended.
    public func adding(bcc address: Address) -> Message { var m = self; m.bcc.append(address); return m }
    /// A copy with the attachment appended.
    public func adding(_ attachment: Attachment) -> Message { var m = self; m.attachments.append(attachment); return m }

    // MARK: - envelope (RFC 5321 §3.3)

    /// `MAIL FROM`: the Sender's addr-spec, else From's (RFC 5321 §3.3, RFC 5322 §3.6.2).
    public var envelopeSender: String? { (sender ?? from)?.addrSpec }

    /// `RCPT TO`: To, Cc and Bcc addr-specs in that order, each once (compared case-insensitively
    /// in the domain, exactly in the local part, RFC 5321 §2.4).
    public var envelopeRecipients: [String] { envelopeRecipientAddresses.map(\.addrSpec) }

    /// ``envelopeSender`` as an ``Address`` (for its ``Address/asciiAddrSpec`` when the server
    /// lacks SMTPUTF8).
    public var envelopeSenderAddress: Address? { sender ?? from }

    /// ``envelopeRecipients`` as ``Address``es, same order and de-duplication.
    public var envelopeRecipientAddresses: [Address] {
        var seen = Set<String>()
        return (to + cc + bcc).filter { seen.insert($0.localPart + "@" + $0.domain.lowercased()).inserted }
    }

    /// The structure for a transcript: `mixed(text/plain, application/pdf "Invoice 1042.pdf")`.
    public var summary: String { MessageStructure(self).summary }

    /// Checks every field the way the writer does (CR/LF/NUL, addresses, names, IDs) without
    /// writing; throws the first `MIMEError`, naming the field.
    public func validate(allowSMTPUTF8: Bool = false) throws(MIMEError) {
        var o = MIMEWriter.Options()
        o.allowSMTPUTF8 = allowSMTPUTF8
        _ = try MessageHeaders.standard(self, options: o, date: date ?? Date(timeIntervalSince1970: 0),
                                        messageID: messageID ?? "<validate@localhost>")
    }
}

/// The MIME tree a message becomes (RFC 2046 §5.1.3 mixed, §5.1.4 alternative, RFC 2387 related).
indirect enum MessageStructure {
    case multipart(String, [MessageStructure])
    case text(subtype: String, String)
    case file(Attachment)

    init(_ m: Message) {
        var body: MessageStructure?
        let text = m.textBody.map { MessageStructure.text(subtype: "plain", $0) }
        var html = m.htmlBody.map { MessageStructure.text(subtype: "html", $0) }
        if let h = html, !m.inlineImages.isEmpty {
            html = .multipart("related", [h] + m.inlineImages.map(MessageStructure.file))
        }
        switch (text, html) {
        case let (t?, h?): body = .multipart("alternative", [t, h])
        case let (t?, nil): body = t
        case let (nil, h?): body = h
        case (nil, nil): body = nil
        }
        if m.htmlBody == nil, !m.inlineImages.isEmpty {
            // Inline images without HTML: keep them, as attachments would be.
            let files = m.inlineImages.map(MessageStructure.file)
            body = body.map { .multipart("related", [$0] + files) } ?? .multipart("related", files)
        }
        if !m.attachments.isEmpty {
            self = .multipart("mixed", (body.map { [$0] } ?? []) + m.attachments.map(MessageStructure.file))
        } else {
            self = body ?? .text(subtype: "plain", "")
        }
    }

    var summary: String {
        switch self {
        case let .multipart(sub, children): "\(sub)(" + children.map(\.summary).joined(separator: ", ") + ")"
        case let .text(sub, _): "text/\(sub)"
        case let .file(a): "\(a.contentType.mimeType) \"\(a.filename)\""
        }
    }
}
