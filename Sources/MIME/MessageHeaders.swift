#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The RFC 5322 §3.6 header section of a message, in the order §3.6 lists the fields.
enum MessageHeaders {
    /// Date, From, Sender, Reply-To, To, Cc, Subject, Message-ID, In-Reply-To, References, the
    /// custom fields, then `MIME-Version: 1.0` (RFC 2045 §4). Bcc is never written.
    static func standard(_ m: Message, options: MIMEWriter.Options, date: Date, messageID: String) throws(MIMEError) -> String {
        guard let from = m.from else { throw MIMEError(.missingField, field: "From") }
        let utf8 = options.allowSMTPUTF8
        var h = "Date: " + MessageDate.format(date, timeZone: options.timeZone) + "\r\n"
        h += try HeaderFolding.addressList("From", [from], allowSMTPUTF8: utf8)
        if let sender = m.sender { h += try HeaderFolding.addressList("Sender", [sender], allowSMTPUTF8: utf8) }
        if !m.replyTo.isEmpty { h += try HeaderFolding.addressList("Reply-To", m.replyTo, allowSMTPUTF8: utf8) }
        if !m.to.isEmpty { h += try HeaderFolding.addressList("To", m.to, allowSMTPUTF8: utf8) }
        if !m.cc.isEmpty { h += try HeaderFolding.addressList("Cc", m.cc, allowSMTPUTF8: utf8) }
        for a in m.bcc { _ = try HeaderFolding.headerAddrSpec(a, field: "Bcc", allowSMTPUTF8: utf8) }   // validated, not written
        if let subject = m.subject { h += try HeaderFolding.unstructured("Subject", subject) }
        h += "Message-ID: " + (try MessageID.normalise(messageID, field: "Message-ID")) + "\r\n"
        if let r = m.inReplyTo { h += "In-Reply-To: " + (try MessageID.normalise(r, field: "In-Reply-To")) + "\r\n" }
        if !m.references.isEmpty {
            var ids: [String] = []
            for r in m.references { ids.append(try MessageID.normalise(r, field: "References")) }
            h += try HeaderFolding.fold("References", ids)
        }
        for field in m.headers {
            try HeaderValidation.checkFieldName(field.name)
            guard !Message.reservedHeaderNames.contains(field.name.lowercased()) else {
                throw MIMEError(.reservedHeader, field: field.name)
            }
            h += try HeaderFolding.unstructured(field.name, field.value)
        }
        for a in m.attachments + m.inlineImages {
            try Attachment.validate(filename: a.filename, contentID: a.contentID)
        }
        return h + "MIME-Version: 1.0\r\n"
    }

    /// The domain for generated Message-IDs: From's domain in ASCII form.
    static func idDomain(_ m: Message) -> String {
        guard let from = m.from, let ascii = from.asciiAddrSpec else { return "mailengine.invalid" }
        let domain = ascii[ascii.index(after: ascii.lastIndex(of: "@")!)...]
        return domain.hasPrefix("[") ? "mailengine.invalid" : String(domain)
    }
}
