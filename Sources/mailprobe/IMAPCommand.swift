import ArgumentParser
import Auth
import Foundation
import IMAP
import NetIO

/// `mailprobe imap`: log in to an IMAP server, list its folders, open a mailbox and show its
/// newest messages (RFC 9051), with per-stage timings, a JSON form and the exit status of the
/// stage that failed (README table).
struct IMAPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "imap",
        abstract: "Log in to an IMAP server, list its folders, open a mailbox and show the newest messages.",
        discussion: """
            Authenticates with the strongest SASL mechanism both sides support (LOGIN when the \
            server offers no AUTH=). The password is read from an environment variable or a file, \
            never from the command line. Exit status: 0 on success, 2 connect, 3 greeting, \
            CAPABILITY or STARTTLS, 4 TLS, 5 authentication, 7 mailbox (LIST, SELECT, FETCH), \
            64 bad arguments.
            """)

    @Option(help: "Server host name or IP address.") var host: String
    @Option(help: "Server port (993 implicit TLS, 143 STARTTLS).") var port: UInt16
    @Option(help: "tls (implicit, 993), starttls (143) or none (no TLS: unsafe).") var security: SecurityChoice
    @Option(help: "User name to log in as.") var user: String
    @Option(name: .customLong("password-env"), help: "Name of the environment variable holding the password.")
    var passwordEnv: String?
    @Option(name: .customLong("password-file"), help: "File whose first line is the password.")
    var passwordFile: String?
    @Option(name: .customLong("oauth2-token-env"), help: "Name of the environment variable holding an OAuth 2.0 access token.")
    var oauth2TokenEnv: String?
    @Option(help: "Mailbox to open.") var mailbox: String = "INBOX"
    @Option(help: "How many of the newest messages to show.") var fetch: Int = 10
    @Option(name: .customLong("ca-file"), help: "Trust only the CA certificates in this PEM file.") var caFile: String?
    @Option(help: "Seconds allowed for each step.") var timeout: Double = 15
    @Option(name: .customLong("greeting-timeout"),
            help: "Seconds to wait for the server's first words (default: --timeout). Short: a 993/143 mix-up is named quickly.")
    var greetingTimeout: Double?
    @Option(help: "Append the session transcript to this file (secrets redacted).") var log: String?
    @ArgumentParser.Flag(help: "Print one JSON object instead of text.") var json = false
    @ArgumentParser.Flag(name: .customLong("allow-plaintext-password-unsafe"),
          help: "With --security none, send the password in clear text (anyone on the path can read it).")
    var allowPlaintextPasswordUnsafe = false
    @Option(help: .hidden) var password: String?

    enum SecurityChoice: String, ExpressibleByArgument, CaseIterable {
        case tls, starttls, none
        var security: Security {
            switch self {
            case .tls: .implicitTLS
            case .starttls: .startTLS
            case .none: .plaintextUnsafe
            }
        }
    }

    /// Largest `--fetch`: a diagnosis shows a screenful, not a mailbox.
    static let maximumFetch = 1_000

    func validate() throws {
        if password != nil {
            throw ValidationError("a password on the command line is visible to every user of this machine (ps, shell history); "
                                  + "put it in an environment variable and pass --password-env VAR, or in a file and pass --password-file F")
        }
        guard timeout > 0 && timeout <= 600 else { throw ValidationError("--timeout must be between 0 and 600 seconds") }
        if let g = greetingTimeout, !(g > 0 && g <= 600) {
            throw ValidationError("--greeting-timeout must be between 0 and 600 seconds")
        }
        guard (0...Self.maximumFetch).contains(fetch) else { throw ValidationError("--fetch must be between 0 and \(Self.maximumFetch)") }
        let secrets = [passwordEnv, passwordFile, oauth2TokenEnv].compactMap { $0 }
        if secrets.isEmpty { throw ValidationError("give the secret with --password-env VAR, --password-file F or --oauth2-token-env VAR") }
        if secrets.count > 1 { throw ValidationError("use only one of --password-env, --password-file and --oauth2-token-env") }
        if allowPlaintextPasswordUnsafe && security != .none {
            throw ValidationError("--allow-plaintext-password-unsafe only applies to --security none")
        }
        for (name, value) in [("--user", user), ("--mailbox", mailbox)] where value.contains(where: { "\r\n\0".contains($0) }) {
            throw ValidationError("\(name) must not contain CR, LF or NUL")
        }
    }

    func credentials() throws -> Credentials {
        if let name = oauth2TokenEnv {
            guard let token = ProcessInfo.processInfo.environment[name], !token.isEmpty else {
                throw ValidationError("the environment variable \(name) (--oauth2-token-env) is not set")
            }
            return .oauth2(user: user, accessToken: token)
        }
        if let name = passwordEnv {
            guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
                throw ValidationError("the environment variable \(name) (--password-env) is not set")
            }
            return .password(user: user, password: value)
        }
        let path = passwordFile ?? ""
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ValidationError("cannot read the password file \(path)")
        }
        return .password(user: user, password: String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? ""))
    }

    func run() async throws {
        let credentials = try credentials()
        let transcript = Transcript(sinks: try log.map { [try FileTranscriptSink(path: $0)] } ?? [])
        var tls = TLSOptions()
        if let caFile { tls.trust = .caFile(caFile) }
        let options = IMAPClientOptions(security: security.security, tls: tls,
                                        timeouts: .uniform(.milliseconds(Int64(timeout * 1000))), transcript: transcript,
                                        greetingTimeout: greetingTimeout.map { .milliseconds(Int64($0 * 1000)) })
        let probe = IMAPProbe(endpoint: Endpoint(host: host, port: port), options: options, credentials: credentials,
                              allowPlaintextPasswordUnsafe: allowPlaintextPasswordUnsafe,
                              mailbox: MailboxName(mailbox), fetch: fetch)
        let result = await probe.run()
        if json {
            print(try IMAPProbePrinter.json(result))
        } else {
            print(IMAPProbePrinter.text(result, host: host, port: port), terminator: "")
        }
        if !result.ok { throw ExitCode(result.exitCode) }
    }
}
