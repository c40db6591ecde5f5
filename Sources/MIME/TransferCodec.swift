/// The body codecs of RFC 2045 §6.7 (quoted-printable) and §6.8 (base64) on whole buffers: the
/// same encoders and decoders the writer and parser stream through, for callers that hold a
/// body in memory (benchmarks, fuzzing, a stored attachment).
///
/// ```swift
/// let lines = TransferCodec.base64Encode(pdf)     // 76-character lines, CRLF between them
/// TransferCodec.base64Decode(lines) == pdf          // true
/// ```
public enum TransferCodec {
    /// Base64 in lines of 76 characters separated by CRLF, no CRLF after the last (RFC 2045 §6.8).
    public static func base64Encode(_ input: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        base64Encode(input, appendingTo: &out)
        return out
    }

    /// ``base64Encode(_:)`` appending to `out`, so a caller coding piece by piece can reuse one
    /// buffer. Pieces of a multiple of 57 octets give whole lines (join them with CRLF).
    public static func base64Encode(_ input: [UInt8], appendingTo out: inout [UInt8]) {
        var encoder = Base64LineEncoder()
        let capacity = Base64LineEncoder.maximumOutput(for: input.count) + 8
        let before = out.count
        out.append(contentsOf: repeatElement(0, count: capacity))
        let written = out.withUnsafeMutableBufferPointer { buffer in
            let dst = buffer.baseAddress! + before
            var n = input.withUnsafeBytes { encoder.encode($0, into: dst) }
            n += encoder.finish(into: dst + n)
            return n
        }
        out.removeLast(capacity - written)
    }

    /// Decodes base64 leniently as the parser does: white space skipped, other characters outside
    /// the alphabet skipped, a truncated final quantum decoded as far as it goes (RFC 2045 §6.8).
    public static func base64Decode(_ input: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        base64Decode(input, appendingTo: &out)
        return out
    }

    /// ``base64Decode(_:)`` appending to `out`. Pieces cut at line ends decode as the whole does.
    public static func base64Decode(_ input: [UInt8], appendingTo out: inout [UInt8]) {
        var decoder = Base64Decoder()
        out.reserveCapacity(out.count + input.count / 4 * 3 + 3)
        decoder.decode(input, into: &out)
        decoder.finish(into: &out)
    }

    /// Quoted-printable for text whose line breaks are CRLF: lines of at most 76 characters with
    /// soft breaks, `=XX` for `=` and non-printable octets (RFC 2045 §6.7 rules 1–5).
    public static func quotedPrintableEncode(_ input: [UInt8]) -> [UInt8] {
        QuotedPrintable.encode(input)
    }

    /// Decodes quoted-printable as the parser does: soft breaks joined, trailing white space
    /// dropped, malformed `=` sequences kept literally; hard line breaks come out as CRLF
    /// (RFC 2045 §6.7).
    public static func quotedPrintableDecode(_ input: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        quotedPrintableDecode(input, appendingTo: &out)
        return out
    }

    /// ``quotedPrintableDecode(_:)`` appending to `out`. Pieces cut at line ends decode as the
    /// whole does.
    public static func quotedPrintableDecode(_ input: [UInt8], appendingTo out: inout [UInt8]) {
        out.reserveCapacity(out.count + input.count)
        var invalid = 0
        input.withUnsafeBytes { all in
            var start = 0
            while start <= all.count {
                var end = start
                while end < all.count, all[end] != 10 { end += 1 }
                let hasBreak = end < all.count
                var lineEnd = end
                if hasBreak, lineEnd > start, all[lineEnd - 1] == 13 { lineEnd -= 1 }
                let line = UnsafeRawBufferPointer(rebasing: all[start..<lineEnd])
                let soft = QuotedPrintable.decodeLine(line, complete: true, into: &out, invalid: &invalid)
                if hasBreak && !soft { out.append(13); out.append(10) }
                if !hasBreak { break }
                start = end + 1
            }
        }
    }
}
