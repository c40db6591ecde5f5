import NetIO

/// Streams a message source to the connection: through the `DotStuffer` for DATA, in counted
/// chunks for BDAT. Nonisolated (the source's sink closure stays in one isolation domain); the
/// end of the data is returned, not sent, so the client can run its commit hook first.
enum MessageStreamer {
    /// Bytes gathered before a write.
    static let writeThreshold = 128 * 1024

    /// The DATA body (RFC 5321 §4.1.1.4), dot-stuffed; returns the source's size and the end
    /// (`CR LF . CR LF` or `. CR LF`); the last bytes of the body not yet written (under
    /// `writeThreshold`) are left in `buffer`, so a small message can go out with its end in one
    /// write. `buffer` is the client's, kept between messages: a message allocates nothing big.
    static func data(_ source: any SMTPMessageSource, on c: Connection, blockTimeout: Duration,
                     buffer out: inout [UInt8]) async throws
        -> (size: Int, end: [UInt8], overlongLines: Int)
    {
        var stuffer = DotStuffer(stuffsDots: true)
        out.removeAll(keepingCapacity: true)
        out.reserveCapacity(writeThreshold + 80 * 1024)
        try await source.write { chunk in
            stuffer.encode(chunk, into: &out)
            if out.count >= writeThreshold {
                try await c.write(out, log: nil, timeout: blockTimeout)
                out.removeAll(keepingCapacity: true)
            }
        }
        let end = stuffer.finish()
        return (stuffer.inputCount, end, stuffer.overlongLineCount)
    }

    /// Every BDAT chunk but the last (RFC 3030 §2), each answered before the next; returns the
    /// source's size and leaves the octets of the last chunk, still to send with `BDAT n LAST`,
    /// in `buffer` (the client's, kept between messages: a chunk plus two source pieces,
    /// allocated once per client, not once per message).
    static func chunks(_ source: any SMTPMessageSource, on c: Connection, chunkSize: Int, blockTimeout: Duration,
                       replyTimeout: Duration, buffer out: inout [UInt8]) async throws
        -> (size: Int, chunks: Int, overlongLines: Int)
    {
        var encoder = DotStuffer(stuffsDots: false)
        out.removeAll(keepingCapacity: true)
        out.reserveCapacity(chunkSize + 2 * MessageFile.chunkSize)
        var sent = 0
        let tls = await c.isTLS
        try await source.write { chunk in
            encoder.encode(chunk, into: &out)
            // Strictly more than one chunk, so that the rest is never empty before the source ends.
            while out.count > chunkSize {
                let command = SMTPCommand.bdat(size: chunkSize, last: false)
                c.transcript.sent(.line(try command.line()), tls: tls)
                // The command, then the chunk straight from `out` (no frame copy of a chunk).
                try await c.write(try command.encoded(), log: nil, timeout: blockTimeout)
                try await c.write(out[0..<chunkSize], log: nil, timeout: blockTimeout)
                out.removeFirst(chunkSize)
                sent += 1
                let reply = try await SMTPWire.read(on: c, timeout: replyTimeout, expected: [2])
                guard reply.isPositiveCompletion else { throw SMTPError(.rejected, stage: .bdat, reply: reply) }
            }
        }
        out += encoder.finish()
        return (encoder.inputCount, sent, encoder.overlongLineCount)
    }

    /// The whole message in memory, line ends normalised, for a small message sent in one
    /// `BDAT n LAST` inside the PIPELINING group.
    static func buffered(_ source: any SMTPMessageSource) async throws -> (size: Int, bytes: [UInt8], overlongLines: Int) {
        var encoder = DotStuffer(stuffsDots: false)
        var out: [UInt8] = []
        out.reserveCapacity((source.byteCount ?? 0) + 64)
        try await source.write { chunk in encoder.encode(chunk, into: &out) }
        out += encoder.finish()
        return (encoder.inputCount, out, encoder.overlongLineCount)
    }
}
