import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
import MIME

/// `mailbench mime-build`: a message with one file attachment, built with `Message` and written
/// by `MIMEWriter` (the file is streamed, base64-encoded, RFC 2045 §6.8), to memory or a file.
struct MIMEBuildBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "mime-build",
        abstract: "Build a message with FILE attached, to memory or to a file such as /dev/null.")

    @Option(help: "The file to attach (streamed).") var attachment: String
    @Option(help: "memory, or a path (e.g. /dev/null).") var to: String

    func run() async throws {
        var message = Message(from: try Address.parse("Shop <shop@example.test>"),
                              to: [try Address.parse("customer@example.test")], subject: "Invoice 1042")
        message.textBody = "Invoice attached.\n"
        try message.attach(file: URL(fileURLWithPath: attachment), filename: "Invoice 1042.pdf",
                           contentType: MediaType(type: "application", subtype: "pdf"))
        let writer = MIMEWriter()
        let start = ContinuousClock.now
        var written = 0
        if to == "memory" {
            written = try await writer.encode(message).count
        } else {
            let fd = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            guard fd >= 0 else { throw BenchFailure("cannot open \(to)") }
            defer { close(fd) }
            try writer.writeSynchronously(message) { buffer in
                var offset = 0
                while offset < buffer.count {
                    let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                    guard n > 0 else { throw BenchFailure("write to \(to) failed") }
                    offset += n
                }
                written += buffer.count
            }
        }
        Summary.print(["case": "mime-build", "bytes": written, "seconds": Summary.seconds(since: start)])
    }
}

/// `mailbench mime-parse`: parse a message and decode every attachment completely (the work of
/// Python's `email` peer: `message_from_binary_file` then `get_content()` of each attachment).
///
/// `--mode stream` (the default, what an application reading a large message does): the file is
/// read 1 MiB at a time into one reused buffer and fed to `MIMEStreamParser`; every decoded body
/// piece of an attachment is counted (base64 undone in full) and dropped, so memory stays
/// bounded whatever the message size. `--mode tree`: the whole file in memory, `MIMEParser.parse`
/// building the tree with every decoded body held.
struct MIMEParseBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "mime-parse",
        abstract: "Parse FILE and decode every attachment.")

    enum Mode: String, ExpressibleByArgument, CaseIterable { case stream, tree }

    @Option(help: "stream (MIMEStreamParser, bounded memory) or tree (MIMEParser.parse of the whole file).")
    var mode: Mode = .stream
    @Argument var file: String

    func run() async throws {
        let start = ContinuousClock.now
        var bytes = 0, attachments = 0, decoded = 0
        switch mode {
        case .tree:
            let whole = try readWhole(file)
            bytes = whole.count
            let parsed = MIMEParser.parse(whole)
            attachments = parsed.attachments.count
            decoded = parsed.attachments.reduce(0) { $0 + $1.size }
        case .stream:
            let fd = open(file, O_RDONLY)
            guard fd >= 0 else { throw BenchFailure("cannot open \(file)") }
            defer { close(fd) }
            var parser = MIMEStreamParser()
            var attachmentPaths: Set<[Int]> = []
            func take(_ events: [MIMEEvent]) {
                for e in events {
                    switch e {
                    case .partStart(let part):
                        if part.isAttachment { attachmentPaths.insert(part.path); attachments += 1 }
                    case .body(let path, let piece):
                        if attachmentPaths.contains(path) { decoded += piece.count }
                    case .partEnd: break
                    }
                }
            }
            var buffer = [UInt8](repeating: 0, count: 1 << 20)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
                guard n >= 0 else { throw BenchFailure("read \(file) failed") }
                if n == 0 { break }
                bytes += n
                take(parser.feed(buffer[0..<n]))
            }
            take(parser.finish())
        }
        guard decoded > 0 else { throw BenchFailure("no attachment decoded") }
        Summary.print(["case": "mime-parse", "mode": mode.rawValue, "bytes": bytes, "attachments": attachments,
                       "decoded": decoded, "seconds": Summary.seconds(since: start)])
    }
}

/// `mailbench codec`: the MIME module's body codecs (`TransferCodec`, RFC 2045 §6.7–6.8) on a
/// file read in 1 MiB pieces, output discarded (as `openssl base64 -out /dev/null` does). The
/// pieces are cut where the codec's output does not depend on the cut: base64 input in
/// multiples of 57 octets (one 76-character line each), encoded text and quoted-printable at
/// line ends; the output bytes are the same as for the whole file.
struct CodecBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "codec",
        abstract: "base64-encode, base64-decode or quoted-printable-encode FILE.")

    enum Mode: String, ExpressibleByArgument, CaseIterable {
        case base64Encode = "base64-encode", base64Decode = "base64-decode"
        case quotedPrintableEncode = "quoted-printable-encode", quotedPrintableDecode = "quoted-printable-decode"
    }

    @Argument var mode: Mode
    @Argument var file: String

    func run() async throws {
        let fd = open(file, O_RDONLY)
        guard fd >= 0 else { throw BenchFailure("cannot open \(file)") }
        defer { close(fd) }
        let start = ContinuousClock.now
        let piece = 57 * 18_396   // 1 MiB less 4 octets: whole base64 lines
        var buffer = [UInt8](repeating: 0, count: piece)
        var carry: [UInt8] = []
        var inCount = 0, outCount = 0, pieces = 0
        var out: [UInt8] = []   // one output buffer, reused
        func code(_ bytes: [UInt8]) -> Int {
            out.removeAll(keepingCapacity: true)
            switch mode {
            case .base64Encode:
                TransferCodec.base64Encode(bytes, appendingTo: &out)
                return out.count + (pieces > 0 && !bytes.isEmpty ? 2 : 0)   // the CRLF between pieces
            case .base64Decode: TransferCodec.base64Decode(bytes, appendingTo: &out)
            case .quotedPrintableEncode: out = TransferCodec.quotedPrintableEncode(bytes)
            case .quotedPrintableDecode: TransferCodec.quotedPrintableDecode(bytes, appendingTo: &out)
            }
            return out.count
        }
        while true {
            var filled = 0
            while filled < piece {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, piece - filled) }
                guard n >= 0 else { throw BenchFailure("read \(file) failed") }
                if n == 0 { break }
                filled += n
            }
            inCount += filled
            let atEnd = filled < piece
            var chunk = carry
            chunk.append(contentsOf: buffer[0..<filled])
            carry = []
            if mode != .base64Encode && !atEnd, let lf = chunk.lastIndex(of: 10) {
                carry = Array(chunk[(lf + 1)...])
                chunk.removeSubrange((lf + 1)...)
            }
            outCount += code(chunk)
            pieces += 1
            if atEnd { break }
        }
        Summary.print(["case": "codec", "mode": mode.rawValue, "in": inCount, "out": outCount,
                       "seconds": Summary.seconds(since: start)])
    }
}

/// The file's bytes in one array read in place (no intermediate `Data`, so the peak memory is
/// the file once).
private func readWhole(_ path: String) throws -> [UInt8] {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { throw BenchFailure("cannot open \(path)") }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0 else { throw BenchFailure("cannot stat \(path)") }
    let size = Int(st.st_size)
    var failed = false
    let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
        while count < size {
            let n = read(fd, buffer.baseAddress! + count, size - count)
            if n <= 0 { failed = n < 0; break }
            count += n
        }
    }
    guard !failed else { throw BenchFailure("read \(path) failed") }
    return bytes
}
