internal import Foundation
internal import CResolv

/// Where DNS queries go: a numeric IPv4 or IPv6 address and a UDP port (RFC 1035 §4.2.1).
public struct DNSNameserver: Sendable, Hashable, CustomStringConvertible {
    /// A numeric address (`127.0.0.1`, `::1`); host names are refused (resolving them needs DNS).
    public var address: String
    public var port: UInt16

    public init(address: String, port: UInt16 = 53) {
        self.address = address
        self.port = port
    }

    /// Parses `HOST:PORT`, `[V6]:PORT`, or a bare address (port 53).
    public init?(parsing text: String) {
        var host = text, port: UInt16 = 53
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":"), let p = UInt16(rest.dropFirst()), p > 0 else { return nil }
                port = p
            }
        } else if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") {
            host = String(text[..<colon])
            guard let p = UInt16(text[text.index(after: colon)...]), p > 0 else { return nil }
            port = p
        }
        guard SocketAddress(numeric: host, port: port) != nil else { return nil }
        self.init(address: host, port: port)
    }

    /// The first `nameserver` line of a resolv.conf(5) text.
    public static func first(inResolvConf text: String) -> DNSNameserver? {
        for line in text.split(whereSeparator: { $0 == "\n" }) {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard words.count >= 2, words[0] == "nameserver" else { continue }
            // A scoped IPv6 address (fe80::1%eth0) is not supported here.
            let candidate = DNSNameserver(address: String(words[1]))
            if SocketAddress(numeric: candidate.address, port: 53) != nil { return candidate }
        }
        return nil
    }

    public var description: String { address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)" }
}

/// Why a DNS query failed. NXDOMAIN and "no such record" are not errors: they are empty answers.
public struct DNSError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// The server answered with an error RCODE other than NXDOMAIN (RFC 1035 §4.1.1:
        /// 1 FORMERR, 2 SERVFAIL, 4 NOTIMP, 5 REFUSED…).
        case serverFailure(rcode: Int)
        /// No matching answer within the deadline.
        case timeout
        /// The answer does not parse, or does not answer our question.
        case malformedAnswer(String)
        /// The answer was truncated (TC bit, RFC 1035 §4.1.1); retrying over TCP is not implemented.
        case truncated
        /// The name cannot be queried (empty, too long, control characters).
        case invalidName
        /// No usable nameserver in /etc/resolv.conf, or the address is not numeric.
        case noNameserver
        /// A socket call failed.
        case system(errno: Int32)
    }

    public var kind: Kind
    /// The name and type asked, e.g. `SRV _imaps._tcp.example.com`.
    public var query: String
    public var nameserver: String
    /// How long the query waited for an answer (set for `.timeout`).
    public var waited: Duration?

    public init(kind: Kind, query: String, nameserver: String, waited: Duration? = nil) {
        self.kind = kind
        self.query = query
        self.nameserver = nameserver
        self.waited = waited
    }

    public var description: String {
        let what: String = switch kind {
        case .serverFailure(let rcode): "the DNS server answered with error \(Self.rcodeName(rcode))"
        case .timeout: "no answer from the DNS server within " + (waited.map(Self.words) ?? "the time limit")
        case .malformedAnswer(let why): "the DNS answer is malformed (\(why))"
        case .truncated: "the DNS answer was truncated (too large for UDP)"
        case .invalidName: "not a valid DNS name"
        case .noNameserver: "no usable DNS server"
        case .system(let errno): "socket error \(errno) (\(String(cString: strerror(errno))))"
        }
        return "DNS \(query) via \(nameserver): \(what)"
    }

    /// `400 ms`, `3 s`, `2.5 s`.
    static func words(_ d: Duration) -> String {
        let ms = d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000
        if ms < 1000 { return "\(ms) ms" }
        return ms % 1000 == 0 ? "\(ms / 1000) s" : "\(Double(ms) / 1000) s"
    }

    static func rcodeName(_ rcode: Int) -> String {
        switch rcode {
        case 1: "FORMERR"
        case 2: "SERVFAIL"
        case 4: "NOTIMP"
        case 5: "REFUSED"
        default: "RCODE \(rcode)"
        }
    }
}

/// A stub resolver for the SRV (RFC 2782, RFC 6186) and MX (RFC 5321 §5.1) lookups of settings
/// detection: it builds the query with libresolv (`res_mkquery`), sends it over UDP to one
/// nameserver with a deadline, and parses the answer with libresolv (`ns_initparse`,
/// `ns_parserr`, `dn_expand`), bounds-checking every record. It never reads the system's
/// resolver settings unless asked to (`SystemDNSResolver.system()`), so tests can point it at a
/// DNS server on 127.0.0.1.
public struct SystemDNSResolver: MailDNSResolving {
    /// RFC 1035 §2.3.4: a UDP message is at most 512 octets without EDNS; a larger buffer
    /// accepts what servers send anyway.
    static let maxUDPMessage = 4096
    /// RFC 1035 §2.3.4: names are at most 255 octets.
    static let maxNameLength = 253
    /// Replies with a foreign ID (late answers to earlier queries) ignored before giving up.
    static let maxIgnoredReplies = 16

    public var nameserver: DNSNameserver
    /// The whole query's deadline (send, resend, wait).
    public var timeout: Duration

    /// A resolver that asks `nameserver` (never anything else).
    public init(nameserver: DNSNameserver, timeout: Duration = .seconds(3)) {
        self.nameserver = nameserver
        self.timeout = timeout
    }

    /// A resolver that asks the first nameserver of /etc/resolv.conf.
    public static func system(timeout: Duration = .seconds(3), resolvConf: String = "/etc/resolv.conf") throws -> SystemDNSResolver {
        guard let text = try? String(contentsOfFile: resolvConf, encoding: .utf8),
              let server = DNSNameserver.first(inResolvConf: text)
        else { throw DNSError(kind: .noNameserver, query: "", nameserver: resolvConf) }
        return SystemDNSResolver(nameserver: server, timeout: timeout)
    }

    /// SRV records for `name` (RFC 2782), lowest priority first, then highest weight. A target
    /// of `.` (RFC 2782; RFC 6186 §3.4: the service is not offered) is returned as `"."`; other
    /// targets without the trailing dot. NXDOMAIN or no SRV record: `[]`.
    public func srv(_ name: String) async throws -> [SRVRecord] {
        let records = try await query(name, type: .srv).compactMap { rr -> SRVRecord? in
            guard case .srv(let r) = rr else { return nil }
            return r
        }
        return Self.ordered(records)
    }

    /// MX hosts for `domain`, lowest preference first (RFC 5321 §5.1). A null MX (RFC 7505: the
    /// host `.`) means the domain takes no mail and gives `[]`; so do NXDOMAIN and no MX record.
    public func mx(_ domain: String) async throws -> [String] {
        let records = try await query(domain, type: .mx).compactMap { rr -> (UInt16, String)? in
            guard case .mx(let preference, let host) = rr else { return nil }
            return (preference, host)
        }
        return records.enumerated()
            .sorted { $0.element.0 != $1.element.0 ? $0.element.0 < $1.element.0 : $0.offset < $1.offset }
            .map(\.element.1)
            .filter { $0 != "." }
    }

    /// RFC 2782 order, deterministic: priority ascending, then weight descending (the weighted
    /// random choice within a priority is left to the caller), then as received.
    static func ordered(_ records: [SRVRecord]) -> [SRVRecord] {
        records.enumerated().sorted { a, b in
            if a.element.priority != b.element.priority { return a.element.priority < b.element.priority }
            if a.element.weight != b.element.weight { return a.element.weight > b.element.weight }
            return a.offset < b.offset
        }.map(\.element)
    }

    enum RecordType: Int32 {
        case mx = 15, srv = 33
        var name: String { self == .mx ? "MX" : "SRV" }
    }

    enum Record: Sendable, Hashable {
        case srv(SRVRecord)
        case mx(preference: UInt16, host: String)
    }

    func query(_ rawName: String, type: RecordType) async throws -> [Record] {
        var name = rawName
        while name.hasSuffix(".") { name.removeLast() }
        let label = "\(type.name) \(name)"
        let server = nameserver
        let deadline = ContinuousClock.now + timeout
        let wait = timeout
        @Sendable func fail(_ kind: DNSError.Kind) -> DNSError {
            DNSError(kind: kind, query: label, nameserver: server.description, waited: kind == .timeout ? wait : nil)
        }
        guard !name.isEmpty, name.utf8.count <= Self.maxNameLength,
              !name.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value > 0x7E })
        else { throw fail(.invalidName) }
        guard let address = SocketAddress(numeric: server.address, port: server.port) else { throw fail(.noNameserver) }

        var queryBytes = [UInt8](repeating: 0, count: 512)
        let queryLength = name.withCString { cresolv_mkquery($0, type.rawValue, &queryBytes, Int32(queryBytes.count)) }
        guard queryLength > 12 else { throw fail(.invalidName) }
        queryBytes.removeSubrange(Int(queryLength)...)
        let message = queryBytes

        let reply: [UInt8] = try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result {
                    try Self.exchange(message, with: address, deadline: deadline, fail: fail)
                })
            }
        }
        return try Self.parse(reply, type: type, name: name, fail: fail)
    }

    /// Sends the query over a connected UDP socket (only the nameserver's replies are received)
    /// and waits for the reply carrying the query's ID; the query is sent again once halfway
    /// through the deadline (RFC 1035 §4.2.1: UDP is lossy).
    static func exchange(_ query: [UInt8], with address: SocketAddress, deadline: ContinuousClock.Instant,
                         fail: (DNSError.Kind) -> DNSError) throws -> [UInt8] {
        let fd = socket(address.family, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw fail(.system(errno: errno)) }
        defer { close(fd) }
        let connected = address.withSockaddr { connect(fd, $0, $1) }
        guard connected == 0 else { throw fail(.system(errno: errno)) }
        func send() throws {
            let sent = query.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) }
            guard sent == query.count else { throw fail(.system(errno: errno)) }
        }
        try send()
        let resendAt = ContinuousClock.now + (deadline - ContinuousClock.now) / 2
        var resent = false
        var ignored = 0
        var buffer = [UInt8](repeating: 0, count: maxUDPMessage)
        while true {
            let now = ContinuousClock.now
            guard now < deadline else { throw fail(.timeout) }
            let waitUntil = resent ? deadline : min(deadline, resendAt)
            let remaining = waitUntil - now
            let ms = max(1, Int32(min(remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000 + 1,
                                      Int64(Int32.max))))
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, ms)
            if ready < 0 {
                if errno == EINTR { continue }
                throw fail(.system(errno: errno))
            }
            if ready == 0 {
                if !resent && ContinuousClock.now >= resendAt { try send(); resent = true }
                continue
            }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count < 0 {
                // ICMP port unreachable arrives as ECONNREFUSED: nothing answers there; wait out
                // the deadline like a lost datagram would (the caller sees one timeout kind).
                if errno == EINTR || errno == ECONNREFUSED { usleep(10_000); continue }
                throw fail(.system(errno: errno))
            }
            // The ID (RFC 1035 §4.1.1) must match; otherwise it is a stale reply.
            if count >= 2 && buffer[0] == query[0] && buffer[1] == query[1] { return Array(buffer[..<count]) }
            ignored += 1
            if ignored > maxIgnoredReplies { throw fail(.malformedAnswer("too many replies with a foreign ID")) }
        }
    }

    /// Parses a reply with libresolv: header (QR set, RCODE, TC), the question echoed back, then
    /// the answer records of the asked type and class IN, each checked against its RDLENGTH.
    static func parse(_ reply: [UInt8], type: RecordType, name: String,
                      fail: (DNSError.Kind) -> DNSError) throws -> [Record] {
        try reply.withUnsafeBufferPointer { buf -> [Record] in
            guard let base = buf.baseAddress, buf.count >= 12 else { throw fail(.malformedAnswer("shorter than a header")) }
            var msg = ns_msg()
            guard ns_initparse(base, Int32(buf.count), &msg) == 0 else {
                throw fail(.malformedAnswer("the section counts do not match the message"))
            }
            guard cresolv_flag(&msg, Int32(ns_f_qr.rawValue)) == 1 else { throw fail(.malformedAnswer("not a response")) }
            let rcode = Int(cresolv_rcode(&msg))
            if rcode == 3 { return [] }  // NXDOMAIN: the name does not exist.
            guard rcode == 0 else { throw fail(.serverFailure(rcode: rcode)) }
            guard cresolv_flag(&msg, Int32(ns_f_tc.rawValue)) == 0 else { throw fail(.truncated) }

            var rr = ns_rr()
            guard cresolv_count(&msg, ns_s_qd) == 1, ns_parserr(&msg, ns_s_qd, 0, &rr) == 0,
                  String(cString: cresolv_rr_name(&rr)).lowercased() == name.lowercased(),
                  cresolv_rr_type(&rr) == type.rawValue
            else { throw fail(.malformedAnswer("it does not answer the question asked")) }

            let eom = base + buf.count
            var records: [Record] = []
            for index in 0..<cresolv_count(&msg, ns_s_an) {
                guard ns_parserr(&msg, ns_s_an, index, &rr) == 0 else {
                    throw fail(.malformedAnswer("answer record \(index) does not parse"))
                }
                // CNAMEs and other types the server adds are skipped; only IN records count.
                guard cresolv_rr_type(&rr) == type.rawValue, cresolv_rr_class(&rr) == 1 else { continue }
                let length = Int(cresolv_rr_rdlen(&rr))
                guard let rdata = cresolv_rr_rdata(&rr), rdata >= base, rdata + length <= eom else {
                    throw fail(.malformedAnswer("record data outside the message"))
                }
                func u16(_ at: Int) -> UInt16 { UInt16(rdata[at]) << 8 | UInt16(rdata[at + 1]) }
                // The fixed fields, then a domain name that must end exactly at RDLENGTH.
                let fixed = type == .srv ? 6 : 2
                guard length > fixed else { throw fail(.malformedAnswer("\(type.name) record too short")) }
                var host = [CChar](repeating: 0, count: Int(NS_MAXDNAME))
                let used = cresolv_expand(base, eom, rdata + fixed, &host, Int32(host.count))
                guard used > 0, fixed + Int(used) == length else {
                    throw fail(.malformedAnswer("\(type.name) target name does not fit its record"))
                }
                var target = host.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
                if target.isEmpty { target = "." }  // The root name: "no service" / null MX.
                switch type {
                case .srv:
                    records.append(.srv(SRVRecord(priority: u16(0), weight: u16(2), port: u16(4), target: target)))
                case .mx:
                    records.append(.mx(preference: u16(0), host: target))
                }
            }
            return records
        }
    }
}

/// A numeric socket address (IPv4 or IPv6) for `connect`.
struct SocketAddress: Sendable {
    var family: Int32
    var storage: sockaddr_storage
    var length: socklen_t

    init?(numeric host: String, port: UInt16) {
        if host.contains(":") {
            var a = sockaddr_in6()
            a.sin6_family = sa_family_t(AF_INET6)
            a.sin6_port = port.bigEndian
            guard inet_pton(AF_INET6, host, &a.sin6_addr) == 1 else { return nil }
            self.init(family: AF_INET6, address: a)
        } else {
            var a = sockaddr_in()
            a.sin_family = sa_family_t(AF_INET)
            a.sin_port = port.bigEndian
            guard inet_pton(AF_INET, host, &a.sin_addr) == 1 else { return nil }
            self.init(family: AF_INET, address: a)
        }
    }

    /// `address` (a filled-in `sockaddr_in` or `sockaddr_in6` of `family`) copied into the storage.
    private init<Address>(family: Int32, address: Address) {
        var storage = sockaddr_storage()
        withUnsafeBytes(of: address) { src in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: src) } }
        self.family = family
        self.storage = storage
        self.length = socklen_t(MemoryLayout<Address>.size)
    }

    func withSockaddr<T>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
        withUnsafeBytes(of: storage) { body($0.baseAddress!.assumingMemoryBound(to: sockaddr.self), length) }
    }
}
