import Diagnosis
import Foundation
import Glibc

/// The one text file a shop owner mails to support (issue 6 item 6): the verdict and diagnosis,
/// the stage table, the settings with secrets shown as `<set, N characters>`, the versions of
/// the engine, OpenSSL and Cyrus SASL, the SASL mechanisms available, and the redacted transcript.
enum SupportBundle {
    static func text(report: AccountReport?, account: MailAccount, warnings: [SettingsWarning], command: String,
                     transcript: [String]) -> String {
        let printer = AccountReportPrinter(colour: false)
        var out = "MailEngine support bundle\n"
        out += "created:  \(ISO8601DateFormatter().string(from: Date()))\n"
        out += "command:  \(command)\n"
        out += "computer: \(systemName())\n\n"
        if let report {
            out += "== Verdict\n\(report.verdict)\n\n"
            let failures = report.failures
            out += "== Diagnosis\n"
            out += failures.isEmpty ? "no failures\n" : failures.map(printer.diagnosis).joined(separator: "\n")
            out += "\n== Stages\n" + printer.table(report)
            if let t = report.selfTest {
                out += "\n== Self-test\ntoken \(t.token), to \(t.recipient)"
                    + (t.deliverySeconds.map { String(format: ", delivered after %.1f s", $0) } ?? ", not found over IMAP") + "\n"
            }
            out += "\n"
        }
        out += "== Settings (secrets are never shown)\n\(account)\n"
        for a in report?.advice ?? [] { out += "advice: \(a)\n" }
        for w in warnings { out += "warning: \(w)\n" }
        out += "\n== Versions\n"
        out += "engine:          \(EngineVersions.engine)\n"
        out += "OpenSSL:         \(EngineVersions.openSSL)\n"
        out += "Cyrus SASL:      \(EngineVersions.cyrusSASL)\n"
        out += "SASL mechanisms: \(EngineVersions.saslMechanisms.joined(separator: " "))\n"
        out += "\n== Transcript (redacted)\n"
        out += transcript.isEmpty ? "(empty)\n" : transcript.joined(separator: "\n") + "\n"
        return AccountSecrets.scrub(out, AccountSecrets.secrets(of: account))
    }

    static func write(_ text: String, to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }

    static func systemName() -> String {
        var u = utsname()
        guard uname(&u) == 0 else { return "unknown" }
        func field<T>(_ value: inout T) -> String {
            withUnsafePointer(to: &value) { $0.withMemoryRebound(to: CChar.self, capacity: MemoryLayout<T>.size) { String(cString: $0) } }
        }
        return "\(field(&u.sysname)) \(field(&u.release)) \(field(&u.machine))"
    }
}
