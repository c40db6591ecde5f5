import ArgumentParser
import IMAP
import NetIO

/// `mailbench imap-fetch`: every message of a mailbox fetched over implicit TLS (RFC 8314) with
/// one streamed UID FETCH 1:* (RFC 9051 §6.4.9), whole (`BODY.PEEK[]`) or ENVELOPE only. Bodies
/// are counted as they arrive (`uidFetchEvents`), never held whole.
struct IMAPFetchBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "imap-fetch",
        abstract: "Fetch every message of MAILBOX over TLS, whole or ENVELOPE only.")

    enum What: String, ExpressibleByArgument, CaseIterable { case whole, envelope }

    @Option var host: String
    @Option var port: UInt16
    @Option(help: "CA file that signed the server's certificate.") var ca: String
    @Option var user: String
    @Option var password: String
    @Option var mailbox: String
    @Option var what: What

    func run() async throws {
        let start = ContinuousClock.now
        let imap = try await IMAPClient.connect(
            to: Endpoint(host: host, port: port),
            options: IMAPClientOptions(security: .implicitTLS, tls: TLSOptions(trust: .caFile(ca)),
                                       transcript: Transcript(ringCapacity: 16)))
        try await imap.login(user: user, password: password)
        let selected = try await imap.examine(MailboxName(mailbox))
        var messages = 0, bodyBytes = 0, envelopes = 0
        let attributes: [FetchAttribute] = what == .whole ? [.body()] : [.envelope]
        for try await event in try await imap.uidFetchEvents(.all, attributes) {
            switch event {
            case .messageEnd: messages += 1
            case .bodyChunk(let bytes): bodyBytes += bytes.count
            case .attribute(let a):
                switch a {
                case .envelope: envelopes += 1
                case .bodySection(_, let bytes): bodyBytes += bytes?.count ?? 0
                default: break
                }
            default: break
            }
        }
        await imap.logout()
        let seconds = Summary.seconds(since: start)
        Summary.print(["case": "imap-fetch", "what": what.rawValue, "messages": messages, "exists": Int(selected.exists),
                       "body_bytes": bodyBytes, "envelopes": envelopes, "seconds": seconds])
        guard messages == Int(selected.exists), what == .envelope ? envelopes == messages : bodyBytes > 0 else {
            throw BenchFailure("fetched \(messages) of \(selected.exists) messages")
        }
    }
}
