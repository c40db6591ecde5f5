internal import Glibc
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Text in a named charset (RFC 2045 §5.1 `charset=`, RFC 2047 §2, RFC 2231 §4) to Swift
/// strings: UTF-8, US-ASCII and ISO-8859-1 natively, every other charset through iconv.
enum Charset {
    /// The charset name normalised for comparison: lower case, no surrounding quotes or space.
    static func normalise(_ name: String) -> String {
        var n = name.trimmingWSP().lowercased()
        if n.hasPrefix("\""), n.hasSuffix("\""), n.count >= 2 { n = String(n.dropFirst().dropLast()) }
        if let star = n.firstIndex(of: "*") { n = String(n[..<star]) }   // RFC 2231 §5 language
        return n
    }

    /// Decodes `bytes` in `charset`; nil when the charset is unknown or the bytes are not valid in it.
    static func decode<C: Collection<UInt8>>(_ bytes: C, charset: String) -> String? {
        switch normalise(charset) {
        case "utf-8", "utf8", "us-ascii", "ascii", "ansi_x3.4-1968", "us", "":
            return String(validating: bytes, as: UTF8.self)
        case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "iso_8859-1":
            return String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) }))
        case let name:
            return iconvDecode(Array(bytes), from: aliases[name] ?? name)
        }
    }

    /// Decodes with a fallback that never fails: the charset if known, else UTF-8 if valid,
    /// else Windows-1252 (what unlabeled 8-bit mail most often is). `known` tells which happened.
    static func decodeLeniently<C: Collection<UInt8>>(_ bytes: C, charset: String?) -> (text: String, exact: Bool) {
        if let charset, let s = decode(bytes, charset: charset) { return (s, true) }
        if let s = String(validating: bytes, as: UTF8.self) { return (s, charset == nil) }
        if let s = iconvDecode(Array(bytes), from: "WINDOWS-1252") { return (s, false) }
        return (String(String.UnicodeScalarView(bytes.map { Unicode.Scalar($0) })), false)
    }

    /// Names seen in real mail that iconv spells differently.
    private static let aliases: [String: String] = [
        "ks_c_5601-1987": "CP949", "x-sjis": "SHIFT_JIS", "x-mac-roman": "MACINTOSH",
        "gb2312": "GB18030", "gbk": "GB18030", "x-gbk": "GB18030", "x-euc-jp": "EUC-JP",
        "windows-874": "CP874", "x-user-defined": "WINDOWS-1252", "unicode-1-1-utf-7": "UTF-7",
    ]

    /// Converts through iconv(3) to UTF-8; nil for an unknown charset or an invalid sequence.
    static func iconvDecode(_ input: [UInt8], from charset: String) -> String? {
        let cd = iconv_open("UTF-8", charset)
        if cd == iconv_t(bitPattern: -1) { return nil }
        defer { iconv_close(cd) }
        if input.isEmpty { return "" }
        var output = [UInt8](repeating: 0, count: input.count * 4 + 16)
        var input = input
        let produced: Int? = input.withUnsafeMutableBufferPointer { inBuf -> Int? in
            output.withUnsafeMutableBufferPointer { outBuf -> Int? in
                var inPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(inBuf.baseAddress!).assumingMemoryBound(to: CChar.self)
                var inLeft = inBuf.count
                var outPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(outBuf.baseAddress!).assumingMemoryBound(to: CChar.self)
                var outLeft = outBuf.count
                let r = iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
                if r == -1 || inLeft != 0 { return nil }
                _ = iconv(cd, nil, nil, &outPtr, &outLeft)
                return outBuf.count - outLeft
            }
        }
        guard let produced else { return nil }
        return String(validating: output[..<produced], as: UTF8.self)
    }
}
