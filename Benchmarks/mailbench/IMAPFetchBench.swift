import ArgumentParser

/// `mailbench imap-fetch`: every message of a mailbox fetched over implicit TLS (RFC 3501
/// UID FETCH), whole or ENVELOPE only. Waits for the IMAP client to be merged.
struct IMAPFetchBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "imap-fetch",
        abstract: "Fetch every message of MAILBOX over TLS, whole or ENVELOPE only.")

    enum What: String, ExpressibleByArgument, CaseIterable { case whole, envelope }

    @Option var host: String
    @Option var port: UInt16
    @Option var ca: String
    @Option var user: String
    @Option var password: String
    @Option var mailbox: String
    @Option var what: What

    func run() async throws {
        throw BenchFailure("the IMAP client is not merged yet")
    }
}
