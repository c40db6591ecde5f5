#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// A parsed RFC 5322 message: the part tree plus the fields people look at, decoded.
public struct ParsedMessage: Sendable {
    /// The message as a part: its headers are the message's header section.
    public var root: ParsedPart
    /// The message's header section, decoded.
    public var headers: [HeaderField] { root.headers }
    /// RFC 5322 §3.6.5, RFC 2047 decoded.
    public var subject: String?
    /// RFC 5322 §3.6.2–3 address fields; entries that are not mailboxes are left out (a defect).
    public var from: [Address] = []
    /// RFC 5322 §3.6.2 `Sender`.
    public var sender: Address?
    /// RFC 5322 §3.6.2 `Reply-To`.
    public var replyTo: [Address] = []
    /// RFC 5322 §3.6.3 `To`.
    public var to: [Address] = []
    /// RFC 5322 §3.6.3 `Cc`.
    public var cc: [Address] = []
    /// RFC 5322 §3.3 origination date, when it parses.
    public var date: Date?
    /// RFC 5322 §3.6.4, with angle brackets as written.
    public var messageID: String?
    /// RFC 5322 §3.6.4 `In-Reply-To`.
    public var inReplyTo: String?
    /// RFC 5322 §3.6.4 `References`, oldest first.
    public var references: [String] = []
    /// The first text/plain body part (not an attachment), converted from its charset.
    public var text: String?
    /// The first text/html body part (not an attachment).
    public var html: String?
    /// Leaves that are attachments (see ``ParsedPart/isAttachment``), depth first.
    public var attachments: [ParsedPart] = []
    /// Inline parts with a content ID (images referenced by `cid:`).
    public var inlineParts: [ParsedPart] = []
    /// Every defect of every part, depth first.
    public var defects: [MIMEDefect] = []

    /// The message view of a part tree (also of an embedded message/rfc822 part's child).
    public init(root: ParsedPart) {
        self.root = root
        let h = root.headers
        subject = h.value("Subject")
        var addressDefects: [MIMEDefect] = []
        func addresses(_ name: String) -> [Address] {
            var out: [Address] = []
            for field in h.all(name) {
                for item in AddressListScanner.items(field.rawValue) {
                    if let (display, spec) = AddressListScanner.mailbox(item), let a = try? Address(spec, displayName: display) {
                        out.append(a)
                    } else {
                        addressDefects.append(MIMEDefect(.invalidAddress, path: [], detail: "\(name): \(item)"))
                    }
                }
            }
            return out
        }
        from = addresses("From")
        sender = addresses("Sender").first
        replyTo = addresses("Reply-To")
        to = addresses("To")
        cc = addresses("Cc")
        date = h.value("Date").flatMap(MessageDate.parse)
        messageID = h.value("Message-ID")?.trimmingWSP()
        inReplyTo = h.value("In-Reply-To")?.trimmingWSP()
        references = (h.value("References") ?? "").split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        let parts = root.allParts
        for p in parts where p.children.isEmpty && !p.contentType.isMultipart {
            if p.isAttachment { attachments.append(p); continue }
            if p.contentType.mimeType == "text/plain", text == nil { text = p.text }
            else if p.contentType.mimeType == "text/html", html == nil { html = p.text }
            else if p.contentID != nil { inlineParts.append(p) }
        }
        defects = addressDefects + parts.flatMap(\.defects)
    }

    /// The structure in the form of ``Message/summary``.
    public var summary: String { root.summary }
}
