import ArgumentParser
import Diagnosis
import Foundation
import NetIO
import SMTP

/// `mailprobe send --config FILE --to ADDRESS`: sends one message through the account's SMTP
/// settings, explaining a failure like `check` does.
struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send a message (optionally with attachments) through the account's SMTP server.",
        discussion: "Exit status as for check: 0 sent, 2-6 by the stage that failed, 64 usage.")

    @Option(help: "The settings file ([smtp], [identity]).") var config: String
    @Option(help: "A recipient (repeatable).") var to: [String] = []
    @Option(help: "A file to attach (repeatable).") var attach: [String] = []
    @Option(help: "The subject.") var subject = "Test message from mailprobe"
    @Option(help: "The text of the message.") var text = "This is a test message sent with mailprobe."
    @Flag(name: .customLong("purchase-order"), help: "Send from [identity] po_address (the purchase-order sender).")
    var purchaseOrder = false
    @Flag(help: "Print one JSON object instead of text.") var json = false
    @Option(help: "Append the session transcript to this file (secrets redacted).") var log: String?
    @Option(help: "Seconds allowed for each step.") var timeout: Double = 60
    @Option(help: .hidden) var password: String?

    func validate() throws {
        if password != nil { throw ValidationError(AccountSecrets.commandLineHint) }
        if to.isEmpty { throw ValidationError("give at least one --to") }
        guard timeout > 0 && timeout <= 600 else { throw ValidationError("--timeout must be between 0 and 600 seconds") }
        for path in attach where !FileManager.default.isReadableFile(atPath: path) {
            throw ValidationError("cannot read the attachment \(path)")
        }
    }

    func run() async throws {
        let parsed = try AccountSecrets.load(config)
        let account = parsed.account
        var sinks: [any TranscriptSink] = []
        for path in Set([log, account.smtp?.transcriptPath].compactMap { $0 }) {
            sinks.append(try FileTranscriptSink(path: path))
        }
        let message = AccountMessage(to: to, subject: subject, text: text, attachments: attach.map { URL(fileURLWithPath: $0) },
                                     purchaseOrder: purchaseOrder)
        let secrets = AccountSecrets.secrets(of: account)
        do {
            let from = try message.sender(in: account)
            let result = try await message.send(through: account, transcript: Transcript(sinks: sinks),
                                                timeout: .milliseconds(Int64(timeout * 1000)))
            if json {
                print(Self.json(["ok": true, "from": from, "to": to, "queueID": result.queueID ?? NSNull(),
                                 "reply": result.reply.description, "size": result.messageSize]))
            } else {
                print("Sent from \(from) to \(to.joined(separator: ", ")): \(result.reply)")
            }
        } catch let e as SMTPError {
            let d = DiagnosisCatalogue.standard.diagnose(e, server: account.smtp)
            if json {
                print(AccountSecrets.scrub(Self.json(["ok": false, "stage": d.stage, "diagnosis": [
                    "id": d.id, "title": d.title, "cause": d.cause, "fix": d.fix, "evidence": d.evidence]]), secrets))
            } else {
                let p = AccountReportPrinter.forStandardOutput()
                print(AccountSecrets.scrub(p.paint("Sending fails: \(d.title).", "1;31") + "\n\n"
                                           + p.diagnosis(StageReport(protocol: .smtp, name: d.stage, status: .failed, diagnosis: d)),
                                           secrets), terminator: "")
            }
            let status = d.id.hasPrefix("port.starttls-on") || d.id.hasPrefix("port.implicit-tls-on") ? ProbeExit.tls
                : ProbeExit.code(for: Stage(d.stage))
            throw ExitCode(status)
        } catch let e as AccountMessage.Problem {
            FileHandle.standardError.write(Data("mailprobe: \(e)\n".utf8))
            throw ExitCode(ProbeExit.usageOrSettings)
        } catch let e as ExitCode {
            throw e
        } catch {
            FileHandle.standardError.write(Data("mailprobe: \(error)\n".utf8))
            throw ExitCode(ProbeExit.usageOrSettings)
        }
    }

    static func json(_ o: [String: Any]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: o, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
