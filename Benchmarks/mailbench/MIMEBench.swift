import ArgumentParser
import Foundation
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

/// `mailbench mime-parse`: `MIMEParser.parse` of a whole message, decoding every attachment.
struct MIMEParseBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "mime-parse",
        abstract: "Parse FILE and decode every attachment.")

    @Argument var file: String

    func run() async throws {
        let bytes = try readFile(file)
        let start = ContinuousClock.now
        let parsed = MIMEParser.parse(bytes)
        let decoded = parsed.attachments.reduce(0) { $0 + $1.size }
        guard decoded > 0 else { throw BenchFailure("no attachment decoded") }
        Summary.print(["case": "mime-parse", "bytes": bytes.count, "attachments": parsed.attachments.count,
                       "decoded": decoded, "seconds": Summary.seconds(since: start)])
    }
}

/// `mailbench codec`: the MIME module's body codecs (`TransferCodec`, RFC 2045 §6.7–6.8) on a
/// whole file.
struct CodecBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "codec",
        abstract: "base64-encode, base64-decode or quoted-printable-encode FILE (in memory).")

    enum Mode: String, ExpressibleByArgument, CaseIterable {
        case base64Encode = "base64-encode", base64Decode = "base64-decode"
        case quotedPrintableEncode = "quoted-printable-encode", quotedPrintableDecode = "quoted-printable-decode"
    }

    @Argument var mode: Mode
    @Argument var file: String

    func run() async throws {
        let input = try readFile(file)
        let start = ContinuousClock.now
        let output: [UInt8]
        switch mode {
        case .base64Encode: output = TransferCodec.base64Encode(input)
        case .base64Decode: output = TransferCodec.base64Decode(input)
        case .quotedPrintableEncode: output = TransferCodec.quotedPrintableEncode(input)
        case .quotedPrintableDecode: output = TransferCodec.quotedPrintableDecode(input)
        }
        Summary.print(["case": "codec", "mode": mode.rawValue, "in": input.count, "out": output.count,
                       "seconds": Summary.seconds(since: start)])
    }
}
