import Testing
import TestSupport
@testable import SMTP

/// RFC 5321 §4.5.2 transparency and §2.3.8 line ends as a stream: exhaustive over chunkings,
/// random against a reference, and the invariants that stop SMTP smuggling.
@Suite("Dot-stuffing and CRLF normalisation", .offCooperativePool)
struct DotStufferTests {
    /// The reference, written the obvious way: normalise every line end to CR LF, split into
    /// lines, double a leading dot, close the last line, add `.` CR LF.
    static func reference(_ input: [UInt8], stuffing: Bool = true) -> [UInt8] {
        var normal: [UInt8] = []
        var i = 0
        while i < input.count {
            if input[i] == 0x0D {
                normal += [0x0D, 0x0A]
                i += (i + 1 < input.count && input[i + 1] == 0x0A) ? 2 : 1
            } else if input[i] == 0x0A {
                normal += [0x0D, 0x0A]; i += 1
            } else {
                normal.append(input[i]); i += 1
            }
        }
        if !normal.isEmpty && !(normal.count >= 2 && normal.suffix(2) == [0x0D, 0x0A]) { normal += [0x0D, 0x0A] }
        guard stuffing else { return normal }
        var out: [UInt8] = []
        var atStart = true
        for b in normal {
            if atStart && b == 0x2E { out.append(0x2E) }
            out.append(b)
            atStart = b == 0x0A
        }
        return out + [0x2E, 0x0D, 0x0A]
    }

    /// `input` cut into pieces of 1 to `longest` bytes.
    static func randomPieces(_ input: [UInt8], longest: Int, rng: inout SeededRNG) -> [[UInt8]] {
        var pieces: [[UInt8]] = []
        var i = 0
        while i < input.count {
            let len = 1 + Int(rng.next() % UInt64(longest))
            pieces.append(Array(input[i..<min(input.count, i + len)]))
            i += len
        }
        return pieces
    }

    static func run(_ chunks: [[UInt8]], stuffing: Bool = true) -> [UInt8] {
        var s = DotStuffer(stuffsDots: stuffing)
        var out: [UInt8] = []
        for c in chunks { s.encode(c, into: &out) }
        return out + s.finish()
    }

    /// Every property the wire relies on, whatever the input.
    static func checkInvariants(_ out: [UInt8], stuffing: Bool = true) {
        for (i, b) in out.enumerated() {
            if b == 0x0D { #expect(i + 1 < out.count && out[i + 1] == 0x0A, "bare CR at \(i)") }
            if b == 0x0A { #expect(i > 0 && out[i - 1] == 0x0D, "bare LF at \(i)") }
        }
        guard stuffing else { return }
        let end: [UInt8] = [0x0D, 0x0A, 0x2E, 0x0D, 0x0A]
        #expect(out == [0x2E, 0x0D, 0x0A] || out.suffix(5).elementsEqual(end))
        // The end marker occurs once, at the end; no line before it is a lone dot.
        var lines: [[UInt8]] = []
        var line: [UInt8] = []
        for b in out {
            line.append(b)
            if b == 0x0A { lines.append(line); line = [] }
        }
        #expect(line.isEmpty)
        for l in lines.dropLast() { #expect(l != [0x2E, 0x0D, 0x0A], "a lone dot line before the end") }
        #expect(lines.last == [0x2E, 0x0D, 0x0A])
        // No <LF>.<LF>, <CR>.<CR> or <LF>.<CR><LF> anywhere.
        for i in 0..<max(0, out.count - 2) {
            #expect(!(out[i] == 0x0A && out[i + 1] == 0x2E && out[i + 2] == 0x0A))
            #expect(!(out[i] == 0x0D && out[i + 1] == 0x2E && out[i + 2] == 0x0D))
        }
    }

    @Test(arguments: [
        ("", ".\r\n"),
        ("a", "a\r\n.\r\n"),
        ("a\r\n", "a\r\n.\r\n"),
        (".", "..\r\n.\r\n"),
        ("a\n.b\n", "a\r\n..b\r\n.\r\n"),
        ("a\r\n.\r\nDATA\r\n", "a\r\n..\r\nDATA\r\n.\r\n"),
        ("x\n.\nMAIL FROM:<evil>\n", "x\r\n..\r\nMAIL FROM:<evil>\r\n.\r\n"),
        ("x\r.\rRCPT", "x\r\n..\r\nRCPT\r\n.\r\n"),
        ("a\r\r\nb", "a\r\n\r\nb\r\n.\r\n"),
        ("\r", "\r\n.\r\n"),
        ("\n\n", "\r\n\r\n.\r\n"),
        ("..x\n", "...x\r\n.\r\n"),
        ("a.b\n", "a.b\r\n.\r\n"),
    ])
    func table(_ input: String, _ expected: String) {
        let out = Self.run([Array(input.utf8)])
        #expect(out == Array(expected.utf8), "\(input.debugDescription) → \(String(decoding: out, as: UTF8.self).debugDescription)")
        #expect(out == Self.reference(Array(input.utf8)))
        Self.checkInvariants(out)
    }

    /// Every way to cut each tricky input into pieces (2^(n-1) chunkings) gives the same output.
    @Test func exhaustiveOverChunkings() {
        let inputs = ["a\r\n.\r\nb", "\r\r\n.\n.\r", ".\n.\r.\r\n.", "x\r.\rDATA\n.", "..\r\n\r\n..", "\n.\n\r.\r"]
        for input in inputs {
            let bytes = Array(input.utf8)
            let expected = Self.reference(bytes)
            let expectedBDAT = Self.reference(bytes, stuffing: false)
            for mask in 0..<(1 << (bytes.count - 1)) {
                var chunks: [[UInt8]] = []
                var current: [UInt8] = [bytes[0]]
                for i in 1..<bytes.count {
                    if mask & (1 << (i - 1)) != 0 { chunks.append(current); current = [] }
                    current.append(bytes[i])
                }
                chunks.append(current)
                let out = Self.run(chunks)
                #expect(out == expected, "\(input.debugDescription) mask \(mask)")
                #expect(Self.run(chunks, stuffing: false) == expectedBDAT)
            }
            Self.checkInvariants(expected)
            #expect(DotStuffer.unstuff(expected) == Self.reference(bytes, stuffing: false))
        }
    }

    /// Random inputs over the dangerous alphabet, random chunkings, against the reference.
    @Test func randomInputsMatchTheReference() {
        var rng = SeededRNG(seed: 0x5EED_D07)
        let alphabet: [UInt8] = [0x2E, 0x0D, 0x0A, 0x61, 0x00, 0xFF, 0x20]
        for _ in 0..<3_000 {
            let n = Int(rng.next() % 80)
            let input = (0..<n).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            let chunks = Self.randomPieces(input, longest: 6, rng: &rng)
            let out = Self.run(chunks)
            #expect(out == Self.reference(input))
            Self.checkInvariants(out)
            #expect(DotStuffer.unstuff(out) == Self.reference(input, stuffing: false))
            let chunked = Self.run(chunks, stuffing: false)
            #expect(chunked == Self.reference(input, stuffing: false))
            Self.checkInvariants(chunked, stuffing: false)
        }
    }

    /// Long runs between the special bytes, in long chunks: the eight-bytes-at-a-time scan sees
    /// every special at every offset within a word and across chunk ends, and the line-length
    /// count matches the lines the reference makes.
    @Test func longRunsInLongChunksMatchTheReference() {
        var rng = SeededRNG(seed: 0x10_96_AB)
        let specials: [[UInt8]] = [[0x0D, 0x0A], [0x0A], [0x0D], [0x0D, 0x0A, 0x2E], [0x0A, 0x2E], [0x2E]]
        for _ in 0..<600 {
            var input: [UInt8] = []
            while input.count < 1_500 {
                let run = Int(rng.next() % 1_100)
                input += (0..<run).map { UInt8(0x40 + ($0 % 26)) }
                input += specials[Int(rng.next() % UInt64(specials.count))]
            }
            let chunks = Self.randomPieces(input, longest: 300, rng: &rng)
            for stuffing in [true, false] {
                var s = DotStuffer(stuffsDots: stuffing)
                var out: [UInt8] = []
                for c in chunks { s.encode(c, into: &out) }
                out += s.finish()
                let expected = Self.reference(input, stuffing: stuffing)
                #expect(out == expected)
                // Lines over the limit, counted on the unstuffed output without its CR LF.
                var overlong = 0, length = 0
                for b in Self.reference(input, stuffing: false) where b != 0x0D {
                    if b == 0x0A {
                        if length > SMTPLimits.textLine { overlong += 1 }
                        length = 0
                    } else {
                        length += 1
                    }
                }
                #expect(s.overlongLineCount == overlong)
            }
        }
    }

    @Test func countsInputAndOutput() {
        var s = DotStuffer()
        var out: [UInt8] = []
        s.encode(Array(".a\n".utf8), into: &out)
        let end = s.finish()
        #expect(s.inputCount == 3)
        #expect(s.outputCount == out.count + end.count)
        #expect(out + end == Array("..a\r\n.\r\n".utf8))
    }
}

@Suite("Dot-stuffer line lengths", .offCooperativePool)
struct DotStufferLineLengthTests {
    @Test func overlongLinesAreCountedWhateverTheChunking() {
        let long = String(repeating: "x", count: SMTPLimits.textLine + 1)
        let input = Array((long + "\n" + String(repeating: "y", count: SMTPLimits.textLine) + "\r\n" + long).utf8)
        for size in [1, 7, 100, input.count] {
            var s = DotStuffer()
            var out: [UInt8] = []
            var i = 0
            while i < input.count {
                s.encode(Array(input[i..<min(input.count, i + size)]), into: &out)
                i += size
            }
            _ = s.finish()
            #expect(s.overlongLineCount == 2, "chunk size \(size)")
        }
    }
}
