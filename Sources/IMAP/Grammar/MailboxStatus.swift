/// The counters of a `STATUS` reply (RFC 9051 §7.2.4) or of a `SELECT` (§6.3.2). Only what
/// the server sent is set.
///
///     S: * STATUS INBOX (MESSAGES 231 UIDNEXT 44292 UIDVALIDITY 1 UNSEEN 3)
public struct MailboxStatus: Sendable, Hashable {
    public var messages: UInt32?
    public var recent: UInt32?
    public var uidNext: UInt32?
    public var uidValidity: UInt32?
    public var unseen: UInt32?
    public var size: UInt64?
    public var highestModSeq: UInt64?

    public init(messages: UInt32? = nil, recent: UInt32? = nil, uidNext: UInt32? = nil, uidValidity: UInt32? = nil,
                unseen: UInt32? = nil, size: UInt64? = nil, highestModSeq: UInt64? = nil) {
        self.messages = messages
        self.recent = recent
        self.uidNext = uidNext
        self.uidValidity = uidValidity
        self.unseen = unseen
        self.size = size
        self.highestModSeq = highestModSeq
    }
}

/// The items a `STATUS` command asks for (RFC 9051 §6.3.11).
public enum StatusAttribute: String, Sendable, Hashable, CaseIterable {
    case messages = "MESSAGES", recent = "RECENT", uidNext = "UIDNEXT", uidValidity = "UIDVALIDITY",
         unseen = "UNSEEN", size = "SIZE", highestModSeq = "HIGHESTMODSEQ"
}
