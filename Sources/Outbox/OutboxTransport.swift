public import Foundation
public import SMTP

/// What one delivery attempt came to.
public enum DeliveryAttempt: Sendable, Hashable {
    /// The server took it (final 250); some recipients may have been refused.
    case accepted(queueID: String?, recipients: [RecipientResult])
    /// A temporary failure before the final dot (4xx, connection lost, timeout). `affectsAccount`:
    /// the server or the network is the problem, so the account's later messages wait too.
    case temporaryFailure(String, recipients: [RecipientResult], affectsAccount: Bool)
    /// A permanent failure (5xx, every recipient refused).
    case permanentFailure(String, recipients: [RecipientResult])
    /// The link dropped after the final dot and before the reply.
    case outcomeUnknown(String)
}

/// Sends spooled messages for one account. The SMTP client implements it; tests may script it.
public protocol OutboxTransport: Sendable {
    /// Sends the message in `file` with `envelope`. Calls `willCommit` just before the final dot
    /// (or last BDAT), so the outbox can record that the outcome is no longer certainly "not sent".
    func deliver(file: URL, envelope: Envelope, willCommit: @escaping @Sendable () async throws -> Void) async -> DeliveryAttempt
    /// Ends the session (QUIT) and closes the connection.
    func close() async
}
