import Testing
import TestSupport
import Foundation
@testable import MIME

/// The encoders on their own: base64 (RFC 2045 §6.8), quoted-printable (§6.7), RFC 2047
/// encoded words, RFC 2231 parameters, header folding.
@Suite(.offCooperativePool) struct EncodingTests {
    /// Streaming base64 in arbitrary chunks equals Foundation's 76-column encoding.
    @Test(arguments: [0, 1, 2, 3, 56, 57, 58, 114, 1000, 65_537])
    func base64MatchesFoundation(count: Int) {
        var rng = SeededRNG(seed: UInt64(count) + 7)
        let input = (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) }
        var encoder = Base64LineEncoder()
        var out = [UInt8](repeating: 0, count: Base64LineEncoder.maximumOutput(for: count) + 64)
        var n = 0
        var offset = 0
        while offset < count {
            let step = min(Int.random(in: 1...300, using: &rng), count - offset)
            n += input[offset..<(offset + step)].withUnsafeBytes { src in
                out.withUnsafeMutableBufferPointer { encoder.encode(src, into: $0.baseAddress! + n) }
            }
            offset += step
        }
        n += out.withUnsafeMutableBufferPointer { encoder.finish(into: $0.baseAddress! + n) }
        let expected = Data(input).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        #expect(String(decoding: out[..<n], as: UTF8.self) == expected)
        #expect(n == Base64.encodedSize(of: count))
        var decoder = Base64Decoder()
        var back: [UInt8] = []
        decoder.decode(out[..<n], into: &back)
        decoder.finish(into: &back)
        #expect(back == input)
        #expect(decoder.invalidCharacters == 0 && !decoder.truncated)
    }

    @Test func base64DecoderIsTolerant() {
        var d = Base64Decoder()
        var out: [UInt8] = []
        d.decode(Array("SGVs!bG8g\r\nd29y*bGQ".utf8), into: &out)
        d.finish(into: &out)
        #expect(String(decoding: out, as: UTF8.self) == "Hello world")
        #expect(d.invalidCharacters == 2)
    }

    @Test func quotedPrintableRoundTrip() {
        let samples = ["", "a=b", "trailing space \r\nnext", "tab\t\r\n", String(repeating: "x", count: 200),
                       "Grüße \u{1F600} " + String(repeating: "é", count: 50), "=\r\n=", "line\r\n\r\n"]
        for s in samples {
            let enc = QuotedPrintable.encode(Array(s.utf8))
            let (lines, bare) = crlfLines(enc)
            #expect(!bare)
            #expect(lines.allSatisfy { $0.count <= 76 }, "\(s)")
            #expect(lines.allSatisfy { $0.last != 0x20 && $0.last != 0x09 }, "white space before a line break: \(s)")
            var out: [UInt8] = []
            var invalid = 0
            var parts = text(enc).components(separatedBy: "\r\n")
            let last = parts.removeLast()
            for p in parts {
                let soft = Array(p.utf8).withUnsafeBytes { QuotedPrintable.decodeLine($0, complete: true, into: &out, invalid: &invalid) }
                if !soft { out += [13, 10] }
            }
            _ = Array(last.utf8).withUnsafeBytes { QuotedPrintable.decodeLine($0, complete: true, into: &out, invalid: &invalid) }
            #expect(text(out) == s)
            #expect(invalid == 0)
        }
    }

    /// RFC 2047 §2: each word at most 75 characters, every word alone is valid UTF-8 (never
    /// split inside a sequence), and the words decode back to the text.
    @Test func encodedWordsNeverSplitCharacters() {
        var rng = SeededRNG(seed: 2047)
        let alphabet: [String] = ["a", " ", "ü", "ß", "€", "日", "本", "😀", "👩‍👩‍👧", "\u{0301}", "?", "=", "_", "\""]
        for _ in 0..<300 {
            let len = Int.random(in: 1...120, using: &rng)
            let s = (0..<len).map { _ in alphabet.randomElement(using: &rng)! }.joined()
            let words = EncodedWord.encode(s, firstLimit: 60)
            #expect(words[0].count <= 60)
            #expect(words.allSatisfy { $0.count <= 75 })
            for w in words {
                let bytes = Array(w.utf8)
                guard let (_, decoded, _) = EncodedWord.parseWord(bytes, at: 0) else {
                    Issue.record("not an encoded word: \(w)"); continue
                }
                #expect(String(validating: decoded, as: UTF8.self) != nil, "word splits a UTF-8 sequence: \(w)")
            }
            #expect(EncodedWord.decodeText(words.joined(separator: "\r\n ")) == s)
        }
    }

    /// Words break between user-perceived characters when they fit in one word.
    @Test func encodedWordsKeepCharactersWhole() {
        let family = "👩‍👩‍👧‍👦"   // 25 bytes, one character
        let s = String(repeating: "é" + family, count: 6)
        for limit in [75, 30, 12] {
            let words = EncodedWord.encode(s, firstLimit: limit)
            #expect(words.allSatisfy { $0.count <= 75 })
            for w in words.dropFirst() {
                let (_, bytes, _) = EncodedWord.parseWord(Array(w.utf8), at: 0)!
                let t = String(decoding: bytes, as: UTF8.self)
                #expect(t.allSatisfy { $0 == "é" || $0 == Character(family) }, "\(w) splits a character")
            }
            #expect(EncodedWord.decodeText(words.joined(separator: " ")) == s)
        }
    }

    @Test func decodesEncodedWordsInOtherCharsets() {
        #expect(EncodedWord.decodeText("=?ISO-8859-1?Q?Andr=E9?= Pirard") == "André Pirard")
        #expect(EncodedWord.decodeText("=?windows-1252?Q?=80_5?=") == "€ 5")
        #expect(EncodedWord.decodeText("=?iso-8859-2?B?r29sdw==?=") == "Żolw")
        #expect(EncodedWord.decodeText("=?KOI8-R?B?8NLJ18XU?=") == "Привет")
        #expect(EncodedWord.decodeText("=?Shift_JIS?B?k/qWe4zq?=") == "日本語")
        #expect(EncodedWord.decodeText("=?utf-8?q?a?= =?utf-8?q?b?=") == "ab")
        #expect(EncodedWord.decodeText("=?utf-8?q?a?=  c") == "a  c")
        // A character split across two words by a broken mailer still decodes.
        #expect(EncodedWord.decodeText("=?utf-8?B?w6Q=?= =?utf-8?Q?=C3?= =?utf-8?Q?=BC?=") == "äü")
        // Not encoded words: left alone.
        #expect(EncodedWord.decodeText("=?utf-8?X?abc?=") == "=?utf-8?X?abc?=")
        #expect(EncodedWord.decodeText("price =? 5") == "price =? 5")
        #expect(EncodedWord.decodeText("=?utf-8*de?Q?Gr=C3=BC=C3=9Fe?=") == "Grüße")
    }

    /// Headers fold at 78 and unfold to the same text.
    @Test func subjectsFoldAt78() throws {
        let subjects = [String(repeating: "word ", count: 40).trimmingCharacters(in: .whitespaces),
                        String(repeating: "ä", count: 200), "x" + String(repeating: "y", count: 1500),
                        "Invoice =?utf-8?Q?not_a_word?=", " leading and trailing "]
        for s in subjects {
            let h = try HeaderFolding.unstructured("Subject", s)
            let (lines, bare) = crlfLines(Array(h.utf8))
            #expect(!bare)
            #expect(lines.allSatisfy { $0.count <= 78 }, "\(h)")
            let unfolded = h.dropFirst("Subject: ".count).replacingOccurrences(of: "\r\n", with: "")
            #expect(EncodedWord.decodeText(String(unfolded)).trimmingCharacters(in: .whitespaces) == s.trimmingCharacters(in: .whitespaces))
        }
    }

    /// RFC 2231 §3–4 continuations round trip through our parameter parser.
    @Test func rfc2231FileNames() throws {
        let names = ["Invoice 1042.pdf", "Rechnung für Müller.pdf", String(repeating: "Überweisung-", count: 12) + ".pdf",
                     "quote\"and\\slash.txt", "日本語のファイル名がとても長い場合のテスト用ファイル名です.xlsx"]
        for name in names {
            var tokens = ["attachment;"] + MIMEParameters.extendedTokens("filename", name)
            for i in 1..<(tokens.count - 1) where tokens.count > 2 { tokens[i] += ";" }
            let header = tokens.joined(separator: "\r\n ")
            let folded = try HeaderFolding.fold("Content-Disposition", tokens)
            #expect(folded.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 78 }, "\(folded)")
            let (value, params) = MIMEParameters.parse(header.replacingOccurrences(of: "\r\n", with: ""))
            #expect(value == "attachment")
            #expect(params["filename"] == name)
            let fallback = MIMEParameters.encodedWordTokens("name", name).joined(separator: " ")
            #expect(MIMEParameters.parse("application/pdf; " + fallback).parameters["name"] == name)
        }
    }

    @Test func parsesParametersRealMailersWrite() {
        #expect(MIMEParameters.parse("attachment; filename*=iso-8859-1'de'Gr%FC%DFe.txt").parameters["filename"] == "Grüße.txt")
        #expect(MIMEParameters.parse("attachment; filename*0=\"long \"; filename*1=\"name.pdf\"").parameters["filename"] == "long name.pdf")
        #expect(MIMEParameters.parse("text/plain; charset = \"UTF-8\" ; format=flowed").parameters["charset"] == "UTF-8")
        #expect(MIMEParameters.parse("multipart/mixed; boundary=----=_NextPart_000_0001").parameters["boundary"] == "----=_NextPart_000_0001")
        #expect(MIMEParameters.parse("image/png; name=\"a;b.png\" (comment)").parameters["name"] == "a;b.png")
    }

    /// The base64 decoder's fast paths (16 and 4 characters at a time, CRLF skipped) agree with
    /// its one-character path at every cut of the input into two pieces, for clean 76-character
    /// lines and for input with white space, stray characters and padding in odd places.
    @Test func base64DecoderAgreesAtEveryCut() {
        var rng = SeededRNG(seed: 5)
        let bytes = (0..<1500).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let clean = TransferCodec.base64Encode(bytes)
        var messy = clean
        for (k, junk) in [UInt8(ascii: " "), 9, UInt8(ascii: "!"), 13, 10, UInt8(ascii: "*"), 0xC3].enumerated() {
            messy.insert(junk, at: 37 + k * 211)
        }
        messy.insert(contentsOf: Array("QQ==".utf8), at: 1001)   // padding mid-stream closes a quantum
        for input in [clean, messy] {
            var reference = Base64Decoder()
            var expected: [UInt8] = []
            for b in input { reference.decode(CollectionOfOne(b), into: &expected) }
            if input == clean { #expect(expected == bytes) }
            for cut in 0...input.count {
                var d = Base64Decoder()
                var out: [UInt8] = []
                input.withUnsafeBytes { raw in
                    out += d.decoded(UnsafeRawBufferPointer(rebasing: raw[..<cut]))
                    out += d.decoded(UnsafeRawBufferPointer(rebasing: raw[cut...]))
                }
                #expect(out == expected, "cut at \(cut)")
                #expect(d.invalidCharacters == reference.invalidCharacters)
            }
        }
    }

    @Test func datesAreRFC5322() {
        let d = Date(timeIntervalSince1970: 1_796_112_000)
        #expect(MessageDate.format(d) == "Tue, 01 Dec 2026 08:00:00 +0000")
        #expect(MessageDate.format(d, timeZone: TimeZone(secondsFromGMT: -(5 * 3600 + 1800))!) == "Tue, 01 Dec 2026 02:30:00 -0530")
        #expect(MessageDate.format(d, timeZone: TimeZone(identifier: "Europe/Berlin")!) == "Tue, 01 Dec 2026 09:00:00 +0100")
        #expect(MessageDate.parse("Tue, 01 Dec 2026 09:00:00 +0100") == d)
        #expect(MessageDate.parse("1 Dec 2026 03:00:00 EST") == d)
        #expect(MessageDate.parse("Tue, 1 Dec 26 08:00 GMT (comment)") == d)
        #expect(MessageDate.parse("yesterday") == nil)
    }

    /// The writer's own calendar arithmetic (no Foundation Calendar or DateFormatter, so MIME
    /// needs only FoundationEssentials) against Foundation's Gregorian calendar in the POSIX
    /// locale, over instants from 1900 to 2200 and offsets of both signs; parse inverts format.
    @Test func dateFormattingMatchesFoundationsCalendar() throws {
        var generator = SystemRandomNumberGenerator()
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.calendar = Calendar(identifier: .gregorian)
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        var instants: [TimeInterval] = [0, -1, 86_399, 86_400, 951_782_400, 951_868_799, -2_208_988_800, 4_102_444_800, 7_258_118_399]
        for _ in 0..<500 { instants.append(TimeInterval(Int.random(in: -2_208_988_800...7_258_118_399, using: &generator))) }
        for t in instants {
            for offset in [0, 3600, -(5 * 3600 + 1800), 14 * 3600, -12 * 3600, 5 * 3600 + 45 * 60] {
                let date = Date(timeIntervalSince1970: t)
                let zone = try #require(TimeZone(secondsFromGMT: offset))
                formatter.timeZone = zone
                let ours = MessageDate.format(date, timeZone: zone)
                #expect(ours == formatter.string(from: date), "\(t) \(offset)")
                #expect(MessageDate.parse(ours) == date, "\(ours)")
            }
        }
        #expect(MessageDate.parse("Sat, 29 Feb 2000 23:59:60 +0000") == Date(timeIntervalSince1970: 951_868_800))
        #expect(MessageDate.parse("1 Jan 99999999999999999 00:00 +0000") == nil)
        #expect(MessageDate.parse("99999999999999 Jan 2000 00:00 +0000") == nil)
        #expect(MessageDate.parse("1 Jan 2000 25:00 +0000") == nil)
    }

    @Test func contentTypesFromExtensions() {
        #expect(MediaType.forFileName("Invoice.PDF").mimeType == "application/pdf")
        #expect(MediaType.forFileName("a.xlsx").mimeType == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        #expect(MediaType.forFileName("a.docx").subtype == "vnd.openxmlformats-officedocument.wordprocessingml.document")
        #expect(MediaType.forFileName("photo.jpg").mimeType == "image/jpeg")
        #expect(MediaType.forFileName("x.ics").mimeType == "text/calendar")
        #expect(MediaType.forFileName("x.csv").mimeType == "text/csv")
        #expect(MediaType.forFileName("archive.zip").mimeType == "application/zip")
        #expect(MediaType.forFileName("noext").mimeType == "application/octet-stream")
        #expect(MediaType.forFileName("x.unknown").mimeType == "application/octet-stream")
    }

    @Test func punycode() {
        #expect(Punycode.asciiDomain("bücher.example") == "xn--bcher-kva.example")
        #expect(Punycode.asciiDomain("例子.测试") == "xn--fsqu00a.xn--0zwm56d")
        #expect(Punycode.asciiDomain("münchen.de") == "xn--mnchen-3ya.de")
        #expect(Punycode.asciiDomain("example.com") == "example.com")
    }
}
