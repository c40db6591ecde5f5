// A sender process for the outbox crash tests (Tests/OutboxTests/OutboxPostfixTests.swift): drains
// a spool through `SMTPOutboxTransport` to a real SMTP server until nothing is pending (at most
// `maximumPasses` passes), so a test can kill it with SIGKILL at any point and start it again.
//
//   OutboxCrashSender SPOOL HOST PORT CA-FILE USER   (password in $OUTBOX_SENDER_PASSWORD)
import Auth
import Foundation
import NetIO
import Outbox
import SMTP

let maximumPasses = 20
let arguments = CommandLine.arguments
guard arguments.count == 6, let port = UInt16(arguments[3]) else {
    FileHandle.standardError.write(Data("usage: OutboxCrashSender SPOOL HOST PORT CA-FILE USER\n".utf8))
    exit(64)
}
let password = ProcessInfo.processInfo.environment["OUTBOX_SENDER_PASSWORD"] ?? ""
let configuration = SMTPConfiguration(
    endpoint: Endpoint(host: arguments[2], port: port), security: .startTLS,
    tls: TLSOptions(trust: .caFile(arguments[4])), credentials: .password(user: arguments[5], password: password),
    clientName: "outbox-crash-sender.example.test", timeouts: .uniform(.seconds(20)))
do {
    let outbox = try Outbox(directory: URL(fileURLWithPath: arguments[1]))
    let sender = OutboxSender(outbox: outbox, policy: RetryPolicy(initialDelay: 0.05, maximumDelay: 0.05)) { _ in
        try await SMTPOutboxTransport.connect(configuration)
    }
    for _ in 0..<maximumPasses {
        let pass = try await sender.drainOnce(ignoringSchedule: true)
        print("pass: sent \(pass.sent.count) deferred \(pass.deferred.count) failed \(pass.failed.count) "
              + "unknown \(pass.outcomeUnknown.count)")
        if try await outbox.entries().allSatisfy({ !$0.state.isPending }) { break }
    }
    exit(0)
} catch {
    FileHandle.standardError.write(Data("OutboxCrashSender: \(error)\n".utf8))
    exit(1)
}
