import ArgumentParser

/// `mailprobe`: diagnoses a mail account's settings and writes the session transcript.
@main
struct MailProbe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mailprobe",
        abstract: "Diagnose a mail account's SMTP, IMAP and TLS settings and write a support transcript.",
        subcommands: [CheckCommand.self, DetectCommand.self, SendCommand.self,
                      SMTPProbeCommand.self, IMAPCommand.self, TLSCommand.self, OutboxCommand.self]
    )
}
