import ArgumentParser
import NetIO

/// Exit status by the stage that failed (documented in README.md).
enum ProbeExit {
    static let success: Int32 = 0
    static let network: Int32 = 2      // DNS, connect
    static let greeting: Int32 = 3     // greeting, EHLO/CAPABILITY, STARTTLS refused or missing
    static let tls: Int32 = 4          // handshake, certificate, port mistakes
    static let auth: Int32 = 5
    static let sending: Int32 = 6      // MAIL, RCPT, DATA
    static let mailbox: Int32 = 7      // IMAP LIST, SELECT, STATUS, SEARCH, FETCH

    static func code(for stage: Stage) -> Int32 {
        switch stage {
        case .resolve, .connect: network
        case .tls: tls
        case "AUTH", "LOGIN", "AUTHENTICATE": auth
        case "MAIL", "RCPT", "DATA", "BDAT": sending
        case "LIST", "SELECT", "EXAMINE", "STATUS", "SEARCH", "FETCH": mailbox
        default: greeting
        }
    }
}
