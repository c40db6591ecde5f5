import Glibc

/// A spool failure: what was being done, and the system's words.
public enum OutboxError: Error, Sendable, CustomStringConvertible, Equatable {
    /// A file operation failed (the spool directory is missing, full, or not writable).
    case io(String, Int32)
    /// No message with this id in the spool.
    case notFound(String)
    /// The message is being sent by another process and cannot be changed now.
    case busy(String)
    /// The metadata file could not be read (the evidence says why).
    case corrupt(String, String)
    /// The operation does not apply in the message's state (e.g. retry of a sent message).
    case invalidState(String, OutboxState)
    /// The envelope is not sendable (no recipients, CR/LF in an address).
    case invalidEnvelope(String)

    public var description: String {
        switch self {
        case .io(let what, let e): "outbox: \(what) failed: \(String(cString: strerror(e)))"
        case .notFound(let id): "outbox: no message \(id)"
        case .busy(let id): "outbox: message \(id) is being sent by another process"
        case .corrupt(let id, let why): "outbox: the metadata of \(id) cannot be read: \(why)"
        case .invalidState(let id, let s): "outbox: message \(id) is \(s.rawValue); that cannot be done now"
        case .invalidEnvelope(let why): "outbox: \(why)"
        }
    }
}
