/// Turns reply lines into `SMTPReply` values (RFC 5321 §4.2):
///
/// ```
/// Reply-line = *( Reply-code "-" [ textstring ] CRLF )
///              Reply-code [ SP textstring ] CRLF
/// Reply-code = %x32-35 %x30-35 %x30-39
/// ```
/// A value type doing no I/O. `parse(line:)` takes one line without its line end (what
/// `Connection.readLine` returns); `append(_:)` frames raw bytes itself, in whatever pieces they
/// arrive, for callers that read bytes. A bare LF also ends a line (servers send them). Anything
/// else than the grammar above, a continuation line with another code, a line longer than
/// `SMTPLimits.replyLineTolerated` or more than `SMTPLimits.replyLinesTolerated` lines is an
/// `SMTPError` (`malformedReply`, `replyTooLong`) naming the offending line.
public struct SMTPReplyParser: Sendable {
    private var pendingCode: Int?
    private var pendingLines: [String] = []
    private var buffer: [UInt8] = []

    public init() {}

    /// `true` between the first and the last line of a multi-line reply.
    public var isInsideReply: Bool { pendingCode != nil }

    /// Bytes given to `append` that do not yet end a line.
    public var bufferedByteCount: Int { buffer.count }

    /// Parses one line (without CR LF); returns the reply when this line completes one.
    public mutating func parse(line: some Collection<UInt8>) throws(SMTPError) -> SMTPReply? {
        let bytes = Array(line)
        guard bytes.count + 2 <= SMTPLimits.replyLineTolerated else {
            throw SMTPError(.replyTooLong(limit: SMTPLimits.replyLineTolerated),
                            evidence: "a reply line of \(bytes.count) bytes: \"\(Self.preview(bytes))\"")
        }
        guard bytes.count >= 3,
              (0x32...0x35).contains(bytes[0]), (0x30...0x35).contains(bytes[1]), (0x30...0x39).contains(bytes[2]),
              bytes.count == 3 || bytes[3] == 0x20 || bytes[3] == 0x2D
        else {
            throw SMTPError(.malformedReply, evidence: "not an SMTP reply line: \"\(Self.preview(bytes))\"")
        }
        let code = Int(bytes[0] - 0x30) * 100 + Int(bytes[1] - 0x30) * 10 + Int(bytes[2] - 0x30)
        if let pendingCode, pendingCode != code {
            throw SMTPError(.malformedReply,
                            evidence: "reply \(pendingCode) continued by a line with code \(code): \"\(Self.preview(bytes))\"")
        }
        let text = bytes.count > 4 ? String(decoding: bytes[4...], as: UTF8.self) : ""
        pendingLines.append(text)
        let continues = bytes.count > 3 && bytes[3] == 0x2D
        if continues {
            guard pendingLines.count < SMTPLimits.replyLinesTolerated else {
                throw SMTPError(.replyTooLong(limit: SMTPLimits.replyLineTolerated),
                                evidence: "a reply of more than \(SMTPLimits.replyLinesTolerated) lines")
            }
            pendingCode = code
            return nil
        }
        let reply = SMTPReply(code: code, lines: pendingLines)
        pendingCode = nil
        pendingLines.removeAll()
        return reply
    }

    /// Frames `bytes` into lines and parses them; returns every reply completed so far, in order.
    public mutating func append(_ bytes: some Collection<UInt8>) throws(SMTPError) -> [SMTPReply] {
        buffer.append(contentsOf: bytes)
        var replies: [SMTPReply] = []
        var start = 0
        while let lf = buffer[start...].firstIndex(of: 0x0A) {
            var end = lf
            if end > start && buffer[end - 1] == 0x0D { end -= 1 }
            let line = buffer[start..<end]
            start = lf + 1
            if let reply = try parse(line: line) { replies.append(reply) }
        }
        buffer.removeFirst(start)
        if buffer.count > SMTPLimits.replyLineTolerated {
            throw SMTPError(.replyTooLong(limit: SMTPLimits.replyLineTolerated),
                            evidence: "\(buffer.count) bytes without a line end: \"\(Self.preview(buffer))\"")
        }
        return replies
    }

    static func preview(_ bytes: some Collection<UInt8>, limit: Int = 100) -> String {
        var out = ""
        for b in bytes.prefix(limit) {
            if b < 0x20 || b == 0x7F { out += "\\x" + (b < 0x10 ? "0" : "") + String(b, radix: 16, uppercase: true) }
            else if b < 0x80 { out.unicodeScalars.append(Unicode.Scalar(b)) }
            else { out += "\\x" + String(b, radix: 16, uppercase: true) }
        }
        return bytes.count > limit ? out + "…" : out
    }
}
