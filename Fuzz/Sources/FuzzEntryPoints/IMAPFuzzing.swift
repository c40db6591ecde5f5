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
            invariant(whole == chunked, "whole and chunked parses differ:\n\(MIMEFuzzing.diff(whole.map(\.description), chunked.map(\.description)))")
        }
    }

    /// What a feed produced, compared by value (not by description: dictionaries print in any order).
    enum Item: Equatable, CustomStringConvertible {
        case event(ResponseEvent), bytes([UInt8]), error(String), end(Bool)
        var description: String {
            switch self {
            case .event(let e): "\(e)"
            case .bytes(let b): "streamed \(b.count) bytes"
            case .error(let k): "error \(k)"
            case .end(let boundary): "end (at a response boundary: \(boundary))"
            }
        }
    }

    /// The events, streaming bytes joined; the last item is the error or the end state.
    static func events(_ limits: ParserLimits, _ chunks: [ArraySlice<UInt8>]) -> [Item] {
        var parser = ResponseParser(limits: limits)
        var out: [Item] = []
        var streamed: [UInt8]?
        func take(_ e: ResponseEvent) {
            if case .streamingBytes(let b) = e { streamed = (streamed ?? []) + b; return }
            if let s = streamed { out.append(.bytes(s)); streamed = nil }
            out.append(.event(e))
        }
        do {
            for c in chunks {
                parser.append(c)
                var n = 0
                while let e = try parser.next() {
                    take(e)
                    n += 1
                    invariant(n < 1_000_000, "the parser does not advance")
                }
                _ = parser.takeTranscriptLines()
            }
        } catch {
            if let s = streamed { out.append(.bytes(s)) }
            out.append(.error("\(error.kind)"))
            return out
        }
        if let s = streamed { out.append(.bytes(s)) }
        out.append(.end(parser.isAtResponseBoundary))
        return out
    }
}
