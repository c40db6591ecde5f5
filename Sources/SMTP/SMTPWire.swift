import NetIO

/// The few I/O steps shared by the client and its streaming helpers: read one reply through the
/// parser (logging it, `*` when unexpected, 334 challenges redacted) and write a group of
/// commands at once. Nonisolated so the DATA/BDAT streamers can call them.
enum SMTPWire {
    /// Reads one complete reply. `expected` lists acceptable codes or classes (`[2]` any 2yz,
    /// `[354]`); a reply outside them is logged with `*` but still returned.
    static func read(on c: Connection, timeout: Duration, expected: [Int], redactChallenges: Bool = false,
                     parser initial: SMTPReplyParser = SMTPReplyParser(), alreadyLogged: Int = 0) async throws -> SMTPReply {
        var parser = initial
        let deadline = ContinuousClock.now.advanced(by: timeout)
        let tls = await c.isTLS
        // Bounded: each pass consumes one line, and the parser refuses over-long replies.
        while true {
            let left = max(ContinuousClock.now.duration(to: deadline), .milliseconds(1))
            let line = try await c.readLine(maxLength: SMTPLimits.replyLineTolerated, timeout: left, log: false)
            let reply: SMTPReply?
            do {
                reply = try parser.parse(line: line)
            } catch {
                c.transcript.received(String(decoding: line, as: UTF8.self), tls: tls, unexpected: true)
                throw error
            }
            guard let reply else { continue }
            let unexpected = !expected.contains(reply.code) && !expected.contains(reply.code / 100)
            for (i, text) in reply.lines.enumerated() where i >= alreadyLogged {
                let sep = i == reply.lines.count - 1 ? " " : "-"
                let shown = redactChallenges && reply.code == 334
                    ? "334 <redacted: challenge>" : "\(reply.code)\(text.isEmpty && sep == " " ? "" : sep + text)"
                c.transcript.received(shown, tls: tls, unexpected: unexpected)
            }
            return reply
        }
    }

    /// Encodes every command first (so a forbidden character stops the whole group before any
    /// byte is sent), logs each, and writes them with one write (a PIPELINING group, RFC 2920 §3.1).
    /// `trailing` follows the commands in the same write (the octets of a `BDAT` at the end of
    /// the group), shown in the transcript as `trailingLog` (a summary, never the octets).
    static func send(_ commands: [SMTPCommand], on c: Connection, secretLabel: String, timeout: Duration,
                     trailing: [UInt8] = [], trailingLog: TranscriptText? = nil) async throws {
        var bytes: [UInt8] = []
        var shown: [TranscriptText] = []
        for command in commands {
            bytes += try command.encoded()
            shown.append(try command.transcriptText(secretLabel: secretLabel))
        }
        bytes += trailing
        if let trailingLog { shown.append(trailingLog) }
        let tls = await c.isTLS
        for text in shown { c.transcript.sent(text, tls: tls) }
        try await c.write(bytes, log: nil, timeout: timeout)
    }
}
