/// What SELECT or EXAMINE told about a mailbox (RFC 9051 §6.3.2): UIDVALIDITY, UIDNEXT,
/// EXISTS, flags, and whether it is read-only.
public struct SelectedMailbox: Sendable, Hashable {
    public var name: MailboxName
    public var readOnly: Bool
    public var uidValidity: UInt32?
    public var uidNext: UInt32?
    public var exists: UInt32
    public var recent: UInt32?
    public var unseen: UInt32?
    public var flags: [Flag]
    public var permanentFlags: [Flag]
    public var highestModSeq: UInt64?

    public init(name: MailboxName) {
        self.name = name
        self.readOnly = false
        self.exists = 0
        self.flags = []
        self.permanentFlags = []
    }
}

/// The result of APPEND with UIDPLUS (RFC 4315 §3 `APPENDUID`).
public struct AppendResult: Sendable, Hashable {
    public var uidValidity: UInt32?
    public var uid: UInt32?

    public init(uidValidity: UInt32? = nil, uid: UInt32? = nil) {
        self.uidValidity = uidValidity
        self.uid = uid
    }
}

/// The result of COPY or MOVE with UIDPLUS (RFC 4315 §3 `COPYUID`): old and new UIDs.
public struct CopyResult: Sendable, Hashable {
    public var uidValidity: UInt32?
    public var sourceUIDs: SequenceSet?
    public var destinationUIDs: SequenceSet?
    /// Whether MOVE was used, or the fallback COPY + STORE \Deleted + UID EXPUNGE (RFC 6851 §3.3).
    public var usedMoveCommand: Bool

    public init(uidValidity: UInt32? = nil, sourceUIDs: SequenceSet? = nil, destinationUIDs: SequenceSet? = nil,
                usedMoveCommand: Bool) {
        self.uidValidity = uidValidity
        self.sourceUIDs = sourceUIDs
        self.destinationUIDs = destinationUIDs
        self.usedMoveCommand = usedMoveCommand
    }
}

/// How STORE changes flags (RFC 9051 §6.4.6).
public enum StoreMode: String, Sendable, Hashable {
    case add = "+FLAGS", remove = "-FLAGS", replace = "FLAGS"
}

/// The connection's state (RFC 9051 §3).
public enum SessionState: Sendable, Hashable {
    case notAuthenticated, authenticated, selected(MailboxName), logout
}
