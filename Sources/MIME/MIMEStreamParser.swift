internal import Glibc

/// What the streaming parser reports, in document order (depth first, properly nested).
public enum MIMEEvent: Sendable {
    /// A part's header section is complete. The part has headers, type, file name; its body
    /// and children are empty (they follow as events).
    case partStart(ParsedPart)
    /// Decoded body bytes of the leaf at `path` (base64 / quoted-printable undone), in pieces of
    /// about 64 KiB.
    case body(path: [Int], bytes: [UInt8])
    /// The part at `path` ended; what was wrong with it.
    case partEnd(path: [Int], defects: [MIMEDefect])
}

/// An incremental RFC 5322 / RFC 2045–2046 parser for messages larger than memory: feed chunks
/// of any size (one byte at a time works), get ``MIMEEvent``s back. Memory stays bounded by the
/// header-section limit, one line buffer and one 64 KiB output buffer, whatever the message size.
///
/// Tolerant: LF-only lines, a missing close delimiter, bad base64 or quoted-printable, unknown
/// charsets and encodings, header lines without a colon are all recorded as ``MIMEDefect``s.
/// Nesting deeper than ``MIMELimits/maximumNestingDepth`` is not expanded.
public struct MIMEStreamParser: Sendable {
    /// Bytes of one line held before it is handled in pieces (a line with no LF in sight).
    public static let lineBufferLimit = 32 * 1024
    static let outputChunk = 64 * 1024
    /// Base64 characters decoded into one body event by the bulk path (at most `outputChunk` bytes).
    static let bulkInputPiece = outputChunk / 3 * 4

    struct Frame {
        var path: [Int]
        var boundary: [UInt8]?   // nil: a message/rfc822 container
        var digest = false
        var childCount = 0
        var defects: [MIMEDefect] = []
        var reportedTooMany = false
    }

    enum Decoding { case identity, base64, quotedPrintable }

    struct Leaf {
        var path: [Int]
        var inHeaders = true
        var digestChild = false
        var lines: [[UInt8]] = []
        var headerBytes = 0
        var decoding = Decoding.identity
        var base64 = Base64Decoder()
        var qpInvalid = 0
        var pendingEOL = false
        var defects: [MIMEDefect] = []
        var reportedLongLine = false
    }

    private var frames: [Frame] = []
    private var leaf: Leaf?
    private var carry: [UInt8] = []
    private var midLine = false
    private var started = false
    private var finished = false
    private var partCount = 0
    private var out: [UInt8] = []
    private var events: [MIMEEvent] = []

    /// A parser at the start of a message.
    public init() {}

    /// Feeds the next bytes; returns the events they completed.
    public mutating func feed<C: Collection<UInt8>>(_ bytes: C) -> [MIMEEvent] {
        guard !finished else { return [] }
        start()
        let done: Void? = bytes.withContiguousStorageIfAvailable { process(UnsafeRawBufferPointer($0)) }
        if done == nil { Array(bytes).withUnsafeBytes { process($0) } }
        if out.count >= Self.outputChunk { emitBody() }
        return takeEvents()
    }

    /// Ends the input: closes every open part (recording missing close delimiters); returns the
    /// last events. Feeding after this does nothing.
    public mutating func finish() -> [MIMEEvent] {
        guard !finished else { return [] }
        start()
        var keepEOL = true
        if !carry.isEmpty {
            let c = carry
            carry = []
            c.withUnsafeBytes { handleLine($0, eol: true) }
            keepEOL = false
        }
        closeLeaf(atEnd: keepEOL)
        while let f = frames.popLast() {
            var d = f.defects
            if f.boundary != nil { d.append(MIMEDefect(.missingClosingBoundary, path: f.path)) }
            events.append(.partEnd(path: f.path, defects: d))
        }
        finished = true
        return takeEvents()
    }

    private mutating func start() {
        guard !started else { return }
        started = true
        partCount = 1
        leaf = Leaf(path: [])
    }

    private mutating func takeEvents() -> [MIMEEvent] {
        let e = events
        events.removeAll(keepingCapacity: true)
        return e
    }

    // MARK: - lines

    private mutating func process(_ buf: UnsafeRawBufferPointer) {
        guard let base = buf.baseAddress else { return }
        var start = 0
        while start < buf.count {
            if carry.isEmpty, !midLine, let l = leaf, !l.inHeaders, l.decoding == .base64, buf[start] != 0x2D {
                start = bulkBase64(buf, from: start)
                continue
            }
            if let p = memchr(base + start, 10, buf.count - start) {
                let lf = base.distance(to: UnsafeRawPointer(p))
                if carry.isEmpty {
                    handleLine(UnsafeRawBufferPointer(rebasing: buf[start..<lf]), eol: true)
                } else {
                    carry.append(contentsOf: buf[start..<lf])
                    var c = carry
                    carry = []
                    c.withUnsafeBytes { handleLine($0, eol: true) }
                    c.removeAll(keepingCapacity: true)
                    carry = c
                }
                midLine = false
                start = lf + 1
            } else {
                carry.append(contentsOf: buf[start...])
                start = buf.count
                if carry.count > Self.lineBufferLimit { flushPartialLine() }
            }
        }
    }

    /// Base64 body lines in bulk: everything up to the next line that starts with `-` (a
    /// possible boundary; base64 never holds `-`) or the last complete line goes to the decoder
    /// at once, since it skips line breaks anyway. Returns where line handling resumes.
    private mutating func bulkBase64(_ buf: UnsafeRawBufferPointer, from start: Int) -> Int {
        let base = buf.baseAddress!
        var scan = start
        var end = -1   // index after the last LF of the bulk region
        while scan < buf.count, let p = memchr(base + scan, 0x2D, buf.count - scan) {
            let dash = base.distance(to: UnsafeRawPointer(p))
            if dash > start, buf[dash - 1] == 10 { end = dash; break }
            scan = dash + 1
        }
        if end < 0 {
            var last = buf.count - 1
            while last >= start, buf[last] != 10 { last -= 1 }
            guard last >= start else { return lineRest(buf, from: start) }
            end = last + 1
        }
        // Decoded straight into the arrays the events carry, about 64 KiB each; the decoder's
        // state carries across the cuts, which need not fall at line ends.
        if !out.isEmpty { emitBody() }
        var from = start
        while from < end {
            let to = min(end, from + Self.bulkInputPiece)
            let piece = leaf!.base64.decoded(UnsafeRawBufferPointer(rebasing: buf[from..<to]))
            if !piece.isEmpty { events.append(.body(path: leaf!.path, bytes: piece)) }
            from = to
        }
        return end
    }

    /// No line break left in `buf`: keep the rest as the start of the next line.
    private mutating func lineRest(_ buf: UnsafeRawBufferPointer, from start: Int) -> Int {
        carry.append(contentsOf: buf[start...])
        if carry.count > Self.lineBufferLimit { flushPartialLine() }
        return buf.count
    }

    /// A line with no end in sight: handle all but the last two bytes (so a quoted-printable
    /// `=XX` is never cut), and treat what follows as the same line.
    private mutating func flushPartialLine() {
        var split = carry.count
        if split >= 1, carry[split - 1] == UInt8(ascii: "=") { split -= 1 }
        else if split >= 2, carry[split - 2] == UInt8(ascii: "=") { split -= 2 }
        if split >= 1, carry[split - 1] == 13 { split -= 1 }
        let head = Array(carry[..<split])
        carry.removeFirst(split)
        head.withUnsafeBytes { handleLine($0, eol: false) }
        midLine = true
    }

    private mutating func handleLine(_ raw: UnsafeRawBufferPointer, eol: Bool) {
        var line = raw
        if eol, let last = line.last, last == 13 { line = UnsafeRawBufferPointer(rebasing: line.dropLast()) }
        let continuation = midLine
        if !continuation, line.count >= 2, line[0] == 0x2D, line[1] == 0x2D, let (k, close) = matchBoundary(line) {
            boundary(k, close: close)
            return
        }
        guard leaf != nil else { return }   // preamble or epilogue
        if leaf!.inHeaders {
            headerLine(line, eol: eol, continuation: continuation)
        } else {
            bodyLine(line, eol: eol, continuation: continuation)
        }
    }

    /// RFC 2046 §5.1.1: `--boundary` then transport padding (delimiter) or `--` (close delimiter).
    private func matchBoundary(_ line: UnsafeRawBufferPointer) -> (Int, Bool)? {
        for k in frames.indices.reversed() {
            guard let b = frames[k].boundary, line.count >= 2 + b.count else { continue }
            var same = true
            for i in 0..<b.count where line[2 + i] != b[i] { same = false; break }
            guard same else { continue }
            var j = 2 + b.count
            if j + 1 < line.count, line[j] == 0x2D, line[j + 1] == 0x2D { return (k, true) }
            while j < line.count, line[j] == 0x20 || line[j] == 0x09 { j += 1 }
            if j == line.count { return (k, false) }
        }
        return nil
    }

    private mutating func boundary(_ k: Int, close: Bool) {
        closeLeaf(atEnd: false)
        while frames.count - 1 > k {
            let f = frames.removeLast()
            var d = f.defects
            if f.boundary != nil { d.append(MIMEDefect(.missingClosingBoundary, path: f.path)) }
            events.append(.partEnd(path: f.path, defects: d))
        }
        if close {
            let f = frames.removeLast()
            events.append(.partEnd(path: f.path, defects: f.defects))
            return
        }
        guard partCount < MIMELimits.maximumPartCount else {
            if !frames[k].reportedTooMany {
                frames[k].defects.append(MIMEDefect(.tooManyParts, path: frames[k].path))
                frames[k].reportedTooMany = true
            }
            return
        }
        let index = frames[k].childCount
        frames[k].childCount += 1
        partCount += 1
        var l = Leaf(path: frames[k].path + [index])
        l.digestChild = frames[k].digest
        leaf = l
    }

    // MARK: - header section

    private mutating func headerLine(_ line: UnsafeRawBufferPointer, eol: Bool, continuation: Bool) {
        leaf!.headerBytes += line.count + 2
        if leaf!.headerBytes > MIMELimits.maximumHeaderSectionBytes {
            leaf!.defects.append(MIMEDefect(.headerSectionTooLarge, path: leaf!.path))
            endHeaders()
            return
        }
        if continuation {
            if !leaf!.lines.isEmpty { leaf!.lines[leaf!.lines.count - 1].append(contentsOf: line) }
            return
        }
        if line.isEmpty { endHeaders(); return }
        let first = line[0]
        if (first == 0x20 || first == 0x09), !leaf!.lines.isEmpty {
            leaf!.lines[leaf!.lines.count - 1].append(contentsOf: line)   // RFC 5322 §2.2.3 unfolding
        } else if HeaderSection.isFieldStart(line) {
            leaf!.lines.append(Array(line))
        } else if leaf!.path.isEmpty, leaf!.lines.isEmpty, line.starts(with: "From ".utf8) {
            // An mbox separator line before the first field: skip it.
        } else {
            leaf!.defects.append(MIMEDefect(.invalidHeaderLine, path: leaf!.path,
                                            detail: String(decoding: line.prefix(80), as: UTF8.self)))
            endHeaders()
            if leaf != nil, !leaf!.inHeaders { bodyLine(line, eol: eol, continuation: false) }
        }
    }

    private mutating func endHeaders() {
        guard var l = leaf else { return }
        leaf = nil
        var defects = l.defects
        let fields = HeaderSection.fields(l.lines, path: l.path, defects: &defects)
        l.lines = []
        var type = l.digestChild ? MediaType(type: "message", subtype: "rfc822") : MediaType.textPlain
        if let raw = fields.rawValue("Content-Type") {
            let (v, params) = MIMEParameters.parse(raw)
            let pieces = v.split(separator: "/", omittingEmptySubsequences: false)
            if pieces.count == 2, pieces.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy(MediaType.isTokenChar) }) {
                type = MediaType(type: String(pieces[0]), subtype: String(pieces[1]), parameters: params)
            } else {
                defects.append(MIMEDefect(.invalidContentType, path: l.path, detail: raw))
                type = MediaType(type: "text", subtype: "plain", parameters: params.filter { $0.key == "charset" })
            }
        }
        var cte = "7bit"
        if let raw = fields.value("Content-Transfer-Encoding") {
            cte = AddressListScanner.stripComments(raw).trimmingWSP().lowercased()
            if cte.isEmpty { cte = "7bit" }
        }
        var disposition: String?, filename: String?
        if let raw = fields.rawValue("Content-Disposition") {
            let (v, params) = MIMEParameters.parse(raw)
            disposition = v.isEmpty ? nil : v.lowercased()
            filename = params["filename"]
        }
        if filename == nil || filename!.isEmpty { filename = type.parameters["name"] }
        if let f = filename { filename = f.trimmingWSP().isEmpty ? nil : f }
        var contentID = fields.value("Content-ID").map { AddressListScanner.stripComments($0).trimmingWSP() }
        if let c = contentID, c.hasPrefix("<"), c.hasSuffix(">"), c.count >= 2 { contentID = String(c.dropFirst().dropLast()) }

        let part = ParsedPart(path: l.path, headers: fields, contentType: type, transferEncoding: cte,
                              disposition: disposition, filename: filename, contentID: contentID)
        events.append(.partStart(part))
        let depth = l.path.count

        if type.isMultipart {
            if let b = type.parameters["boundary"], !b.isEmpty {
                if depth < MIMELimits.maximumNestingDepth {
                    frames.append(Frame(path: l.path, boundary: Array(b.utf8), digest: type.subtype == "digest", defects: defects))
                    return
                }
                defects.append(MIMEDefect(.nestingTooDeep, path: l.path))
            } else {
                defects.append(MIMEDefect(.multipartWithoutBoundary, path: l.path))
            }
        } else if type.type == "message", type.subtype == "rfc822" || type.subtype == "global",
                  ["7bit", "8bit", "binary"].contains(cte) {
            if depth < MIMELimits.maximumNestingDepth, partCount < MIMELimits.maximumPartCount {
                frames.append(Frame(path: l.path, boundary: nil, defects: defects))
                partCount += 1
                leaf = Leaf(path: l.path + [0])
                return
            }
            defects.append(MIMEDefect(depth < MIMELimits.maximumNestingDepth ? .tooManyParts : .nestingTooDeep, path: l.path))
        }
        switch cte {
        case "base64": l.decoding = .base64
        case "quoted-printable": l.decoding = .quotedPrintable
        case "7bit", "8bit", "binary": l.decoding = .identity
        default:
            l.decoding = .identity
            defects.append(MIMEDefect(.unknownTransferEncoding, path: l.path, detail: cte))
        }
        l.defects = defects
        l.inHeaders = false
        leaf = l
    }

    // MARK: - body

    private mutating func bodyLine(_ line: UnsafeRawBufferPointer, eol: Bool, continuation: Bool) {
        if !leaf!.reportedLongLine, line.count > MIMELimits.maximumLineLength || (continuation && !eol) {
            leaf!.reportedLongLine = true
            leaf!.defects.append(MIMEDefect(.lineTooLong, path: leaf!.path))
        }
        switch leaf!.decoding {
        case .base64:
            leaf!.base64.decode(line, into: &out)
        case .quotedPrintable:
            if leaf!.pendingEOL { out.append(13); out.append(10) }
            let soft = QuotedPrintable.decodeLine(line, complete: eol, into: &out, invalid: &leaf!.qpInvalid)
            leaf!.pendingEOL = eol && !soft
        case .identity:
            if leaf!.pendingEOL { out.append(13); out.append(10) }
            out.append(contentsOf: line)
            leaf!.pendingEOL = eol
        }
        if out.count >= Self.outputChunk { emitBody() }
    }

    private mutating func emitBody() {
        guard !out.isEmpty, let l = leaf else { return }
        events.append(.body(path: l.path, bytes: out))
        out = []
        out.reserveCapacity(Self.outputChunk + 1024)
    }

    /// Ends the current leaf (finishing its header section first if needed); at the end of input
    /// the last line break is the body's, before a boundary it is the delimiter's (RFC 2046 §5.1.1).
    private mutating func closeLeaf(atEnd: Bool) {
        var rounds = 0
        while let l = leaf, rounds <= MIMELimits.maximumNestingDepth + 2 {
            rounds += 1
            if l.inHeaders { endHeaders(); continue }
            if atEnd, l.pendingEOL { out.append(13); out.append(10) }
            var defects = l.defects
            if l.decoding == .base64 {
                var b = l.base64
                b.finish(into: &out)
                if b.invalidCharacters > 0 { defects.append(MIMEDefect(.invalidBase64, path: l.path, detail: "\(b.invalidCharacters) characters skipped")) }
                if b.truncated { defects.append(MIMEDefect(.truncatedBase64, path: l.path)) }
            }
            if l.qpInvalid > 0 { defects.append(MIMEDefect(.invalidQuotedPrintable, path: l.path, detail: "\(l.qpInvalid) sequences")) }
            emitBody()
            events.append(.partEnd(path: l.path, defects: defects))
            leaf = nil
        }
    }
}
