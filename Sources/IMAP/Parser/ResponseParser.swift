internal import Glibc

/// The incremental IMAP response parser (RFC 9051 §7, grammar §9). Feed it bytes as they arrive
/// with `append`, then take events with `next()` until it returns `nil` (it needs more bytes).
/// Any chunking of the same bytes gives the same events (streamed section bytes may be split
/// differently). It does no I/O.
///
/// Framing first, grammar second: a response is complete when its last line ends and every
/// literal announced on the way has arrived; only complete frames are parsed, so a malformed one
/// is known to be malformed (never "maybe incomplete") and can be skipped. A FETCH reply is
/// parsed item by item, and a body section above `limits.streamingThreshold` is handed over in
/// chunks (`streamingBegin`, `streamingBytes`, `streamingEnd`) as it arrives, never held whole.
///
///     var parser = ResponseParser()
///     parser.append(bytes)
///     while let event = try parser.next() { … }
public struct ResponseParser: Sendable {
    public let limits: ParserLimits

    private var buffer: [UInt8] = []
    private var start = 0
    private var mode = Mode.response
    private var scan = Scan()
    private var queue: [ResponseEvent] = []
    private var queueHead = 0
    private var log: [String] = []

    private enum Mode: Sendable {
        case response
        case fetchItems
        case streaming(remaining: Int)
        /// Stepping over the literal of a refused item, then the rest of that FETCH reply.
        case discarding(remaining: Int)
        case skippingFetch
    }

    /// Progress of the line scanner in the current frame, relative to `start`.
    private struct Scan: Sendable {
        var position = 0
        var lineStart = 0
        var text: [UInt8] = []

        /// Back to the start of a frame, keeping the text buffer's memory (one frame per message
        /// in a big FETCH: no allocation each).
        mutating func reset() {
            position = 0
            lineStart = 0
            text.removeAll(keepingCapacity: true)
        }
    }

    private struct Segment {
        /// Offset just past the segment's last line end (relative to `start`).
        var end: Int
        /// Set when the segment ends with the header of a literal above the streaming threshold.
        var bigLiteral: Int?
    }

    public init(limits: ParserLimits = ParserLimits()) {
        self.limits = limits
    }

    /// Adds bytes received from the server.
    public mutating func append(_ bytes: some Sequence<UInt8>) {
        if start > 0 && (start == buffer.count || start >= 64 * 1024 && start * 2 >= buffer.count) {
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// Bytes received and not yet turned into events (an injection check after STARTTLS's OK).
    public var bufferedCount: Int { buffer.count - start }

    /// Whether the parser is between responses (not inside a FETCH or a streaming section).
    public var isAtResponseBoundary: Bool {
        if case .response = mode { return queueHead == queue.count }
        return false
    }

    /// Whether `takeTranscriptLines` has lines to give.
    public var hasTranscriptLines: Bool { !log.isEmpty }

    /// Transcript lines for what was parsed since the last call: each response as one line,
    /// literals shown as `{n}` and their contents summarised.
    public mutating func takeTranscriptLines() -> [String] {
        var lines: [String] = []
        moveTranscriptLines(into: &lines)
        return lines
    }

    /// Appends the transcript lines to `lines` and forgets them: with a `lines` the caller
    /// keeps (and empties with `removeAll(keepingCapacity:)`), no allocation per call.
    public mutating func moveTranscriptLines(into lines: inout [String]) {
        guard !log.isEmpty else { return }
        lines.append(contentsOf: log)
        log.removeAll(keepingCapacity: true)
    }

    /// The next event, or `nil` when more bytes are needed. Throws when the stream cannot be
    /// framed (a limit is exceeded, a tagged response is unreadable): the session is unusable.
    public mutating func next() throws(IMAPParseError) -> ResponseEvent? {
        while true {
            if queueHead < queue.count {
                // Moved out, not copied: a payload-free case is left in its place, so emptying
                // the queue destroys nothing (no retain and release of every event's payload).
                let head = queueHead
                let e = queue.withUnsafeMutableBufferPointer { slots in
                    let slot = slots.baseAddress! + head
                    let event = slot.move()
                    slot.initialize(to: .fetchEnd)
                    return event
                }
                queueHead += 1
                if queueHead == queue.count { queue.removeAll(keepingCapacity: true); queueHead = 0 }
                return e
            }
            switch mode {
            case .response:
                guard let progressed = try responseStep() else { return nil }
                if !progressed { continue }
            case .fetchItems:
                guard try fetchStep() else { return nil }
            case .streaming(let remaining):
                let available = buffer.count - start
                guard available > 0 else { return nil }
                let n = min(available, remaining)
                let chunk = Array(buffer[start..<start + n])
                start += n
                if n == remaining {
                    mode = .fetchItems
                    queue.append(.streamingEnd)
                } else {
                    mode = .streaming(remaining: remaining - n)
                }
                return .streamingBytes(chunk)
            case .discarding(let remaining):
                let available = buffer.count - start
                guard available > 0 else { return nil }
                let n = min(available, remaining)
                start += n
                mode = n == remaining ? .skippingFetch : .discarding(remaining: remaining - n)
            case .skippingFetch:
                // Where a refused item's value ends is unknown: the rest of the reply goes with it.
                guard let segment = try scanSegment(stopAtBigLiteral: true) else { return nil }
                log.append(String(decoding: scan.text, as: UTF8.self))
                scan.reset()
                start += segment.end
                if let big = segment.bigLiteral {
                    mode = .discarding(remaining: big)
                } else {
                    mode = .response
                    return .fetchEnd
                }
            }
        }
    }

    // MARK: responses

    // response = *(continue-req / response-data) response-done
    /// `nil`: needs bytes; `true`/`false`: made progress (events may be queued).
    private mutating func responseStep() throws(IMAPParseError) -> Bool? {
        guard let fetchNumber = try fetchPrefix() else { return nil }
        if fetchNumber >= 0 { return true }
        guard let segment = try scanSegment(stopAtBigLiteral: false) else { return nil }
        let frameStart = start
        let frameEnd = start + segment.end
        let text = String(decoding: scan.text, as: UTF8.self)
        log.append(text)
        scan.reset()
        start = frameEnd
        let event = try parseFrame(from: frameStart, to: frameEnd, text: text)
        queue.append(event)
        return true
    }

    /// Checks whether the frame starts with `* n FETCH (`; if so consumes it and queues
    /// `fetchStart`, returning n. Returns -1 when it is another response, `nil` when more bytes
    /// are needed to tell.
    private mutating func fetchPrefix() throws(IMAPParseError) -> Int64? {
        let available = buffer.count - start
        guard available > 0 else { return nil }
        var i = start
        func at(_ k: Int) -> UInt8? { k < buffer.count ? buffer[k] : nil }
        guard let b0 = at(i) else { return nil }
        guard b0 == 0x2A else { return -1 }
        i += 1
        guard let b1 = at(i) else { return nil }
        guard b1 == 0x20 else { return -1 }
        i += 1
        var n: Int64 = 0
        var digits = 0
        while let d = at(i), d >= 0x30 && d <= 0x39 {
            n = n * 10 + Int64(d - 0x30)
            digits += 1
            i += 1
            if digits > 10 { return -1 }
        }
        guard at(i) != nil else { return nil }
        guard digits > 0, n <= Int64(UInt32.max) else { return -1 }
        for c in " FETCH (".utf8 {
            guard let b = at(i) else { return nil }
            guard ParseCursor.upper(b) == c else { return -1 }
            i += 1
        }
        scan.text.removeAll(keepingCapacity: true)
        scan.text.append(contentsOf: buffer[start..<i])
        start = i
        mode = .fetchItems
        queue.append(.fetchStart(sequenceNumber: UInt32(n)))
        return n
    }

    private func evidence(_ from: Int, _ to: Int) -> String { printablePreview(buffer[from..<min(to, from + 200)]) }

    /// Parses one complete non-FETCH frame.
    private func parseFrame(from: Int, to: Int, text: String) throws(IMAPParseError) -> ResponseEvent {
        var c = ParseCursor(buffer, from: from, to: to, limits: limits)
        do {
            if c.skip(0x2B) {
                // continue-req = "+" SP (resp-text / base64) CRLF
                _ = c.skip(ParseCursor.SP)
                let t = c.token { $0 != ParseCursor.CR && $0 != ParseCursor.LF }
                return .continuation(Array(t))
            }
            if c.skip(0x2A) {
                try c.sp()
                var attempt = c
                if let data = try? attempt.untaggedData(), (try? attempt.crlf()) != nil, attempt.atEnd {
                    return .untagged(data)
                }
                return .untagged(.unknown(text))
            }
            // response-tagged = tag SP resp-cond-state CRLF ; tag = 1*<any ASTRING-CHAR except "+">
            let tag = c.token { ParseCursor.isAtomChar($0) && $0 != 0x2B }
            guard !tag.isEmpty else { throw c.fail("expected a tag, \"*\" or \"+\"") }
            try c.sp()
            let word = (try c.atom()).uppercased()
            guard let condition = StatusResponse.Condition(rawValue: word), condition != .preauth else {
                throw c.fail("tagged response with \(word) (RFC 9051 §7.1 allows OK, NO, BAD and BYE)")
            }
            let (code, text) = try c.respText()
            return .tagged(TaggedResponse(tag: String(decoding: tag, as: UTF8.self),
                                          status: StatusResponse(condition: condition, code: code, text: text)))
        } catch let failure as ParseFailure {
            throw IMAPParseError(.malformed(failure.reason), evidence: evidence(from, to))
        } catch {
            throw IMAPParseError(.malformed("\(error)"), evidence: evidence(from, to))
        }
    }

    // MARK: FETCH

    /// Parses the items of the next complete segment of a FETCH reply. `false`: needs bytes.
    private mutating func fetchStep() throws(IMAPParseError) -> Bool {
        guard let segment = try scanSegment(stopAtBigLiteral: true) else { return false }
        let segStart = start
        let segEnd = start + segment.end
        log.append(String(decoding: scan.text, as: UTF8.self))
        scan.reset()
        start = segEnd
        var c = ParseCursor(buffer, from: segStart, to: segEnd, limits: limits)
        while true {
            while c.skip(ParseCursor.SP) {}
            if c.skip(0x29) {
                guard (try? c.crlf()) != nil, c.atEnd else {
                    throw IMAPParseError(.malformed("text after the end of a FETCH reply"), evidence: evidence(segStart, segEnd))
                }
                queue.append(.fetchEnd)
                mode = .response
                return true
            }
            if c.atEnd || c.atLineEnd {
                if let big = segment.bigLiteral {
                    // An item refused before its big literal: step over the literal's bytes.
                    mode = .discarding(remaining: big)
                    return true
                }
                // The line ended without ")": not RFC 9051 §7.5.2; end the message here.
                queue.append(.fetchAttribute(.invalid(name: "", raw: "reply ended without \")\"")))
                queue.append(.fetchEnd)
                mode = .response
                return true
            }
            let item: ParsedFetchItem
            do {
                item = try c.msgAtt()
            } catch {
                throw IMAPParseError(.malformed("unreadable FETCH item"), evidence: evidence(c.index, segEnd))
            }
            switch item {
            case .attribute(let attribute):
                queue.append(.fetchAttribute(attribute))
                if c.atEnd, let big = segment.bigLiteral {
                    // The item was refused but its big literal follows: step over it.
                    mode = .discarding(remaining: big)
                    return true
                }
            case .streaming(let kind, let size):
                queue.append(.streamingBegin(kind, size: size))
                mode = size == 0 ? .fetchItems : .streaming(remaining: size)
                if size == 0 { queue.append(.streamingEnd) }
                return true
            }
        }
    }

    // MARK: framing

    /// Finds the end of the next segment: the next line end not followed by the data of a literal
    /// it announces (such data is skipped over), or, with `stopAtBigLiteral`, a line end that
    /// announces a literal above the streaming threshold. `nil`: needs more bytes.
    private mutating func scanSegment(stopAtBigLiteral: Bool) throws(IMAPParseError) -> Segment? {
        while true {
            let absolute = start + scan.position
            if absolute > buffer.count { return nil }  // waiting for literal data
            let lf: Int? = buffer.withUnsafeBufferPointer { buf in
                guard absolute < buf.count, let base = buf.baseAddress else { return nil }
                guard let p = memchr(base + absolute, 0x0A, buf.count - absolute) else { return nil }
                return absolute + (UnsafeRawPointer(p) - UnsafeRawPointer(base + absolute))
            }
            guard let lf else {
                if buffer.count - (start + scan.lineStart) > limits.lineLength {
                    throw IMAPParseError(.lineTooLong(limit: limits.lineLength), evidence: evidence(start + scan.lineStart, buffer.count))
                }
                scan.position = buffer.count - start
                return nil
            }
            let lineStart = start + scan.lineStart
            if lf - lineStart > limits.lineLength {
                throw IMAPParseError(.lineTooLong(limit: limits.lineLength), evidence: evidence(lineStart, lf))
            }
            var lineEnd = lf
            if lineEnd > lineStart && buffer[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            appendLog(lineStart, lineEnd)
            if let size = try literalSuffix(lineStart, lineEnd) {
                if stopAtBigLiteral && size > limits.streamingThreshold && announcesSection(lineStart, lineEnd) {
                    scan.text += Array("{\(size) bytes streamed}".utf8)
                    return Segment(end: lf + 1 - start, bigLiteral: size)
                }
                guard size <= limits.bufferedLiteralSize else {
                    throw IMAPParseError(.literalTooLarge(size: String(size), limit: limits.bufferedLiteralSize),
                                         evidence: evidence(lineStart, lineEnd))
                }
                // `<2048 bytes>`, appended in place (the digits are a small string: no allocation).
                scan.text.append(0x3C)
                scan.text.append(contentsOf: String(size).utf8)
                scan.text.append(contentsOf: " bytes>".utf8)
                scan.position = lf + 1 + size - start
                scan.lineStart = scan.position
                continue
            }
            return Segment(end: lf + 1 - start, bigLiteral: nil)
        }
    }

    private mutating func appendLog(_ from: Int, _ to: Int) {
        let limit = 400
        if to - from > limit {
            scan.text += buffer[from..<from + limit]
            scan.text += Array("…(\(to - from) bytes)".utf8)
        } else {
            scan.text += buffer[from..<to]
        }
    }

    /// Whether the literal at the end of this line is the value of a body section item
    /// (`BODY[…]<…>`, `BINARY[…]`, `RFC822`, `RFC822.HEADER`, `RFC822.TEXT`): only those stream;
    /// a big literal elsewhere (an envelope field) is buffered up to `bufferedLiteralSize`.
    private func announcesSection(_ lineStart: Int, _ lineEnd: Int) -> Bool {
        guard var i = buffer[lineStart..<lineEnd].lastIndex(of: 0x7B) else { return false }
        if i > lineStart && buffer[i - 1] == 0x7E { i -= 1 }
        guard i > lineStart, buffer[i - 1] == 0x20 else { return false }
        let end = i - 1
        if end > lineStart, buffer[end - 1] == 0x5D || buffer[end - 1] == 0x3E { return true }
        var start = end
        while start > lineStart, buffer[start - 1] != 0x20 && buffer[start - 1] != 0x28 { start -= 1 }
        let word = String(decoding: buffer[start..<end], as: UTF8.self).uppercased()
        return word == "RFC822" || word == "RFC822.TEXT" || word == "RFC822.HEADER"
    }

    /// The size announced by a `{n}`, `{n+}` or `~{n}` at the end of a line, if any.
    private func literalSuffix(_ lineStart: Int, _ lineEnd: Int) throws(IMAPParseError) -> Int? {
        guard lineEnd > lineStart, buffer[lineEnd - 1] == 0x7D else { return nil }
        var i = lineEnd - 2
        if i >= lineStart && buffer[i] == 0x2B { i -= 1 }
        let digitsEnd = i + 1
        while i >= lineStart && buffer[i] >= 0x30 && buffer[i] <= 0x39 { i -= 1 }
        guard i >= lineStart, buffer[i] == 0x7B, i + 1 < digitsEnd else { return nil }
        var value: UInt64 = 0
        var overflow = false
        for k in (i + 1)..<digitsEnd {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(buffer[k] - 0x30))
            if o1 || o2 { overflow = true; break }
            value = a
        }
        if overflow || value > UInt64(limits.literalSize) {
            let text = String(decoding: buffer[(i + 1)..<digitsEnd], as: UTF8.self)
            throw IMAPParseError(.literalTooLarge(size: text, limit: limits.literalSize),
                                 evidence: evidence(lineStart, lineEnd))
        }
        return Int(value)
    }
}
