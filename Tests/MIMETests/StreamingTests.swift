import Testing
import Foundation
import TestSupport
@testable import MIME

/// Streaming: the parser fed byte by byte agrees with the whole-message parse; the writer
/// streams files in bounded memory.
@Suite(.offCooperativePool) struct StreamingTests {
    static func tree(_ p: ParsedPart) -> String {
        "\(p.path) \(p.summary) \(p.body.count) \(p.defects.map(\.kind.rawValue))\n" + p.children.map(tree).joined()
    }

    @Test func byteByByteEqualsWhole() async throws {
        var m = try Message.invoice()
        m.htmlBody = "<p>" + String(repeating: "Grüße ", count: 300) + "</p>"
        try m.attach(data: Data((0..<3000).map { UInt8(truncatingIfNeeded: $0) }), filename: "daten.bin")
        var inputs = [try await MIMEWriter().encode(m)]
        for name in try FileManager.default.contentsOfDirectory(atPath: fixturesDirectory.appendingPathComponent("corpus").path).sorted() {
            inputs.append(try fixture("corpus/" + name))
        }
        for bytes in inputs {
            let whole = MIMEParser.parse(bytes)
            var parser = MIMEStreamParser()
            var builder = PartTreeBuilder()
            for b in bytes { for e in parser.feed(CollectionOfOne(b)) { builder.apply(e) } }
            for e in parser.finish() { builder.apply(e) }
            let pieces = ParsedMessage(root: builder.root)
            #expect(Self.tree(pieces.root) == Self.tree(whole.root))
            #expect(pieces.text == whole.text)
            #expect(pieces.attachments.map(\.body) == whole.attachments.map(\.body))
        }
    }

    /// Random chunk sizes hit the bulk base64 path at every offset (chunk ends inside a line,
    /// right after a line break, right before a boundary).
    @Test func randomChunkingEqualsWhole() async throws {
        var m = try Message.invoice()
        m.htmlBody = "<p>x</p>"
        try m.attach(data: Data((0..<20_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }), filename: "a.bin")
        try m.attach(data: Data((0..<57).map { UInt8($0) }), filename: "b.bin")
        let bytes = try await MIMEWriter().encode(m)
        let whole = MIMEParser.parse(bytes)
        #expect(whole.defects.isEmpty)
        var rng = SeededRNG(seed: 3)
        for _ in 0..<30 {
            var parser = MIMEStreamParser()
            var builder = PartTreeBuilder()
            var offset = 0
            while offset < bytes.count {
                let n = min(Int.random(in: 1...300, using: &rng), bytes.count - offset)
                for e in parser.feed(bytes[offset..<(offset + n)]) { builder.apply(e) }
                offset += n
            }
            for e in parser.finish() { builder.apply(e) }
            #expect(Self.tree(builder.root) == Self.tree(whole.root))
            #expect(ParsedMessage(root: builder.root).attachments.map(\.body) == whole.attachments.map(\.body))
        }
    }

    /// An attachment several bulk-decoding pieces long (the parser decodes base64 in pieces of
    /// about 87 KB, cut anywhere in a line): the decoded bytes are the original ones, whole and
    /// fed in chunks of sizes that put the fast decoding loop's ends everywhere.
    @Test func largeBase64AttachmentDecodesExactly() async throws {
        var rng = SeededRNG(seed: 11)
        let original = (0..<400_000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        var m = try Message.invoice()
        try m.attach(data: Data(original), filename: "big.bin")
        let bytes = try await MIMEWriter().encode(m)
        let whole = MIMEParser.parse(bytes)
        #expect(whole.defects.isEmpty)
        #expect(whole.attachments.first?.body == original)
        // The whole-message parse sizes a large body from the input left; nothing much is left
        // over, also for a large part followed by another.
        let second = (0..<2_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try m.attach(data: Data(second), filename: "second.bin")
        let two = MIMEParser.parse(try await MIMEWriter().encode(m))
        #expect(two.attachments.map(\.body) == [original, second])
        for body in two.attachments.map(\.body) + whole.attachments.map(\.body) {
            #expect(body.capacity - body.count <= max(1 << 20, body.count / 8))
        }
        for size in [1, 7, 8, 15, 16, 17, 78, 4096, 87_383] {
            var parser = MIMEStreamParser()
            var body: [UInt8] = []
            var offset = 0
            func take(_ events: [MIMEEvent]) {
                for case .body(let path, let piece) in events where path == [1] { body += piece }
            }
            while offset < bytes.count {
                let n = min(size, bytes.count - offset)
                take(parser.feed(bytes[offset..<(offset + n)]))
                offset += n
            }
            take(parser.finish())
            #expect(body == original, "chunks of \(size)")
        }
    }

    /// The sink may capture the caller's actor state (the writer runs on the caller's actor).
    @MainActor @Test func writesFromTheMainActor() async throws {
        var count = 0
        try await MIMEWriter().write(try Message.invoice()) { count += $0.count }
        #expect(count == (try MIMEWriter().encodedSize(of: try Message.invoice())))
        var parts = 0
        let stream = AsyncStream<[UInt8]> { c in c.yield(Array("Subject: x\r\n\r\nbody".utf8)); c.finish() }
        try await MIMEParser.parse(stream) { if case .partStart = $0 { parts += 1 } }
        #expect(parts == 1)
    }

    @Test func asyncSequenceParse() async throws {
        var m = try Message.invoice()
        try m.attach(data: Data(repeating: 7, count: 100_000), filename: "sieben.bin")
        let bytes = try await MIMEWriter().encode(m)
        let chunks = stride(from: 0, to: bytes.count, by: 4093).map { Array(bytes[$0..<min($0 + 4093, bytes.count)]) }
        let stream = AsyncStream<[UInt8]> { c in
            for chunk in chunks { c.yield(chunk) }
            c.finish()
        }
        let parsed = try await MIMEParser.parse(stream)
        #expect(parsed.attachments.first?.body == [UInt8](repeating: 7, count: 100_000))
        #expect(parsed.text == MIMEParser.parse(bytes).text)
    }

    /// Resident set size of this process, from /proc/self/statm.
    static func residentBytes() -> Int {
        guard let s = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = s.split(separator: " ")
        return (Int(fields.count > 1 ? fields[1] : "0") ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    static let childFlag = "MIME_MEMORY_CHILD"

    /// A 50 MB file attachment streams in bounded memory. Process RSS is shared by every test
    /// running in parallel, so the measurement runs in a child process (this test binary, with
    /// only ``largeFileChild()`` selected) and this test checks what it reports.
    @Test func largeFileStreamsInBoundedMemory() async throws {
        var binary = CommandLine.arguments[0]
        if !binary.hasSuffix(".xctest") {
            binary = URL(fileURLWithPath: binary).deletingLastPathComponent().appendingPathComponent("MailEnginePackageTests.xctest").path
        }
        var env = ProcessInfo.processInfo.environment
        env[Self.childFlag] = "1"
        let r = try await run(binary, ["--testing-library", "swift-testing", "--filter", "StreamingTests/largeFileChild"], environment: env)
        let report = r.stdout.split(separator: "\n").first { $0.contains("MIME-MEMORY") }
        #expect(r.status == 0, "child failed:\n\(r.stdout.suffix(2000))\n\(r.stderr.suffix(2000))")
        let growth = report.flatMap { $0.split(separator: " ").last.flatMap { Int($0) } }
        let kib = try #require(growth, "no report from the child: \(r.stdout.suffix(1000))")
        // AddressSanitizer keeps freed memory in a quarantine (256 MiB by default) and shadow
        // memory beside it, so RSS says nothing about the writer there (scripts/test --sanitize=
        // address sets ASAN_OPTIONS); the child still has to stream the whole file.
        let underASan = ProcessInfo.processInfo.environment["ASAN_OPTIONS"] != nil
        #expect(underASan || kib < 16 * 1024, "RSS grew by \(kib) KiB while writing a 50 MiB file")
    }

    /// The measurement: a sparse 50 MB temp file attached, written to a counting sink whose
    /// chunks also go through the streaming parser; RSS sampled throughout. Runs only as the
    /// child of ``largeFileStreamsInBoundedMemory()``.
    @Test(.enabled(if: ProcessInfo.processInfo.environment[childFlag] == "1"))
    func largeFileChild() async throws {
        let size = 50 * 1024 * 1024 + 1
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("big-\(UUID().uuidString).bin")
        #expect(FileManager.default.createFile(atPath: url.path, contents: nil))
        defer { try? FileManager.default.removeItem(at: url) }
        let handle = try FileHandle(forWritingTo: url)
        try handle.truncate(atOffset: UInt64(size))
        try handle.close()

        var m = try Message.invoice()
        try m.attach(file: url, filename: "Katalog 2027.pdf")
        let writer = MIMEWriter()
        let expected = try writer.encodedSize(of: m)

        let before = Self.residentBytes()
        var peak = before
        var total = 0, largestChunk = 0, chunks = 0
        var parser = MIMEStreamParser()
        var attachmentBytes = 0, nonZero = 0
        var bodyPath: [Int]?
        try await writer.write(m) { chunk in
            total += chunk.count
            largestChunk = max(largestChunk, chunk.count)
            chunks += 1
            for e in parser.feed(chunk) {
                switch e {
                case .partStart(let p) where p.filename == "Katalog 2027.pdf": bodyPath = p.path
                case .body(let path, let bytes) where path == bodyPath:
                    attachmentBytes += bytes.count
                    nonZero += bytes.reduce(0) { $0 | Int($1) }
                default: break
                }
            }
            if chunks % 64 == 0 { peak = max(peak, Self.residentBytes()) }
        }
        _ = parser.finish()
        peak = max(peak, Self.residentBytes())
        #expect(total == expected)
        #expect(largestChunk <= MIMELimits.writerChunkSize)
        #expect(attachmentBytes == size)
        #expect(nonZero == 0)
        print("MIME-MEMORY rss-growth-KiB \((peak - before) / 1024)")
    }

    @Test func fileChangingSizeIsAnError() async throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("shrink-\(UUID().uuidString).pdf")
        try Data(count: 300_000).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        var m = try Message.invoice()
        try m.attach(file: url)
        let writer = MIMEWriter()
        _ = try writer.encodedSize(of: m)
        var first = true
        await #expect { try await writer.write(m) { _ in
            if first { first = false; try Data(count: 10).write(to: url) }
        } } throws: { ($0 as? MIMEError)?.kind == .fileChanged }
        try FileManager.default.removeItem(at: url)
        #expect { try writer.encodedSize(of: m) } throws: { ($0 as? MIMEError)?.kind == .fileUnreadable }
    }
}
