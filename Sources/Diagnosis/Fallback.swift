internal import NetIO

/// The explanation of a failure no catalogue entry knows: honest about what is known (the stage,
/// whether the reply class says temporary or permanent, RFC 5321 §4.2.1), quoting the server.
enum Fallback {
    enum StageGroup: String {
        case dns, connect, greeting, tls, hello, login, sender, recipient, message, mailbox, other

        init(_ stage: String) {
            switch stage.uppercased() {
            case "DNS", "RESOLVE": self = .dns
            case "CONNECT": self = .connect
            case "GREETING", "BANNER": self = .greeting
            case "TLS", "STARTTLS": self = .tls
            case "EHLO", "HELO", "LHLO", "CAPABILITY": self = .hello
            case "AUTH", "LOGIN", "AUTHENTICATE": self = .login
            case "MAIL", "MAIL FROM": self = .sender
            case "RCPT", "RCPT TO": self = .recipient
            case "DATA", "BDAT", "MESSAGE", "END OF DATA", "APPEND": self = .message
            case "SELECT", "EXAMINE", "LIST", "STATUS", "FETCH", "SEARCH", "IDLE": self = .mailbox
            default: self = .other
            }
        }

        /// What the stage was doing, for "… failed while …".
        var doing: String {
            switch self {
            case .dns: "looking up the server name"
            case .connect: "connecting to the server"
            case .greeting: "waiting for the server's first words"
            case .tls: "setting up encryption (TLS)"
            case .hello: "introducing itself to the server"
            case .login: "logging in"
            case .sender: "giving the sender address"
            case .recipient: "giving a recipient address"
            case .message: "sending the message itself"
            case .mailbox: "opening the mailbox"
            case .other: "talking to the server"
            }
        }

        /// The title of a failure at this stage.
        var failed: String {
            switch self {
            case .dns: "The server name could not be looked up"
            case .connect: "Could not connect to the server"
            case .greeting: "The server did not greet properly"
            case .tls: "Encryption (TLS) could not be set up"
            case .hello: "The server refused the program's introduction (EHLO)"
            case .login: "The login was refused"
            case .sender: "The sender address was refused"
            case .recipient: "A recipient address was refused"
            case .message: "The message was refused"
            case .mailbox: "The mailbox could not be opened"
            case .other: "The server refused a command"
            }
        }

        /// Where to look first for a permanent refusal at this stage.
        var permanentFix: String {
            switch self {
            case .dns, .connect: "Check the server name and port in the settings against your provider's instructions."
            case .greeting: "Check that the server name and port are your provider's sending (SMTP) or reading (IMAP) server."
            case .tls: "Check the security setting (SSL/TLS on 465 and 993, STARTTLS on 587 and 143)."
            case .hello: "Check the server name and port; if they are right, send this report to your e-mail provider."
            case .login: "Check the user name (usually the full e-mail address) and the password. Many providers need an app password or \"Sign in with…\" (OAuth) instead of the normal password."
            case .sender: "Check the sender address: it usually must be the address you log in with, or one your provider lets you send as."
            case .recipient: "Check the recipient's address for typing errors; if it is right, the recipient's mail server refused it."
            case .message: "Check the message size and attachments; if they are ordinary, send this report to your e-mail provider."
            case .mailbox: "Check that the mailbox (folder) exists and that this account may use it."
            case .other: "Send this report to your e-mail provider or IT support."
            }
        }
    }

    static func diagnose(_ e: FailureEvidence, facts: [String: String]) -> FailureDiagnosis {
        let group = StageGroup(e.stage)
        let host = facts["host"] ?? "the server"
        let quoted = e.quotedEvidence
        let id: String
        let title: String
        let cause: String
        let fix: String
        var transient = false
        if let kind = e.transport {
            let error = NetIOError(kind: kind, stage: Stage(e.stage))
            id = "fallback.\(group.rawValue).transport"
            title = group.failed
            cause = "When the program was \(group.doing), \(error.summary) (\(host), port \(facts["port"] ?? "?"))."
            fix = error.isTransient
                ? "Try again in a few minutes. If it keeps failing, check the server name, the port and the internet connection."
                : group.permanentFix
            transient = error.isTransient
        } else if let code = e.code, code / 100 == 4 {
            id = "fallback.\(group.rawValue).temporary"
            title = group.failed + " for now"
            cause = "When the program was \(group.doing), \(host) answered with a temporary refusal (\(code)): the server's words are quoted below. This kind of refusal usually passes."
            fix = "Try again later; a queue retries by itself. If it keeps happening, send this report to your e-mail provider."
            transient = true
        } else if let code = e.code, code / 100 == 5 {
            id = "fallback.\(group.rawValue).permanent"
            title = group.failed
            cause = "When the program was \(group.doing), \(host) refused (\(code)) and will refuse again until something changes: the server's words are quoted below."
            fix = group.permanentFix
        } else if e.protocol == .imap, let status = Condition.imapStatus(of: e.plainText), status == "NO" || status == "BAD" || status == "BYE" {
            id = "fallback.\(group.rawValue).\(status.lowercased())"
            title = group.failed
            cause = "When the program was \(group.doing), \(host) answered \(status): the server's words are quoted below."
            fix = group.permanentFix
            transient = status == "BYE"
        } else {
            id = "fallback.\(group.rawValue).unknown"
            title = group.failed
            cause = "When the program was \(group.doing), the session with \(host) failed; the evidence is quoted below."
            fix = group.permanentFix
        }
        return FailureDiagnosis(id: id, reference: nil, title: title, cause: cause, fix: fix, evidence: quoted,
                                stage: e.stage, isTransient: transient, fromCatalogue: false)
    }
}
