#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension IMAPClient {
    /// The UIDs in the selected mailbox whose `Message-ID` header is exactly `messageID`
    /// (RFC 9051 §6.4.4 `HEADER field-name string`, RFC 5322 §3.6.4). The server's HEADER search
    /// is a substring match, so each hit's ENVELOPE is fetched and compared (angle brackets and
    /// surrounding white space ignored): `<a@x>` never matches `<aa@x>`.
    /// An ID holding CR, LF or NUL is refused before it reaches the wire (`.invalidArgument`).
    public func uidSearch(messageID: String) async throws -> [UInt32] {
        let wanted = Self.normalizedMessageID(messageID)
        guard !wanted.isEmpty else {
            throw fail(.invalidArgument, stage: IMAPStage.search, evidence: "an empty Message-ID cannot be searched for")
        }
        // A literal could carry CR LF safely, but no msg-id holds one (RFC 5322 §3.6.4): such an
        // ID is a caller's bug or an injection attempt, refused before anything is sent.
        guard !wanted.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) else {
            throw fail(.invalidArgument, stage: IMAPStage.search, evidence: "a Message-ID must not contain CR, LF or NUL")
        }
        let hits = try await uidSearch(.header("Message-ID", wanted))
        guard !hits.isEmpty else { return [] }
        var exact: [UInt32] = []
        for try await m in try await uidFetch(SequenceSet(hits), [.uid, .envelope]) {
            guard let uid = m.uid, let id = m.envelope?.messageID else { continue }
            if Self.normalizedMessageID(id) == wanted { exact.append(uid) }
        }
        return exact.sorted()
    }

    /// Looks for a message by Message-ID in `mailbox`, by default the `\Sent` mailbox (RFC 6154
    /// §2): EXAMINEs it read-only (RFC 9051 §6.3.3, nothing is marked seen) and searches with
    /// `uidSearch(messageID:)`. For settling a submission whose outcome is unknown (the
    /// connection dropped after the final dot): servers that file submitted mail in Sent
    /// themselves (Gmail, Office 365) prove the message was accepted. With no `mailbox` and no
    /// `\Sent` folder the error is `.unsupported`.
    public func findMessage(withMessageID messageID: String, in mailbox: MailboxName? = nil) async throws -> MessageIDSearchResult {
        let box: MailboxName
        if let mailbox {
            box = mailbox
        } else if let sent = try await self.mailbox(withSpecialUse: .sent) {
            box = sent.name
        } else {
            throw fail(.unsupported, stage: IMAPStage.list, evidence: "the server names no \\Sent mailbox (RFC 6154 SPECIAL-USE)")
        }
        let selected = try await examine(box)
        let uids = try await uidSearch(messageID: messageID)
        return MessageIDSearchResult(mailbox: box, uidValidity: selected.uidValidity, uids: uids)
    }

    /// `<id@host>` → `id@host`: the comparable form of a msg-id (RFC 5322 §3.6.4).
    static func normalizedMessageID(_ id: String) -> String {
        var s = Substring(id.trimmingSpacesAndTabs)
        if s.hasPrefix("<") { s = s.dropFirst() }
        if s.hasSuffix(">") { s = s.dropLast() }
        return String(s)
    }
}

/// Where `IMAPClient.findMessage(withMessageID:in:)` looked and what it found.
public struct MessageIDSearchResult: Sendable, Hashable {
    public var mailbox: MailboxName
    public var uidValidity: UInt32?
    /// The UIDs whose Message-ID matched exactly (usually zero or one).
    public var uids: [UInt32]
    public var found: Bool { !uids.isEmpty }

    public init(mailbox: MailboxName, uidValidity: UInt32?, uids: [UInt32]) {
        self.mailbox = mailbox
        self.uidValidity = uidValidity
        self.uids = uids
    }
}
