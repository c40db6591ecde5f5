/// The SMTP envelope: reverse-path and forward-paths, apart from the message's headers
/// (RFC 5321 §2.3.1). Bcc recipients live only here.
public struct Envelope: Sendable, Hashable, Codable {
    /// `MAIL FROM` address; empty for the null reverse-path `<>` (bounces).
    public var mailFrom: String
    /// `RCPT TO` addresses, in order.
    public var recipients: [String]
    /// Delivery status notification options (RFC 3461), used when the server offers DSN.
    public var dsn: DSNOptions?

    public init(mailFrom: String, recipients: [String], dsn: DSNOptions? = nil) {
        self.mailFrom = mailFrom
        self.recipients = recipients
        self.dsn = dsn
    }
}

/// RFC 3461 delivery status notification requests.
public struct DSNOptions: Sendable, Hashable, Codable {
    /// `RET=FULL` or `RET=HDRS` (§4.3).
    public enum Return: String, Sendable, Hashable, Codable { case full = "FULL", headers = "HDRS" }
    /// `NOTIFY=` values (§4.1).
    public enum Notify: String, Sendable, Hashable, Codable { case never = "NEVER", success = "SUCCESS", failure = "FAILURE", delay = "DELAY" }

    public var ret: Return?
    /// `ENVID=`, an identifier echoed back in reports (§4.4).
    public var envelopeID: String?
    public var notify: [Notify]

    public init(ret: Return? = nil, envelopeID: String? = nil, notify: [Notify] = []) {
        self.ret = ret
        self.envelopeID = envelopeID
        self.notify = notify
    }
}
