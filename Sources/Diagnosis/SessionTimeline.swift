internal import Foundation
import NetIO

/// The times of a session's opening steps, read back from the transcript's timestamped lines
/// (docs/TRANSCRIPT.md): the clients open DNS, TCP, TLS and the greeting in one call, and the
/// transcript is where each step is stamped. `connected (N ms)` gives the TCP connect time; DNS
/// is what came before it; TLS ends at the `=== TLS` line; the greeting at the first line received.
struct SessionTimeline: Equatable {
    var dns: Int?
    var connect: Int?
    var tls: Int?
    var greeting: Int?

    /// Reads the lines stamped at or after `start`.
    static func read(_ lines: [String], since start: Date) -> SessionTimeline {
        var t = SessionTimeline()
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let startMs = floor(start.timeIntervalSince1970 * 1000)
        var connectedAt: Double?
        var tlsAt: Double?
        for line in lines {
            guard let space = line.firstIndex(of: " "), let date = formatter.date(from: String(line[..<space])) else { continue }
            let at = date.timeIntervalSince1970 * 1000
            guard at >= startMs else { continue }
            let rest = line[line.index(after: space)...]
            if connectedAt == nil, rest.hasPrefix("=== connect "), let r = rest.range(of: ": connected (") {
                let digits = rest[r.upperBound...].prefix { $0.isNumber }
                let connectMs = Int(digits) ?? 0
                connectedAt = at
                t.connect = connectMs
                t.dns = max(0, Int(at - startMs) - connectMs)
            } else if let c = connectedAt, tlsAt == nil, t.greeting == nil, rest.hasPrefix("=== TLS ") {
                tlsAt = at
                t.tls = max(0, Int(at - c))
            } else if let c = connectedAt, t.greeting == nil, rest.hasPrefix("<-") || rest.hasPrefix("<~") {
                t.greeting = max(0, Int(at - (tlsAt ?? c)))
                break
            }
        }
        return t
    }

    func milliseconds(_ stage: String) -> Int? {
        switch stage {
        case "DNS": dns
        case "connect": connect
        case "TLS": tls
        case "greeting": greeting
        default: nil
        }
    }
}
