public import MIME

/// A ``MIME/Message`` as the MIME writer writes it (RFC 5322, RFC 2045), as DATA or BDAT content:
/// streamed in the writer's chunks (a 10 MB attachment is read and base64-encoded 64 KiB at a
/// time, never held whole), with the exact size for `SIZE=` (RFC 1870) known beforehand.
///
/// The writer's options come from what the server offers: `8bit` text only with `8BITMIME`
/// (RFC 6152), UTF-8 addresses only with `SMTPUTF8` (RFC 6531).
public struct MIMEMessageSource: SMTPMessageSource {
    /// The message with Date and Message-ID filled in (`MIMEWriter.resolved`), so the size, the
    /// requirements and the bytes all describe the same message.
    public let message: Message
    public let writer: MIMEWriter
    public let byteCount: Int?
    public let requires8BitMIME: Bool
    public let requiresSMTPUTF8: Bool
    /// The structure, e.g. `mixed(text/plain, application/pdf "Invoice 1042.pdf")`.
    public let summary: String

    /// Resolves `message` once and measures it; throws the writer's first error (`MIMEError`:
    /// a bad field, an unreadable attachment) before anything is sent.
    public init(_ message: Message, writer: MIMEWriter = MIMEWriter()) throws {
        let resolved = writer.resolved(message)
        self.message = resolved
        self.writer = writer
        byteCount = try writer.encodedSize(of: resolved)
        let requirements = try writer.requirements(of: resolved)
        requires8BitMIME = requirements.contains(.eightBitMIME)
        requiresSMTPUTF8 = requirements.contains(.smtpUTF8)
        summary = resolved.summary
    }

    /// The writer's options for a server offering `capabilities` (UTC dates).
    public static func options(for capabilities: SMTPCapabilities) -> MIMEWriter.Options {
        MIMEWriter.Options(allow8BitMIME: capabilities.eightBitMIME, allowSMTPUTF8: capabilities.smtpUTF8)
    }

    public func write(to sink: (ArraySlice<UInt8>) async throws -> Void) async throws {
        try await writer.write(message, to: sink)
    }
}
