#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
import Glibc

/// What DATA or BDAT streams: the message in Internet Message Format (RFC 5322), written in
/// pieces so a large attachment never sits in memory whole. The MIME writer conforms through a
/// small adapter; raw bytes (`[UInt8]`, `Data`) and files (`URL`, `MessageFile`) conform here.
///
/// Line ends may be LF or CR LF: the client normalises them and dot-stuffs on the way out.
public protocol SMTPMessageSource: Sendable {
    /// The exact size in octets when known, for `SIZE=` (RFC 1870 §3); `nil` when unknown.
    var byteCount: Int? { get }
    /// The message holds 8-bit octets: send `BODY=8BITMIME` (RFC 6152 §2).
    var requires8BitMIME: Bool { get }
    /// The message has UTF-8 header fields: send `SMTPUTF8` (RFC 6531 §3.4).
    var requiresSMTPUTF8: Bool { get }
    /// Words for the transcript line `<message: N bytes, summary>` (never the content).
    var summary: String { get }
    /// Writes the message to `sink`, piece by piece, in order.
    func write(to sink: (ArraySlice<UInt8>) async throws -> Void) async throws
}

extension SMTPMessageSource {
    public var requiresSMTPUTF8: Bool { false }
    public var summary: String { "raw" }
}

extension Array: SMTPMessageSource where Element == UInt8 {
    public var byteCount: Int? { count }
    /// Whether any octet is above 127.
    public var requires8BitMIME: Bool { withUnsafeBytes { EightBit.present(in: $0) } }
    public func write(to sink: (ArraySlice<UInt8>) async throws -> Void) async throws {
        var start = 0
        while start < count {
            let end = Swift.min(count, start + MessageFile.chunkSize)
            try await sink(self[start..<end])
            start = end
        }
    }
}

extension Data: SMTPMessageSource {
    public var byteCount: Int? { count }
    /// Whether any octet is above 127.
    public var requires8BitMIME: Bool { withUnsafeBytes { EightBit.present(in: $0) } }
    public func write(to sink: (ArraySlice<UInt8>) async throws -> Void) async throws {
        var start = startIndex
        while start < endIndex {
            let end = Swift.min(endIndex, start + MessageFile.chunkSize)
            try await sink(ArraySlice(self[start..<end]))
            start = end
        }
    }
}

/// A message in a file, read in `chunkSize` pieces while it is sent (never read whole).
/// 8-bit content and UTF-8 headers cannot be known without reading, so the caller says.
public struct MessageFile: SMTPMessageSource {
    /// Read size: 64 KiB.
    public static let chunkSize = 64 * 1024

    public var url: URL
    public var requires8BitMIME: Bool
    public var requiresSMTPUTF8: Bool
    public var summary: String

    public init(_ url: URL, requires8BitMIME: Bool = false, requiresSMTPUTF8: Bool = false, summary: String? = nil) {
        self.url = url
        self.requires8BitMIME = requires8BitMIME
        self.requiresSMTPUTF8 = requiresSMTPUTF8
        self.summary = summary ?? "file \(url.lastPathComponent)"
    }

    public var byteCount: Int? {
        var st = stat()
        guard stat(url.path, &st) == 0 else { return nil }
        return Int(st.st_size)
    }

    /// Reads the file with `read(2)` into one reused buffer of `chunkSize` octets: memory stays
    /// at one chunk whatever the file's size. An unreadable file is a `MessageFileError`.
    public func write(to sink: (ArraySlice<UInt8>) async throws -> Void) async throws {
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw MessageFileError(path: url.path, errno: errno) }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: Self.chunkSize)
        // Bounded by the file's size: each pass reads at least one byte or ends.
        while true {
            try Task.checkCancellation()
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw MessageFileError(path: url.path, errno: errno)
            }
            if n == 0 { return }
            try await sink(buffer[0..<n])
        }
    }
}

/// A message file that could not be opened or read (`errno` as `open(2)` / `read(2)` set it).
public struct MessageFileError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var errno: Int32
    public var description: String { "cannot read \(path): \(String(cString: strerror(errno)))" }
}

extension URL: SMTPMessageSource {
    public var byteCount: Int? { MessageFile(self).byteCount }
    /// Unknown without reading the file: `false`; use `MessageFile` to say otherwise.
    public var requires8BitMIME: Bool { false }
    public var summary: String { "file \(lastPathComponent)" }
    public func write(to sink: (ArraySlice<UInt8>) async throws -> Void) async throws {
        try await MessageFile(self).write(to: sink)
    }
}

/// Finds an octet above 127, eight at a time.
enum EightBit {
    static func present(in buffer: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        let n = buffer.count
        while i + 8 <= n {
            if buffer.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return true }
            i += 8
        }
        while i < n {
            if buffer[i] >= 0x80 { return true }
            i += 1
        }
        return false
    }
}
