import ArgumentParser
import Auth
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NetIO
import SMTP

/// `mailbench smtp`: N messages over STARTTLS + AUTH PLAIN on each of K connections (RFC 5321,
/// RFC 3207, RFC 4616), through `SMTPClient.send(raw:envelope:)`. With `--message-file` each
/// message is streamed from that file (`MessageFile`: read 64 KiB at a time, as curl reads its
/// upload file), else built in memory, exactly SIZE octets.
struct SMTPBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "smtp",
        abstract: "Send COUNT messages of SIZE bytes on each of CONNECTIONS connections.")

    @Option var host: String
    @Option var port: UInt16
    @Option(help: "CA file that signed the server's certificate.") var ca: String
    @Option var user: String
    @Option var password: String
    @Option(help: "Messages per connection.") var count: Int
    @Option(help: "Octets per message (built in memory; ignored with --message-file).") var size = 2048
    @Option(help: "Send this file (RFC 5322 text) as each message, streamed from the file.") var messageFile: String?
    @Flag(help: "Do not use PIPELINING (RFC 2920) even when offered.") var noPipelining = false
    @Option(help: "Parallel connections.") var connections = 1

    func validate() throws {
        guard count > 0, size >= 512, connections > 0, connections <= 64 else {
            throw ValidationError("count > 0, size >= 512, 1 <= connections <= 64")
        }
    }

    func run() async throws {
        let message: any SMTPMessageSource
        let bytesPerMessage: Int
        if let messageFile {
            let file = MessageFile(URL(fileURLWithPath: messageFile), summary: "bench")
            guard let n = file.byteCount else { throw BenchFailure("cannot read \(messageFile)") }
            (message, bytesPerMessage) = (file, n)
        } else {
            (message, bytesPerMessage) = (try BenchMessage.make(size: size), size)
        }
        let envelope = Envelope(mailFrom: "shop@example.test", recipients: ["customer@example.test"])
        let config = SMTPConfiguration(
            endpoint: Endpoint(host: host, port: port), security: .startTLS,
            tls: TLSOptions(trust: .caFile(ca)),
            credentials: .password(user: user, password: password),
            mechanism: MechanismSelection(pinned: "PLAIN"),
            clientName: "bench.localhost",
            transcript: Transcript(ringCapacity: 16),
            usePipelining: !noPipelining)
        let start = ContinuousClock.now
        let perConnection = count
        let outcomes = await withTaskGroup(of: (sent: Int, error: String?).self) { group in
            for _ in 0..<connections {
                group.addTask {
                    let client = SMTPClient(config)
                    var sent = 0
                    do {
                        for _ in 0..<perConnection {
                            _ = try await client.send(raw: message, envelope: envelope)
                            sent += 1
                        }
                        await client.quit()
                        return (sent, nil)
                    } catch {
                        await client.close()
                        return (sent, String(describing: error))
                    }
                }
            }
            var all: [(sent: Int, error: String?)] = []
            for await o in group { all.append(o) }
            return all
        }
        let seconds = Summary.seconds(since: start)
        let sent = outcomes.reduce(0) { $0 + $1.sent }
        let failed = connections * count - sent
        Summary.print(["case": "smtp", "sent": sent, "failed": failed, "connections": connections,
                       "bytes": sent * bytesPerMessage, "seconds": seconds, "pipelining": !noPipelining,
                       "messages_per_second": Double(sent) / seconds])
        if let error = outcomes.compactMap(\.error).first {
            throw BenchFailure("\(failed) message(s) not sent: \(error)")
        }
    }
}
