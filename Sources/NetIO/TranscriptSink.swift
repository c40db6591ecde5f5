#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
public import Logging

/// Where transcript lines go besides the in-memory ring.
public protocol TranscriptSink: Sendable {
    /// Called once per line, without the line end.
    func write(line: String)
}

/// Appends each line to a file (the `LogSMTP=path` option), written with one `write(2)` per line so
/// a crash keeps everything logged before it. The file is created with mode 0600.
public final class FileTranscriptSink: TranscriptSink {
    private let fd: Int32
    public let path: String

    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw NetIOError(kind: .system(errno: errno), stage: "transcript",
                             evidence: "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        self.fd = fd
    }

    public func write(line: String) {
        var bytes = Array(line.utf8)
        bytes.append(0x0A)
        bytes.withUnsafeBytes { buf in
            var off = 0
            while off < buf.count {
                let n = Glibc.write(fd, buf.baseAddress! + off, buf.count - off)
                if n <= 0 { if errno == EINTR { continue } else { return } }
                off += n
            }
        }
    }

    deinit { close(fd) }
}

/// Sends each line to swift-log at `debug` level (or the level given).
public struct LoggerTranscriptSink: TranscriptSink {
    public let logger: Logger
    public let level: Logger.Level

    public init(logger: Logger, level: Logger.Level = .debug) {
        self.logger = logger
        self.level = level
    }

    public func write(line: String) { logger.log(level: level, "\(line)") }
}
