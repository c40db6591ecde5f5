public import Foundation

/// Drains an `Outbox`: one reused connection per account, messages of an account in the order
/// they were enqueued, retry with backoff on temporary failures, stop on permanent ones.
public struct OutboxSender: Sendable {
    public let outbox: Outbox
    public let policy: RetryPolicy
    private let connect: @Sendable (String) async throws -> any OutboxTransport
    private let random: @Sendable () -> Double

    /// - Parameters:
    ///   - connect: opens a transport for an account name (the SMTP client, logged in).
    ///   - random: jitter source in 0..<1, injectable for tests.
    public init(outbox: Outbox, policy: RetryPolicy = RetryPolicy(),
                random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
                connect: @escaping @Sendable (String) async throws -> any OutboxTransport) {
        self.outbox = outbox
        self.policy = policy
        self.random = random
        self.connect = connect
    }

    /// What one pass did.
    public struct Pass: Sendable, Hashable {
        public var sent: [String] = []
        public var deferred: [String] = []
        public var failed: [String] = []
        public var outcomeUnknown: [String] = []
        /// When the next message becomes due, if any is waiting.
        public var nextDue: Date?
    }

    /// Sends every message that is due now, then returns.
    ///
    /// - Parameters:
    ///   - only: the accounts to send for; all when `nil`.
    ///   - ignoringSchedule: try deferred messages now, before their next attempt time (an
    ///     operator's flush); the order of each account is kept either way.
    /// - Cancellation: stops between messages (throws `CancellationError`); a message cancelled
    ///   after its final dot may have gone out is outcome-unknown, never re-sent.
    public func drainOnce(only: Set<String>? = nil, ignoringSchedule: Bool = false) async throws -> Pass {
        try await outbox.recover()
        var pass = Pass()
        let now = outbox.clock()
        let pending = try await outbox.entries().filter { $0.state.isPending && (only?.contains($0.account) ?? true) }
        var accounts: [String] = []
        for e in pending where !accounts.contains(e.account) { accounts.append(e.account) }
        for account in accounts {
            var transport: (any OutboxTransport)?
            messages: for entry in pending where entry.account == account {
                if Task.isCancelled { break messages }
                if !ignoringSchedule, let due = entry.nextAttemptAt, due > now {
                    pass.nextDue = min(pass.nextDue ?? due, due)
                    if entry.holdsAccount { break messages }  // keep the account's order
                    continue
                }
                guard let claim = try await outbox.claim(entry.id, dueBy: ignoringSchedule ? nil : now) else { continue }
                let entry = claim.entry   // as re-read under the lock (another process may have changed it)
                if entry.age(at: now) >= policy.maximumAge {
                    try await outbox.expire(claim, reason: "gave up: not sent within \(policy.maximumAgeText)"
                                       + (entry.lastError.map { "; last error: \($0)" } ?? ""))
                    pass.failed.append(entry.id)
                    continue
                }
                let result: DeliveryAttempt
                if transport == nil {
                    do {
                        transport = try await connect(account)
                    } catch {
                        result = .temporaryFailure("cannot connect: \(error)", recipients: [], affectsAccount: true)
                        let e = try await outbox.finish(claim, result, policy: policy, random: random())
                        record(e, in: &pass)
                        break messages
                    }
                }
                let outbox = self.outbox
                result = await transport!.deliver(file: outbox.messageFile(entry.id), envelope: entry.envelope) {
                    try await outbox.markCommitting(claim)
                }
                if Task.isCancelled, case .temporaryFailure(let why, _, _) = result {
                    // Stopped before the final dot because the drain was cancelled: give it back as it was.
                    _ = try await outbox.release(claim, reason: why)
                    break messages
                }
                let e = try await outbox.finish(claim, result, policy: policy, random: random())
                record(e, in: &pass)
                switch result {
                case .temporaryFailure(_, _, let affectsAccount) where affectsAccount:
                    break messages  // the server or network is down: the rest of the account waits
                case .outcomeUnknown:
                    // The connection is gone or in an unknown state; the next message gets a new one.
                    await transport?.close()
                    transport = nil
                default:
                    continue
                }
            }
            if let t = transport {
                transport = nil
                await t.close()
            }
            try Task.checkCancellation()
        }
        return pass
    }

    private func record(_ e: OutboxEntry, in pass: inout Pass) {
        switch e.state {
        case .sent: pass.sent.append(e.id)
        case .deferred:
            pass.deferred.append(e.id)
            if let d = e.nextAttemptAt { pass.nextDue = min(pass.nextDue ?? d, d) }
        case .failed: pass.failed.append(e.id)
        case .outcomeUnknown: pass.outcomeUnknown.append(e.id)
        default: break
        }
    }

    /// Drains until cancelled, sleeping until the next message is due (at most `poll`).
    public func run(poll: Duration = .seconds(30)) async throws {
        while !Task.isCancelled {
            let pass = try await drainOnce()
            var wait = poll
            if let next = pass.nextDue {
                let seconds = max(0.05, next.timeIntervalSince(outbox.clock()))
                wait = min(poll, .milliseconds(Int64(seconds * 1000)))
            }
            try await Task.sleep(for: wait)
        }
    }
}
