internal import Foundation

/// The one sentence at the top of a probe's report, in a shop owner's words:
/// `Sending works. Receiving fails: the password for shop@example.com was refused by imap.example.com.`
enum ProbeVerdict {
    static func sentence(smtp: [StageReport], imap: [StageReport], selfTest: SelfTestReport?,
                         account: MailAccount) -> String {
        var parts: [String] = []
        if let s = account.smtp { parts.append(part("Sending", smtp, server: s)) }
        if let i = account.imap { parts.append(part("Receiving", imap, server: i)) }
        if parts.isEmpty { return "Nothing to test: the settings have neither [smtp] nor [imap]." }
        if let t = selfTest {
            if let seconds = t.deliverySeconds {
                parts.append("The test message reached \(t.recipient) in \(format(seconds)) s"
                             + (t.attachment.map { " with \($0)" } ?? "") + ".")
            }
        }
        return parts.joined(separator: " ")
    }

    private static func part(_ what: String, _ stages: [StageReport], server: ServerSettings) -> String {
        guard let failed = stages.first(where: { $0.status == .failed }) else {
            if stages.contains(where: { $0.status == .untrusted }) {
                return "\(what) is not proven: the certificate of \(server.host) is not trusted."
            }
            return "\(what) works."
        }
        let d = failed.diagnosis
        let user = server.credentials.isNone ? nil : server.credentials.user
        let reason: String
        switch failed.name {
        case "AUTH", "LOGIN", "AUTHENTICATE":
            if let user, d?.id.contains("password") == true || d?.id.contains("authentication-failed") == true
                || d?.id.contains("credentials") == true || d?.id.hasPrefix("fallback") == true {
                reason = "the password for \(user) was refused by \(server.host)"
            } else {
                reason = lowerFirst(d?.title ?? "the login was refused") + " (\(server.host))"
            }
        case "DNS":
            reason = "the server name \(server.host) was not found"
        case "connect":
            reason = lowerFirst(d?.title ?? "no connection to \(server.host):\(server.port)")
        default:
            reason = lowerFirst(d?.title ?? "the \(failed.name) step failed") + " (\(failed.name), \(server.host):\(server.port))"
        }
        return "\(what) fails: \(reason)."
    }

    private static func lowerFirst(_ s: String) -> String {
        guard let first = s.first else { return s }
        // Keep names (Gmail, STARTTLS, Microsoft) as they are.
        let second = s.dropFirst().first
        if first.isUppercase, second?.isLowercase == true, !["Gmail", "Google", "Microsoft", "Outlook", "Yahoo", "iCloud", "SendGrid", "Office"]
            .contains(where: { s.hasPrefix($0) }) {
            return first.lowercased() + s.dropFirst()
        }
        return s
    }

    static func format(_ seconds: Double) -> String {
        String(format: seconds < 1 ? "%.2f" : "%.1f", seconds)
    }
}
