import Foundation
import IMAP
import NetIO
import Auth
import TestSupport

import Testing

/// Every test against the real Dovecot, one at a time: Dovecot allows ten connections per user
/// and address (mail_max_userip_connections), and the tests share the accounts.
@Suite("IMAP against real Dovecot", .serialized)
struct DovecotTests {}

/// Connections to the real Dovecot of `scripts/servers`.
struct Dovecot {
    let servers: TestServers

    init() throws { servers = try TestServers.load() }

    static let alice = ("alice@example.test", "alice-secret")
    static let bob = ("bob@example.test", "bob-secret")

    func options(_ security: Security, transcript: Transcript = Transcript(ringCapacity: 2_000)) -> IMAPClientOptions {
        IMAPClientOptions(security: security, tls: TLSOptions(trust: .caFile(servers.tls("ca.crt"))),
                          timeouts: .uniform(.seconds(10)), transcript: transcript)
    }

    func connect(_ security: Security = .implicitTLS, transcript: Transcript = Transcript(ringCapacity: 2_000)) async throws -> IMAPClient {
        let port = try servers.port(security == .implicitTLS ? "imaps" : "imap")
        return try await IMAPClient.connect(to: Endpoint(host: "localhost", port: port),
                                            options: options(security, transcript: transcript))
    }

    /// A logged-in session as alice (or `user`).
    func session(_ user: (String, String) = Dovecot.alice, _ security: Security = .implicitTLS,
                 transcript: Transcript = Transcript(ringCapacity: 2_000)) async throws -> IMAPClient {
        let c = try await connect(security, transcript: transcript)
        try await c.login(user: user.0, password: user.1)
        return c
    }
}

/// A fresh mailbox name for one test (tests run in parallel on the same account).
func scratchMailbox(_ prefix: String = "t") -> MailboxName {
    MailboxName("\(prefix)-\(UUID().uuidString.prefix(8))")
}

/// A small RFC 5322 message with CRLF line ends.
func sampleMessage(subject: String, from: String = "Shop <shop@example.test>", body: String = "Hello.\r\n") -> [UInt8] {
    Array(("From: \(from)\r\nTo: alice@example.test\r\nSubject: \(subject)\r\n"
        + "Date: Tue, 01 Dec 2026 08:00:00 +0000\r\nMessage-ID: <\(UUID().uuidString)@example.test>\r\n"
        + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\(body)").utf8)
}

/// A message of about `size` bytes with a varied body (base64-looking lines).
func bigMessage(size: Int) -> [UInt8] {
    var out = Array("From: shop@example.test\r\nTo: alice@example.test\r\nSubject: big\r\nMIME-Version: 1.0\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n".utf8)
    let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    var seed: UInt32 = 12345
    while out.count < size {
        for _ in 0..<76 {
            seed = seed &* 1_103_515_245 &+ 12345
            out.append(alphabet[Int(seed >> 16) % 64])
        }
        out += [0x0D, 0x0A]
    }
    return out
}

struct TimedOut: Error, CustomStringConvertible {
    let description: String
}

/// Runs `operation`, cancelling it and throwing after `limit`: no test waits forever.
func within<T: Sendable>(_ limit: Duration, _ what: String = "operation",
                         _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw TimedOut(description: "\(what) did not finish within \(limit)")
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}

/// `doveadm` against the test Dovecot, to seed mail the way the server itself delivers it.
func doveadm(_ arguments: [String], input: [UInt8]? = nil) async throws -> CommandResult {
    guard let path = ProcessInfo.processInfo.environment["MAILENGINE_SERVERS"],
          let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any],
          let conf = object["doveconf"] as? String
    else { throw TimedOut(description: "no doveconf in MAILENGINE_SERVERS") }
    guard let input else { return try await run("/usr/bin/doveadm", ["-c", conf] + arguments) }
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("seed-\(UUID().uuidString).eml")
    try Data(input).write(to: file)
    defer { try? FileManager.default.removeItem(at: file) }
    return try await run("/bin/sh", ["-c", "exec /usr/bin/doveadm -c \"$0\" \"$@\" < \"\(file.path)\"", conf] + arguments)
}
