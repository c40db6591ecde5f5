import Foundation
import Glibc

/// Writes that survive a crash or power loss: write a temporary file, fsync it, rename it over
/// the target, fsync the directory. Readers see the old file or the new one, never a torn one.
enum DurableFile {
    /// Atomically replaces `target` with `data`. `scratch` must be on the same file system.
    static func write(_ data: Data, to target: URL, scratch: URL) throws {
        let tmp = scratch.appendingPathComponent(".\(target.lastPathComponent).\(UUID().uuidString).tmp")
        let fd = open(tmp.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw OutboxError.io("create \(tmp.path)", errno) }
        var ok = false
        defer {
            if !ok { unlink(tmp.path) }
        }
        do {
            try data.withUnsafeBytes { try writeAll(fd, $0) }
            guard fsync(fd) == 0 else { throw OutboxError.io("fsync \(tmp.path)", errno) }
        } catch {
            close(fd)
            throw error
        }
        close(fd)
        try commit(tmp, to: target)
        ok = true
    }

    /// Renames a fully written and fsynced file into place and fsyncs both directories.
    static func commit(_ tmp: URL, to target: URL) throws {
        guard rename(tmp.path, target.path) == 0 else { throw OutboxError.io("rename to \(target.path)", errno) }
        try syncDirectory(target.deletingLastPathComponent())
        if tmp.deletingLastPathComponent().path != target.deletingLastPathComponent().path {
            try syncDirectory(tmp.deletingLastPathComponent())
        }
    }

    static func syncDirectory(_ dir: URL) throws {
        let fd = open(dir.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw OutboxError.io("open directory \(dir.path)", errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw OutboxError.io("fsync directory \(dir.path)", errno) }
    }

    static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < buffer.count {
            let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw OutboxError.io("write", errno)
            }
            offset += n
        }
    }
}

/// A file being written in the spool's scratch directory, streamed in chunks, then committed.
final class SpoolWriter {
    let tmp: URL
    private let fd: Int32
    private(set) var size = 0

    init(in scratch: URL) throws {
        tmp = scratch.appendingPathComponent(".\(UUID().uuidString).tmp")
        fd = open(tmp.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw OutboxError.io("create \(tmp.path)", errno) }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        try DurableFile.writeAll(fd, bytes)
        size += bytes.count
    }

    /// fsyncs and renames into place.
    func commit(to target: URL) throws {
        guard fsync(fd) == 0 else { throw OutboxError.io("fsync \(tmp.path)", errno) }
        close(fd)
        try DurableFile.commit(tmp, to: target)
    }

    func abandon() {
        close(fd)
        unlink(tmp.path)
    }
}
