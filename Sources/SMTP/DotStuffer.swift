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
    public mutating func encode(_ input: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        let before = out.count
        inputCount += input.count
        // Geometric growth: `reserveCapacity` alone allocates exactly what is asked, so a buffer
        // fed 64 KiB at a time would be reallocated (and copied) on every call.
        let needed = out.count + input.count + input.count / 32 + 4
        if out.capacity < needed { out.reserveCapacity(Swift.max(needed, 2 * out.capacity)) }
        var i = 0
        let n = input.count
        while i < n {
            let b = input[i]
            if pendingCR {
                pendingCR = false
                endLine(&out)
                if b == 0x0A { i += 1; continue }
            }
            if b == 0x0D { pendingCR = true; i += 1; continue }
            if b == 0x0A {
                endLine(&out)
                i += 1
                continue
            }
            if atLineStart && b == 0x2E && stuffsDots { out.append(0x2E) }
            atLineStart = false
            // Copy the run up to the next CR or LF in one go.
            var j = i + 1
            while j < n, input[j] != 0x0D, input[j] != 0x0A { j += 1 }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: input[i..<j]))
            lineLength += j - i
            i = j
        }
        outputCount += out.count - before
    }

    private mutating func endLine(_ out: inout [UInt8]) {
        out.append(0x0D)
        out.append(0x0A)
        atLineStart = true
        if lineLength > SMTPLimits.textLine { overlongLineCount += 1 }
        lineLength = 0
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
