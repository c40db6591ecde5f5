import ArgumentParser
import Auth
import Foundation
import MIME
import NetIO
import SMTP

/// `mailprobe smtp`: log in to a submission server (RFC 6409) and, with `--from`/`--to`, send a
/// message built with the MIME builder; prints a verdict, each stage with its duration and every
/// recipient's reply.
struct SMTPProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "smtp",
        abstract: "Test SMTP submission settings (connect, TLS, EHLO, AUTH) and optionally send a message.",
        discussion: """
            Without --from/--to it stops after AUTH (a settings test); with them it builds the message \
            and sends it. Secrets come from --password-env, --password-file or --oauth2-token-env, never \
            from the command line, and never reach the output or the --log transcript.
            """)

    enum SecurityMode: String, ExpressibleByArgument, CaseIterable {
        case tls, starttls, none
    }

    @Option(help: "Server host name or IP address.") var host: String
    @Option(help: "Server port (465 with --security tls, 587 with starttls).") var port: UInt16
    @Option(help: "tls (implicit, port 465), starttls (port 587, required), or none (no encryption).")
    var security: SecurityMode
    @Option(help: "The login name.") var user: String?
    @Option(name: .customLong("password-env"), help: "Read the password from this environment variable.")
    var passwordEnv: String?
    @Option(name: .customLong("password-file"), help: "Read the password from this file (one trailing line break ignored).")
    var passwordFile: String?
    @Option(name: .customLong("oauth2-token-env"), help: "Read an OAuth2 access token from this environment variable (XOAUTH2/OAUTHBEARER).")
    var oauth2TokenEnv: String?
    @Option(help: "Use only this SASL mechanism (PLAIN, LOGIN, CRAM-MD5, SCRAM-SHA-256, XOAUTH2, …).") var mechanism: String?
    @Option(name: .customLong("ca-file"), help: "Trust only the CA certificates in this PEM file.") var caFile: String?
    @Flag(name: .customLong("allow-plaintext-password-unsafe"),
          help: "With --security none, allow PLAIN/LOGIN to send the password unencrypted (anyone on the path can read it).")
    var allowPlaintextPasswordUnsafe = false

    @Option(help: "Sender address (From, and MAIL FROM).") var from: String?
    @Option(help: "Recipient (To); repeatable.") var to: [String] = []
    @Option(help: "Copy recipient (Cc); repeatable.") var cc: [String] = []
    @Option(help: "Blind copy recipient (envelope only); repeatable.") var bcc: [String] = []
    @Option(name: .customLong("reply-to"), help: "Reply-To address.") var replyTo: String?
    @Option(help: "Subject.") var subject: String?
    @Option(name: .customLong("body-file"), help: "Plain-text body (UTF-8) from this file.") var bodyFile: String?
    @Option(name: .customLong("html-file"), help: "HTML body (UTF-8) from this file.") var htmlFile: String?
    @Option(help: "An extra header field \"Name: value\"; repeatable.") var header: [String] = []
    @Option(help: "Attach this file (streamed); repeatable.") var attach: [String] = []

    @Option(help: "Append the session transcript to this file.") var log: String?
    @Flag(help: "Print one JSON object instead of text.") var json = false
    @Option(help: "Seconds allowed for each step.") var timeout: Double = 30
    @Option(name: .customLong("greeting-timeout"),
            help: "Seconds to wait for the server's first words (default: --timeout). Short: a 465/587 mix-up is named quickly.")
    var greetingTimeout: Double?

    // Refused: a secret on the command line is visible in `ps` and in shell history.
    @Option(help: .hidden) var password: String?
    @Option(name: .customLong("oauth2-token"), help: .hidden) var oauth2Token: String?

    static let defaultBody = "This is a test message sent by mailprobe to check the SMTP settings.\n"

    func validate() throws {
        if password != nil || oauth2Token != nil {
            throw ValidationError("refusing a secret on the command line (other users see it in ps, and it stays in "
                                  + "shell history): use --password-env VAR, --password-file FILE or --oauth2-token-env VAR")
        }
        guard timeout > 0 && timeout <= 600 else { throw ValidationError("--timeout must be between 0 and 600 seconds") }
        if let g = greetingTimeout, !(g > 0 && g <= 600) {
            throw ValidationError("--greeting-timeout must be between 0 and 600 seconds")
        }
        let sources = [passwordEnv, passwordFile, oauth2TokenEnv].compactMap { $0 }
        if sources.count > 1 {
            throw ValidationError("give one of --password-env, --password-file, --oauth2-token-env")
        }
        if !sources.isEmpty && user == nil { throw ValidationError("--user is required with a password or token") }
        if user != nil && sources.isEmpty {
            throw ValidationError("--user needs --password-env VAR, --password-file FILE or --oauth2-token-env VAR")
        }
        try checkNoControls(user, "--user")
        try checkNoControls(mechanism, "--mechanism")
        _ = try credentials()
        if let mechanism, security == .none, !allowPlaintextPasswordUnsafe, passwordEnv != nil || passwordFile != nil,
           ["PLAIN", "LOGIN"].contains(mechanism.uppercased()) {
            throw ValidationError("--mechanism \(mechanism.uppercased()) with --security none would send the password "
                                  + "unencrypted; use TLS, or pass --allow-plaintext-password-unsafe if you accept that")
        }
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) {
            throw ValidationError("--ca-file \(caFile) cannot be read")
        }
        _ = try buildMessage()
    }

    private func checkNoControls(_ value: String?, _ option: String) throws {
        guard let value else { return }
        if value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw ValidationError("\(option) holds a control character (CR, LF, NUL, …); refused")
        }
    }

    /// The credentials, read from the environment or the file.
    func credentials() throws -> Credentials {
        guard let user else { return .none }
        let env = ProcessInfo.processInfo.environment
        if let name = passwordEnv {
            guard let value = env[name], !value.isEmpty else { throw ValidationError("the environment variable \(name) is not set or empty") }
            return .password(user: user, password: value)
        }
        if let path = passwordFile {
            guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("--password-file \(path) cannot be read") }
            var value = String(decoding: data, as: UTF8.self)
            if value.hasSuffix("\r\n") { value.removeLast(1) }
            if value.hasSuffix("\n") || value.hasSuffix("\r") { value.removeLast() }
            guard !value.isEmpty else { throw ValidationError("--password-file \(path) is empty") }
            return .password(user: user, password: value)
        }
        if let name = oauth2TokenEnv {
            guard let value = env[name], !value.isEmpty else { throw ValidationError("the environment variable \(name) is not set or empty") }
            return .oauth2(user: user, accessToken: value)
        }
        return .none
    }

    /// The message to send, or nil for a settings test; every problem is a `ValidationError`.
    func buildMessage() throws -> Message? {
        let messageOptions = !cc.isEmpty || !bcc.isEmpty || replyTo != nil || subject != nil || bodyFile != nil
            || htmlFile != nil || !header.isEmpty || !attach.isEmpty
        guard from != nil || !to.isEmpty || messageOptions else { return nil }
        guard let from, !to.isEmpty else {
            throw ValidationError("sending needs --from and at least one --to (without them, mailprobe smtp only tests the login)")
        }
        func address(_ text: String, _ option: String) throws -> Address {
            do { return try Address.parse(text) } catch {
                throw ValidationError("\(option) \(MIMEErrorText.visible(text)) is not a valid address: \(error.summary)")
            }
        }
        var m = Message(from: try address(from, "--from"), to: try to.map { try address($0, "--to") })
        m.cc = try cc.map { try address($0, "--cc") }
        m.bcc = try bcc.map { try address($0, "--bcc") }
        if let replyTo { m.replyTo = [try address(replyTo, "--reply-to")] }
        m.subject = subject ?? "mailprobe test message"
        func text(_ path: String, _ option: String) throws -> String {
            guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("\(option) \(path) cannot be read") }
            guard let s = String(data: data, encoding: .utf8) else { throw ValidationError("\(option) \(path) is not UTF-8 text") }
            return s
        }
        if let bodyFile { m.textBody = try text(bodyFile, "--body-file") }
        if let htmlFile { m.htmlBody = try text(htmlFile, "--html-file") }
        if m.textBody == nil && m.htmlBody == nil { m.textBody = Self.defaultBody }
        for h in header {
            guard let colon = h.firstIndex(of: ":") else {
                throw ValidationError("--header \(MIMEErrorText.visible(h)) is not \"Name: value\"")
            }
            let name = String(h[..<colon]).trimmingCharacters(in: .whitespaces)
            let value = String(h[h.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
            do { try m.addHeader(name, value) } catch { throw ValidationError("--header \(error)") }
        }
        for path in attach {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue,
                  FileManager.default.isReadableFile(atPath: path) else {
                throw ValidationError("--attach \(path) is not a readable file")
            }
            do { try m.attach(file: URL(fileURLWithPath: path)) } catch { throw ValidationError("--attach \(error)") }
        }
        do { try m.validate(allowSMTPUTF8: true) } catch { throw ValidationError("\(error)") }
        return m
    }

    func run() async throws {
        let marks = MarkSink()
        var sinks: [any TranscriptSink] = [marks]
        if let log { sinks.append(try FileTranscriptSink(path: log)) }
        let transcript = Transcript(sinks: sinks, ringCapacity: 500)
        var tls = TLSOptions()
        if let caFile { tls.trust = .caFile(caFile) }
        let netSecurity: Security = switch security {
        case .tls: .implicitTLS
        case .starttls: .startTLS
        case .none: .plaintextUnsafe
        }
        let credentials = try credentials()
        var timeouts = SMTPTimeouts.uniform(.milliseconds(Int64(timeout * 1000)))
        if let greetingTimeout { timeouts.greeting = .milliseconds(Int64(greetingTimeout * 1000)) }
        let client = SMTPClient(SMTPConfiguration(
            endpoint: Endpoint(host: host, port: port), security: netSecurity, tls: tls, credentials: credentials,
            mechanism: MechanismSelection(pinned: mechanism?.uppercased(), allowPlaintextPasswordUnsafe: allowPlaintextPasswordUnsafe),
            timeouts: timeouts, transcript: transcript))
        let message = try buildMessage()
        var probe = SMTPProbeResult(host: host, port: port, user: user, sending: message != nil)
        let runner = StageRunner(marks: marks, implicitTLS: security == .tls)
        do {
            try await runner.run(.connect, into: &probe) { try await client.open() }
            probe.tls = await client.tlsReport
            try await runner.run(.ehlo, into: &probe) { try await client.ehlo() }
            if security == .starttls {
                try await runner.run(.tls, into: &probe) { try await client.startTLS() }
                probe.tls = await client.tlsReport
            }
            probe.capabilities = await client.capabilities
            if !credentials.isNone {
                try await runner.run(.auth, into: &probe) { try await client.authenticate() }
                probe.mechanism = await client.authenticatedMechanism
            } else {
                transcript.fact("no credentials given: AUTH skipped")
            }
            if let message {
                let started = ContinuousClock.now
                let mark = marks.count
                do {
                    let result = try await client.send(message)
                    probe.result = result
                    probe.recipients = result.recipients
                    probe.stages += runner.splitSend(from: started, marks: mark, failed: nil)
                } catch {
                    if let e = error as? SMTPError { probe.recipients = e.recipients }
                    probe.stages += runner.splitSend(from: started, marks: mark, failed: error)
                    throw error
                }
            }
            await client.quit()
        } catch {
            probe.error = error
            let report = await client.tlsReport
            let caps = await client.capabilities
            if probe.tls == nil { probe.tls = report }
            if probe.capabilities == nil { probe.capabilities = caps }
            await client.quit()
        }
        if json {
            print(SMTPProbePrinter.json(probe))
        } else {
            print(SMTPProbePrinter.text(probe), terminator: "")
        }
        if let code = probe.exitCode { throw ExitCode(code) }
    }
}

/// Control characters made visible for messages about arguments.
enum MIMEErrorText {
    static func visible(_ s: String) -> String {
        s.unicodeScalars.map { $0 == "\r" ? "\\r" : $0 == "\n" ? "\\n" : $0.value < 0x20 ? "\\x\(String($0.value, radix: 16))" : String($0) }
            .joined()
    }
}
