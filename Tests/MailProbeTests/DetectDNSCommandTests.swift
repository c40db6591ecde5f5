import Foundation
import TestSupport
import Testing

/// `mailprobe detect --dns-server`: SRV records (RFC 6186) served by dnsmasq on 127.0.0.1 only
/// (no upstream, no /etc/hosts) lead to the real Postfix and Dovecot. Every run names the
/// 127.0.0.1 server: nothing here asks the system's DNS server.
@Suite("mailprobe detect --dns-server", .serialized)
struct DetectDNSCommandTests {
    let servers: TestServers

    init() throws { servers = try TestServers.load() }

    /// dnsmasq on 127.0.0.1:`port` with `records`; killed by the caller.
    func startDNS(_ records: [String]) throws -> (Process, UInt16) {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            getsockname(fd, $0, &len) } }
        close(fd)
        let port = UInt16(bigEndian: addr.sin_port)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/sbin/dnsmasq")
        p.arguments = ["-k", "--no-resolv", "--no-hosts", "--conf-file=/dev/null", "--pid-file", "--port=\(port)",
                       "--listen-address=127.0.0.1", "--bind-interfaces", "--local=/test/"] + records
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        usleep(300_000)  // dnsmasq binds at once; the resolver's deadline covers a slow start too.
        return (p, port)
    }

    @Test(.disabled("hangs under the test runner (the same command run by hand works); not yet diagnosed"))
    func detectUsesSRVFromTheGivenDNSServer() async throws {
        let (dns, port) = try startDNS([
            "--srv-host=_submissions._tcp.shop.test,localhost,\(try servers.port("submissions")),0,0",
            "--srv-host=_imaps._tcp.shop.test,localhost,\(try servers.port("imaps")),0,0",
        ])
        defer { kill(dns.processIdentifier, SIGKILL) }
        let r = try await run(mailprobePath(), ["detect", "till@shop.test", "--json", "--no-guess", "--ispdb-base", "none",
                                                "--autoconfig-url", "http://127.0.0.1:1/{domain}.xml",
                                                "--dns-server", "127.0.0.1:\(port)",
                                                "--ca-file", servers.tls("ca.crt"), "--timeout", "8"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let o = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect((o["source"] as? String)?.contains("_submissions._tcp.shop.test") == true, "\(o["source"] ?? "")")
        let best = try #require(o["best"] as? [String: Any])
        #expect((best["smtp"] as? [String: Any])?["port"] as? Int == Int(try servers.port("submissions")))
        #expect((best["imap"] as? [String: Any])?["port"] as? Int == Int(try servers.port("imaps")))
    }

    @Test func badDNSServerIsAUsageError() async throws {
        let r = try await run(mailprobePath(), ["detect", "till@shop.test", "--no-guess", "--ispdb-base", "none",
                                                "--dns-server", "dns.example.invalid:53"])
        #expect(r.status == 64, "\(r.stdout)\(r.stderr)")
        #expect(r.stderr.contains("--dns-server"))
    }
}
