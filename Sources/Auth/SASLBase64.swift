#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Base64 as SASL profiles put it on the wire (RFC 4648 §4, no line breaks), with the SMTP and
/// IMAP conventions for empty data: an empty *initial* response is sent as `=`
/// (RFC 4954 §4, RFC 4959 §3), an empty *response to a challenge* as an empty line, and `*`
/// cancels the exchange (RFC 4954 §4, RFC 9051 §6.2.2).
public enum SASLBase64 {
    /// What a client sends in place of an empty initial response: `AUTH PLAIN =` (RFC 4954 §4).
    public static let emptyInitialResponse = "="
    /// The line that cancels an exchange (RFC 4954 §4: the server answers 501; IMAP: BAD).
    public static let cancel = "*"

    /// Plain base64 (RFC 4648 §4) of `bytes`; empty for no bytes.
    public static func encode(_ bytes: [UInt8]) -> String {
        bytes.isEmpty ? "" : Data(bytes).base64EncodedString()
    }

    /// The argument for the AUTH / AUTHENTICATE line: base64, or `=` for an empty response
    /// (RFC 4954 §4, RFC 4959 §3).
    public static func encodeInitialResponse(_ bytes: [UInt8]) -> String {
        bytes.isEmpty ? emptyInitialResponse : encode(bytes)
    }

    /// Decodes a server challenge: the text after `334 ` (SMTP, RFC 4954 §4) or `+ ` (IMAP,
    /// RFC 9051 §7.5). Surrounding spaces are ignored, missing `=` padding is tolerated, and an
    /// empty text (or a lone `=`) is an empty challenge. Anything else that is not base64 is a
    /// `protocolViolation`: RFC 4954 §4 tells the client to cancel with `*`.
    public static func decodeChallenge(_ text: String, mechanism: String? = nil) throws(AuthError) -> [UInt8] {
        let trimmed = text.trimmingSpacesAndTabs
        if trimmed.isEmpty || trimmed == emptyInitialResponse { return [] }
        guard trimmed.utf8.allSatisfy(isBase64Character) else {
            throw AuthError(.protocolViolation("the challenge is not base64"), mechanism: mechanism)
        }
        let padding = trimmed.utf8.reversed().prefix { $0 == UInt8(ascii: "=") }.count
        guard padding <= 2, !trimmed.utf8.dropLast(padding).contains(UInt8(ascii: "=")) else {
            throw AuthError(.protocolViolation("the challenge is not base64 (misplaced padding)"), mechanism: mechanism)
        }
        var padded = trimmed
        let remainder = padded.utf8.count % 4
        if remainder == 1 {
            throw AuthError(.protocolViolation("the challenge is not base64 (bad length)"), mechanism: mechanism)
        }
        if remainder != 0 { padded += String(repeating: "=", count: 4 - remainder) }
        guard let data = Data(base64Encoded: padded) else {
            throw AuthError(.protocolViolation("the challenge is not base64"), mechanism: mechanism)
        }
        return Array(data)
    }

    private static func isBase64Character(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "/"), UInt8(ascii: "="):
            true
        default:
            false
        }
    }
}
