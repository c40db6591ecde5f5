import Foundation
import IMAP
import NetIO

/// Renders `mailprobe imap` for people (text) and programs (JSON).
enum IMAPProbePrinter {
    static func text(_ r: IMAPProbeResult, host: String, port: UInt16) -> String {
        var out = ""
        if r.ok {
            out += "IMAP OK: \(host):\(port) logged in, \(plural(r.folders.count, "folder"))"
            if let box = r.mailbox { out += ", \(box.name) has \(plural(Int(box.exists), "message"))" }
            out += ".\n"
        } else {
            out += "IMAP FAILED at \(r.stage): \(r.error ?? "unknown error")\n"
            if let hint = r.hint { out += "hint: \(hint)\n" }
        }
        out += "\n"
        for s in r.steps { out += row(s.stage, "ok  \(milliseconds(s.duration))  \(s.detail)") }
        if !r.ok { out += row(r.stage.rawValue, "FAILED") }
        for a in r.alerts { out += row("ALERT", a) }
        if !r.capabilities.isEmpty { out += "\n" + row("capabilities", r.capabilities.joined(separator: " ")) }
        if !r.folders.isEmpty {
            out += "\nFolders:\n"
            for f in r.folders {
                out += "  " + f.name.name + (f.specialUse.map { "  \($0)" } ?? "") + "\n"
            }
        }
        if let box = r.mailbox {
            out += "\nMailbox \(box.name):\n"
            out += row("messages", "\(box.exists)" + (box.unseen.map { " (first unseen #\($0))" } ?? ""))
            out += row("UIDVALIDITY", box.uidValidity.map(String.init) ?? "none")
            out += row("UIDNEXT", box.uidNext.map(String.init) ?? "none")
        }
        if !r.messages.isEmpty {
            out += "\nNewest messages:\n"
            for m in r.messages {
                let date = m.date.map(day) ?? m.dateText ?? "?"
                out += "  \(m.uid)  \(date)  \(m.from)  \(m.subject)\n"
            }
        }
        return out
    }

    static func json(_ r: IMAPProbeResult) throws -> String {
        var tls: Any = NSNull()
        if let t = r.tls {
            tls = ["version": t.version, "cipher": t.cipher, "trusted": t.trusted, "hostnameMatches": t.hostnameMatches,
                   "chainTrusted": t.chainTrusted] as [String: Any]
        }
        var mailbox: Any = NSNull()
        if let b = r.mailbox {
            mailbox = ["name": b.name.name, "exists": b.exists, "uidValidity": b.uidValidity.map { $0 as Any } ?? NSNull(),
                       "uidNext": b.uidNext.map { $0 as Any } ?? NSNull(), "readOnly": b.readOnly] as [String: Any]
        }
        let object: [String: Any] = [
            "ok": r.ok,
            "stage": r.stage.rawValue,
            "error": r.error.map { $0 as Any } ?? NSNull(),
            "exitCode": r.exitCode,
            "tls": tls,
            "capabilities": r.capabilities,
            "mechanism": r.mechanism.map { $0 as Any } ?? NSNull(),
            "steps": r.steps.map { ["stage": $0.stage, "ms": millis($0.duration), "detail": $0.detail] as [String: Any] },
            "folders": r.folders.map { f in
                ["name": f.name.name, "attributes": f.attributes.map(\.rawValue),
                 "specialUse": f.specialUse.map { $0.rawValue as Any } ?? NSNull()] as [String: Any]
            },
            "mailbox": mailbox,
            "messages": r.messages.map { m in
                ["uid": m.uid, "from": m.from, "subject": m.subject,
                 "date": m.date.map { iso($0) as Any } ?? m.dateText.map { $0 as Any } ?? NSNull(),
                 "size": m.size.map { $0 as Any } ?? NSNull()] as [String: Any]
            },
            "alerts": r.alerts,
            "hint": r.hint.map { $0 as Any } ?? NSNull(),
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    static func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }

    private static func row(_ label: String, _ value: String) -> String {
        "  " + label.padding(toLength: 14, withPad: " ", startingAt: 0) + value + "\n"
    }

    private static func millis(_ d: Duration) -> Int {
        Int(d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000)
    }

    private static func milliseconds(_ d: Duration) -> String {
        "\(millis(d)) ms".padding(toLength: 8, withPad: " ", startingAt: 0)
    }

    private static func iso(_ date: Date) -> String {
        date.formatted(.iso8601)
    }

    private static func day(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false).dateTimeSeparator(.space))
    }
}
