public import Foundation
public import SMTP

/// One spooled message's metadata: the `<id>.json` beside `<id>.eml` in the spool.
public struct OutboxEntry: Sendable, Hashable, Codable, Identifiable {
    public var id: String
    /// The account it is sent through (a name the app chooses, e.g. `shop-smtp`).
    public var account: String
    public var envelope: Envelope
    /// The message's `Message-ID`, to settle an unknown outcome later.
    public var messageID: String?
    /// A short description for people: the subject, or what the app says.
    public var label: String?
    public var size: Int
    public var enqueuedAt: Date
    public var state: OutboxState
    /// Whether the current or last attempt had reached the final dot (decides crash recovery).
    public var committing: Bool
    public var attempts: [OutboxAttempt]
    public var nextAttemptAt: Date?
    public var lastError: String?
    /// The server's queue id from the final 250 reply.
    public var queueID: String?
    public var sentAt: Date?
    /// Per-recipient answers of the last attempt that got that far.
    public var recipients: [RecipientResult]
    /// The last temporary failure was the server's or the network's: later messages of the account wait
    /// behind this one, so the account's messages go out in the order they were enqueued.
    public var holdsAccount: Bool
    /// For a message spooled again for the recipients that got a temporary refusal (`4yz` to RCPT,
    /// greylisting) while the others were sent: the id of the message it was split from.
    public var splitFrom: String? = nil

    /// Age at `now`.
    public func age(at now: Date) -> TimeInterval { now.timeIntervalSince(enqueuedAt) }
}

/// One delivery attempt, as recorded.
public struct OutboxAttempt: Sendable, Hashable, Codable {
    public var at: Date
    /// `sent`, `deferred`, `failed`, `outcomeUnknown`, `recovered`.
    public var result: String
    /// The server's reply or the error, in words.
    public var detail: String
}
