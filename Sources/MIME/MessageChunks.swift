internal import Glibc
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Produces a planned message as chunks of at most ``MIMELimits/writerChunkSize`` bytes, one
/// reused buffer at a time: header and boundary bytes copied, attachments base64-encoded
/// straight into the buffer, files read 47,880 bytes (840 base64 lines) at a time.
struct MessageChunks {
    private let segments: [MIMEWriter.Segment]
    private var index = 0
    private var offset = 0                   // bytes done in the current segment
    private var encoder = Base64LineEncoder()
    private var file: AttachmentFile?
    private var buffer: [UInt8]
    private var fill = 0

    /// Whole base64 lines of input: 840 × 57 bytes encode to 840 × 78 ≤ 64 KiB.
    static let fileChunk = 57 * 840

    init(_ plan: MIMEWriter.Plan) {
        segments = plan.segments
        buffer = [UInt8](repeating: 0, count: MIMELimits.writerChunkSize)
    }

    /// The next chunk, or nil at the end. The slice shares the reused buffer: it stays valid
    /// (copy on write) if kept, but is cheapest when consumed before the next call.
    mutating func next() throws -> ArraySlice<UInt8>? {
        fill = 0
        fillLoop: while index < segments.count {
            switch segments[index] {
            case .bytes(let bytes):
                if bytes.isEmpty { advance(); continue }
                let n = min(buffer.count - fill, bytes.count - offset)
                if n == 0 { break fillLoop }
                let start = fill, from = offset
                buffer.withUnsafeMutableBufferPointer { dst in
                    bytes.withUnsafeBufferPointer { src in (dst.baseAddress! + start).update(from: src.baseAddress! + from, count: n) }
                }
                fill += n
                offset += n
                if offset == bytes.count { advance() }
            case .base64(let content, let size, let name):
                if offset == size {
                    // The final quantum needs at most 6 bytes; the encoder never ends in CRLF,
                    // since the delimiter's CRLF follows (RFC 2046 §5.1.1).
                    if buffer.count - fill < 8 { break fillLoop }
                    let start = fill
                    fill += buffer.withUnsafeMutableBufferPointer { encoder.finish(into: $0.baseAddress! + start) }
                    if case .file(let url) = content {
                        if file == nil { file = try AttachmentFile(url, size: size, name: name) }
                        try file!.expectEnd()
                        file = nil
                    }
                    advance()
                    continue
                }
                let room = max(0, (buffer.count - fill - 16) / 78 * 57)
                let n = min(room, size - offset, Self.fileChunk)
                if n < min(57 * 64, size - offset) { break fillLoop }   // too little room: send what we have
                switch content {
                case .data(let data):
                    let from = offset
                    data.withUnsafeBytes { raw in encode(UnsafeRawBufferPointer(rebasing: raw[from..<(from + n)])) }
                case .file(let url):
                    if file == nil { file = try AttachmentFile(url, size: size, name: name) }
                    try file!.read(n) { encode($0) }
                }
                offset += n
            }
        }
        return fill > 0 ? buffer[0..<fill] : nil
    }

    private mutating func encode(_ input: UnsafeRawBufferPointer) {
        let start = fill
        fill += buffer.withUnsafeMutableBufferPointer { encoder.encode(input, into: $0.baseAddress! + start) }
    }

    private mutating func advance() {
        index += 1
        offset = 0
        encoder = Base64LineEncoder()
    }
}

extension MessageChunks {
    /// File octets read per `read(2)` when writing a whole message to memory: 4,096 base64 lines.
    static let directFileChunk = Base64.lineInput * 4096

    /// The planned message written straight into `dst`, which has room for `plan.size` bytes
    /// (the plan's size is exact): header and boundary bytes copied, attachments base64-encoded
    /// in place, no intermediate chunks. Returns the bytes written (always `plan.size`).
    static func write(_ plan: MIMEWriter.Plan, into dst: UnsafeMutablePointer<UInt8>) throws -> Int {
        var n = 0
        for segment in plan.segments {
            switch segment {
            case .bytes(let bytes):
                bytes.withUnsafeBufferPointer { src in
                    if let from = src.baseAddress { (dst + n).update(from: from, count: src.count) }
                }
                n += bytes.count
            case .base64(let content, let size, let name):
                var encoder = Base64LineEncoder()
                switch content {
                case .data(let data):
                    n += data.withUnsafeBytes { encoder.encode($0, into: dst + n) }
                case .file(let url):
                    let file = try AttachmentFile(url, size: size, name: name, chunk: min(size, directFileChunk))
                    var done = 0
                    while done < size {
                        let count = min(directFileChunk, size - done)
                        try file.read(count) { n += encoder.encode($0, into: dst + n) }
                        done += count
                    }
                    try file.expectEnd()
                }
                n += encoder.finish(into: dst + n)
            }
        }
        return n
    }
}

/// An attachment file open for reading; closed when released, also when writing stops early.
final class AttachmentFile {
    private let fd: Int32
    private let url: URL
    private let size: Int
    private let field: String
    private var total = 0
    private var scratch: [UInt8]

    init(_ url: URL, size: Int, name: String, chunk: Int = MessageChunks.fileChunk) throws(MIMEError) {
        self.url = url
        self.size = size
        self.field = "attachment \"\(name)\""
        fd = open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw MIMEError(.fileUnreadable, field: field, evidence: url.path + ": " + String(cString: strerror(errno))) }
        scratch = [UInt8](repeating: 0, count: chunk)
    }

    deinit { close(fd) }

    /// Reads exactly `count` bytes (the file must not have shrunk) and hands them to `body`.
    func read(_ count: Int, _ body: (UnsafeRawBufferPointer) -> Void) throws(MIMEError) {
        var got = 0
        while got < count {
            let r = scratch.withUnsafeMutableBytes { raw -> Int in
                var r: Int
                repeat { r = Glibc.read(fd, raw.baseAddress! + got, count - got) } while r < 0 && errno == EINTR
                return r
            }
            if r < 0 { throw MIMEError(.fileUnreadable, field: field, evidence: url.path + ": " + String(cString: strerror(errno))) }
            if r == 0 { throw MIMEError(.fileChanged, field: field, evidence: "\(url.path): ended after \(total + got) bytes, measured \(size)") }
            got += r
        }
        total += got
        scratch.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[0..<got])) }
    }

    /// After the measured size: the file must end here, not have grown.
    func expectEnd() throws(MIMEError) {
        var byte: UInt8 = 0
        var r: Int
        repeat { r = Glibc.read(fd, &byte, 1) } while r < 0 && errno == EINTR
        if r > 0 { throw MIMEError(.fileChanged, field: field, evidence: "\(url.path): grew past \(size) bytes") }
    }
}
