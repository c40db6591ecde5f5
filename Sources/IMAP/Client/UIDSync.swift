/// What a client remembers of a mailbox between sessions to fetch only new mail (RFC 9051
/// §2.3.1.1, RFC 4549 §4.3): the UIDVALIDITY and the highest UID it has seen.
public struct SyncState: Sendable, Hashable, Codable {
    public var uidValidity: UInt32
    public var highestUID: UInt32

    public init(uidValidity: UInt32, highestUID: UInt32) {
        self.uidValidity = uidValidity
        self.highestUID = highestUID
    }
}

/// The sync helper's verdict: never a guess.
public enum SyncPlan: Sendable, Hashable {
    /// No state was kept, or UIDVALIDITY changed: earlier UIDs mean nothing now; everything in the
    /// mailbox must be treated as new (RFC 9051 §2.3.1.1).
    case resyncFromScratch(previous: UInt32?, current: UInt32)
    /// Same UIDVALIDITY: only these UIDs (all above the highest seen) are new.
    case fetchNew([UInt32])
    /// Nothing new.
    case upToDate

    /// Decides from the last state and the UIDVALIDITY of the freshly selected mailbox.
    /// `uidsAbove` are UIDs a `UID SEARCH UID n:*` returned: filtered, since `n:*` also matches
    /// the highest message when no UID is ≥ n (RFC 9051 §6.4.8).
    public static func decide(last: SyncState?, uidValidity: UInt32, uidsAbove: [UInt32]) -> SyncPlan {
        guard let last, last.uidValidity == uidValidity else {
            return .resyncFromScratch(previous: last?.uidValidity, current: uidValidity)
        }
        let new = uidsAbove.filter { $0 > last.highestUID }.sorted()
        return new.isEmpty ? .upToDate : .fetchNew(new)
    }
}
