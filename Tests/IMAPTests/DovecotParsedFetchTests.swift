import Foundation
import Testing
import IMAP
import MIME
import NetIO
import TestSupport

/// Fetched bodies handed to the MIME parser, against the real Dovecot: structure, decoded
/// headers, attachment bytes, a multi-megabyte message streamed, the sync helper, and the
/// Message-ID search used to settle a submission whose outcome is unknown.
extension DovecotTests {
@Suite("parsed fetch")
struct ParsedFetch {
    /// Bytes that are not text: every byte value, then a pseudo-random tail.
    static func pdfBytes(_ count: Int) -> [UInt8] {
        var out = Array("%PDF-1.7\n".utf8) + (0...255).map { UInt8($0) }
        var seed: UInt32 = 99
        while out.count < count {
            seed = seed &* 1_103_515_245 &+ 12345
            out.append(UInt8(truncatingIfNeeded: seed >> 16))
        }
        return Array(out.prefix(count))
    }

    static func base64Lines(_ bytes: [UInt8]) -> String {
        let b64 = Data(bytes).base64EncodedString()
        var lines: [Substring] = []
        var i = b64.startIndex
        while i < b64.endIndex {
            let j = b64.index(i, offsetBy: 76, limitedBy: b64.endIndex) ?? b64.endIndex
            lines.append(b64[i..<j])
            i = j
        }
        return lines.joined(separator: "\r\n")
    }

    /// multipart/mixed: a UTF-8 text part and a PDF attachment, RFC 2047 subject and name.
    static func invoice(_ pdf: [UInt8], messageID: String = "<\(UUID().uuidString)@example.test>") -> [UInt8] {
        Array(("From: =?UTF-8?Q?M=C3=BCller_GmbH?= <billing@example.test>\r\nTo: alice@example.test\r\n"
            + "Subject: =?UTF-8?B?UmVjaG51bmcgTnIuIDQyIGbDvHIgSsO2cmc=?=\r\n"
            + "Date: Tue, 01 Dec 2026 08:00:00 +0000\r\nMessage-ID: \(messageID)\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
            + "--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
            + "Gr=C3=BC=C3=9Fe, anbei die Rechnung.\r\n"
            + "--b1\r\nContent-Type: application/pdf; name=\"rechnung-42.pdf\"\r\n"
            + "Content-Disposition: attachment; filename=\"rechnung-42.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + base64Lines(pdf) + "\r\n--b1--\r\n").utf8)
    }

    @Test func parsedFetchGivesStructureDecodedHeadersAndAttachmentBytes() async throws {
        let d = try Dovecot()
        let imap = try await d.session()
        let box = scratchMailbox("parsed")
        try await imap.create(box)
        let pdf = Self.pdfBytes(50_000)
        let plain = sampleMessage(subject: "=?ISO-8859-1?Q?Bestellung_f=FCr_K=F6ln?=")
        let appended = Self.invoice(pdf)
        let first = try #require(try await imap.append(appended, to: box, flags: [.seen]).uid)
        let second = try #require(try await imap.append(plain, to: box).uid)
        _ = try await imap.select(box)
        var got: [ParsedFetchedMessage] = []
        for try await m in try await imap.uidFetchParsed(SequenceSet.from(1)) { got.append(m) }
        #expect(got.map(\.uid) == [first, second])
        let invoice = got[0].message
        #expect(invoice.subject == "Rechnung Nr. 42 für Jörg")
        #expect(invoice.from.first?.displayName == "Müller GmbH")
        #expect(invoice.from.first?.addrSpec == "billing@example.test")
        #expect(invoice.text == "Grüße, anbei die Rechnung.", "the CR LF before the delimiter belongs to it (RFC 2046 §5.1.1)")
        #expect(invoice.root.isMultipart && invoice.root.children.count == 2)
        let attachment = try #require(invoice.attachments.first)
        #expect(attachment.filename == "rechnung-42.pdf")
        #expect(attachment.contentType.mimeType == "application/pdf")
        #expect(attachment.body == pdf, "attachment bytes equal what was appended")
        #expect(invoice.defects.isEmpty, "\(invoice.defects)")
        #expect(got[0].summary.flags?.contains(.seen) == true)
        #expect(got[0].summary.size == UInt64(appended.count))
        #expect(got[0].summary.sections.isEmpty, "the raw body is not kept beside the parsed one")
        #expect(got[0].summary.envelope?.subject == "=?UTF-8?B?UmVjaG51bmcgTnIuIDQyIGbDvHIgSsO2cmc=?=")
        #expect(got[1].message.subject == "Bestellung für Köln")
        #expect(got[1].message.text == "Hello.\r\n")
        try await imap.delete(box)
        await imap.logout()
    }

    @Test func multiMegabyteMessageIsStreamedThroughTheMIMEStreamParser() async throws {
        let d = try Dovecot()
        let imap = try await d.session()
        let box = scratchMailbox("mime-big")
        try await imap.create(box)
        let pdf = Self.pdfBytes(3 << 20)
        let message = Self.invoice(pdf)
        let uid = try #require(try await imap.append(message, to: box).uid)
        _ = try await imap.select(box)
        var starts: [FetchedMessage] = [], ends: [FetchedMessage] = []
        var attachmentPath: [Int]?, offset = 0, matches = true, bodyChunks = 0, largest = 0
        var subject: String?, partEnds = 0
        for try await event in try await imap.uidFetchMIME(SequenceSet([uid])) {
            switch event {
            case .messageStart(let m): starts.append(m)
            case .messageEnd(let m): ends.append(m)
            case .mime(.partStart(let part)):
                if part.path.isEmpty { subject = part.headers.value("Subject") }
                if part.filename == "rechnung-42.pdf" { attachmentPath = part.path }
            case .mime(.body(let path, let bytes)):
                guard path == attachmentPath else { continue }
                bodyChunks += 1
                largest = max(largest, bytes.count)
                if offset + bytes.count > pdf.count || !pdf[offset..<offset + bytes.count].elementsEqual(bytes) { matches = false }
                offset += bytes.count
            case .mime(.partEnd):
                partEnds += 1
            }
        }
        #expect(starts.count == 1 && ends.count == 1)
        #expect(starts.first?.uid == uid, "the UID is known before the body")
        #expect(ends.first?.size == UInt64(message.count))
        #expect(subject == "Rechnung Nr. 42 für Jörg")
        #expect(attachmentPath == [1], "the second child of the root (MIME paths count from 0)")
        #expect(matches && offset == pdf.count, "decoded attachment equals what was appended")
        #expect(bodyChunks > 20, "decoded in pieces, not at once (\(bodyChunks))")
        #expect(largest <= 256 * 1024, "largest piece \(largest) bytes")
        #expect(partEnds == 3)
        try await imap.delete(box)
        await imap.logout()
    }

    @Test func newParsedMessagesSinceTheLastUIDAndAfterAUIDVALIDITYChange() async throws {
        let d = try Dovecot()
        let imap = try await d.session()
        let box = scratchMailbox("newmail")
        try await imap.create(box)
        let a = try await imap.append(sampleMessage(subject: "first"), to: box)
        let b = try await imap.append(sampleMessage(subject: "=?UTF-8?Q?zweite_Nachricht_=E2=80=93_neu?="), to: box)
        let validity = try #require(a.uidValidity)
        let state = SyncState(uidValidity: validity, highestUID: try #require(a.uid))

        let new = try await imap.newParsedMessages(in: box, since: state)
        #expect(new.plan == .fetchNew([try #require(b.uid)]))
        var subjects: [String?] = []
        for try await m in try #require(new.messages) { subjects.append(m.message.subject) }
        #expect(subjects == ["zweite Nachricht – neu"])

        let done = try await imap.newParsedMessages(in: box, since: SyncState(uidValidity: validity, highestUID: try #require(b.uid)))
        #expect(done.plan == .upToDate && done.messages == nil)

        // Recreate the mailbox: a new UIDVALIDITY; old UIDs mean nothing and nothing is guessed.
        _ = try await imap.select(.inbox)
        try await imap.delete(box)
        try await imap.create(box)
        _ = try await imap.append(sampleMessage(subject: "after recreate"), to: box)
        let changed = try await imap.newParsedMessages(in: box, since: state)
        guard case .resyncFromScratch(let previous, let current) = changed.plan else {
            Issue.record("expected resyncFromScratch, got \(changed.plan)")
            return
        }
        #expect(previous == validity && current != validity)
        #expect(changed.messages == nil)
        let all = try await imap.newParsedMessages(in: box, since: state, fetchAllOnResync: true)
        var after: [String?] = []
        for try await m in try #require(all.messages) { after.append(m.message.subject) }
        #expect(after == ["after recreate"])
        _ = try await imap.select(.inbox)
        try await imap.delete(box)
        await imap.logout()
    }

    @Test func messageIDSearchIsExactAndLooksInSentByDefault() async throws {
        let d = try Dovecot()
        let imap = try await d.session()
        let box = scratchMailbox("msgid")
        try await imap.create(box)
        let token = UUID().uuidString.prefix(8)
        let id = "<inv-\(token)@shop.example.test>"
        let longer = "<inv-\(token)0@shop.example.test>"
        let hit = try #require(try await imap.append(Self.invoice(Self.pdfBytes(100), messageID: id), to: box).uid)
        _ = try await imap.append(Self.invoice(Self.pdfBytes(100), messageID: longer), to: box)
        _ = try await imap.select(box)
        #expect(try await imap.uidSearch(messageID: id) == [hit], "a substring match on the longer ID is filtered out")
        #expect(try await imap.uidSearch(messageID: "inv-\(token)@shop.example.test") == [hit], "brackets optional")
        #expect(try await imap.uidSearch(messageID: "<nothing-\(token)@x>") == [])
        do {
            _ = try await imap.uidSearch(messageID: "<a@b>\r\nA9 LOGOUT")
            Issue.record("CR LF in a Message-ID was sent")
        } catch let e as IMAPError {
            #expect(e.kind == .invalidArgument)
        }
        let inBox = try await imap.findMessage(withMessageID: id, in: box)
        #expect(inBox.found && inBox.uids == [hit] && inBox.mailbox == box && inBox.uidValidity != nil)

        // The default is the \Sent mailbox (RFC 6154): file a copy there and find it.
        let sentID = "<sent-\(token)@shop.example.test>"
        let sent = try #require(try await imap.mailbox(withSpecialUse: .sent))
        let filed = try #require(try await imap.append(Self.invoice(Self.pdfBytes(100), messageID: sentID), to: sent.name).uid)
        let found = try await imap.findMessage(withMessageID: sentID)
        #expect(found.mailbox == sent.name && found.uids == [filed])
        #expect(await imap.selected?.readOnly == true, "looked at with EXAMINE")
        #expect(try await imap.findMessage(withMessageID: "<never-\(token)@x>").found == false)
        _ = try await imap.select(sent.name)
        _ = try await imap.uidStore(SequenceSet([filed]), .add, [.deleted])
        _ = try await imap.uidExpunge(SequenceSet([filed]))
        _ = try await imap.select(.inbox)
        try await imap.delete(box)
        await imap.logout()
    }
}
}
