import Testing
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import TestSupport

/// The servers tests start themselves (`LocalHTTPServer`, `LocalTLSServer`) are ready when the
/// child says so: it binds port 0 and reports the port; a port probe would be answered by any
/// listener that took a "free" port first.
@Suite struct LocalServerReadinessTests {
    struct Failed: Error, CustomStringConvertible { var description: String }

    @Test func onlyACompleteLoopbackAcceptLineCounts() {
        #expect(LoopbackPorts.reportedPort("Using default temp DH parameters\nACCEPT 127.0.0.1:4433\n") == 4433)
        #expect(LoopbackPorts.reportedPort("ACCEPT 127.0.0.1:44") == nil, "a line still being written")
        #expect(LoopbackPorts.reportedPort("ACCEPT 0.0.0.0:4433\n") == nil, "not bound to loopback only")
        #expect(LoopbackPorts.reportedPort("ACCEPT 127.0.0.1:0\nACCEPT 127.0.0.1:70000\n") == nil)
        #expect(LoopbackPorts.reportedPort("") == nil)
    }

    @Test func aChildThatExitsBeforeReportingFailsAtOnceWithWhatItSaid() throws {
        let start = ContinuousClock.now
        let error = #expect(throws: Failed.self) {
            _ = try LoopbackPorts.startReportingServer(failure: { Failed(description: $0) }) { out, err in
                try ChildProcess("/bin/sh", ["-c", "echo 'cannot bind' >&2; exit 3"], stdoutPath: out, stderrPath: err)
            }
        }
        #expect(ContinuousClock.now - start < .seconds(5))
        #expect(error?.description.contains("exited") == true, "\(String(describing: error))")
        #expect(error?.description.contains("cannot bind") == true, "\(String(describing: error))")
    }

    @Test func aChildThatNeverReportsIsStoppedAtTheDeadline() throws {
        let pidFile = NSTemporaryDirectory() + "readiness-\(UUID().uuidString).pid"
        defer { unlink(pidFile) }
        let error = #expect(throws: Failed.self) {
            _ = try LoopbackPorts.startReportingServer(timeout: .milliseconds(300), failure: { Failed(description: $0) }) { out, err in
                try ChildProcess("/bin/sh", ["-c", "echo $$ > \(pidFile); echo 'ACCEPT 127.0.0.1:'; exec sleep 30"],
                                 stdoutPath: out, stderrPath: err)
            }
        }
        #expect(error?.description.contains("reported no port") == true, "\(String(describing: error))")
        let pid = try #require(Int32(String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(kill(pid, 0) != 0, "the child was stopped")
    }
}
