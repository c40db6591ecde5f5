import NetIO

/// Streams a message source to the connection: through the `DotStuffer` for DATA, in counted
/// chunks for BDAT. Nonisolated (the source's sink closure stays in one isolation domain); the
/// end of the data is returned, not sent, so the client can run its commit hook first.
enum MessageStreamer {
    /// Bytes gathered before a write.
    static let writeThreshold = 128 * 1024
    /// The smallest BDAT chunk announced before its octets are all at hand (a message whose
    /// announced size leaves less goes in `BDAT n LAST`, RFC 3030 §2).
    static let streamedChunkMinimum = 64 * 1024

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
    /// in `buffer` (the client's, kept between messages).
    ///
    /// A chunk is announced (`BDAT n`) once it is certain to be filled: when `out` holds more
    /// than a chunk, or when the source's announced size says that many octets are still to
    /// come (normalised output is never shorter than its input); near the end of the message
    /// the chunks get shorter. Its octets then go out as the source produces them, so memory
    /// stays at about one source piece, not one chunk (1 MiB).
    /// A source that ends before its announced size, or fails, while a chunk is open leaves
    /// the session unusable: `MidChunkFailure`, and the caller closes the connection.
    static func chunks(_ source: any SMTPMessageSource, on c: Connection, chunkSize: Int, blockTimeout: Duration,
                       replyTimeout: Duration, buffer out: inout [UInt8]) async throws
        -> (size: Int, chunks: Int, overlongLines: Int)
    {
        var encoder = DotStuffer(stuffsDots: false)
        out.removeAll(keepingCapacity: true)
        out.reserveCapacity(min(chunkSize, 2 * MessageFile.chunkSize) + 2 * MessageFile.chunkSize)
        var sent = 0
        let announced = source.byteCount
        let tls = await c.isTLS
        /// Octets still owed to the announced chunk (0: no chunk open).
        var owed = 0
        func announce(_ size: Int) async throws {
            let command = SMTPCommand.bdat(size: size, last: false)
            c.transcript.sent(.line(try command.line()), tls: tls)
            try await c.write(try command.encoded(), log: nil, timeout: blockTimeout)
            owed = size
        }
        /// Sends what `out` holds of the open chunk; at its end, reads the reply.
        func pay() async throws {
            let n = min(owed, out.count)
            guard n > 0 else { return }
            try await c.write(out[0..<n], log: nil, timeout: blockTimeout)
            out.removeFirst(n)
            owed -= n
            if owed == 0 {
                sent += 1
                let reply = try await SMTPWire.read(on: c, timeout: replyTimeout, expected: [2])
                guard reply.isPositiveCompletion else { throw SMTPError(.rejected, stage: .bdat, reply: reply) }
            }
        }
        do {
            try await source.write { chunk in
                encoder.encode(chunk, into: &out)
                // Bounded: each pass pays at least one octet or stops.
                while true {
                    if owed > 0 {
                        try await pay()
                        if owed > 0 || out.isEmpty { break }
                        continue
                    }
                    if out.count > chunkSize {
                        // Strictly more than one chunk, so that the last one is never empty.
                        try await announce(chunkSize)
                        continue
                    }
                    // Octets certain to come: what `out` holds and the rest of the announced size.
                    let certain = out.count + (announced.map { Swift.max(0, $0 - encoder.inputCount) } ?? 0)
                    // Up to a chunk, one octet short of the certain end (the last chunk is never
                    // empty); near the end shorter chunks, so `BDAT n LAST` carries little.
                    guard certain > streamedChunkMinimum else { break }
                    try await announce(Swift.min(chunkSize, certain - 1))
                }
            }
        } catch {
            if owed > 0 { throw MidChunkFailure(underlying: error, owed: owed) }
            throw error
        }
        if owed > 0 {
            throw MidChunkFailure(underlying: nil, owed: owed)
        }
        out += encoder.finish()
        return (encoder.inputCount, sent, encoder.overlongLineCount)
    }

    /// A BDAT chunk was announced and not completed: the source failed (`underlying`) or ended
    /// before the size it announced (`owed` octets short). The connection must be closed.
    struct MidChunkFailure: Error {
        var underlying: (any Error)?
        var owed: Int
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
