import Foundation
import Glibc

/// A real HTTP server (Python's http.server) on 127.0.0.1 serving a folder of files a test
/// writes; a `ChildProcess`, stopped and reaped when the instance goes away, and its folder
/// removed.
public final class LocalHTTPServer: @unchecked Sendable {
    /// Ports tried: a port found free can be taken by someone else before Python binds it.
    static let startAttempts = 3
    public let port: UInt16
    let process: ChildProcess
    /// The folder served.
    public let root: String

    /// Starts the server with `files` (path → body) and returns once it accepts connections,
    /// waiting on a thread of its own (not on the cooperative pool).
    public static func start(files: [String: String]) async throws -> LocalHTTPServer {
        try await onOwnThread { try LocalHTTPServer(files: files) }
    }

    /// The blocking form of `start`.
    public init(files: [String: String]) throws {
        root = NSTemporaryDirectory() + "http-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        for (path, body) in files {
            let full = root + "/" + path
            try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: full, contents: Data(body.utf8))
        }
        let root = root
        do {
            let started = try LoopbackPorts.startServer(attempts: Self.startAttempts, failure: {
                StartFailure(description: "http.server did not start on port \($0)")
            }) { port in
                try ChildProcess("/usr/bin/env", ["python3", "-m", "http.server", String(port), "--bind", "127.0.0.1",
                                                  "--directory", root])
            }
            port = started.port
            process = started.child
        } catch let failure as StartFailure {
            try? FileManager.default.removeItem(atPath: root)
            throw failure
        }
    }

    public struct StartFailure: Error, CustomStringConvertible { public var description: String }

    /// `http://127.0.0.1:PORT`.
    public var base: String { "http://127.0.0.1:\(port)" }

    deinit {
        process.stop()
        try? FileManager.default.removeItem(atPath: root)
    }
}
