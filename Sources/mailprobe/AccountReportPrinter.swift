import Diagnosis
import Foundation
import Glibc

/// Renders an account probe for people: the verdict first, then the stage table, then each
/// diagnosis with its evidence. Colour only when the output is a terminal.
struct AccountReportPrinter {
    var colour: Bool

    static func forStandardOutput() -> AccountReportPrinter {
        AccountReportPrinter(colour: isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil)
    }

    func paint(_ s: String, _ code: String) -> String { colour ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }

    func text(_ r: AccountReport) -> String {
        var out = paint(r.verdict, r.ok ? "1;32" : "1;31") + "\n\n"
        out += table(r)
        let failures = r.failures
        if !failures.isEmpty {
            out += "\n"
            for f in failures { out += diagnosis(f) }
        }
        if !r.advice.isEmpty {
            out += "\n" + r.advice.map { "Advice: \($0)" }.joined(separator: "\n") + "\n"
        }
        if let t = r.selfTest {
            out += "\nSelf-test: token \(t.token) to \(t.recipient)"
            if let a = t.attachment { out += " with \(a) (\(t.attachmentBytes ?? 0) bytes)" }
            out += "\n"
            if let q = t.queuedReply { out += "  accepted:  \(q)\n" }
            if let d = t.deliverySeconds { out += "  delivered: after \(String(format: d < 1 ? "%.2f" : "%.1f", d)) s\n" }
            if let i = t.attachmentIntact { out += "  attachment intact: \(i ? "yes" : "NO")\n" }
            if let s = t.sentMailbox { out += "  copy saved in: \(s)\n" }
        }
        return out
    }

    func table(_ r: AccountReport) -> String {
        var out = ""
        for (title, stages) in [("SMTP", r.smtp), ("IMAP", r.imap)] where !stages.isEmpty {
            out += title + "\n"
            for s in stages {
                let mark: String = switch s.status {
                case .passed: paint("ok  ", "32")
                case .failed: paint("FAIL", "1;31")
                case .skipped: paint("--  ", "2")
                case .untrusted: paint("??  ", "33")
                }
                let time = s.status == .skipped || (s.status == .untrusted && s.milliseconds == 0) ? "" : "\(s.milliseconds) ms"
                out += "  \(mark) \(s.name.padding(toLength: 11, withPad: " ", startingAt: 0))"
                    + "\(time.padding(toLength: 9, withPad: " ", startingAt: 0))\(oneLine(s.detail))\n"
            }
        }
        return out
    }

    func diagnosis(_ s: StageReport) -> String {
        guard let d = s.diagnosis else { return "" }
        var out = paint("\(s.protocol) \(s.name): \(d.title)", "1") + "\n"
        out += "  Cause:    \(d.cause)\n"
        out += "  Fix:      \(d.fix)\n"
        out += "  Evidence: \(d.evidence)\n"
        out += "  (\(d.id)\(d.isTransient ? ", may pass if tried again later" : ""))\n"
        return out
    }

    func oneLine(_ s: String) -> String {
        let flat = s.replacingOccurrences(of: "\n", with: " / ")
        return flat.count > 110 ? String(flat.prefix(107)) + "..." : flat
    }
}
