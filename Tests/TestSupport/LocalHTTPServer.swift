import Foundation
import Glibc

/// A real HTTP server (Python's http.server) on 127.0.0.1 serving a folder of files a test
/// writes; a `ChildProcess`, stopped and reaped when the instance goes away, and its folder
/// removed.
public final class LocalHTTPServer: @unchecked Sendable {
    /// The server: the stock `http.server` handler on a port of its own choosing (port 0), which it
    /// reports once it listens (`LoopbackPorts.startReportingServer`).
    static let script = """
        import functools, http.server, sys
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        host, port = server.server_address[:2]
        print(f"ACCEPT {host}:{port}", flush=True)
        server.serve_forever()
        """
    public let port: UInt16
    let process: ChildProcess
    /// The folder served.
    public let root: String

    /// Starts the server with `files` (path → body) and returns once it reports that it listens
    /// (at most `LoopbackPorts.reportTimeout`), waiting on a thread of its own (not on the
    /// cooperative pool).
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
            let started = try LoopbackPorts.startReportingServer(failure: {
                StartFailure(description: "http.server did not start: \($0)")
            }) { stdoutPath, stderrPath in
                try ChildProcess("/usr/bin/env", ["python3", "-c", Self.script, root],
                                 stdoutPath: stdoutPath, stderrPath: stderrPath)
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
