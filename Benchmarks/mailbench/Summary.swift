import Foundation

/// The one-line JSON a subcommand prints at the end (keys sorted, so lines compare).
enum Summary {
    static func print(_ fields: [String: any Sendable]) {
        var object: [String: Any] = [:]
        for (k, v) in fields { object[k] = v }
        if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]),
           let line = String(data: data, encoding: .utf8) {
            Swift.print(line)
        }
    }

    /// Seconds since `start`, from the monotonic clock.
    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}

/// Reads a whole file (the peers read theirs whole too).
func readFile(_ path: String) throws -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw BenchFailure("cannot read \(path)")
    }
    return [UInt8](data)
}

/// A benchmark that could not do its work: printed, exit status 1.
struct BenchFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
