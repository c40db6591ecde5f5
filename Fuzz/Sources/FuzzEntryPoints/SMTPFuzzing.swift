import SMTP

/// Fuzz bodies for the SMTP wire code. Each must not crash, hang or trap for any input; a
/// `precondition` states an invariant, so libFuzzer reports its violation as a crash.
enum SMTPFuzzing {
    /// SMTPReplyParser (RFC 5321 §4.2) fed the input whole and in random pieces: both accept or
    /// both refuse, and when both accept they give the same replies and leave the same tail.
    static func reply(_ bytes: [UInt8]) {
        var whole = SMTPReplyParser()
        let wholeReplies = try? whole.append(bytes)
        var chunked = SMTPReplyParser()
        var chunking = Chunking(bytes)
        var chunkedReplies: [SMTPReply]? = []
        for piece in chunking.split(bytes) {
            do { chunkedReplies! += try chunked.append(piece) } catch { chunkedReplies = nil; break }
        }
        invariant((wholeReplies == nil) == (chunkedReplies == nil), "whole and chunked parsing disagree on validity")
        if let wholeReplies, let chunkedReplies {
            invariant(wholeReplies == chunkedReplies, "whole and chunked parsing give different replies")
            invariant(whole.bufferedByteCount == chunked.bufferedByteCount)
            invariant(whole.isInsideReply == chunked.isInsideReply)
            for r in wholeReplies {
                invariant((200...599).contains(r.code) && !r.lines.isEmpty)
                _ = r.text; _ = r.enhancedCode; _ = r.description; _ = r.textLines
            }
        }
        // Line by line, as Connection.readLine hands them over.
        var lines = SMTPReplyParser()
        for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
            guard (try? lines.parse(line: line)) != nil || lines.isInsideReply else { continue }
        }
    }

    /// SMTPCapabilities (RFC 5321 §4.1.1.1 EHLO keywords and parameters) from any reply text.
    static func ehlo(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            String($0.hasSuffix("\r") ? $0.dropLast() : $0)
        }
        for extended in [true, false] {
            let caps = SMTPCapabilities(reply: SMTPReply(code: 250, lines: lines), extended: extended)
            _ = caps.authMechanisms; _ = caps.sizeLimit; _ = caps.summary
            _ = caps.pipelining; _ = caps.chunking; _ = caps.startTLS; _ = caps.smtpUTF8; _ = caps.dsn
            for e in caps.extensions {
                invariant(caps.supports(e.keyword), "an advertised keyword is not supported: \(e.keyword)")
                _ = caps.parameters(of: e.keyword)
            }
            if let size = caps.sizeLimit { invariant(size >= 0) }
        }
        // Through the reply parser, as the client receives it.
        var parser = SMTPReplyParser()
        if let replies = try? parser.append(bytes) {
            for r in replies { _ = SMTPCapabilities(reply: r).summary }
        }
    }

    /// DotStuffer (RFC 5321 §4.5.2 transparency, §2.3.8 line ends) fed in random pieces: the
    /// output has no bare CR or LF, its only CRLF.CRLF is the end, and unstuffing gives the
    /// input with line ends normalised to CRLF (and a final CRLF).
    static func dotStuffer(_ bytes: [UInt8]) {
        let normalised = normalise(bytes)
        for stuffing in [true, false] {
            var stuffer = DotStuffer(stuffsDots: stuffing)
            var chunking = Chunking(bytes)
            var out: [UInt8] = []
            for piece in chunking.split(bytes) { stuffer.encode(piece, into: &out) }
            out += stuffer.finish()
            invariant(stuffer.inputCount == bytes.count && stuffer.outputCount == out.count)
            // Every CR is followed by LF and every LF preceded by CR.
            for i in out.indices {
                if out[i] == 13 { invariant(i + 1 < out.count && out[i + 1] == 10, "bare CR in the output") }
                if out[i] == 10 { invariant(i > 0 && out[i - 1] == 13, "bare LF in the output") }
            }
            if stuffing {
                let end: [UInt8] = [13, 10, 0x2E, 13, 10]
                if let at = find(end, in: out) {
                    invariant(at + 5 == out.count, "CRLF.CRLF before the end of the data")
                }
                invariant(out.count >= 3 && Array(out.suffix(3)) == [0x2E, 13, 10])
                invariant(DotStuffer.unstuff(out) == normalised, "unstuff(stuff(x)) != normalise(x)")
            } else {
                invariant(out == normalised, "BDAT output != normalise(x)")
            }
        }
    }

    /// Line ends to CRLF (CR LF, bare CR, bare LF each one CRLF), plus a CRLF when the last
    /// line is open.
    static func normalise(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == 13 {
                out += [13, 10]
                if i + 1 < bytes.count && bytes[i + 1] == 10 { i += 1 }
            } else if b == 10 {
                out += [13, 10]
            } else {
                out.append(b)
            }
            i += 1
        }
        if !out.isEmpty && !(out.count >= 2 && out[out.count - 2] == 13 && out[out.count - 1] == 10) { out += [13, 10] }
        return out
    }

    static func find(_ needle: [UInt8], in hay: [UInt8]) -> Int? {
        guard hay.count >= needle.count else { return nil }
        for i in 0...(hay.count - needle.count) where hay[i] == needle[0] {
            if hay[i..<(i + needle.count)].elementsEqual(needle) { return i }
        }
        return nil
    }
}
