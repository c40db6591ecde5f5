import Testing
import TestSupport
import Foundation
@testable import MIME

/// The fast base64 paths (RFC 2045 §6.8): the whole-line encoder (12 bits to two characters per
/// look-up) against a plain one-character-at-a-time encoder, and `MIMEWriter.encode(_:)`
/// (written straight into one array) against the chunked writer.
@Suite(.offCooperativePool) struct Base64FastPathTests {
    /// The simplest correct encoder: six bits at a time, a CRLF before every 77th character.
    static func reference(_ input: [UInt8]) -> [UInt8] {
        var chars: [UInt8] = []
        var i = 0
        while i < input.count {
            let rest = min(3, input.count - i)
            let v = (0..<3).reduce(UInt32(0)) { $0 << 8 | ($1 < rest ? UInt32(input[i + $1]) : 0) }
            for k in 0..<4 {
                chars.append(k <= rest ? Base64.alphabet[Int(v >> UInt32(18 - 6 * k) & 63)] : UInt8(ascii: "="))
            }
            i += 3
        }
        var out: [UInt8] = []
        for (j, c) in chars.enumerated() {
            if j > 0, j % MIMELimits.base64LineLength == 0 { out += [13, 10] }
            out.append(c)
        }
        return out
    }

    /// `input` encoded by one streaming encoder fed the pieces between `cuts`.
    static func streamed(_ input: [UInt8], cuts: [Int]) -> [UInt8] {
        var encoder = Base64LineEncoder()
        var out = [UInt8](repeating: 0, count: Base64LineEncoder.maximumOutput(for: input.count) + 16)
        var n = 0, from = 0
        for to in cuts + [input.count] {
            n += input[from..<to].withUnsafeBytes { src in
                out.withUnsafeMutableBufferPointer { encoder.encode(src, into: $0.baseAddress! + n) }
            }
            from = to
        }
        n += out.withUnsafeMutableBufferPointer { encoder.finish(into: $0.baseAddress! + n) }
        return Array(out[..<n])
    }

    /// Every length 0…300, cut once at every position (so the second piece starts at every
    /// column of a line and every carry state), equals the reference.
    @Test func everyLengthAndEveryCutMatchesReference() {
        var rng = SeededRNG(seed: 2045)
        for count in 0...300 {
            let input = (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let expected = Self.reference(input)
            #expect(expected.count == Base64.encodedSize(of: count))
            #expect(Self.streamed(input, cuts: []) == expected, "length \(count), whole")
            for cut in 0...count {
                let got = Self.streamed(input, cuts: [cut])
                if got != expected { Issue.record("length \(count), cut at \(cut)"); break }
            }
        }
    }

    /// Two cuts (three pieces, the middle one short) at every position of a 300-octet input:
    /// a line finished by one piece and begun by the next, with one or two octets carried.
    @Test func everyPairOfCutsMatchesReference() {
        var rng = SeededRNG(seed: 6)
        let input = (0..<300).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let expected = Self.reference(input)
        var failures = 0
        for first in 0...300 {
            for width in [0, 1, 2, 3, 4, 56, 57, 58, 59, 114, 115] where first + width <= 300 {
                if Self.streamed(input, cuts: [first, first + width]) != expected { failures += 1 }
            }
        }
        #expect(failures == 0)
    }

    /// The whole-line fast path on all 256 octet values in every position of a triple.
    @Test func allOctetValuesInEveryPosition() {
        let input = (0..<(256 * 3)).map { UInt8(truncatingIfNeeded: $0 / 3 + ($0 % 3) * 85) }
        #expect(Self.streamed(input, cuts: []) == Self.reference(input))
        #expect(TransferCodec.base64Encode(input) == Self.reference(input))
    }

    /// `encode(_:)` writes the same bytes as the chunked writer, for file and in-memory
    /// attachments of sizes around the line, read-block and chunk boundaries.
    @Test(arguments: [0, 1, 56, 57, 58, 47_880, 65_536, MessageChunks.directFileChunk - 1,
                      MessageChunks.directFileChunk, MessageChunks.directFileChunk + 2, 1_000_003])
    func encodeEqualsChunkedWriter(size: Int) async throws {
        var rng = SeededRNG(seed: UInt64(size) + 1)
        let bytes = Data((0..<size).map { _ in UInt8.random(in: 0...255, using: &rng) })
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("fast-\(UUID().uuidString).bin")
        try bytes.write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        var m = try Message.invoice()
        try m.attach(file: url, filename: "Rechnung.pdf")
        m.attachments.append(try Attachment(data: bytes, filename: "copy.bin"))
        let writer = deterministicWriter()
        var chunked: [UInt8] = []
        try writer.writeSynchronously(m) { chunked.append(contentsOf: $0) }
        let whole = try await writer.encode(m)
        #expect(whole.count == (try writer.encodedSize(of: m)))
        #expect(whole == chunked)
        let parsed = MIMEParser.parse(whole)
        #expect(parsed.attachments.count == 2)
        #expect(parsed.attachments.allSatisfy { $0.size == size })
    }

    /// A file that shrinks or grows between planning and writing fails the in-memory write too.
    @Test func directWriteNoticesChangedFile() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("change-\(UUID().uuidString).bin")
        try Data(count: 300_000).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        var m = try Message.invoice()
        try m.attach(file: url)
        let writer = MIMEWriter()
        for changed in [Data(count: 10), Data(count: 300_001)] {
            let plan = try writer.plan(m)
            try changed.write(to: url)
            var out = [UInt8](repeating: 0, count: plan.size + 64)
            #expect { try out.withUnsafeMutableBufferPointer { try MessageChunks.write(plan, into: $0.baseAddress!) } }
                throws: { ($0 as? MIMEError)?.kind == .fileChanged }
            try Data(count: 300_000).write(to: url)
        }
    }
}
