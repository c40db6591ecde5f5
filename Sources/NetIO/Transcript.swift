#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
import Glibc

/// The session log a support desk reads: one timestamped line per event, in the format of
/// docs/TRANSCRIPT.md (`<-` / `->` plain, `<~` / `~>` inside TLS, `*` unexpected reply, `===` facts,
/// `!!!` diagnosis). Secrets never reach it: callers pass `TranscriptText`, already redacted.
///
/// It keeps the last lines in memory (for error reports) and copies each line to its sinks.
public final class Transcript: Sendable {
    /// A line as recorded: formatted only when it is read (or copied to a sink), so a busy
    /// session (a line per fetched message) costs a clock read and a store per line.
    private struct Entry {
        var time: Double
        var prefix: String
        var text: String
    }

    private struct State {
        var ring: [Entry] = []
        var next = 0
        /// The last second formatted and its `2026-11-22T10:15:02.` text: the date is formatted
        /// once a second, not once a line.
        var stampSecond = Int.min
        var stampPrefix = ""

        mutating func format(_ e: Entry) -> String {
            let second = Int(e.time.rounded(.down))
            let ms = min(999, max(0, Int((e.time - Double(second)) * 1000)))
            if stampSecond != second {
                stampSecond = second
                let stamp = Transcript.timestamp(Date(timeIntervalSince1970: Double(second)))
                stampPrefix = String(stamp.dropLast(4))  // without "000Z"
            }
            var line = ""
            line.reserveCapacity(stampPrefix.utf8.count + e.prefix.utf8.count + e.text.utf8.count + 7)
            line += stampPrefix
            line += Transcript.threeDigits[ms]
            line += "Z "
            line += e.prefix
            line += " "
            line += e.text
            return line
        }

        mutating func store(_ e: Entry, capacity: Int) {
            if ring.count < capacity {
                ring.append(e)
            } else {
                ring[next] = e
                next = (next + 1) % capacity
            }
        }
    }

    private let sinks: [any TranscriptSink]
    private let capacity: Int
    private let clock: @Sendable () -> Date
    private let state = Locked(State())

    /// - Parameters:
    ///   - sinks: where each line is copied (a file, swift-log, …).
    ///   - ringCapacity: how many recent lines are kept in memory for error reports.
    ///   - clock: injectable for tests.
    public init(sinks: [any TranscriptSink] = [], ringCapacity: Int = 200,
                clock: @escaping @Sendable () -> Date = { Date() }) {
        self.sinks = sinks
        self.capacity = max(1, ringCapacity)
        self.clock = clock
    }

    /// A line the client sent.
    public func sent(_ text: TranscriptText, tls: Bool) {
        emit(tls ? " ~>" : " ->", text.rendered)
    }

    /// A line the server sent; `unexpected` marks a reply the client did not expect (`<-*`).
    public func received(_ line: String, tls: Bool, unexpected: Bool = false) {
        emit(tls ? (unexpected ? "<~*" : "<~ ") : (unexpected ? "<-*" : "<- "), Self.printable(line))
    }

    /// A fact established by the client: connect attempts, the TLS report.
    public func fact(_ text: String) { emit("===", text) }

    /// A diagnosis: what went wrong and the fix.
    public func diagnosis(_ text: String) { emit("!!!", text) }

    /// The most recent lines, oldest first.
    public var lastLines: [String] { tail(capacity) }

    /// The last `n` lines, oldest first.
    public func tail(_ n: Int) -> [String] {
        state.withLock { s in
            let entries = s.ring.count < capacity ? s.ring : Array(s.ring[s.next...] + s.ring[..<s.next])
            return entries.suffix(n).map { s.format($0) }
        }
    }

    private func emit(_ prefix: String, _ text: String) {
        let entry = Entry(time: clock().timeIntervalSince1970, prefix: prefix, text: text)
        if sinks.isEmpty {
            state.withLock { $0.store(entry, capacity: capacity) }
            return
        }
        let line: String = state.withLock { s in
            s.store(entry, capacity: capacity)
            return s.format(entry)
        }
        for sink in sinks { sink.write(line: line) }
    }

    /// `000` … `999`, for the milliseconds of a timestamp.
    private static let threeDigits: [String] = (0..<1000).map { Digits.decimal($0, width: 3) }

    /// `2026-11-22T10:15:02.190Z` (RFC 3339, UTC, milliseconds).
    static func timestamp(_ date: Date) -> String {
        let t = date.timeIntervalSince1970
        var seconds = time_t(t.rounded(.down))
        let ms = Int((t - Double(seconds)) * 1000)
        var tm = tm()
        gmtime_r(&seconds, &tm)
        func pad(_ v: Int32, _ w: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, w - s.count)) + s
        }
        return "\(pad(tm.tm_year + 1900, 4))-\(pad(tm.tm_mon + 1, 2))-\(pad(tm.tm_mday, 2))T"
            + "\(pad(tm.tm_hour, 2)):\(pad(tm.tm_min, 2)):\(pad(tm.tm_sec, 2)).\(pad(Int32(ms), 3))Z"
    }

    /// Server text as one printable line: control bytes shown as `\xNN`.
    static func printable(_ s: String) -> String {
        // Control characters are single UTF-8 bytes (never inside a multi-byte sequence).
        func isControl(_ b: UInt8) -> Bool { b < 0x20 || b == 0x7F }
        let clean = s.utf8.withContiguousStorageIfAvailable { !$0.contains(where: isControl) }
            ?? !s.utf8.contains(where: isControl)
        guard !clean else { return s }
        var out = ""
        for u in s.unicodeScalars {
            if u.value < 0x20 || u.value == 0x7F {
                out += "\\x" + String(u.value, radix: 16, uppercase: true).leftPadded(2)
            } else {
                out.unicodeScalars.append(u)
            }
        }
        return out
    }
}

extension String {
    func leftPadded(_ width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
