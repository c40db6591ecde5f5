public import Foundation
import MIME

/// What the end-to-end self-test sends (issue 6 item 5): a tagged message to the account's own
/// address, optionally with a PDF, fetched back over IMAP before `deadline`, and optionally
/// appended to the \Sent mailbox found through SPECIAL-USE (RFC 6154).
public struct SelfTestOptions: Sendable {
    /// Where the message goes; the account's own address when `nil`.
    public var recipient: String?
    /// A file to attach (an invoice PDF).
    public var attachment: URL?
    /// Attach a small generated PDF invoice when no `attachment` is given.
    public var attachGeneratedPDF: Bool
    /// How long to wait for the message to arrive in the INBOX.
    public var deadline: Duration
    /// How often to look for it.
    public var pollInterval: Duration
    /// APPEND the sent message to the \Sent mailbox (RFC 9051 §6.3.12, RFC 6154 §2).
    public var appendToSent: Bool

    public init(recipient: String? = nil, attachment: URL? = nil, attachGeneratedPDF: Bool = false,
                deadline: Duration = .seconds(30), pollInterval: Duration = .milliseconds(300),
                appendToSent: Bool = false) {
        self.recipient = recipient
        self.attachment = attachment
        self.attachGeneratedPDF = attachGeneratedPDF
        self.deadline = deadline
        self.pollInterval = pollInterval
        self.appendToSent = appendToSent
    }

    /// The header that carries the token (RFC 5322 §3.6.8 optional field).
    public static let tokenHeader = "X-MailEngine-Self-Test"
}

/// The self-test message, written once: the same bytes go through DATA and into \Sent.
struct SelfTestMessage: Sendable {
    var token: String
    var from: String
    var to: String
    var bytes: [UInt8]
    var attachmentName: String?
    var attachment: Data?

    static func newToken() -> String {
        "mst-" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
    }

    static func make(from: String, fromName: String?, to: String, options: SelfTestOptions) -> SelfTestMessage {
        let token = newToken()
        var attachment: Data?
        var name: String?
        if let url = options.attachment, let data = try? Data(contentsOf: url) {
            attachment = data
            name = url.lastPathComponent
        } else if options.attachGeneratedPDF {
            attachment = InvoicePDF.invoice(number: String(token.suffix(6)).uppercased())
            name = "invoice-\(token.suffix(6)).pdf"
        }
        let text = """
            This message was sent by the MailEngine self-test to prove that this account can send \
            and receive mail. It can be deleted.

            Token: \(token)
            """
        let bytes = render(from: from, fromName: fromName, to: to, subject: "MailEngine self-test \(token)", text: text,
                           headers: [(SelfTestOptions.tokenHeader, token)], attachment: attachment.map { ($0, name!) })
        return SelfTestMessage(token: token, from: from, to: to, bytes: bytes, attachmentName: name, attachment: attachment)
    }

    /// A short plain message for the DATA stage of a probe (`sendsTestMessage`).
    static func plain(from: String, to: String) -> SelfTestMessage {
        let token = newToken()
        let bytes = render(from: from, fromName: nil, to: to, subject: "MailEngine test \(token)",
                           text: "A test message from the MailEngine account probe.",
                           headers: [(SelfTestOptions.tokenHeader, token)], attachment: nil)
        return SelfTestMessage(token: token, from: from, to: to, bytes: bytes)
    }

    /// RFC 5322 + MIME (RFC 2045–2049) through the MIME writer; falls back to a bare RFC 5322
    /// message when an address cannot be written (the server then says what is wrong with it).
    static func render(from: String, fromName: String?, to: String, subject: String, text: String,
                       headers: [(String, String)], attachment: (Data, String)?) -> [UInt8] {
        do {
            var m = Message(from: try Address(from, displayName: fromName), to: [try Address(to)], subject: subject,
                            textBody: text)
            for (k, v) in headers { try m.addHeader(k, v) }
            if let (data, name) = attachment { try m.attach(data: data, filename: name) }
            return try MIMEWriter().encodeSynchronously(m)
        } catch {
            var s = "From: <\(from)>\r\nTo: <\(to)>\r\nSubject: \(subject)\r\n"
            for (k, v) in headers { s += "\(k): \(v)\r\n" }
            s += "\r\n" + text.replacingOccurrences(of: "\n", with: "\r\n") + "\r\n"
            return Array(s.utf8)
        }
    }
}

extension MIMEWriter {
    /// The whole message in memory (small messages only: the self-test's).
    func encodeSynchronously(_ m: Message) throws -> [UInt8] {
        var out: [UInt8] = []
        try writeSynchronously(m) { out.append(contentsOf: $0) }
        return out
    }
}
