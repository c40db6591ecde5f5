/// What every failure of the engine's network layers tells (`NetIOError`, `SMTPError`,
/// `IMAPError`), so an app or a diagnosis can report any of them the same way: the stage that
/// failed, the problem in plain words, the evidence (the server's words, the TLS verdict, the
/// bytes seen), the redacted transcript lines before it, and whether a retry may succeed.
///
///     do { try await send() } catch let error as any MailError {
///         show("\(error.stage): \(error.summary)", detail: error.details, log: error.transcriptTail)
///         if error.isTransient { keepForRetry() }
///     }
public protocol MailError: Error, Sendable, CustomStringConvertible {
    /// The protocol stage that failed (`CONNECT`, `TLS`, `AUTH`, `RCPT`, `FETCH`, …).
    var stage: Stage { get }
    /// The problem in plain words, without the evidence.
    var summary: String { get }
    /// What this layer itself saw, beyond the server's reply (bytes received, OpenSSL's or the
    /// system's words); `nil` when the reply says it all.
    var evidence: String? { get }
    /// What proves it, in one line: the server's reply with its code when there is one, else
    /// `evidence`, else the evidence of the failure underneath.
    var details: String? { get }
    /// The last transcript lines before the failure, already redacted (no secret ever appears).
    var transcriptTail: [String] { get }
    /// `true` when the same operation may succeed later (a drop, a timeout, a 4yz reply).
    var isTransient: Bool { get }
    /// The transport failure underneath (the error itself for a `NetIOError`), if any.
    var transportError: NetIOError? { get }
}

extension NetIOError: MailError {
    public var transportError: NetIOError? { self }
    /// `MailError`: the evidence (a transport failure has no server reply).
    public var details: String? { evidence }
}
