import ArgumentParser
import Diagnosis
import Foundation
import NetIO

/// `mailprobe check --config FILE`: every configured server probed stage by stage, the self-test
/// with `--self-test`, a verdict, the diagnosis, the transcript and the support bundle.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Test a mail account's SMTP and IMAP settings stage by stage and explain every failure.",
        discussion: """
            Exit status: 0 everything works, 2 DNS or connection, 3 greeting/EHLO/STARTTLS, 4 TLS \
            (certificate, 465/587 mix-up), 5 login, 6 sending (MAIL/RCPT/DATA), 7 mailbox \
            (LIST/SELECT/self-test message not found), 64 bad command line or settings file.
            """)

    @Option(help: "The settings file ([smtp], [imap], [identity]).") var config: String
    @Flag(name: .customLong("self-test"), help: "Send a tagged message to the account's own address and fetch it back over IMAP.")
    var selfTest = false
    @Option(help: "Attach this file to the self-test message (e.g. an invoice PDF).") var attach: String?
    @Flag(name: .customLong("attach-pdf"), help: "Attach a small generated PDF invoice to the self-test message.")
    var attachPDF = false
    @Flag(name: .customLong("save-sent"), help: "APPEND the self-test message to the \\Sent mailbox (SPECIAL-USE).")
    var saveSent = false
    @Option(help: "RCPT TO address of the envelope test (default: the sender's own address).") var recipient: String?
    @Flag(help: "Print one JSON object instead of text.") var json = false
    @Option(help: "Append the session transcript to this file (secrets redacted).") var log: String?
    @Option(help: "Write a support bundle (one text file for support) here.") var bundle: String?
    @Flag(name: .customLong("quiet-until-error"), help: "Print nothing when everything works.") var quietUntilError = false
    @Option(help: "Seconds allowed for each step.") var timeout: Double = 15
    @Option(name: .customLong("greeting-timeout"), help: "Seconds to wait for a server's first words (465/587 mix-ups).")
    var greetingTimeout: Double = 5
    @Option(name: .customLong("delivery-timeout"), help: "Seconds the self-test waits for its message to arrive.")
    var deliveryTimeout: Double = 60
    @Option(help: .hidden) var password: String?

    func validate() throws {
        if password != nil { throw ValidationError(AccountSecrets.commandLineHint) }
        for (name, v) in [("--timeout", timeout), ("--greeting-timeout", greetingTimeout), ("--delivery-timeout", deliveryTimeout)]
        where !(v > 0 && v <= 600) {
            throw ValidationError("\(name) must be between 0 and 600 seconds")
        }
        if (attach != nil || attachPDF || saveSent) && !selfTest {
            throw ValidationError("--attach, --attach-pdf and --save-sent belong to --self-test")
        }
        if let attach, !FileManager.default.isReadableFile(atPath: attach) {
            throw ValidationError("cannot read the attachment \(attach)")
        }
    }

    func run() async throws {
        let parsed = try AccountSecrets.load(config)
        let account = parsed.account
        let memory = MemoryTranscriptSink()
        var sinks: [any TranscriptSink] = [memory]
        var paths = Set<String>()
        for path in [log, account.smtp?.transcriptPath, account.imap?.transcriptPath].compactMap({ $0 })
        where paths.insert(path).inserted {
            do { sinks.append(try FileTranscriptSink(path: path)) } catch {
                FileHandle.standardError.write(Data("mailprobe: cannot write the transcript \(path): \(error)\n".utf8))
                throw ExitCode(ProbeExit.usageOrSettings)
            }
        }
        let transcript = Transcript(sinks: sinks)
        for w in parsed.warnings { transcript.fact("settings warning: \(w)") }
        let st = selfTest ? SelfTestOptions(attachment: attach.map { URL(fileURLWithPath: $0) },
                                            attachGeneratedPDF: attachPDF,
                                            deadline: .milliseconds(Int64(deliveryTimeout * 1000)),
                                            appendToSent: saveSent) : nil
        let options = AccountProbe.Options(timeout: .milliseconds(Int64(timeout * 1000)),
                                           greetingTimeout: .milliseconds(Int64(greetingTimeout * 1000)),
                                           testRecipient: recipient, selfTest: st, transcript: transcript)
        let report = await AccountProbe(account: account, options: options).run()
        let secrets = AccountSecrets.secrets(of: account)
        if let bundle {
            let text = SupportBundle.text(report: report, account: account, warnings: parsed.warnings,
                                          command: "mailprobe " + CommandLine.arguments.dropFirst().joined(separator: " "),
                                          transcript: memory.lines)
            do { try SupportBundle.write(text, to: bundle) } catch {
                FileHandle.standardError.write(Data("mailprobe: cannot write the support bundle \(bundle)\n".utf8))
            }
        }
        if json {
            print(AccountSecrets.scrub(report.json(), secrets))
        } else if !(quietUntilError && report.ok) {
            var out = AccountReportPrinter.forStandardOutput().text(report)
            for w in parsed.warnings { out += "\nSettings warning: \(w)" }
            if let log { out += "\nTranscript: \(log)" }
            if let bundle { out += "\nSupport bundle: \(bundle)" }
            print(AccountSecrets.scrub(out, secrets))
        }
        let status = ProbeExit.code(for: report)
        if status != 0 { throw ExitCode(status) }
    }
}
