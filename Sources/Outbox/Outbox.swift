public import Foundation
public import SMTP
import Glibc
import NetIO

/// A durable spool of outgoing messages: nothing is acknowledged before it is on disk, every state
/// change is durable, and a crash leaves every message in a well-defined state.
///
/// Layout (docs/OUTBOX.md): `messages/<id>.eml` holds the message exactly as it will be sent,
/// `state/<id>.json` its metadata and state, `locks/<id>.lock` the lock a sender holds while it
/// sends, `tmp/` files being written. Several processes may share one spool: a message is sent
/// only by the process that holds its lock.
public actor Outbox {
    public nonisolated let directory: URL
    nonisolated let messagesDir: URL
    nonisolated let stateDir: URL
    nonisolated let locksDir: URL
    nonisolated let scratchDir: URL
    /// When the depth (queued + deferred + sending) passes this after an enqueue, `onAlert` runs.
    public let alertThreshold: Int
    private let onAlert: (@Sendable (OutboxStats) -> Void)?
    let clock: @Sendable () -> Date
    private nonisolated let executor: SpoolExecutor

    /// The spool's own serial queue (file writes and fsyncs block; they stay off Swift's
    /// cooperative threads).
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    /// Opens (creating if needed) the spool at `directory` and recovers messages a crashed sender
    /// left in `sending`.
    public init(directory: URL, alertThreshold: Int = 50, clock: @escaping @Sendable () -> Date = { Date() },
                onAlert: (@Sendable (OutboxStats) -> Void)? = nil) throws {
        self.directory = directory
        messagesDir = directory.appendingPathComponent("messages")
        stateDir = directory.appendingPathComponent("state")
        locksDir = directory.appendingPathComponent("locks")
        scratchDir = directory.appendingPathComponent("tmp")
        self.alertThreshold = alertThreshold
        self.onAlert = onAlert
        self.clock = clock
        executor = SpoolExecutor(label: "MailEngine.Outbox \(directory.path)")
        for dir in [directory, messagesDir, stateDir, locksDir, scratchDir] {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        }
        _ = try Self.recover(stateDir: stateDir, locksDir: locksDir, scratchDir: scratchDir, now: clock())
    }

    // MARK: enqueue

    /// Spools `message` (the exact bytes to send) and returns its id once message and metadata are
    /// both on disk.
    @discardableResult
    public func enqueue(_ message: Data, envelope: Envelope, account: String, messageID: String? = nil,
                        label: String? = nil) throws -> String {
        try enqueue(envelope: envelope, account: account, messageID: messageID, label: label) { write in
            try message.withUnsafeBytes { try write($0) }
        }
    }

    /// Spools a message written in chunks by `body` (for example a MIME writer), in bounded memory.
    /// Without `messageID`, the message's own `Message-ID` field is recorded.
    @discardableResult
    public func enqueue(envelope: Envelope, account: String, messageID: String? = nil, label: String? = nil,
                        body: (_ write: (UnsafeRawBufferPointer) throws -> Void) throws -> Void) throws -> String {
        try Self.validate(envelope)
        let now = clock()
        let id = Self.makeID(now)
        let writer = try SpoolWriter(in: scratchDir)
        do {
            try body { try writer.write($0) }
            try writer.commit(to: messageFile(id))
        } catch {
            writer.abandon()
            throw error
        }
        // Without a Message-ID given, the one in the message's header (to settle an unknown outcome).
        let messageID = messageID ?? Self.headerMessageID(messageFile(id))
        let entry = OutboxEntry(id: id, account: account, envelope: envelope, messageID: messageID, label: label,
                                size: writer.size, enqueuedAt: now, state: .queued, committing: false, attempts: [],
                                nextAttemptAt: nil, lastError: nil, queueID: nil, sentAt: nil, recipients: [],
                                holdsAccount: false)
        try save(entry)
        if let onAlert {
            let stats = try stats()
            if stats.depth > alertThreshold { onAlert(stats) }
        }
        return id
    }

    // MARK: reading

    /// Every message, oldest first.
    public func entries() throws -> [OutboxEntry] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: stateDir.path)) ?? []
        var out: [OutboxEntry] = []
        for name in names where name.hasSuffix(".json") && !name.hasPrefix(".") {
            if let e = try? load(String(name.dropLast(5))) { out.append(e) }
        }
        return out.sorted { $0.id < $1.id }  // ids sort in enqueue order
    }

    public func entry(_ id: String) throws -> OutboxEntry { try load(id) }

    /// The spooled message bytes.
    public nonisolated func messageFile(_ id: String) -> URL { messagesDir.appendingPathComponent("\(id).eml") }

    public func stats() throws -> OutboxStats {
        let all = try entries()
        var counts: [OutboxState: Int] = [:]
        for e in all { counts[e.state, default: 0] += 1 }
        let now = clock()
        let oldest = all.filter { $0.state.isPending || $0.state == .sending }.map { $0.age(at: now) }.max()
        return OutboxStats(counts: counts, oldestPendingAge: oldest, alertThreshold: alertThreshold)
    }

    // MARK: operator actions

    /// Puts a deferred, failed or outcome-unknown message back in the queue for an attempt now.
    public func retry(_ id: String) throws {
        guard let lock = MessageLock(path: lockPath(id)) else { throw OutboxError.busy(id) }
        defer { withExtendedLifetime(lock) {} }
        var e = try load(id)
        guard e.state != .sent && e.state != .sending else { throw OutboxError.invalidState(id, e.state) }
        e.attempts.append(OutboxAttempt(at: clock(), result: "retry", detail: "requeued by an operator"))
        e.state = .queued
        e.nextAttemptAt = nil
        e.holdsAccount = false
        try save(e)
    }

    /// Removes a message that is not being sent.
    public func drop(_ id: String) throws {
        guard let lock = MessageLock(path: lockPath(id)) else { throw OutboxError.busy(id) }
        _ = try load(id)
        unlink(stateFile(id).path)
        unlink(messageFile(id).path)
        try DurableFile.syncDirectory(stateDir)
        unlink(lockPath(id))
        withExtendedLifetime(lock) {}
    }

    /// Recovers messages left in `sending` by a sender that died; returns their ids.
    @discardableResult
    public func recover() throws -> [String] {
        try Self.recover(stateDir: stateDir, locksDir: locksDir, scratchDir: scratchDir, now: clock())
    }

    // MARK: used by the sender

    /// Takes the message for sending if it is pending, due by `dueBy` (any time when `nil`), and no
    /// other process holds it; decided on the state re-read under the lock.
    func claim(_ id: String, dueBy: Date? = nil) throws -> OutboxClaim? {
        guard let lock = MessageLock(path: lockPath(id)) else { return nil }
        var e = try load(id)
        guard e.state.isPending else { return nil }
        if let dueBy, let next = e.nextAttemptAt, next > dueBy { return nil }
        e.state = .sending
        e.committing = false
        try save(e)
        return OutboxClaim(entry: e, lock: lock)
    }

    /// Records, durably, that the final dot is about to be sent.
    func markCommitting(_ claim: OutboxClaim) throws {
        var e = try load(claim.entry.id)
        e.committing = true
        try save(e)
    }

    /// Records the attempt's result and releases the message.
    func finish(_ claim: OutboxClaim, _ result: DeliveryAttempt, policy: RetryPolicy, random: Double) throws -> OutboxEntry {
        var e = try load(claim.entry.id)
        let now = clock()
        switch result {
        case .accepted(let queueID, let recipients):
            // Recipients refused with 4yz (greylisting, mailbox busy) did not get it: they are
            // spooled again, written before the sent state so a crash in between cannot lose them.
            let later = recipients.filter { !$0.accepted && $0.isTransient }
            if !later.isEmpty {
                try split(e, for: later, policy: policy, random: random, now: now)
            }
            e.state = .sent
            e.queueID = queueID
            e.sentAt = now
            e.recipients = recipients
            e.lastError = nil
            e.holdsAccount = false
            let refused = recipients.filter { !$0.accepted }
            e.attempts.append(OutboxAttempt(at: now, result: "sent", detail: "queued as \(queueID ?? "?")"
                + (refused.isEmpty ? "" : "; refused: " + refused.map { "\($0.address) (\($0.code) \($0.text))" }.joined(separator: ", "))))
        case .temporaryFailure(var why, let recipients, let affectsAccount):
            if !recipients.isEmpty { e.recipients = recipients }
            // Recipients refused for good (5yz) are taken off the envelope; the retry is for the rest.
            let permanent = recipients.filter { !$0.accepted && !$0.isTransient && $0.code >= 500 }
            let remaining = e.envelope.recipients.filter { r in !permanent.contains { $0.address == r } }
            if !permanent.isEmpty && !remaining.isEmpty {
                e.envelope.recipients = remaining
                let refused = permanent.map { "\($0.address) (\($0.code) \($0.text))" }.joined(separator: ", ")
                e.attempts.append(OutboxAttempt(at: now, result: "refused", detail: "refused for good, not retried: \(refused)"))
                why += "; refused for good: \(refused)"
            }
            e.lastError = why
            let failures = e.attempts.filter { $0.result == "deferred" }.count + 1
            if e.age(at: now) >= policy.maximumAge {
                e.state = .failed
                e.attempts.append(OutboxAttempt(at: now, result: "failed",
                                                detail: "gave up: not sent within \(policy.maximumAgeText); last error: \(why)"))
                e.holdsAccount = false
            } else {
                e.state = .deferred
                e.nextAttemptAt = now.addingTimeInterval(policy.delay(afterFailures: failures, random: random))
                e.holdsAccount = affectsAccount
                e.attempts.append(OutboxAttempt(at: now, result: "deferred", detail: why))
            }
        case .permanentFailure(let why, let recipients):
            if !recipients.isEmpty { e.recipients = recipients }
            e.state = .failed
            e.lastError = why
            e.holdsAccount = false
            e.attempts.append(OutboxAttempt(at: now, result: "failed", detail: why))
        case .outcomeUnknown(let why):
            e.lastError = why
            e.attempts.append(OutboxAttempt(at: now, result: "outcomeUnknown", detail: why))
            e.state = policy.resendWhenOutcomeUnknown ? .deferred : .outcomeUnknown
            e.nextAttemptAt = policy.resendWhenOutcomeUnknown ? now : nil
        }
        e.committing = false
        try save(e)
        return e
    }

    /// Spools `e`'s message again for `recipients` only (a hard link to the same bytes), deferred
    /// as after a first temporary failure, with the same Message-ID.
    private func split(_ e: OutboxEntry, for recipients: [RecipientResult], policy: RetryPolicy, random: Double,
                       now: Date) throws {
        let id = Self.makeID(now)
        guard link(messageFile(e.id).path, messageFile(id).path) == 0 else {
            throw OutboxError.io("link \(messageFile(e.id).path)", errno)
        }
        try DurableFile.syncDirectory(messagesDir)
        let why = recipients.map { "\($0.address) (\($0.code) \($0.text))" }.joined(separator: ", ")
        var envelope = e.envelope
        envelope.recipients = recipients.map(\.address)
        let entry = OutboxEntry(id: id, account: e.account, envelope: envelope, messageID: e.messageID, label: e.label,
                                size: e.size, enqueuedAt: e.enqueuedAt, state: .deferred, committing: false,
                                attempts: [OutboxAttempt(at: now, result: "deferred",
                                                         detail: "split from \(e.id), sent to the others; refused for now: \(why)")],
                                nextAttemptAt: now.addingTimeInterval(policy.delay(afterFailures: 1, random: random)),
                                lastError: why, queueID: nil, sentAt: nil, recipients: recipients, holdsAccount: false,
                                splitFrom: e.id)
        try save(entry)
    }

    /// Gives a claimed message back as it was (queued, or deferred with its next attempt time) when
    /// its sending was cancelled before the final dot: nothing was delivered, and a cancelled drain
    /// (the app quitting) is no failure to back off from.
    func release(_ claim: OutboxClaim, reason: String) throws -> OutboxEntry {
        var e = try load(claim.entry.id)
        e.state = e.attempts.contains { $0.result == "deferred" } ? .deferred : .queued
        e.committing = false
        e.attempts.append(OutboxAttempt(at: clock(), result: "cancelled", detail: reason))
        try save(e)
        return e
    }

    /// Marks a pending message failed without an attempt (too old before it could be tried).
    func expire(_ claim: OutboxClaim, reason: String) throws {
        var e = try load(claim.entry.id)
        e.state = .failed
        e.lastError = reason
        e.attempts.append(OutboxAttempt(at: clock(), result: "failed", detail: reason))
        try save(e)
    }

    // MARK: files

    nonisolated func stateFile(_ id: String) -> URL { stateDir.appendingPathComponent("\(id).json") }
    nonisolated func lockPath(_ id: String) -> String { locksDir.appendingPathComponent("\(id).lock").path }

    private func load(_ id: String) throws -> OutboxEntry {
        guard Self.isValidID(id) else { throw OutboxError.notFound(id) }
        let data: Data
        do {
            data = try Data(contentsOf: stateFile(id))
        } catch {
            throw OutboxError.notFound(id)
        }
        do {
            return try Self.decoder.decode(OutboxEntry.self, from: data)
        } catch {
            throw OutboxError.corrupt(id, "\(error)")
        }
    }

    private func save(_ e: OutboxEntry) throws {
        try DurableFile.write(try Self.encoder.encode(e), to: stateFile(e.id), scratch: scratchDir)
    }

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        e.dateEncodingStrategy = .iso8601
        return e
    }()

    static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }()

    /// `20261122T101502.190123Z-3f9a1c2b7d10`: sorts in enqueue order (microseconds, strictly
    /// increasing within a process), unique across processes, safe as a file name.
    /// The `Message-ID` field of a spooled file's header section, if it has one.
    static func headerMessageID(_ file: URL) -> String? {
        guard let handle = try? FileHandle(forReadingFrom: file) else { return nil }
        defer { try? handle.close() }
        guard let head = try? handle.read(upToCount: HeaderScan.limit) else { return nil }
        return HeaderScan.messageID(in: head)
    }

    static func makeID(_ date: Date) -> String {
        let micros = lastMicros.withLock { last -> Int64 in
            let now = Int64((date.timeIntervalSince1970 * 1_000_000).rounded(.down))
            last = max(now, last + 1)
            return last
        }
        var t = time_t(micros / 1_000_000)
        var tm = tm()
        gmtime_r(&t, &tm)
        func p(_ v: Int64, _ w: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, w - s.count)) + s }
        let stamp = "\(p(Int64(tm.tm_year) + 1900, 4))\(p(Int64(tm.tm_mon) + 1, 2))\(p(Int64(tm.tm_mday), 2))T"
            + "\(p(Int64(tm.tm_hour), 2))\(p(Int64(tm.tm_min), 2))\(p(Int64(tm.tm_sec), 2)).\(p(micros % 1_000_000, 6))Z"
        let random = (0..<6).map { _ in String(UInt8.random(in: 0...255), radix: 16) }.map { $0.count == 1 ? "0" + $0 : $0 }.joined()
        return "\(stamp)-\(random)"
    }

    private static let lastMicros = Locked<Int64>(0)

    static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.count < 64 && id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }
            && !id.hasPrefix(".")
    }

    static func validate(_ envelope: Envelope) throws {
        guard !envelope.recipients.isEmpty else { throw OutboxError.invalidEnvelope("the envelope has no recipient") }
        for a in [envelope.mailFrom] + envelope.recipients where a.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) {
            throw OutboxError.invalidEnvelope("CR, LF or NUL in the address \(a.debugDescription)")
        }
    }

    /// A process that died while enqueueing leaves a file in `tmp/`, or a message file whose metadata
    /// was never written (it was never acknowledged, so it is no message). Removed once older than
    /// this, so an enqueue still running in another process is never touched.
    static let leftoverAge: TimeInterval = 3600

    static func removeLeftovers(stateDir: URL, messagesDir: URL, scratchDir: URL) {
        let fm = FileManager.default
        let cutoff = Date().addingTimeInterval(-leftoverAge)   // file times are real time, not the injected clock
        func old(_ url: URL) -> Bool {
            ((try? fm.attributesOfItem(atPath: url.path)[.modificationDate]) as? Date).map { $0 < cutoff } ?? false
        }
        for name in (try? fm.contentsOfDirectory(atPath: scratchDir.path)) ?? [] where name.hasSuffix(".tmp") {
            let url = scratchDir.appendingPathComponent(name)
            if old(url) { unlink(url.path) }
        }
        for name in (try? fm.contentsOfDirectory(atPath: messagesDir.path)) ?? [] where name.hasSuffix(".eml") {
            let id = String(name.dropLast(4))
            let url = messagesDir.appendingPathComponent(name)
            if !fm.fileExists(atPath: stateDir.appendingPathComponent("\(id).json").path) && old(url) { unlink(url.path) }
        }
    }

    /// Messages in `sending` whose lock nobody holds were left by a dead sender. Before the final dot
    /// nothing can have been delivered, so they go back to the queue; after it, the outcome is unknown.
    static func recover(stateDir: URL, locksDir: URL, scratchDir: URL, now: Date) throws -> [String] {
        var recovered: [String] = []
        let names = (try? FileManager.default.contentsOfDirectory(atPath: stateDir.path)) ?? []
        for name in names where name.hasSuffix(".json") && !name.hasPrefix(".") {
            let id = String(name.dropLast(5))
            let file = stateDir.appendingPathComponent(name)
            guard let data = try? Data(contentsOf: file),
                  var e = try? decoder.decode(OutboxEntry.self, from: data), e.state == .sending,
                  let lock = MessageLock(path: locksDir.appendingPathComponent("\(id).lock").path)
            else { continue }
            // Re-read under the lock: another process may have finished it meanwhile.
            guard let again = try? Data(contentsOf: file), let fresh = try? decoder.decode(OutboxEntry.self, from: again),
                  fresh.state == .sending else { continue }
            e = fresh
            if e.committing {
                e.state = .outcomeUnknown
                e.attempts.append(OutboxAttempt(at: now, result: "outcomeUnknown",
                                                detail: "the sender stopped after the final dot; the server may have the message"))
            } else {
                e.state = e.attempts.contains { $0.result == "deferred" } ? .deferred : .queued
                e.nextAttemptAt = nil
                e.attempts.append(OutboxAttempt(at: now, result: "recovered",
                                                detail: "the sender stopped before the final dot; nothing was delivered"))
            }
            e.committing = false
            try DurableFile.write(try encoder.encode(e), to: file, scratch: scratchDir)
            recovered.append(id)
            withExtendedLifetime(lock) {}
        }
        removeLeftovers(stateDir: stateDir, messagesDir: stateDir.deletingLastPathComponent().appendingPathComponent("messages"),
                        scratchDir: scratchDir)
        return recovered
    }
}

/// A claimed message: its entry and the lock held while it is sent.
struct OutboxClaim: @unchecked Sendable {  // the lock is only released by deinit
    let entry: OutboxEntry
    let lock: MessageLock
}

/// Queue depth and counts per state.
public struct OutboxStats: Sendable, Hashable {
    public var counts: [OutboxState: Int]
    /// Age of the oldest message not yet sent or given up.
    public var oldestPendingAge: TimeInterval?
    public var alertThreshold: Int

    /// Messages still to be delivered: queued, deferred and sending.
    public var depth: Int { (counts[.queued] ?? 0) + (counts[.deferred] ?? 0) + (counts[.sending] ?? 0) }
    public func count(_ state: OutboxState) -> Int { counts[state] ?? 0 }
}
