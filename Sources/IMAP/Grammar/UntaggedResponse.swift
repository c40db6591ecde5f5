/// An untagged response other than FETCH (RFC 9051 §7): status, server and mailbox data,
/// message status. FETCH comes as a sequence of `ResponseEvent`s so bodies can stream.
public enum UntaggedResponse: Sendable, Hashable {
    /// `* OK/NO/BAD/PREAUTH/BYE …` (§7.1).
    case status(StatusResponse)
    /// `* CAPABILITY …` (§7.2.2).
    case capability([Capability])
    /// `* ENABLED …` (RFC 5161 §3.2).
    case enabled([String])
    /// `* LIST …` (§7.3.1).
    case list(MailboxInfo)
    /// `* STATUS mailbox (…)` (§7.3.2).
    case mailboxStatus(MailboxName, MailboxStatus)
    /// `* SEARCH n n …` (RFC 3501 §7.2.5).
    case search([UInt32])
    /// `* ESEARCH …` (RFC 4731, §7.3.4).
    case esearch(ESearchResponse)
    /// `* FLAGS (…)`: the flags defined in the mailbox (§7.3.5).
    case flags([Flag])
    /// `* n EXISTS` (§7.4.1).
    case exists(UInt32)
    /// `* n RECENT` (RFC 3501 §7.3.2).
    case recent(UInt32)
    /// `* n EXPUNGE` (§7.5.1).
    case expunge(UInt32)
    /// `* VANISHED [(EARLIER)] uid-set` (RFC 7162 §3.2.10).
    case vanished(earlier: Bool, SequenceSet)
    /// `* NAMESPACE …` (RFC 2342).
    case namespace(NamespaceResponse)
    /// `* ID (…)` (RFC 2971 §3.2); `nil` values stand for NIL.
    case id([String: String?])
    /// A response this client does not know, or one that did not follow the grammar: its raw
    /// text (literals shown as their size). Skipped by the client, kept for the transcript.
    case unknown(String)
}
