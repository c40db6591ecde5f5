import ArgumentParser
import Auth
import Foundation
import NetIO
import Outbox
import SMTP

/// SMTP settings for `mailprobe outbox flush`, in the style of the other commands' options.
struct OutboxSMTPOptions: ParsableArguments {
    @Option(help: "SMTP server host name or IP address.") var host: String
    @Option(help: "SMTP server port (587 STARTTLS, 465 implicit TLS).") var port: UInt16
    @Option(help: "starttls (default), implicit-tls, or plaintext-unsafe (no TLS at all).")
    var security: SecurityChoice = .starttls
    @Option(help: "User name for AUTH; without it no AUTH is sent.") var user: String?
    @Option(name: .customLong("password-env"), help: "Name of the environment variable holding the password.")
    var passwordEnv: String?
    @Option(name: .customLong("password-file"), help: "File whose first line is the password.")
    var passwordFile: String?
    @Option(name: .customLong("ca-file"), help: "Trust only the CA certificates in this PEM file.") var caFile: String?
    @Option(name: .customLong("client-name"), help: "The name sent with EHLO.") var clientName: String?
    @Option(help: "Seconds allowed for each step.") var timeout: Double = 30
    @Option(help: "Append the session transcript to this file (secrets redacted).") var log: String?

    enum SecurityChoice: String, ExpressibleByArgument, CaseIterable {
        case starttls, implicitTLS = "implicit-tls", plaintextUnsafe = "plaintext-unsafe"
        var security: Security {
            switch self {
            case .starttls: .startTLS
            case .implicitTLS: .implicitTLS
            case .plaintextUnsafe: .plaintextUnsafe
            }
        }
    }

    func validate() throws {
        guard timeout > 0 && timeout <= 600 else { throw ValidationError("--timeout must be between 0 and 600 seconds") }
        if passwordEnv != nil && passwordFile != nil {
            throw ValidationError("use either --password-env or --password-file, not both")
        }
        if user != nil && passwordEnv == nil && passwordFile == nil {
            throw ValidationError("--user needs --password-env or --password-file (never a password on the command line)")
        }
        if user == nil && (passwordEnv != nil || passwordFile != nil) {
            throw ValidationError("--password-env and --password-file need --user")
        }
    }

    func password() throws -> String? {
        if let name = passwordEnv {
            guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
                throw ValidationError("the environment variable \(name) (--password-env) is not set")
            }
            return value
        }
        if let path = passwordFile {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ValidationError("cannot read the password file \(path)")
            }
            return String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
        }
        return nil
    }

    func configuration() throws -> SMTPConfiguration {
        var tls = TLSOptions()
        if let caFile { tls.trust = .caFile(caFile) }
        var credentials = Credentials.none
        if let user, let password = try password() { credentials = .password(user: user, password: password) }
        let transcript = Transcript(sinks: try log.map { [try FileTranscriptSink(path: $0)] } ?? [])
        return SMTPConfiguration(endpoint: Endpoint(host: host, port: port), security: security.security, tls: tls,
                                 credentials: credentials, clientName: clientName ?? SMTPConfiguration.localHostName(),
                                 timeouts: .uniform(.milliseconds(Int64(timeout * 1000))), transcript: transcript)
    }
}

extension OutboxCommand {
    /// `mailprobe outbox flush`: send every pending message now, through the given server.
    struct Flush: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send every queued and deferred message now through the given SMTP server.",
            discussion: """
                Deferred messages are tried now, before their next attempt time; each account's \
                messages go in the order they were enqueued. Outcome-unknown and failed messages \
                are left alone (use retry). Exit status: 0 when everything tried was sent, 75 when \
                some were only deferred (try again later), 1 when a message failed or its outcome \
                is unknown.
                """)
        @OptionGroup var options: SpoolOptions
        @OptionGroup var smtp: OutboxSMTPOptions
        @Option(help: "Only the messages of this account (repeatable); all accounts by default.")
        var account: [String] = []

        func run() async throws {
            let outbox = try options.open()
            let configuration = try smtp.configuration()
            let sender = OutboxSender(outbox: outbox) { _ in try await SMTPOutboxTransport.connect(configuration) }
            let pass = try await sender.drainOnce(only: account.isEmpty ? nil : Set(account), ignoringSchedule: true)
            let tried = pass.sent + pass.deferred + pass.failed + pass.outcomeUnknown
            var entries: [OutboxEntry] = []
            for id in tried { if let e = try? await outbox.entry(id) { entries.append(e) } }
            entries.sort { $0.id < $1.id }
            let stats = try await outbox.stats()
            if options.json {
                print(try OutboxPrinter.json([
                    "sent": pass.sent, "deferred": pass.deferred, "failed": pass.failed,
                    "outcomeUnknown": pass.outcomeUnknown, "messages": entries.map(OutboxPrinter.summary),
                    "stats": OutboxPrinter.stats(stats),
                ]))
            } else {
                for e in entries { print(OutboxPrinter.line(e)) }
                print("flush: sent \(pass.sent.count), deferred \(pass.deferred.count), failed \(pass.failed.count), "
                      + "outcome unknown \(pass.outcomeUnknown.count); \(OutboxPrinter.statsLine(stats))")
            }
            if !pass.failed.isEmpty || !pass.outcomeUnknown.isEmpty { throw ExitCode(1) }
            if !pass.deferred.isEmpty { throw ExitCode(75) }
        }
    }

    /// `mailprobe outbox stats`: queue depth, the oldest unsent message's age, counts per state.
    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Queue depth, age of the oldest unsent message, and counts per state.")
        @OptionGroup var options: SpoolOptions

        func run() async throws {
            let stats = try await options.open().stats()
            if options.json {
                print(try OutboxPrinter.json(OutboxPrinter.stats(stats)))
            } else {
                print(OutboxPrinter.statsLine(stats))
            }
        }
    }
}

extension OutboxPrinter {
    /// `{"depth": 3, "oldestPendingSeconds": 120, "alertThreshold": 50, "counts": {"queued": 2, …}}`.
    static func stats(_ s: OutboxStats) -> [String: Any] {
        ["depth": s.depth, "alertThreshold": s.alertThreshold,
         "counts": Dictionary(uniqueKeysWithValues: OutboxState.allCases.map { ($0.rawValue, s.count($0)) }),
         "oldestPendingSeconds": s.oldestPendingAge.map { Int($0) } as Any? ?? NSNull()]
    }

    /// `depth 3 (alert above 50); oldest unsent 2 min old; queued 2, deferred 1, sent 7`.
    static func statsLine(_ s: OutboxStats) -> String {
        let counts = OutboxState.allCases.map { "\($0.rawValue) \(s.count($0))" }.joined(separator: ", ")
        return "depth \(s.depth) (alert above \(s.alertThreshold))"
            + (s.oldestPendingAge.map { "; oldest unsent \(age($0)) old" } ?? "; nothing waiting")
            + "; \(counts)"
    }
}
