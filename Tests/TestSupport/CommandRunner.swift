import Foundation

/// Runs a program and returns its exit status and output.
public struct CommandResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
}

/// Runs a program and returns its exit status and output, without holding a thread of Swift's
/// cooperative pool while it runs: the waiting happens on a thread of its own. (On this 2-core
/// machine the pool has two threads; two tests blocked in `waitUntilExit` would stall every other
/// test's tasks, and the deadline tests would see seconds of extra delay.)
public func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) async throws -> CommandResult {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            continuation.resume(with: Result { try runBlocking(executable, arguments, environment: environment) })
        }
    }
}

/// The blocking form of `run`, for synchronous callers that are not on the cooperative pool.
public func runBlocking(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws -> CommandResult {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = arguments
    if let environment { p.environment = environment }
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    p.standardInput = FileHandle.nullDevice
    try p.run()
    // Read both pipes before waiting so a chatty child cannot block on a full pipe.
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return CommandResult(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self))
}

/// The built `mailprobe`, next to the test bundle in the build folder.
public func mailprobePath() -> String {
    var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for _ in 0..<4 {
        let candidate = dir.appendingPathComponent("mailprobe").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        dir = dir.deletingLastPathComponent()
    }
    return ".build/debug/mailprobe"
}
