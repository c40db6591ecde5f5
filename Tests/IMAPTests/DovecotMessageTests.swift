import Foundation
import Testing
import IMAP
import NetIO
import TestSupport

extension DovecotTests {
@Suite("messages")
struct Messages {
    @Test func appendThenSelectSearchFetchByteExact() async throws {
        let d = try Dovecot()
        let imap = try await d.session()
        let box = scratchMailbox()
        try await imap.create(box)
        let messages = [sampleMessage(subject: "Invoice 1042"), sampleMessage(subject: "Order 77", from: "bob@example.test"),
                        sampleMessage(subject: "Rechnung für Müller", body: "Grüße\r\n")]
        var uids: [UInt32] = []
        for (i, m) in messages.enumerated() {
            let r = try await imap.append(m, to: box, flags: i == 0 ? [.seen] : [])
            uids.append(try #require(r.uid))
        }
        let selected = try await imap.select(box)
        #expect(selected.exists == 3)
        #expect(selected.uidNext == uids[2] + 1)
        #expect(selected.uidValidity != nil)
        #expect(selected.flags.contains(.seen))
        #expect(try await imap.uidSearch(.unseen) == [uids[1], uids[2]])
        #expect(try await imap.uidSearch(.subject("Invoice")) == [uids[0]])
        #expect(try await imap.uidSearch(.from("bob@example.test")) == [uids[1]])
        #expect(try await imap.uidSearch(.subject("für Müller")) == [uids[2]])
        #expect(try await imap.uidSearch(.and([.since(Date(timeIntervalSinceNow: -86_400)), .uid(SequenceSet(uids[1]...uids[2]))])) == [uids[1], uids[2]])
        var fetched: [FetchedMessage] = []
        for try await m in try await imap.uidFetch(SequenceSet.from(1), FetchAttribute.full + [.bodyStructure]) {
            fetched.append(m)
        }
        #expect(fetched.count == 3)
        for (m, original) in zip(fetched, messages) {
            #expect(m.body() == original, "UID \(m.uid ?? 0) differs")
            #expect(m.size == UInt64(original.count))
        }
        #expect(fetched[0].envelope?.subject == "Invoice 1042")
        #expect(fetched[0].flags?.contains(.seen) == true)
        #expect(fetched[1].envelope?.from.first?.address == "bob@example.test")
        #expect(fetched[2].internalDate != nil)
        guard case .singlePart(let part)? = fetched[2].bodyStructure else { Issue.record("no structure"); return }
        #expect(part.type.lowercased() == "text" && part.parameters["charset"] == "utf-8")
        try await imap.delete(box)
        await imap.logout()
    }

    @Test(.offCooperativePool) func multiMegabyteMessageStreamsInChunks() async throws {
        let d = try Dovecot()
        let imap = try await d.session()
        let box = scratchMailbox("big")
        try await imap.create(box)
        let message = bigMessage(size: 3 << 20)
        let uid = try #require(try await imap.append(message, to: box).uid)
        _ = try await imap.select(box)
        var chunks = 0, largest = 0, offset = 0, matches = true, sawEnd = false
        for try await event in try await imap.uidFetchEvents(SequenceSet([uid]), [.body()]) {
            switch event {
            case .bodyBegin(_, let size): #expect(size == message.count)
            case .bodyChunk(let b):
                chunks += 1
                largest = max(largest, b.count)
                if offset + b.count > message.count || message[offset..<offset + b.count].elementsEqual(b) == false { matches = false }
                offset += b.count
            case .bodyEnd: sawEnd = true
            default: break
            }
        }
        #expect(matches && offset == message.count && sawEnd)
        #expect(chunks > 10, "the body came in \(chunks) chunks")
        #expect(largest <= 64 * 1024)
        // The buffered form refuses what does not fit its limit, and the session goes on.
        await #expect(throws: IMAPError.self) {
            for try await _ in try await imap.uidFetch(SequenceSet([uid]), [.body()], maxSectionSize: 1 << 20) {}
        }
        #expect(try await imap.noop().count >= 0)
        try await imap.delete(box)
        await imap.logout()
    }

    @Test func streamedAppendOfABigMessageComesBackByteExact() async throws {
        let d = try Dovecot()
        let imap = try await d.session()
        let box = scratchMailbox("sappend")
        try await imap.create(box)
        let message = bigMessage(size: 1 << 20)
        let chunks = AsyncStream<[UInt8]> { c in
            var offset = 0
            while offset < message.count {
                let n = min(50_000, message.count - offset)
                c.yield(Array(message[offset..<offset + n]))
                offset += n
            }
            c.finish()
        }
        let uid = try #require(try await imap.append(contentsOf: chunks, size: message.count, to: box).uid)
        _ = try await imap.select(box)
        let back = try await imap.uidFetchAll(SequenceSet([uid]), [.body()])
        #expect(back.first?.body() == message)
        // A wrong size is refused and the connection closed (the literal cannot be completed).
        let short = AsyncStream<[UInt8]> { c in c.yield([0x41]); c.finish() }
        await #expect(throws: IMAPError.self) { try await imap.append(contentsOf: short, size: 10, to: box) }
        let again = try await d.session()
        _ = try await again.select(.inbox)
        try await again.delete(box)
        await again.logout()
    }

    @Test func messagesSeededByDoveadmFetchByteExact() async throws {
        let d = try Dovecot()
        let box = scratchMailbox("seeded")
        #expect(try await doveadm(["mailbox", "create", "-u", Dovecot.bob.0, box.name]).status == 0)
        let seeded = [sampleMessage(subject: "seeded one"), bigMessage(size: 300_000)]
        for m in seeded {
            let r = try await doveadm(["save", "-u", Dovecot.bob.0, "-m", box.name], input: m)
            #expect(r.status == 0, "\(r.stderr)")
        }
        let imap = try await d.session(Dovecot.bob)
        let box2 = try await imap.select(box)
        #expect(box2.exists == 2)
        let back = try await imap.uidFetchAll(SequenceSet.all, [.body(), .rfc822Size, .envelope])
        #expect(back.map { $0.body() } == seeded.map { Optional($0) })
        #expect(back.first?.envelope?.subject == "seeded one")
        _ = try await imap.select(.inbox)
        try await imap.delete(box)
        await imap.logout()
    }

    @Test func storeFlags() async throws {
        let d = try Dovecot()
        let imap = try await d.session()
        let box = scratchMailbox("flags")
        try await imap.create(box)
        let uid = try #require(try await imap.append(sampleMessage(subject: "flags"), to: box).uid)
        _ = try await imap.select(box)
        let changed = try await imap.uidStore(SequenceSet([uid]), .add, [.flagged, .seen, Flag("$Forwarded")])
        #expect(changed.first?.flags?.contains(.flagged) == true)
        try await imap.uidStore(SequenceSet([uid]), .remove, [.seen], silent: true)
        let now = try await imap.uidFetchAll(SequenceSet([uid]), [.flags])
        #expect(Set(now.first?.flags ?? []).subtracting([.recent]) == [.flagged, Flag("$Forwarded")])
        #expect(try await imap.uidSearch(.flagged) == [uid])
        await #expect(throws: IMAPError.self) { try await imap.uidStore(SequenceSet([uid]), .add, [Flag("bad\r\nA9 LOGOUT")]) }
        try await imap.delete(box)
        await imap.logout()
    }

    @Test func moveAndTheCopyStoreExpungeFallback() async throws {
        let d = try Dovecot()
        let imap = try await d.session()
        let from = scratchMailbox("src"), to = scratchMailbox("dst")
        try await imap.create(from)
        try await imap.create(to)
        var uids: [UInt32] = []
        for i in 0..<3 { uids.append(try #require(try await imap.append(sampleMessage(subject: "m\(i)"), to: from).uid)) }
        _ = try await imap.select(from)
        #expect(await imap.has(.move))
        let moved = try await imap.uidMove(SequenceSet([uids[0]]), to: to)
        #expect(moved.usedMoveCommand && moved.sourceUIDs == SequenceSet([uids[0]]))
        let fallback = try await imap.uidMove(SequenceSet([uids[1]]), to: to, useMoveCommand: false)
        #expect(!fallback.usedMoveCommand && fallback.destinationUIDs != nil)
        #expect(try await imap.uidSearch(.all) == [uids[2]])
        #expect(try await imap.status(to).messages == 2)
        let copied = try await imap.uidCopy(SequenceSet([uids[2]]), to: to)
        #expect(copied.destinationUIDs != nil)
        try await imap.uidStore(SequenceSet([uids[2]]), .add, [.deleted])
        #expect(try await imap.expunge() == [1])
        #expect(try await imap.status(to).messages == 3)
        _ = try await imap.select(.inbox)
        try await imap.delete(from)
        try await imap.delete(to)
        await imap.logout()
    }

    @Test func sentCopyIsFiledInTheSentMailbox() async throws {
        let d = try Dovecot()
        let imap = try await d.session(Dovecot.bob)
        let sent = try #require(try await imap.mailbox(withSpecialUse: .sent))
        let subject = "Sent copy \(UUID().uuidString.prefix(6))"
        let r = try await imap.append(sampleMessage(subject: subject), to: sent.name, flags: [.seen], internalDate: Date(timeIntervalSince1970: 1_764_576_000))
        _ = try await imap.examine(sent.name)
        let found = try await imap.uidSearch(.subject(subject))
        #expect(found == [try #require(r.uid)])
        let m = try await imap.uidFetchAll(SequenceSet(found), [.internalDate])
        #expect(m.first?.internalDate == Date(timeIntervalSince1970: 1_764_576_000))
        await imap.logout()
    }

    @Test func uidValiditySyncHelper() async throws {
        let d = try Dovecot()
        let imap = try await d.session()
        let box = scratchMailbox("sync")
        try await imap.create(box)
        let (first, selected) = try await imap.newMessages(in: box, since: nil)
        let validity = try #require(selected.uidValidity)
        #expect(first == .resyncFromScratch(previous: nil, current: validity))
        var state = SyncState(uidValidity: validity, highestUID: 0)
        let u1 = try #require(try await imap.append(sampleMessage(subject: "a"), to: box).uid)
        let u2 = try #require(try await imap.append(sampleMessage(subject: "b"), to: box).uid)
        #expect(try await imap.newMessages(in: box, since: state).0 == .fetchNew([u1, u2]))
        state.highestUID = u2
        #expect(try await imap.newMessages(in: box, since: state).0 == .upToDate)
        // "n:*" matches the last message even when n is above every UID; the helper filters it.
        #expect(try await imap.uidSearch(.uid(SequenceSet.from(u2 + 1))) == [u2])
        let u3 = try #require(try await imap.append(sampleMessage(subject: "c"), to: box).uid)
        #expect(try await imap.newMessages(in: box, since: state).0 == .fetchNew([u3]))
        // Recreate the mailbox: its UIDVALIDITY changes and the helper says so.
        _ = try await imap.select(.inbox)
        try await imap.delete(box)
        try await Task.sleep(for: .milliseconds(1_100))
        try await imap.create(box)
        _ = try await imap.append(sampleMessage(subject: "after"), to: box)
        let (plan, again) = try await imap.newMessages(in: box, since: SyncState(uidValidity: validity, highestUID: u3))
        #expect(again.uidValidity != validity)
        #expect(plan == .resyncFromScratch(previous: validity, current: try #require(again.uidValidity)))
        _ = try await imap.select(.inbox)
        try await imap.delete(box)
        await imap.logout()
    }
}
}
