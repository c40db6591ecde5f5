import Foundation
import MIME

/// Fuzz bodies for the MIME module. Each must not crash, hang or trap for any input.
enum MIMEFuzzing {
    /// MIMEParser (RFC 5322, RFC 2045–2046) on the whole input, and MIMEStreamParser fed the same
    /// bytes in random pieces: the same parts, headers, decoded bodies and defects.
    static func parser(_ bytes: [UInt8]) {
        let parsed = MIMEParser.parse(bytes)
        _ = parsed.summary; _ = parsed.subject; _ = parsed.text; _ = parsed.html; _ = parsed.date
        _ = parsed.from; _ = parsed.to; _ = parsed.messageID; _ = parsed.references
        for part in parsed.root.allParts {
            _ = part.filename; _ = part.charset; _ = part.isAttachment; _ = part.text
        }
        let whole = events(bytes, chunks: [bytes[...]])
        var chunking = Chunking(bytes)
        let chunked = events(bytes, chunks: chunking.split(bytes, maximum: 4096))
        invariant(whole == chunked, "whole and chunked streaming parses differ:\n"
                  + diff(whole.map(\.description), chunked.map(\.description)))
    }

    /// One comparable item per event, compared by value (MediaType parameters are a
    /// dictionary: its description has no fixed order).
    struct Item: Equatable, CustomStringConvertible {
        var kind: String
        var path: [Int]
        var headers: [HeaderField] = []
        var contentType: MediaType?
        var fields: [String?] = []
        var defects: [MIMEDefect] = []
        var body: [UInt8] = []
        var description: String {
            "\(kind) \(path) \(contentType.map { "\($0.type)/\($0.subtype) \($0.parameters.sorted { $0.key < $1.key })" } ?? "") "
                + "\(fields) \(headers) \(defects) body \(body.count)"
        }
    }

    /// Part starts with their headers and type, bodies joined per part (piece boundaries may
    /// differ), part ends with their defects.
    static func events(_ bytes: [UInt8], chunks: [ArraySlice<UInt8>]) -> [Item] {
        var parser = MIMEStreamParser()
        var out: [Item] = []
        var body: [UInt8] = []
        var bodyPath: [Int]?
        func flush() {
            if let p = bodyPath { out.append(Item(kind: "body", path: p, body: body)) }
            bodyPath = nil; body = []
        }
        func take(_ events: [MIMEEvent]) {
            for e in events {
                switch e {
                case .partStart(let part):
                    flush()
                    out.append(Item(kind: "start", path: part.path, headers: part.headers, contentType: part.contentType,
                                    fields: [part.transferEncoding, part.disposition, part.filename, part.contentID]))
                case .body(let path, let piece):
                    if bodyPath != path { flush(); bodyPath = path }
                    body += piece
                case .partEnd(let path, let defects):
                    flush()
                    out.append(Item(kind: "end", path: path, defects: defects))
                }
            }
        }
        for c in chunks { take(parser.feed(c)) }
        take(parser.finish())
        flush()
        return out
    }

    static func checksum(_ b: [UInt8]) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for x in b { h = (h ^ UInt64(x)) &* 0x0000_0100_0000_01b3 }
        return h
    }

    static func diff(_ a: [String], _ b: [String]) -> String {
        for i in 0..<max(a.count, b.count) where i >= a.count || i >= b.count || a[i] != b[i] {
            return "event \(i):\n  whole:   \(i < a.count ? a[i] : "(none)")\n  chunked: \(i < b.count ? b[i] : "(none)")"
        }
        return "(same)"
    }

    /// Address.parse and parseList (RFC 5322 §3.4): never a crash; what is accepted, written by
    /// MIMEWriter into To (encoded words, quoting, folding) and parsed back, gives the same
    /// addr-specs.
    static func address(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        _ = try? Address.parse(text)
        guard let list = try? Address.parseList(text), !list.isEmpty else { return }
        for a in list {
            _ = a.localPart; _ = a.domain; _ = a.requiresSMTPUTF8; _ = a.asciiAddrSpec; _ = a.description
        }
        var message = Message(from: list[0], to: list, subject: "x")
        message.textBody = "x"
        let writer = MIMEWriter(options: .init(allow8BitMIME: true, allowSMTPUTF8: true),
                                boundary: { "=_b\($0)" }, messageID: { _ in "<id@example.test>" },
                                clock: { Date(timeIntervalSince1970: 0) })
        var written: [UInt8] = []
        do {
            try writer.writeSynchronously(message) { written.append(contentsOf: $0) }
        } catch {
            return   // the writer may refuse what the parser accepted (reported as an error, fine)
        }
        let parsed = MIMEParser.parse(written)
        // RFC 5322 §3.4.1: a local part comes back exactly as written, a quoted-string one with
        // its quotes, spaces and quoted-pairs (the finding Fixtures/fuzz/Address/seeds/
        // quoted-local-part-leading-space: `" cal"@e` came back as `"cal"@e`).
        invariant(parsed.to.map { String($0.localPart) } == list.map { String($0.localPart) },
                  "To local parts \(list.map(\.localPart)) written and parsed back as \(parsed.to.map(\.localPart))\n"
                  + String(decoding: written.prefix(600), as: UTF8.self))
        // A non-ASCII domain may be written as its A-label (xn--, RFC 5890): compare that form.
        func key(_ a: Address) -> String { a.asciiAddrSpec ?? a.addrSpec }
        invariant(parsed.to.map(key) == list.map(key),
                  "To: \(list.map(key)) written and parsed back as \(parsed.to.map(key))\n"
                  + String(decoding: written.prefix(600), as: UTF8.self))
    }

    /// RFC 2047 encoded words and RFC 2231 parameters, through the parser's header decoding: the
    /// input (split at the first two NULs) becomes a Subject, a From and the parameters of
    /// Content-Type and Content-Disposition.
    static func headerDecoding(_ bytes: [UInt8]) {
        let parts = bytes.split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false).map(Array.init)
        let subject = parts[0]
        let from = parts.count > 1 ? parts[1] : []
        let params = parts.count > 2 ? parts[2] : []
        var message: [UInt8] = Array("Subject: ".utf8) + subject + Array("\r\nFrom: ".utf8) + from
        message += Array("\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n".utf8)
        message += Array("Content-Type: application/octet-stream; ".utf8) + params
        message += Array("\r\nContent-Disposition: attachment; ".utf8) + params
        message += Array("\r\nContent-Transfer-Encoding: base64\r\n\r\nAAEC\r\n--b--\r\n".utf8)
        let parsed = MIMEParser.parse(message)
        _ = parsed.subject; _ = parsed.from; _ = parsed.summary
        for part in parsed.root.allParts { _ = part.filename; _ = part.contentType.parameters; _ = part.charset }
    }

    /// TransferCodec (RFC 2045 §6.7, §6.8): decoding what was encoded gives the input back, and
    /// the decoders never crash on anything.
    static func transferCodec(_ bytes: [UInt8]) {
        let b64 = TransferCodec.base64Encode(bytes)
        invariant(TransferCodec.base64Decode(b64) == bytes, "base64 round trip")
        invariant(b64.allSatisfy { $0 < 0x80 } && !b64.starts(with: [13, 10]))
        let qp = TransferCodec.quotedPrintableEncode(bytes)
        invariant(TransferCodec.quotedPrintableDecode(qp) == bytes, "quoted-printable round trip")
        for line in qp.split(separator: 10) { invariant(line.count <= 77, "a quoted-printable line over 76 characters") }
        _ = TransferCodec.base64Decode(bytes)
        _ = TransferCodec.quotedPrintableDecode(bytes)
    }
}
