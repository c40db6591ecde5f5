public import Foundation
public import NetIO
public import SMTP
import Auth
import MIME

/// What to send through an account's SMTP settings (`mailprobe send`): recipients, subject, text
/// and files, from the identity's address or, for purchase orders, its `po_address`.
public struct AccountMessage: Sendable {
    public var to: [String]
    public var subject: String
    public var text: String
    public var attachments: [URL]
    /// Send from `[identity] po_address` instead of `address` (RFC 5322 §3.6.2 From, and MAIL FROM).
    public var purchaseOrder: Bool

    public init(to: [String], subject: String, text: String, attachments: [URL] = [], purchaseOrder: Bool = false) {
        self.to = to
        self.subject = subject
        self.text = text
        self.attachments = attachments
        self.purchaseOrder = purchaseOrder
    }

    /// Why a message cannot be built from these settings.
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// The sender address this message uses.
    public func sender(in account: MailAccount) throws -> String {
        if purchaseOrder {
            guard let po = account.identity.purchaseOrderAddress else {
                throw Problem(description: "--purchase-order needs po_address in [identity]")
            }
            return po
        }
        guard let a = account.identity.address ?? account.smtp.flatMap({ $0.credentials.user.contains("@") ? $0.credentials.user : nil })
        else { throw Problem(description: "no sender: set address in [identity]") }
        return a
    }

    /// Writes the message (RFC 5322, MIME) and sends it through the account's SMTP server
    /// (RFC 6409): connect, STARTTLS as configured, AUTH, MAIL, RCPT, DATA. Errors are
    /// `SMTPError` (explain them with `DiagnosisCatalogue.diagnose`), `Problem`, or `MIMEError`.
    public func send(through account: MailAccount, transcript: Transcript = Transcript(),
                     timeout: Duration = .seconds(60)) async throws -> SMTPSendResult {
        guard let s = account.smtp else { throw Problem(description: "the settings have no [smtp] section") }
        let from = try sender(in: account)
        var m = Message(from: try Address(from, displayName: account.identity.name), to: try to.map { try Address($0) },
                        subject: subject, textBody: text)
        for url in attachments { try m.attach(file: url) }
        let bytes = try MIMEWriter().encodeSynchronously(m)
        var timeouts = SMTPTimeouts.uniform(timeout)
        timeouts.greeting = min(timeout, .seconds(10))
        let client = SMTPClient(SMTPConfiguration(
            endpoint: s.endpoint, security: s.security, tls: s.tlsOptions, credentials: s.credentials,
            mechanism: MechanismSelection(allowPlaintextPasswordUnsafe: s.allowsPlaintextAuthUnsafe),
            timeouts: timeouts, transcript: transcript))
        do {
            try await client.connect()
            let result = try await client.send(raw: bytes, envelope: Envelope(mailFrom: from, recipients: to))
            await client.quit()
            return result
        } catch {
            await client.close()
            throw error
        }
    }
}
