import ArgumentParser
import Diagnosis
import Foundation
import Glibc
import NetIO

/// Where `check` and `send` get passwords: the environment variables and files the settings file
/// names (`password_env`, `password_file`), or a no-echo prompt when such a variable is unset and
/// stdin is a terminal. Never the command line.
enum AccountSecrets {
    /// The refusal of `--password` and its friends, with the hint.
    static let commandLineHint = """
        a password on the command line is visible to every user of this computer (ps, shell history) \
        and is refused. Put it in an environment variable and name it in the settings file \
        (password_env = SHOP_MAIL_PASSWORD), or in a file readable only by you (password_file = …); \
        on a terminal, mailprobe asks for it when the variable is not set.
        """

    /// The environment, with prompted values for every `*_env` variable the file names that is
    /// not set, when stdin is a terminal.
    static func environment(forSettingsAt path: String) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        guard isatty(STDIN_FILENO) == 1, let text = try? String(contentsOfFile: path, encoding: .utf8) else { return env }
        var section = ""
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("[") { section = line; continue }
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, parts[0] == "password_env" || parts[0] == "oauth2_token_env" else { continue }
            let name = parts[1]
            guard env[name]?.isEmpty ?? true else { continue }
            if let value = prompt("\(section) \(parts[0] == "password_env" ? "password" : "OAuth2 token") (\(name) is not set): ") {
                env[name] = value
            }
        }
        return env
    }

    /// Reads a line from the terminal with echo off (termios), restoring the mode after.
    static func prompt(_ text: String) -> String? {
        FileHandle.standardError.write(Data(text.utf8))
        var old = termios()
        guard tcgetattr(STDIN_FILENO, &old) == 0 else { return nil }
        var quiet = old
        quiet.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet)
        defer {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &old)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        guard let line = readLine(strippingNewline: true), !line.isEmpty else { return nil }
        return line
    }

    /// Loads the settings, exiting 64 with the line-numbered problem when they are wrong.
    static func load(_ path: String) throws -> ParsedSettings {
        do {
            return try SettingsFile.load(path: path, environment: environment(forSettingsAt: path))
        } catch {
            FileHandle.standardError.write(Data("mailprobe: \(error)\n".utf8))
            throw ExitCode(ProbeExit.usageOrSettings)
        }
    }

    /// Every secret of the account, to check that none reaches an output.
    static func secrets(of account: MailAccount) -> [String] {
        [account.smtp, account.imap].compactMap { $0 }.compactMap { s in
            switch s.credentials.secret {
            case .none: nil
            case .password(let p): p
            case .oauth2AccessToken(let t): t
            }
        }.filter { $0.count >= 3 }
    }

    /// `text` with any secret replaced (a last guard: nothing upstream should have let one through).
    static func scrub(_ text: String, _ secrets: [String]) -> String {
        var out = text
        for s in secrets where out.contains(s) { out = out.replacingOccurrences(of: s, with: "<redacted>") }
        return out
    }
}

extension ProbeExit {
    /// Bad command line or settings file (sysexits EX_USAGE).
    static let usageOrSettings: Int32 = 64

    /// The exit status for a probe's first failure: the port mix-ups count as TLS problems.
    static func code(for report: AccountReport) -> Int32 {
        guard let failure = report.firstFailure else { return success }
        if let id = failure.diagnosis?.id, id.hasPrefix("port.starttls-on") || id.hasPrefix("port.implicit-tls-on") {
            return tls
        }
        switch failure.name {
        case "APPEND", "FETCH": return mailbox
        default: return code(for: Stage(failure.name))
        }
    }
}

/// A transcript sink that keeps every line in memory, for the support bundle.
final class MemoryTranscriptSink: TranscriptSink, @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    /// Bounded: a bundle is for mailing, not an archive.
    static let maximumLines = 20_000

    func write(line: String) {
        lock.lock()
        if stored.count < Self.maximumLines { stored.append(line) }
        lock.unlock()
    }

    var lines: [String] {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
}
