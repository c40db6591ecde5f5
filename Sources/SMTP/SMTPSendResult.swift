/// What `SMTPClient.send` achieved: the server took the message (final `250`) for the
/// recipients it accepted; each recipient's reply is listed (RFC 5321 §4.1.1.3, §4.1.1.4).
public struct SMTPSendResult: Sendable, Hashable {
    /// Every envelope recipient, in order, accepted or refused.
    public var recipients: [RecipientResult]
    /// The server's queue id from the final reply (`250 2.0.0 Ok: queued as 4Xyz` → `4Xyz`).
    public var queueID: String?
    /// The final reply.
    public var reply: SMTPReply
    /// Octets of the message as read from the source.
    public var messageSize: Int
    /// Sent with BDAT (RFC 3030) rather than DATA.
    public var usedChunking: Bool
    /// MAIL, RCPT and DATA went out as one group (RFC 2920).
    public var pipelined: Bool
    /// The Message-ID written into the message (RFC 5322 §3.6.4), for `send(_ message:)`; `nil`
    /// for raw messages.
    public var messageID: String?

    public init(recipients: [RecipientResult], queueID: String?, reply: SMTPReply, messageSize: Int,
                usedChunking: Bool, pipelined: Bool) {
        self.recipients = recipients
        self.queueID = queueID
        self.reply = reply
        self.messageSize = messageSize
        self.usedChunking = usedChunking
        self.pipelined = pipelined
    }

    public var accepted: [RecipientResult] { recipients.filter(\.accepted) }
    public var rejected: [RecipientResult] { recipients.filter { !$0.accepted } }
}
