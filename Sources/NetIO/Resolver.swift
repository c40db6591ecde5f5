import Dispatch
import Glibc

/// One address a host name resolved to.
struct ResolvedAddress: Sendable, CustomStringConvertible {
    var family: Int32
    var storage: [UInt8]  // the sockaddr bytes
    var numeric: String

    var isIPv6: Bool { family == AF_INET6 }
    var description: String { isIPv6 ? "[\(numeric)]" : numeric }
}

/// Host name resolution with `getaddrinfo`, run off the event loop and bounded by a deadline.
enum Resolver {
    static func resolve(_ host: String, port: UInt16, deadline: Deadline) async throws -> [ResolvedAddress] {
        if let literal = try? lookup(host, port: port, numericOnly: true), !literal.isEmpty {
            return literal
        }
        if isUnderInvalid(host) {
            throw NetIOError(kind: .dns, stage: .resolve,
                             evidence: "\(host): Name or service not known (names under .invalid never exist, RFC 6761 §6.4; not sent to DNS)")
        }
        let once = ResumeOnce<[ResolvedAddress]>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                once.set(continuation)
                let timer = EventLoop.shared.schedule(at: deadline) {
                    once.resume(throwing: NetIOError(kind: .timeout, stage: .resolve,
                                                     evidence: "no answer for \(host) before the deadline"))
                }
                DispatchQueue.global().async {
                    do {
                        let result = try lookup(host, port: port, numericOnly: false)
                        once.resume(returning: result)
                    } catch {
                        once.resume(throwing: error)
                    }
                    EventLoop.shared.cancelTimer(timer)
                }
            }
        } onCancel: {
            once.resume(throwing: CancellationError())
        }
    }

    /// RFC 6761 §6.4: resolver libraries should answer names under `invalid` negatively at once,
    /// without asking a name server.
    static func isUnderInvalid(_ host: String) -> Bool {
        var h = host.lowercased()
        while h.hasSuffix(".") { h.removeLast() }
        return h == "invalid" || h.hasSuffix(".invalid")
    }

    private static func lookup(_ host: String, port: UInt16, numericOnly: Bool) throws -> [ResolvedAddress] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        hints.ai_flags = AI_ADDRCONFIG | (numericOnly ? AI_NUMERICHOST : 0)
        if numericOnly { hints.ai_flags = AI_NUMERICHOST }
        var result: UnsafeMutablePointer<addrinfo>? = nil
        let rc = getaddrinfo(host, String(port), &hints, &result)
        defer { if result != nil { freeaddrinfo(result) } }
        guard rc == 0 else {
            let text = String(cString: gai_strerror(rc))
            throw NetIOError(kind: .dns, stage: .resolve, evidence: "\(host): \(text)")
        }
        var out: [ResolvedAddress] = []
        var p = result
        while let ai = p {
            let len = Int(ai.pointee.ai_addrlen)
            let bytes = [UInt8](UnsafeRawBufferPointer(start: ai.pointee.ai_addr, count: len))
            var hostBuf = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            _ = getnameinfo(ai.pointee.ai_addr, ai.pointee.ai_addrlen, &hostBuf, socklen_t(hostBuf.count),
                            nil, 0, NI_NUMERICHOST)
            let numeric = String(cBuffer: hostBuf)
            if !out.contains(where: { $0.storage == bytes }) {
                out.append(ResolvedAddress(family: ai.pointee.ai_family, storage: bytes, numeric: numeric))
            }
            p = ai.pointee.ai_next
        }
        return interleave(out)
    }

    /// RFC 8305 §4: alternate address families, IPv6 first.
    private static func interleave(_ addresses: [ResolvedAddress]) -> [ResolvedAddress] {
        let v6 = addresses.filter(\.isIPv6), v4 = addresses.filter { !$0.isIPv6 }
        var out: [ResolvedAddress] = []
        for i in 0..<max(v6.count, v4.count) {
            if i < v6.count { out.append(v6[i]) }
            if i < v4.count { out.append(v4[i]) }
        }
        return out
    }
}

/// Resumes a continuation exactly once, whoever comes first (result, timer or cancellation).
final class ResumeOnce<T: Sendable>: Sendable {
    private enum Phase {
        case waiting(CheckedContinuation<T, any Error>?)
        case early(Result<T, any Error>)
        case done
    }
    private let phase = Locked<Phase>(.waiting(nil))

    func set(_ continuation: CheckedContinuation<T, any Error>) {
        let early = phase.withLock { p -> Result<T, any Error>? in
            if case .early(let r) = p { p = .done; return r }
            p = .waiting(continuation)
            return nil
        }
        if let early { continuation.resume(with: early) }
    }

    func resume(returning value: T) { finish(.success(value)) }
    func resume(throwing error: any Error) { finish(.failure(error)) }

    private func finish(_ result: Result<T, any Error>) {
        let c = phase.withLock { p -> CheckedContinuation<T, any Error>? in
            switch p {
            case .waiting(let c?): p = .done; return c
            case .waiting(nil): p = .early(result); return nil
            case .early, .done: return nil
            }
        }
        c?.resume(with: result)
    }
}
