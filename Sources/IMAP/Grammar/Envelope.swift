/// The `ENVELOPE` of a message (RFC 9051 §7.5.2): its main header fields, as the server parsed
/// them. Strings are the raw header text (RFC 2047 encoded words are left for the MIME layer).
public struct Envelope: Sendable, Hashable {
    public var date: String?
    public var subject: String?
    public var from: [EnvelopeAddress]
    public var sender: [EnvelopeAddress]
    public var replyTo: [EnvelopeAddress]
    public var to: [EnvelopeAddress]
    public var cc: [EnvelopeAddress]
    public var bcc: [EnvelopeAddress]
    public var inReplyTo: String?
    public var messageID: String?

    public init(date: String?, subject: String?, from: [EnvelopeAddress], sender: [EnvelopeAddress],
                replyTo: [EnvelopeAddress], to: [EnvelopeAddress], cc: [EnvelopeAddress], bcc: [EnvelopeAddress],
                inReplyTo: String?, messageID: String?) {
        self.date = date
        self.subject = subject
        self.from = from
        self.sender = sender
        self.replyTo = replyTo
        self.to = to
        self.cc = cc
        self.bcc = bcc
        self.inReplyTo = inReplyTo
        self.messageID = messageID
    }
}

/// One address of an envelope (RFC 9051 §9 `address`): `(name adl mailbox host)`. A group
/// start has `host == nil` and the group name in `mailbox`; a group end has both `nil`.
public struct EnvelopeAddress: Sendable, Hashable, CustomStringConvertible {
    public var name: String?
    public var adl: String?
    public var mailbox: String?
    public var host: String?

    public init(name: String?, adl: String?, mailbox: String?, host: String?) {
        self.name = name
        self.adl = adl
        self.mailbox = mailbox
        self.host = host
    }

    /// `mailbox@host`, when both are present.
    public var address: String? {
        guard let mailbox, let host else { return nil }
        return "\(mailbox)@\(host)"
    }

    public var description: String {
        let a = address ?? mailbox ?? ""
        if let name, !name.isEmpty { return "\(name) <\(a)>" }
        return a
    }
}
