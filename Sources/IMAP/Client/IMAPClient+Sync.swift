extension IMAPClient {
    /// "What is new since last time?" (RFC 9051 §2.3.1.1, RFC 4549 §4.3): selects `mailbox`,
    /// compares its UIDVALIDITY with `last`, and either says to resync from scratch (changed or
    /// unknown) or lists the UIDs above the highest one seen. Fetch them with `uidFetch`.
    public func newMessages(in mailbox: MailboxName, since last: SyncState?) async throws -> (SyncPlan, SelectedMailbox) {
        let box = try await select(mailbox)
        guard let validity = box.uidValidity else {
            throw fail(.protocolViolation, stage: IMAPStage.select, evidence: "SELECT gave no UIDVALIDITY (RFC 9051 §6.3.2 requires it)")
        }
        guard let last, last.uidValidity == validity else {
            return (SyncPlan.decide(last: last, uidValidity: validity, uidsAbove: []), box)
        }
        if let next = box.uidNext, next <= last.highestUID &+ 1 { return (.upToDate, box) }
        if box.exists == 0 { return (.upToDate, box) }
        let uids = try await uidSearch(.uid(SequenceSet.from(last.highestUID &+ 1)))
        return (SyncPlan.decide(last: last, uidValidity: validity, uidsAbove: uids), box)
    }
}
