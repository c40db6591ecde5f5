public import Foundation
public import SMTP
import NetIO

/// Sends spooled messages through one `SMTPClient` session per account (RFC 5321 §3.3, RFC 6409),
/// reused from message to message and reopened by the client when it was dropped (`421`, idle
/// timeout, network).
///
/// What a send comes to (RFC 5321 §4.2.1 reply classes):
/// - final `250` → `.accepted` with the queue id and every recipient's reply; refused recipients
///   (one `550 5.1.1` of three) are recorded, the others got the message;
/// - `5yz` (or a refusal that cannot pass: too large, missing extension) → `.permanentFailure`
///   with the reply;
/// - `4yz`, a network error, a TLS or AUTH failure → `.temporaryFailure`; `affectsAccount` when
///   the session is the problem (`SMTPError.isSessionFailure`), so the account's queue waits;
/// - the connection lost after the final dot (`SMTPError.Kind.outcomeUnknown`), or the task
///   cancelled or the link lost at any point after `willCommit` ran, without a reply →
///   `.outcomeUnknown`: the server may have the message, so it is never sent again blindly.
public final class SMTPOutboxTransport: OutboxTransport {
    /// The client; its transcript is the session log.
    public let client: SMTPClient

    /// A transport over `client` (not connected yet: the first `deliver` connects).
    public init(client: SMTPClient) {
        self.client = client
    }

    /// A transport with a new client for `configuration`.
    public convenience init(configuration: SMTPConfiguration) {
        self.init(client: SMTPClient(configuration))
    }

    /// A transport whose session is open and ready (greeting, EHLO, STARTTLS, AUTH), so a server
    /// that is down or refuses the login fails here, before any message is claimed for it.
    public static func connect(_ configuration: SMTPConfiguration) async throws -> SMTPOutboxTransport {
        let t = SMTPOutboxTransport(configuration: configuration)
        try await t.client.connect()
        return t
    }

    /// The `connect` closure of `OutboxSender` for a table of accounts; an account not in the
    /// table is a connection failure that names it (the messages wait, nothing is lost).
    public static func accounts(_ table: [String: SMTPConfiguration])
        -> @Sendable (String) async throws -> any OutboxTransport
    {
        { account in
            guard let configuration = table[account] else { throw UnknownAccount(account: account) }
            return try await SMTPOutboxTransport.connect(configuration)
        }
    }

    /// No SMTP settings for the account a message was spooled for.
    public struct UnknownAccount: Error, CustomStringConvertible {
        /// The account name the message was spooled for.
        public let account: String
        /// `no SMTP settings for the account "office"`.
        public var description: String { "no SMTP settings for the account \(account.debugDescription)" }
    }

    /// One SMTP transaction for a spooled file (RFC 5321 §3.3), streamed from the file; see the
    /// type's documentation for how each outcome maps to a `DeliveryAttempt`. Never throws.
    public func deliver(file: URL, envelope: Envelope,
                        willCommit: @escaping @Sendable () async throws -> Void) async -> DeliveryAttempt {
        let source: MessageFile
        do {
            let needs = try SpooledMessageScan.requirements(of: file)
            source = MessageFile(file, requires8BitMIME: needs.eightBit, requiresSMTPUTF8: needs.utf8Headers,
                                 summary: "spooled \(file.deletingPathExtension().lastPathComponent)")
        } catch {
            return .temporaryFailure("cannot read the spooled message: \(error)", recipients: [], affectsAccount: false)
        }
        // Set once the outbox has durably marked the message as committing: from then on the
        // final dot may be on the wire, and only a reply can say what happened.
        let committed = Locked(false)
        let hook: @Sendable () async throws -> Void = {
            try await willCommit()
            committed.withLock { $0 = true }
        }
        do {
            let result = try await client.send(raw: source, envelope: envelope, willCommit: hook)
            return .accepted(queueID: result.queueID, recipients: result.recipients)
        } catch let e as SMTPError {
            return Self.classify(e, committed: committed.withLock { $0 })
        } catch is CancellationError {
            if committed.withLock({ $0 }) {
                return .outcomeUnknown("cancelled after the final dot may have been sent and before the server's "
                                       + "reply: the server may have the message")
            }
            return .temporaryFailure("cancelled before the final dot; nothing was delivered", recipients: [],
                                     affectsAccount: true)
        } catch {
            if committed.withLock({ $0 }) {
                return .outcomeUnknown("\(error) after the final dot may have been sent: the server may have the message")
            }
            return .temporaryFailure("\(error)", recipients: [], affectsAccount: true)
        }
    }

    /// An `SMTPError` as a delivery attempt. `committed`: the final dot may have gone out.
    static func classify(_ e: SMTPError, committed: Bool) -> DeliveryAttempt {
        if e.kind == .outcomeUnknown || (committed && e.reply == nil) {
            return .outcomeUnknown(e.description)
        }
        // Every recipient refused, some only for now (451 greylisting beside a 550): retry for those.
        if e.kind == .allRecipientsRejected, e.recipients.contains(where: { !$0.accepted && $0.isTransient }) {
            return .temporaryFailure(e.description, recipients: e.recipients, affectsAccount: false)
        }
        if e.isPermanent {
            return .permanentFailure(e.description, recipients: e.recipients)
        }
        return .temporaryFailure(e.description, recipients: e.recipients, affectsAccount: e.isSessionFailure)
    }

    /// QUIT, then close (RFC 5321 §4.1.1.10).
    public func close() async {
        await client.quit()
    }
}

/// What a spooled file needs from the server: an octet above 127 anywhere needs `8BITMIME`
/// (RFC 6152), one in the header section (before the first empty line) `SMTPUTF8` (RFC 6531 §3.4).
/// Read in 64 KiB pieces, never whole.
enum SpooledMessageScan {
    static func requirements(of file: URL) throws -> (eightBit: Bool, utf8Headers: Bool) {
        let handle = try FileHandle(forReadingFrom: file)
        defer { try? handle.close() }
        var eightBit = false, utf8Headers = false
        var inHeader = true
        var previous: [UInt8] = []   // the last bytes of the previous piece, to see "\n\n" or "\n\r\n" across pieces
        // Bounded by the file's size: each pass reads at least one byte or ends.
        while true {
            guard let data = try handle.read(upToCount: MessageFile.chunkSize), !data.isEmpty else { break }
            let bytes = previous + Array(data)
            var i = previous.count
            while i < bytes.count {
                let b = bytes[i]
                if b >= 0x80 {
                    eightBit = true
                    if inHeader { utf8Headers = true }
                }
                if inHeader, b == 0x0A, i >= 1 {
                    if bytes[i - 1] == 0x0A || (i >= 2 && bytes[i - 1] == 0x0D && bytes[i - 2] == 0x0A) { inHeader = false }
                }
                i += 1
            }
            if eightBit && !inHeader { break }
            previous = Array(bytes.suffix(2))
        }
        return (eightBit, utf8Headers)
    }
}
