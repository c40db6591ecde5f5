/// Where a spooled message stands. Every change is written durably before it takes effect.
public enum OutboxState: String, Sendable, Hashable, Codable, CaseIterable {
    /// Waiting for its first attempt.
    case queued
    /// A sender holds it now.
    case sending
    /// The server accepted it (final 250); queue id and time recorded.
    case sent
    /// A temporary failure (4xx, network); retried at `nextAttemptAt`.
    case deferred
    /// A permanent failure (5xx, or too old); the reply is kept. Not retried unless asked.
    case failed
    /// The link dropped after the final dot: the server may or may not have it. Never re-sent
    /// automatically unless the policy allows it; settle it by the Message-ID.
    case outcomeUnknown

    /// Still to be sent by the sender.
    public var isPending: Bool { self == .queued || self == .deferred }
}
