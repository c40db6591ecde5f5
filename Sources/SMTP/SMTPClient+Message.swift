public import MIME

extension SMTPClient {
    /// Sends a ``MIME/Message`` built with the MIME builder (RFC 5321 §3.3, RFC 6409), connecting
    /// first when no session is open; the rest is `send(raw:envelope:)`.
    ///
    /// - The envelope is the message's unless given (an alternate sender such as a purchase-order
    ///   or bounce address, other recipients): `MAIL FROM` is Sender, else From; `RCPT TO` is
    ///   To, Cc and Bcc, each once (``MIME/Message/envelopeRecipientAddresses``). Bcc is never
    ///   written into the message.
    /// - The writer is told what the server offers: `8bit` text only with `8BITMIME` (RFC 6152),
    ///   else quoted-printable or base64; non-ASCII local parts only with `SMTPUTF8` (RFC 6531),
    ///   else `SMTPError.Kind.extensionMissing("SMTPUTF8")` before MAIL. Internationalised
    ///   domains go as `xn--` (``MIME/Address/asciiAddrSpec``) in the envelope and the headers.
    /// - `SIZE=` is the writer's exact `encodedSize`; the body is streamed from the writer (file
    ///   attachments read a chunk at a time), never gathered whole. The transcript shows
    ///   `<message: N bytes, mixed(text/plain, application/pdf "Invoice 1042.pdf")>`.
    /// - A message the writer refuses (CR/LF in a field, a bad address, an unreadable file) is
    ///   `SMTPError.Kind.invalidArgument` with `mimeError`, before anything is sent.
    /// - The result carries the Message-ID written (``SMTPSendResult/messageID``).
    /// - `writer` supplies the boundary, Message-ID and clock generators (inject them for
    ///   byte-identical output); its 8BITMIME and SMTPUTF8 options are set from what the server offers.
    public func send(_ message: Message, envelope: Envelope? = nil, requireAllRecipients: Bool = false,
                     writer: MIMEWriter = MIMEWriter(),
                     willCommit: (@Sendable () async throws -> Void)? = nil) async throws -> SMTPSendResult {
        try await exclusively {
            // Everything the writer would refuse, refused before connecting.
            do {
                try message.validate(allowSMTPUTF8: true)
                var probe = writer
                probe.options.allow8BitMIME = true
                probe.options.allowSMTPUTF8 = true
                _ = try MIMEMessageSource(message, writer: probe)
            } catch {
                throw refusal(error)
            }
            if let envelope { try checkEnvelope(envelope) }
            return try await onReadySession {
                let caps = capabilities ?? .none
                // The envelope first: its refusal names the address and its role.
                let chosen = try envelope.map { try ascii($0, caps: caps) } ?? (try messageEnvelope(message, caps: caps))
                try checkEnvelope(chosen)
                var fitted = writer
                fitted.options.allow8BitMIME = caps.eightBitMIME
                fitted.options.allowSMTPUTF8 = caps.smtpUTF8
                let source: MIMEMessageSource
                do {
                    source = try MIMEMessageSource(message, writer: fitted)
                } catch {
                    throw refusal(error)
                }
                var result = try await transaction(source, envelope: chosen, requireAll: requireAllRecipients,
                                                   willCommit: willCommit)
                result.messageID = source.message.messageID
                return result
            }
        }
    }

    /// A message the writer refuses, as an `SMTPError` naming the field.
    private func refusal(_ error: any Error) -> any Error {
        if error is CancellationError { return error }
        let mime = error as? MIMEError
        var e = fail(mime?.kind == .requiresSMTPUTF8 ? .extensionMissing("SMTPUTF8") : .invalidArgument, stage: .mail,
                     evidence: mime == nil ? "\(error)" : nil)
        e.mimeError = mime
        return e
    }

    /// The envelope of RFC 5321 §3.3 from the message's fields, in the form the server takes.
    private func messageEnvelope(_ message: Message, caps: SMTPCapabilities) throws -> Envelope {
        guard let sender = message.envelopeSenderAddress else {
            throw fail(.invalidArgument, stage: .mail, evidence: "the message has no From (RFC 5322 §3.6.2)")
        }
        return Envelope(mailFrom: try wire(sender, caps: caps, role: "sender"),
                        recipients: try message.envelopeRecipientAddresses.map { try wire($0, caps: caps, role: "recipient") })
    }

    /// One address for MAIL or RCPT: `xn--` domains always (valid everywhere); a non-ASCII
    /// local part only when the server offers SMTPUTF8 (RFC 6531 §3.3).
    private func wire(_ address: Address, caps: SMTPCapabilities, role: String) throws -> String {
        if let ascii = address.asciiAddrSpec { return ascii }
        guard caps.smtpUTF8 else {
            transcript.diagnosis("the \(role) \(address.addrSpec) has a non-ASCII local part and the server does not "
                                 + "offer SMTPUTF8: not sending")
            throw fail(.extensionMissing("SMTPUTF8"), stage: .mail,
                       evidence: "the \(role) \(address.addrSpec) has a non-ASCII local part (RFC 6531 §3.3)")
        }
        return address.addrSpec
    }

    /// A given envelope with internationalised domains in `xn--` form when the server lacks
    /// SMTPUTF8 (addresses that do not parse are left to the server, as `send(raw:)` does).
    private func ascii(_ envelope: Envelope, caps: SMTPCapabilities) throws -> Envelope {
        guard !caps.smtpUTF8 else { return envelope }
        func convert(_ s: String, role: String) throws -> String {
            guard !s.isEmpty, s.utf8.contains(where: { $0 >= 0x80 }), let a = try? Address(s) else { return s }
            return try wire(a, caps: caps, role: role)
        }
        var e = envelope
        e.mailFrom = try convert(e.mailFrom, role: "sender")
        e.recipients = try e.recipients.map { try convert($0, role: "recipient") }
        return e
    }
}
