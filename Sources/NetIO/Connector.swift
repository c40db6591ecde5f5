import Glibc

/// Opens a TCP connection: resolves the host, then tries every address in turn (IPv6 and IPv4
/// interleaved, RFC 8305 §4) under one deadline, recording each attempt.
enum Connector {
    static func open(_ endpoint: Endpoint, deadline: Deadline, transcript: Transcript) async throws -> (Socket, ResolvedAddress) {
        let addresses: [ResolvedAddress]
        let lookupStarted = Deadline.now
        do {
            addresses = try await Resolver.resolve(endpoint.host, port: endpoint.port, deadline: deadline)
        } catch var error as NetIOError {
            error.endpoint = endpoint
            transcript.fact("cannot resolve \(endpoint.host): \(error.evidence ?? error.summary)")
            error.transcriptTail = transcript.tail(10)
            throw error
        }
        var attempts: [ConnectAttempt] = []
        var lastKind: NetIOError.Kind = .timeout
        for (i, address) in addresses.enumerated() {
            let remaining = Deadline.now.duration(to: deadline)
            if remaining <= .zero { break }
            let share = i == addresses.count - 1 ? remaining : remaining / (addresses.count - i)
            let started = Deadline.now
            let (socket, outcome, kind) = try await attempt(address, deadline: .after(share))
            let attempt = ConnectAttempt(address: "\(address):\(endpoint.port)", outcome: outcome,
                                         duration: started.duration(to: .now))
            attempts.append(attempt)
            transcript.fact("connect \(attempt)")
            if let socket { return (socket, address) }
            lastKind = kind
        }
        var error = NetIOError(kind: lastKind, stage: .connect,
                               evidence: attempts.map(\.description).joined(separator: "; "), endpoint: endpoint)
        if attempts.isEmpty {
            let lookup = lookupStarted.duration(to: .now)
            error.evidence = "no time left to connect: resolving \(endpoint.host) to \(addresses.count) address(es) "
                + "took \(Int((lookup.secondsValue * 1000).rounded())) ms, all of the time limit"
        }
        error.attempts = attempts
        error.transcriptTail = transcript.tail(10)
        throw error
    }

    /// One attempt: the socket on success, else the outcome in words and its kind.
    private static func attempt(_ address: ResolvedAddress, deadline: Deadline) async throws
        -> (Socket?, String, NetIOError.Kind)
    {
        let fd = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
                        | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return (nil, String(cString: strerror(errno)), .system(errno: errno)) }
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        let socket = Socket(fd: fd)
        let rc = address.storage.withUnsafeBytes { raw in
            Glibc.connect(fd, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(raw.count))
        }
        var err: Int32 = rc == 0 ? 0 : errno
        if rc != 0 && err == EINPROGRESS {
            let outcome: EventLoop.Outcome
            do {
                outcome = try await socket.loop.wait(for: .write, on: fd, until: deadline)
            } catch {
                socket.close()
                throw error
            }
            if outcome == .timedOut {
                socket.close()
                return (nil, "timed out", .timeout)
            }
            var soErr: Int32 = 0
            var len = socklen_t(MemoryLayout<Int32>.size)
            _ = getsockopt(fd, SOL_SOCKET, SO_ERROR, &soErr, &len)
            err = soErr
        }
        if err == 0 { return (socket, "connected", .refused) }
        socket.close()
        let kind: NetIOError.Kind = switch err {
        case ECONNREFUSED: .refused
        case ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL: .unreachable
        case ETIMEDOUT: .timeout
        default: .system(errno: err)
        }
        let words = err == ECONNREFUSED ? "connection refused" : String(cString: strerror(err))
        return (nil, words, kind)
    }
}
