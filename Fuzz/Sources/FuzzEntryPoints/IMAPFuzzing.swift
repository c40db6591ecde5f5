import IMAP

/// The IMAP response parser (RFC 9051 §7, §4.3 literals) fed any server bytes, whole and in random
/// pieces, with the default limits and with small ones (so literals stream and limits trip):
/// never a crash; both feeds give the same events (streamed bytes joined) and the same verdict.
enum IMAPFuzzing {
    static func response(_ bytes: [UInt8]) {
        let small = ParserLimits(lineLength: 512, literalSize: 4096, bufferedLiteralSize: 64,
                                 streamingThreshold: 32, nestingDepth: 8)
        for limits in [ParserLimits(), small] {
            let whole = events(limits, [bytes[...]])
            var chunking = Chunking(bytes)
            let chunked = events(limits, chunking.split(bytes))
            precondition(whole == chunked, "whole and chunked parses differ:\n\(MIMEFuzzing.diff(whole, chunked))")
        }
    }

    /// One line per event, streaming bytes joined; the last line is the error, if any.
    static func events(_ limits: ParserLimits, _ chunks: [ArraySlice<UInt8>]) -> [String] {
        var parser = ResponseParser(limits: limits)
        var out: [String] = []
        var streamed: [UInt8]?
        func take(_ e: ResponseEvent) {
            if case .streamingBytes(let b) = e { streamed = (streamed ?? []) + b; return }
            if let s = streamed { out.append("bytes \(s.count) \(MIMEFuzzing.checksum(s))"); streamed = nil }
            out.append(String(describing: e))
        }
        do {
            for c in chunks {
                parser.append(c)
                var n = 0
                while let e = try parser.next() {
                    take(e)
                    n += 1
                    precondition(n < 1_000_000, "the parser does not advance")
                }
                _ = parser.takeTranscriptLines()
            }
        } catch {
            if let s = streamed { out.append("bytes \(s.count) \(MIMEFuzzing.checksum(s))") }
            out.append("error \(error.kind)")
            return out
        }
        if let s = streamed { out.append("bytes \(s.count) \(MIMEFuzzing.checksum(s))") }
        out.append("end \(parser.isAtResponseBoundary)")
        return out
    }
}
