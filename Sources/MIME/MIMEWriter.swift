#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
internal import Glibc

/// What a written message needs from the SMTP transport.
public struct MIMERequirements: OptionSet, Sendable, Hashable {
    public let rawValue: Int
    /// Option-set storage.
    public init(rawValue: Int) { self.rawValue = rawValue }
    /// A part is sent as `8bit` (RFC 6152: `MAIL FROM:<…> BODY=8BITMIME`).
    public static let eightBitMIME = MIMERequirements(rawValue: 1)
    /// An address has a non-ASCII local part (RFC 6531: `MAIL FROM:<…> SMTPUTF8`).
    public static let smtpUTF8 = MIMERequirements(rawValue: 2)
}

/// Writes a ``Message`` as RFC 5322 / MIME bytes (CRLF lines, none over 998 octets) to an async
/// sink in chunks of at most 64 KiB, in bounded memory: file attachments are read and base64
/// encoded a chunk at a time. ``encodedSize(of:)`` gives the exact byte count beforehand (for
/// SMTP `SIZE=`, RFC 1870) without encoding.
///
/// Generated values (Date from the clock, Message-ID, boundaries) have fixed lengths, so the
/// size is exact even when they differ between calls; inject them for byte-identical output.
public struct MIMEWriter: Sendable {
    /// What the transport allows, and how dates are written.
    public struct Options: Sendable {
        /// The server offers 8BITMIME (RFC 6152): UTF-8 text with short lines is sent as `8bit`.
        public var allow8BitMIME: Bool
        /// The server offers SMTPUTF8 (RFC 6531): non-ASCII local parts may be written.
        public var allowSMTPUTF8: Bool
        /// The zone whose offset the Date field shows (RFC 5322 §3.3); UTC by default.
        /// `TimeZone(secondsFromGMT:)` always works; named zones (`TimeZone(identifier:)`,
        /// `.current`) need the full Foundation in the process, since FoundationEssentials
        /// alone knows only fixed offsets.
        public var timeZone: TimeZone

        /// Defaults fit any SMTP server: 7-bit output, ASCII addresses, UTC dates.
        public init(allow8BitMIME: Bool = false, allowSMTPUTF8: Bool = false,
                    timeZone: TimeZone = TimeZone(secondsFromGMT: 0)!) {
            self.allow8BitMIME = allow8BitMIME
            self.allowSMTPUTF8 = allowSMTPUTF8
            self.timeZone = timeZone
        }
    }

    /// What the transport allows (set from the server's EHLO capabilities).
    public var options: Options
    private let boundary: @Sendable (Int) -> String
    private let messageID: @Sendable (String) -> String
    private let clock: @Sendable () -> Date

    /// - Parameters:
    ///   - boundary: the boundary for the n-th multipart (0-based, depth first); 1–70 characters
    ///     of RFC 2046 §5.1.1 `bchars`. Default: `=_ME_` + 24 random hex + `.n`, which
    ///     quoted-printable and base64 output can never contain. An injected boundary should
    ///     hold `=_` too (tests use `=_boundary_n`); 7bit/8bit text holding it is sent
    ///     quoted-printable.
    ///   - messageID: a Message-ID for a message that has none, given From's domain.
    ///   - clock: the Date for a message that has none.
    public init(options: Options = .init(),
                boundary: (@Sendable (Int) -> String)? = nil,
                messageID: (@Sendable (_ domain: String) -> String)? = nil,
                clock: (@Sendable () -> Date)? = nil) {
        self.options = options
        self.boundary = boundary ?? { _ in "" }
        self.messageID = messageID ?? { MessageID.generate(domain: $0) }
        self.clock = clock ?? { Date() }
        self.randomBoundaries = boundary == nil
    }

    private let randomBoundaries: Bool

    /// The message with Date and Message-ID filled in as the writer would (so a caller can log
    /// or store the Message-ID before sending).
    public func resolved(_ message: Message) -> Message {
        var m = message
        if m.date == nil { m.date = clock() }
        if m.messageID == nil { m.messageID = messageID(MessageHeaders.idDomain(message)) }
        return m
    }

    /// The exact number of bytes ``write(_:isolation:to:)`` produces for this message. File attachments
    /// are measured, not read. Throws the first ``MIMEError`` (fields, addresses, files).
    public func encodedSize(of message: Message) throws -> Int {
        try plan(message).size
    }

    /// Whether the output needs 8BITMIME or SMTPUTF8 from the transport.
    public func requirements(of message: Message) throws -> MIMERequirements {
        try plan(message).requirements
    }

    /// Writes the message to `sink` in chunks of at most 64 KiB. Everything is validated before
    /// the first byte is handed over; only a file that changes while being read can fail later
    /// (``MIMEError/Kind/fileChanged``), and then the caller must discard what it received.
    /// Runs on the caller's actor (`isolation`), so the sink may touch the caller's state.
    public func write(_ message: Message, isolation: isolated (any Actor)? = #isolation,
                      to sink: (ArraySlice<UInt8>) async throws -> Void) async throws {
        var chunks = MessageChunks(try plan(message))
        while let chunk = try chunks.next() {
            try Task.checkCancellation()
            try await sink(chunk)
        }
    }

    /// The same bytes as ``write(_:isolation:to:)``, for synchronous sinks (a spool file being
    /// written under a lock, `Outbox.enqueue(envelope:…body:)`). File attachments are read with
    /// blocking reads either way; each buffer is valid only during the call.
    public func writeSynchronously(_ message: Message, to sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        var chunks = MessageChunks(try plan(message))
        while let chunk = try chunks.next() {
            try chunk.withUnsafeBytes { try sink($0) }
        }
    }

    /// The whole message in memory: the same bytes as ``write(_:isolation:to:)``, written
    /// straight into one array of the planned size (no chunk copies). Attachments are held
    /// encoded in memory, so a large message costs its full size; stream it otherwise.
    public func encode(_ message: Message) async throws -> [UInt8] {
        let p = try plan(message)
        return try [UInt8](unsafeUninitializedCapacity: p.size) { buffer, count in
            guard let base = buffer.baseAddress, p.size > 0 else { count = 0; return }
            let n = try MessageChunks.write(p, into: base)
            count = n
            // The plan bounds every segment, so only a content change between planning and
            // writing could make these differ: an error, never a trap.
            guard n == p.size else {
                throw MIMEError(.fileChanged, field: "message", evidence: "planned \(p.size) octets, wrote \(n)")
            }
        }
    }

    // MARK: - planning

    enum Segment {
        case bytes([UInt8])
        case base64(Attachment.Content, size: Int, name: String)
    }

    struct Plan {
        var segments: [Segment] = []
        var size = 0
        var requirements: MIMERequirements = []

        mutating func add(_ s: String) { add(Array(s.utf8)) }
        mutating func add(_ b: [UInt8]) {
            guard !b.isEmpty else { return }
            size += b.count
            if case .bytes(let previous)? = segments.last, previous.count + b.count <= MIMELimits.writerChunkSize {
                segments[segments.count - 1] = .bytes(previous + b)
            } else {
                segments.append(.bytes(b))
            }
        }
    }

    func plan(_ message: Message) throws -> Plan {
        let m = resolved(message)
        var p = Plan()
        if m.from?.requiresSMTPUTF8 == true || (m.sender?.requiresSMTPUTF8 ?? false)
            || (m.replyTo + m.to + m.cc + m.bcc).contains(where: \.requiresSMTPUTF8) {
            if options.allowSMTPUTF8 { p.requirements.insert(.smtpUTF8) }
        }
        let headers = try MessageHeaders.standard(m, options: options, date: m.date!, messageID: m.messageID!)
        let token = randomBoundaries ? Self.randomToken() : ""
        var counter = 0
        try emit(MessageStructure(m), headers: headers, ancestors: [], top: true, token: token, counter: &counter, into: &p)
        return p
    }

    private static func randomToken() -> String {
        var g = SystemRandomNumberGenerator()
        let hex = Array("0123456789abcdef".utf8)
        return String(decoding: (0..<24).map { _ in hex[Int(g.next() % 16)] }, as: UTF8.self)
    }

    private func makeBoundary(_ n: Int, token: String) throws(MIMEError) -> String {
        let b = randomBoundaries ? "=_ME_\(token).\(n)" : boundary(n)
        let ok = !b.isEmpty && b.utf8.count <= MIMELimits.maximumBoundaryLength && b.utf8.allSatisfy {
            ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || "'()+_,-./:=? ".utf8.contains($0)
        } && !b.hasSuffix(" ")
        guard ok else { throw MIMEError(.invalidContentType, field: "boundary", evidence: b) }
        return b
    }

    private func emit(_ node: MessageStructure, headers: String, ancestors: [String], top: Bool,
                      token: String, counter: inout Int, into p: inout Plan) throws {
        switch node {
        case let .multipart(subtype, children):
            let b = try makeBoundary(counter, token: token)
            counter += 1
            p.add(headers + (try HeaderFolding.fold("Content-Type", ["multipart/\(subtype);", "boundary=\"\(b)\""])) + "\r\n")
            for (i, child) in children.enumerated() {
                p.add((i == 0 ? "--" : "\r\n--") + b + "\r\n")
                try emit(child, headers: "", ancestors: ancestors + [b], top: false, token: token, counter: &counter, into: &p)
            }
            p.add("\r\n--" + b + "--" + (top ? "\r\n" : ""))
        case let .text(subtype, text):
            var body = TextBody(text)
            // A single-part message's text ends in a line break, like every line (RFC 5322 §2.3).
            if top, body.bytes.suffix(2) != [13, 10] { body.bytes += [13, 10] }
            let cte = body.chooseEncoding(allow8Bit: options.allow8BitMIME, boundaries: ancestors)
            if cte == .eightBit { p.requirements.insert(.eightBitMIME) }
            var h = headers + "Content-Type: text/\(subtype); charset=utf-8\r\n"
            h += "Content-Transfer-Encoding: \(cte.rawValue)\r\n\r\n"
            p.add(h)
            var encoded = body.encoded(cte)
            if top, encoded.count >= 2 ? encoded.suffix(2) != [13, 10] : true { encoded += [13, 10] }
            p.add(encoded)
        case let .file(a):
            try emitFile(a, headers: headers, ancestors: ancestors, top: top, into: &p)
        }
    }

    private func emitFile(_ a: Attachment, headers: String, ancestors: [String], top: Bool, into p: inout Plan) throws {
        var typeTokens = [a.contentType.mimeType + ";"]
        typeTokens += MIMEParameters.encodedWordTokens("name", a.filename)
        var dispositionTokens = [a.disposition.rawValue + ";"]
        dispositionTokens += MIMEParameters.extendedTokens("filename", a.filename)
        for i in 0..<(dispositionTokens.count - 1) where i > 0 { dispositionTokens[i] += ";" }
        var h = headers + (try HeaderFolding.fold("Content-Type", typeTokens))
        h += try HeaderFolding.fold("Content-Disposition", dispositionTokens)
        if let cid = a.contentID { h += "Content-ID: <\(cid)>\r\n" }
        let size: Int
        switch a.content {
        case .data(let d):
            size = d.count
            if a.contentType.isText, TextBody.sevenBitClean(d, boundaries: ancestors) {
                p.add(h + "Content-Transfer-Encoding: 7bit\r\n\r\n")
                p.add([UInt8](d))
                if top, !d.isEmpty, d.suffix(2) != Data([13, 10]) { p.add("\r\n") }
                return
            }
        case .file(let url):
            size = try Self.fileSize(url, name: a.filename)
        }
        p.add(h + "Content-Transfer-Encoding: base64\r\n\r\n")
        p.segments.append(.base64(a.content, size: size, name: a.filename))
        // No CRLF after the last line: the delimiter's CRLF follows (RFC 2046 §5.1.1).
        p.size += Base64.encodedSize(of: size)
        if top { p.add("\r\n") }
    }

    static func fileSize(_ url: URL, name: String) throws(MIMEError) -> Int {
        var st = stat()
        guard stat(url.path, &st) == 0 else {
            throw MIMEError(.fileUnreadable, field: "attachment \"\(name)\"", evidence: url.path + ": " + String(cString: strerror(errno)))
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            throw MIMEError(.fileUnreadable, field: "attachment \"\(name)\"", evidence: url.path + ": not a regular file")
        }
        return Int(st.st_size)
    }
}

/// RFC 2045 §6.1 content-transfer-encoding values the writer uses.
enum TransferEncoding: String {
    case sevenBit = "7bit", eightBit = "8bit", quotedPrintable = "quoted-printable", base64
}

/// A text body as UTF-8 with every line break (CRLF, bare CR, bare LF) made CRLF (RFC 5322 §2.3).
struct TextBody {
    var bytes: [UInt8]

    init(_ text: String) {
        var out: [UInt8] = []
        let u = Array(text.utf8)
        out.reserveCapacity(u.count + u.count / 32)
        var i = 0
        while i < u.count {
            let b = u[i]
            if b == 13 {
                out.append(13); out.append(10)
                i += (i + 1 < u.count && u[i + 1] == 10) ? 2 : 1
            } else if b == 10 {
                out.append(13); out.append(10); i += 1
            } else {
                out.append(b); i += 1
            }
        }
        bytes = out
    }

    /// 7bit when ASCII, 8bit when the transport allows it, both only with lines ≤ 998, no NUL
    /// and no boundary inside (RFC 2045 §2.7–2.8, RFC 2046 §5.1.1); otherwise quoted-printable,
    /// or base64 when more than a third of the octets are not ASCII (shorter for such text).
    func chooseEncoding(allow8Bit: Bool, boundaries: [String]) -> TransferEncoding {
        var longest = 0, line = 0, nonASCII = 0, nul = false
        for b in bytes {
            if b == 10 { longest = max(longest, line - 1); line = 0; continue }
            line += 1
            if b >= 0x80 { nonASCII += 1 } else if b == 0 { nul = true }
        }
        longest = max(longest, line)
        let collides = boundaries.contains { TextBody.contains(bytes, Array(("--" + $0).utf8)) }
        if !nul, longest <= MIMELimits.maximumLineLength, !collides {
            if nonASCII == 0 { return .sevenBit }
            if allow8Bit { return .eightBit }
        }
        return nonASCII * 3 > bytes.count ? .base64 : .quotedPrintable
    }

    func encoded(_ cte: TransferEncoding) -> [UInt8] {
        switch cte {
        case .sevenBit, .eightBit: return bytes
        case .quotedPrintable: return QuotedPrintable.encode(bytes)
        case .base64:
            var e = Base64LineEncoder()
            var out = [UInt8](repeating: 0, count: Base64LineEncoder.maximumOutput(for: bytes.count) + 8)
            let n = out.withUnsafeMutableBufferPointer { dst in
                bytes.withUnsafeBytes { src in
                    let a = e.encode(src, into: dst.baseAddress!)
                    return a + e.finish(into: dst.baseAddress! + a)
                }
            }
            out.removeSubrange(n...)
            return out
        }
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        let first = needle[0]
        var i = 0
        while i <= haystack.count - needle.count {
            if haystack[i] == first, haystack[i..<(i + needle.count)].elementsEqual(needle) { return true }
            i += 1
        }
        return false
    }

    /// For a text attachment in memory: true when it can go as 7bit unchanged, so its bytes
    /// arrive identical (ASCII, no NUL, CRLF line breaks only, lines ≤ 998, no boundary inside).
    static func sevenBitClean(_ d: Data, boundaries: [String]) -> Bool {
        let u = [UInt8](d)
        var line = 0
        for (i, b) in u.enumerated() {
            if b == 0 || b >= 0x80 { return false }
            if b == 13 { if i + 1 >= u.count || u[i + 1] != 10 { return false }; continue }
            if b == 10 { if i == 0 || u[i - 1] != 13 { return false }; line = 0; continue }
            line += 1
            if line > MIMELimits.maximumLineLength { return false }
        }
        return !boundaries.contains { contains(u, Array(("--" + $0).utf8)) }
    }
}

