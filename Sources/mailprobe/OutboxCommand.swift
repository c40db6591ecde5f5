import ArgumentParser
import Foundation
import Outbox
import SMTP

/// `mailprobe outbox`: look into and act on a spool directory.
struct OutboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbox",
        abstract: "List, show, retry, drop or send (flush) messages in an outbox spool; queue stats.",
        subcommands: [List.self, Show.self, Retry.self, Drop.self, Flush.self, Stats.self])

    struct SpoolOptions: ParsableArguments {
        @Option(help: "The spool directory.") var spool: String
        @Flag(help: "Print JSON instead of text.") var json = false

        func open() throws -> Outbox {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: spool, isDirectory: &isDir), isDir.boolValue else {
                throw ValidationError("no spool directory at \(spool)")
            }
            return try Outbox(directory: URL(fileURLWithPath: spool))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One line per message, oldest first, and counts per state.")
        @OptionGroup var options: SpoolOptions

        func run() async throws {
            let outbox = try options.open()
            let entries = try await outbox.entries()
            let stats = try await outbox.stats()
            if options.json {
                var object = OutboxPrinter.stats(stats)
                object["messages"] = entries.map(OutboxPrinter.summary)
                print(try OutboxPrinter.json(object))
                return
            }
            for e in entries { print(OutboxPrinter.line(e)) }
            let counts = OutboxState.allCases.filter { stats.count($0) > 0 }.map { "\($0.rawValue) \(stats.count($0))" }
            print("\(entries.count) message(s)" + (counts.isEmpty ? "" : ": " + counts.joined(separator: ", "))
                  + (stats.oldestPendingAge.map { "; oldest unsent \(OutboxPrinter.age($0)) old" } ?? ""))
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Everything about one message, with every attempt.")
        @OptionGroup var options: SpoolOptions
        @Argument(help: "The message id.") var id: String

        func run() async throws {
            let e = try await options.open().entry(id)
            if options.json {
                let data = try JSONEncoder.outbox.encode(e)
                print(String(decoding: data, as: UTF8.self))
                return
            }
            print(OutboxPrinter.details(e))
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Queue a deferred, failed or outcome-unknown message again.")
        @OptionGroup var options: SpoolOptions
        @Argument(help: "The message id.") var id: String
        func run() async throws {
            try await options.open().retry(id)
            if options.json { print(try OutboxPrinter.json(["id": id, "state": OutboxState.queued.rawValue])) } else { print("\(id) queued again") }
        }
    }

    struct Drop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a message that is not being sent.")
        @OptionGroup var options: SpoolOptions
        @Argument(help: "The message id.") var id: String
        func run() async throws {
            try await options.open().drop(id)
            if options.json { print(try OutboxPrinter.json(["id": id, "dropped": true])) } else { print("\(id) dropped") }
        }
    }
}

extension JSONEncoder {
    static let outbox: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        e.dateEncodingStrategy = .iso8601
        return e
    }()
}

enum OutboxPrinter {
    static func summary(_ e: OutboxEntry) -> [String: Any] {
        let iso = ISO8601DateFormatter()
        return ["id": e.id, "account": e.account, "state": e.state.rawValue, "size": e.size,
                "label": e.label ?? NSNull(), "messageId": e.messageID ?? NSNull(),
                "from": e.envelope.mailFrom, "to": e.envelope.recipients,
                "enqueuedAt": iso.string(from: e.enqueuedAt), "attempts": e.attempts.count,
                "nextAttemptAt": e.nextAttemptAt.map { iso.string(from: $0) } ?? NSNull(),
                "lastError": e.lastError ?? NSNull(), "queueId": e.queueID ?? NSNull(),
                "sentAt": e.sentAt.map { iso.string(from: $0) } ?? NSNull(),
                "recipients": e.recipients.map { r -> [String: Any] in
                    ["address": r.address, "accepted": r.accepted, "code": r.code,
                     "enhancedCode": r.enhancedCode ?? NSNull(), "text": r.text]
                }]
    }

    static func json(_ object: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    static func line(_ e: OutboxEntry) -> String {
        var s = "\(e.id)  \(e.state.rawValue.padding(toLength: 14, withPad: " ", startingAt: 0)) \(e.account)  "
            + "\(e.envelope.recipients.joined(separator: ","))"
        if let label = e.label { s += "  \"\(label)\"" }
        if let err = e.lastError, e.state != .sent { s += "  — \(err)" }
        return s
    }

    static func details(_ e: OutboxEntry) -> String {
        var lines = ["id:          \(e.id)", "state:       \(e.state.rawValue)", "account:     \(e.account)",
                     "from:        \(e.envelope.mailFrom)", "to:          \(e.envelope.recipients.joined(separator: ", "))",
                     "size:        \(e.size) bytes", "enqueued:    \(e.enqueuedAt)"]
        if let id = e.messageID { lines.append("message-id:  \(id)") }
        if let label = e.label { lines.append("label:       \(label)") }
        if let q = e.queueID { lines.append("queue id:    \(q)") }
        if let next = e.nextAttemptAt { lines.append("next try:    \(next)") }
        if let err = e.lastError { lines.append("last error:  \(err)") }
        for r in e.recipients {
            lines.append("recipient:   \(r.address): \(r.accepted ? "accepted" : "refused") (\(r.code) \(r.text))")
        }
        for a in e.attempts { lines.append("attempt:     \(a.at) \(a.result): \(a.detail)") }
        return lines.joined(separator: "\n")
    }

    static func age(_ seconds: TimeInterval) -> String {
        seconds < 120 ? "\(Int(seconds)) s" : seconds < 7200 ? "\(Int(seconds / 60)) min"
            : seconds < 172_800 ? "\(Int(seconds / 3600)) h" : "\(Int(seconds / 86_400)) days"
    }
}
