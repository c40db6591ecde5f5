import Foundation
import NetIO
import SMTP

/// One stage of `mailprobe smtp` with its duration.
struct StageRecord {
    var name: String
    var duration: Duration
    var ok: Bool
}

/// Everything `mailprobe smtp` learned, for the printer and the exit status.
struct SMTPProbeResult {
    let host: String
    let port: UInt16
    let user: String?
    let sending: Bool
    var stages: [StageRecord] = []
    var tls: TLSReport?
    var capabilities: SMTPCapabilities?
    var mechanism: String?
    var recipients: [RecipientResult] = []
    var result: SMTPSendResult?
    var error: (any Error)?

    var ok: Bool { error == nil }

    /// The failed stage, or the last one reached.
    var stage: String {
        if let e = error as? SMTPError { return e.stage.rawValue }
        if error != nil { return stages.last?.name ?? "connect" }
        return stages.last?.name ?? "connect"
    }

    /// `nil` on success; else the README's status for the failed stage.
    var exitCode: Int32? {
        guard let error else { return nil }
        if let e = error as? SMTPError {
            // The 465/587 mix-up is a TLS problem whichever step noticed it (README table).
            if let kind = e.netIO?.kind, kind == .tlsOnPlaintextPort || kind == .plaintextOnTLSPort { return ProbeExit.tls }
            return ProbeExit.code(for: e.stage)
        }
        return error is CancellationError ? 1 : ProbeExit.sending
    }
}

/// Receives every transcript line as it is written, with the time, to split stages.
final class MarkSink: TranscriptSink, @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [(ContinuousClock.Instant, String)] = []

    func write(line: String) {
        let now = ContinuousClock.now
        lock.withLock { lines.append((now, line)) }
    }

    var count: Int { lock.withLock { lines.count } }

    func marks(from index: Int) -> [(ContinuousClock.Instant, String)] {
        lock.withLock { Array(lines[min(index, lines.count)...]) }
    }
}

/// Times the client's verbs and splits them into the stages people know, using the transcript.
struct StageRunner {
    let marks: MarkSink
    let implicitTLS: Bool

    /// Runs one verb as one stage; on failure the stage is the error's.
    func run<T>(_ stage: Stage, into probe: inout SMTPProbeResult, _ body: () async throws -> T) async throws {
        let start = ContinuousClock.now
        let mark = marks.count
        do {
            _ = try await body()
            if stage == .connect {
                probe.stages += splitOpen(from: start, marks: mark, implicitTLS: implicitTLS, failed: nil)
            } else {
                probe.stages.append(StageRecord(name: stage.rawValue, duration: start.duration(to: .now), ok: true))
            }
        } catch {
            if stage == .connect {
                probe.stages += splitOpen(from: start, marks: mark, implicitTLS: implicitTLS, failed: error)
            } else {
                probe.stages.append(StageRecord(name: stage.rawValue, duration: start.duration(to: .now), ok: false))
            }
            throw error
        }
    }

    /// `open()` as connect, TLS (implicit) and greeting, by the transcript's connect and TLS facts.
    func splitOpen(from start: ContinuousClock.Instant, marks index: Int, implicitTLS: Bool,
                   failed: (any Error)?) -> [StageRecord] {
        let end = ContinuousClock.now
        let lines = marks.marks(from: index)
        let failedStage = (failed as? SMTPError)?.stage
        var out: [StageRecord] = []
        var previous = start
        var steps: [(String, (String) -> Bool)] = [("connect", { $0.contains("=== connect ") && $0.contains(" connected") })]
        if implicitTLS || failedStage == .tls { steps.append(("TLS", { $0.contains("=== TLS ") })) }
        for (name, matches) in steps {
            guard let t = lines.first(where: { $0.0 >= previous && matches($0.1) })?.0, failedStage?.rawValue != name else {
                out.append(StageRecord(name: failedStage?.rawValue ?? name, duration: previous.duration(to: end), ok: false))
                return out
            }
            out.append(StageRecord(name: name, duration: previous.duration(to: t), ok: true))
            previous = t
        }
        out.append(StageRecord(name: "greeting", duration: previous.duration(to: end), ok: failed == nil))
        return out
    }

    /// `send` as MAIL/RCPT (until the last RCPT reply) and DATA (the message and the final reply).
    func splitSend(from start: ContinuousClock.Instant, marks index: Int, failed: (any Error)?) -> [StageRecord] {
        let end = ContinuousClock.now
        let lines = marks.marks(from: index)
        let rcpts = lines.filter { $0.1.contains("> RCPT TO:") }.count
        // Final reply lines (`<~  250 …`, not `250-`) in order: MAIL's, then one per RCPT.
        let finals = lines.filter { line in
            guard let r = line.1.range(of: #"<[-~][ *] +\d{3} "#, options: .regularExpression) else { return false }
            return !r.isEmpty
        }
        let failedStage = (failed as? SMTPError)?.stage
        guard rcpts > 0, finals.count > rcpts else {
            return [StageRecord(name: "MAIL/RCPT", duration: start.duration(to: end), ok: false)]
        }
        let t = finals[rcpts].0
        let rcptFailed = failed != nil && (failedStage == .mail || failedStage == .rcpt)
        var out = [StageRecord(name: "MAIL/RCPT", duration: start.duration(to: t), ok: !rcptFailed)]
        if !rcptFailed { out.append(StageRecord(name: "DATA", duration: t.duration(to: end), ok: failed == nil)) }
        return out
    }
}

/// Renders `mailprobe smtp` for people (text) and programs (JSON).
enum SMTPProbePrinter {
    static func errorText(_ error: any Error) -> String {
        if let e = error as? SMTPError { return e.description }
        return "\(error)"
    }

    static func verdict(_ p: SMTPProbeResult) -> String {
        let server = "\(p.host):\(p.port)"
        if let error = p.error {
            var text = errorText(error)
            if text.hasPrefix(p.stage + ": ") { text.removeFirst(p.stage.count + 2) }
            return "SMTP FAILED at \(p.stage): \(text)"
        }
        if let r = p.result {
            return "SMTP OK: \(server) accepted the message for \(r.accepted.count) of \(r.recipients.count) recipient"
                + (r.recipients.count == 1 ? "" : "s") + (r.queueID.map { " (queue id \($0))" } ?? "")
        }
        if let m = p.mechanism {
            return "SMTP OK: \(server) accepted the login of \(p.user ?? "?") with \(m) (settings test; nothing sent)"
        }
        return "SMTP OK: \(server) answers (no credentials given; nothing sent)"
    }

    static func detail(_ stage: StageRecord, _ p: SMTPProbeResult) -> String {
        guard stage.ok else { return "FAILED" }
        switch stage.name {
        case "TLS": return p.tls.map { "\($0.version) \($0.cipher), \($0.verdict)" } ?? ""
        case "EHLO": return p.capabilities.map { String($0.summary.prefix(100)) } ?? ""
        case "AUTH": return p.mechanism.map { "\($0) as \(p.user ?? "?")" } ?? ""
        case "MAIL/RCPT":
            let n = p.recipients.count
            return "\(n) recipient\(n == 1 ? "" : "s"), \(p.recipients.count(where: \.accepted)) accepted"
        case "DATA":
            return p.result.map { "\($0.messageSize) bytes" + ($0.usedChunking ? " by BDAT" : " by DATA") } ?? ""
        default: return ""
        }
    }

    static func milliseconds(_ d: Duration) -> Int {
        Int(d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000)
    }

    static func text(_ p: SMTPProbeResult) -> String {
        var out = verdict(p) + "\n"
        if let e = p.error as? SMTPError, let explanation = e.explanation, !out.contains(explanation) {
            out += "  reason: \(explanation)\n"
        }
        out += "\n"
        for s in p.stages {
            let name = s.name.padding(toLength: 10, withPad: " ", startingAt: 0)
            let ms = String(milliseconds(s.duration))
            out += "  \(name) " + String(repeating: " ", count: max(0, 6 - ms.count)) + ms + " ms  " + detail(s, p) + "\n"
        }
        if !p.recipients.isEmpty {
            out += "\nrecipients:\n"
            for r in p.recipients {
                out += "  \(r.address)  \(r.accepted ? "accepted" : "REFUSED")  \(r.code) \(r.enhancedCode.map { $0 + " " } ?? "")"
                    + "\(r.text.replacingOccurrences(of: "\n", with: " "))\n"
            }
        }
        if let id = p.result?.messageID { out += "\nmessage-id: \(id)\n" }
        return out
    }

    static func json(_ p: SMTPProbeResult) -> String {
        var object: [String: Any] = ["ok": p.ok, "stage": p.stage, "error": p.error.map(errorText) ?? NSNull()]
        if let t = p.tls {
            object["tls"] = ["version": t.version, "cipher": t.cipher, "trusted": t.trusted, "verdict": t.verdict,
                             "hostnameMatches": t.hostnameMatches] as [String: Any]
        } else {
            object["tls"] = NSNull()
        }
        object["capabilities"] = p.capabilities.map { caps in
            caps.extensions.map { ([$0.keyword] + $0.parameters).joined(separator: " ") }
        } ?? NSNull()
        object["auth"] = ["mechanism": p.mechanism ?? NSNull(), "user": p.user ?? NSNull()] as [String: Any]
        object["recipients"] = p.recipients.map { r in
            ["address": r.address, "accepted": r.accepted, "code": r.code, "enhancedCode": r.enhancedCode ?? NSNull(),
             "text": r.text] as [String: Any]
        }
        object["queueId"] = p.result?.queueID ?? NSNull()
        object["messageId"] = p.result?.messageID ?? NSNull()
        object["messageSize"] = p.result?.messageSize ?? NSNull()
        object["explanation"] = (p.error as? SMTPError)?.explanation ?? NSNull()
        object["stages"] = p.stages.map { ["name": $0.name, "ms": milliseconds($0.duration), "ok": $0.ok] as [String: Any] }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
