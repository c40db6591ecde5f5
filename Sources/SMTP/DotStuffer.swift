/// The DATA transparency transform (RFC 5321 §4.5.2) with line-end normalisation (§2.3.8), as a
/// stream: feed the message in any pieces, get bytes ready for the wire.
///
/// - Every line end becomes CR LF: a bare LF, a bare CR and CR LF all give CR LF, so the output
///   never holds a bare CR or LF, and thus never `<LF>.<LF>` or `<CR>.<CR>` (SMTP smuggling).
/// - A line starting with `.` gets a second `.` (not in chunking mode: BDAT counts octets,
///   RFC 3030 §2).
/// - `finish()` gives the end: a CR LF when the message did not end with one, then `.` CR LF
///   (DATA), or only the CR LF (BDAT). The caller may send it apart from the body, after its
///   commit hook.
///
/// The output's only `CR LF . CR LF` is the one `finish()` ends with. A value type, no I/O.
public struct DotStuffer: Sendable {
    /// `false` for BDAT: line ends normalised, dots left as they are.
    public let stuffsDots: Bool
    private var atLineStart = true
    private var pendingCR = false
    /// Input bytes seen.
    public private(set) var inputCount = 0
    /// Output bytes produced (body plus end).
    public private(set) var outputCount = 0
    /// Lines longer than `SMTPLimits.textLine` octets seen so far (servers may fold or refuse them).
    public private(set) var overlongLineCount = 0
    private var lineLength = 0

    public init(stuffsDots: Bool = true) { self.stuffsDots = stuffsDots }

    /// Transforms `input`, appending to `out`.
    public mutating func encode(_ input: ArraySlice<UInt8>, into out: inout [UInt8]) {
        input.withUnsafeBufferPointer { encode($0, into: &out) }
    }

    /// Transforms `input`, appending to `out`.
    public mutating func encode(_ input: [UInt8], into out: inout [UInt8]) {
        input.withUnsafeBufferPointer { encode($0, into: &out) }
    }

    /// Transforms `input`, appending to `out`.
    ///
    /// Input that needs no change (lines ending in CR LF, no leading dot) is copied in spans as
    /// long as the input, found eight bytes at a time; only a bare CR or LF or a leading dot
    /// ends a span. A message already in canonical form is thus one copy per call.
    public mutating func encode(_ input: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        guard let p = input.baseAddress, !input.isEmpty else { return }
        let before = out.count
        let n = input.count
        inputCount += n
        // Geometric growth: `reserveCapacity` alone allocates exactly what is asked, so a buffer
        // fed 64 KiB at a time would be reallocated (and copied) on every call.
        let needed = out.count + n + n / 32 + 4
        if out.capacity < needed { out.reserveCapacity(Swift.max(needed, 2 * out.capacity)) }
        var i = 0     // where the scan goes on
        var span = 0  // the first input byte not yet copied to `out`
        func flush(_ end: Int) {
            if span < end { out.append(contentsOf: UnsafeBufferPointer(start: p + span, count: end - span)) }
        }
        if pendingCR {  // the last call ended in a CR, held back until now
            pendingCR = false
            out.append(0x0D)
            out.append(0x0A)
            if p[0] == 0x0A { i = 1; span = 1 }  // it was a CR LF
            lineEnded()
        }
        while i < n {
            if atLineStart {
                atLineStart = false
                if stuffsDots && p[i] == 0x2E {
                    flush(i)
                    span = i
                    out.append(0x2E)
                }
            }
            let j = Self.nextLineBreak(p, from: i, to: n)
            lineLength += j - i
            if j == n { break }
            if p[j] == 0x0D {
                if j + 1 == n {  // is an LF next? The next call tells.
                    flush(j)
                    span = n
                    pendingCR = true
                    break
                }
                if p[j + 1] == 0x0A {  // CR LF: stays in the span
                    i = j + 2
                    lineEnded()
                    continue
                }
            }
            // A bare CR or a bare LF: written as CR LF.
            flush(j)
            out.append(0x0D)
            out.append(0x0A)
            i = j + 1
            span = i
            lineEnded()
        }
        flush(n)
        outputCount += out.count - before
    }

    /// The index of the first CR or LF in `p[from..<n]`, or `n`. Eight bytes at a time: a byte
    /// equal to CR or LF gives a zero byte in `x ^ 0x0D0D…` or `x ^ 0x0A0A…`, and the lowest set
    /// bit of the classic zero-byte test is exact (only bits above it can be false alarms).
    @inline(__always)
    static func nextLineBreak(_ p: UnsafePointer<UInt8>, from: Int, to n: Int) -> Int {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        var k = from
        while k + 8 <= n {
            let x = UInt64(littleEndian: UnsafeRawPointer(p + k).loadUnaligned(as: UInt64.self))
            let lf = x ^ (0x0A &* ones), cr = x ^ (0x0D &* ones)
            let found = (((lf &- ones) & ~lf) | ((cr &- ones) & ~cr)) & highs
            if found != 0 { return k + found.trailingZeroBitCount / 8 }
            k += 8
        }
        while k < n {
            if p[k] == 0x0A || p[k] == 0x0D { return k }
            k += 1
        }
        return n
    }

    private mutating func lineEnded() {
        atLineStart = true
        if lineLength > SMTPLimits.textLine { overlongLineCount += 1 }
        lineLength = 0
    }

    private mutating func endLine(_ out: inout [UInt8]) {
        out.append(0x0D)
        out.append(0x0A)
        lineEnded()
    }

    /// The end of the data: a CR LF if the last line is open, then `.` CR LF when dot-stuffing.
    public mutating func finish() -> [UInt8] {
        var out: [UInt8] = []
        if pendingCR || !atLineStart { endLine(&out) }
        pendingCR = false
        if stuffsDots { out += [0x2E, 0x0D, 0x0A] }
        outputCount += out.count
        return out
    }

    /// Undoes the transform (for tests and servers): drops the stuffed dots and the final
    /// `.` CR LF. The input must be the output of a `DotStuffer` with dot-stuffing.
    public static func unstuff(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(data.count)
        var i = 0
        while i < data.count {
            var j = i
            while j + 1 < data.count, !(data[j] == 0x0D && data[j + 1] == 0x0A) { j += 1 }
            let end = j + 1 < data.count ? j + 2 : data.count
            let line = data[i..<end]
            if line.elementsEqual([0x2E, 0x0D, 0x0A]) && end == data.count { break }
            out.append(contentsOf: line.first == 0x2E ? line.dropFirst() : line)
            i = end
        }
        return out
    }
}
