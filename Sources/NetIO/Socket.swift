import Glibc

/// A non-blocking TCP socket registered with the event loop. Owned by one `Connection`.
final class Socket: @unchecked Sendable {  // owned and used by one Connection at a time
    private(set) var fd: Int32
    let loop: EventLoop

    init(fd: Int32, loop: EventLoop = .shared) {
        self.fd = fd
        self.loop = loop
        loop.register(fd)
    }

    var isOpen: Bool { fd >= 0 }

    /// Result of one non-blocking read.
    enum ReadResult { case data(Int), endOfStream, wouldBlock }

    /// Reads what the kernel has, without waiting.
    func readNow(into buffer: UnsafeMutableRawBufferPointer) throws(SocketFailure) -> ReadResult {
        guard fd >= 0 else { throw SocketFailure(errno: EBADF) }
        while true {
            let n = Glibc.recv(fd, buffer.baseAddress, buffer.count, 0)
            if n > 0 { return .data(n) }
            if n == 0 { return .endOfStream }
            let e = errno
            if e == EINTR { continue }
            if e == EAGAIN || e == EWOULDBLOCK { return .wouldBlock }
            throw SocketFailure(errno: e)
        }
    }

    /// Writes what the kernel takes now; returns the count written (0 when it would block).
    func writeNow(_ buffer: UnsafeRawBufferPointer) throws(SocketFailure) -> Int {
        guard fd >= 0 else { throw SocketFailure(errno: EBADF) }
        while true {
            let n = Glibc.send(fd, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL))
            if n >= 0 { return n }
            let e = errno
            if e == EINTR { continue }
            if e == EAGAIN || e == EWOULDBLOCK { return 0 }
            throw SocketFailure(errno: e)
        }
    }

    /// Bytes already waiting in the kernel, read without consuming them (`MSG_PEEK`).
    func peekNow(max: Int = 512) -> [UInt8] {
        guard fd >= 0 else { return [] }
        var buf = [UInt8](repeating: 0, count: max)
        let n = buf.withUnsafeMutableBytes { Glibc.recv(fd, $0.baseAddress, max, Int32(MSG_PEEK | MSG_DONTWAIT)) }
        return n > 0 ? Array(buf[0..<n]) : []
    }

    /// Sets SO_RCVLOWAT (socket(7)): readiness for reading is then reported only once `bytes` are
    /// waiting, or at end of stream or on an error. `false` if the kernel refused it.
    @discardableResult
    func setReceiveLowWater(_ bytes: Int32) -> Bool {
        guard fd >= 0 else { return false }
        var value = bytes
        return setsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &value, socklen_t(MemoryLayout<Int32>.size)) == 0
    }

    /// Waits in `poll(2)` on the calling thread, at most `milliseconds` (keep it short: it holds
    /// the thread): `true` when readable (per SO_RCVLOWAT) or at end of stream or error.
    func pollReadable(milliseconds: Int32) -> Bool {
        guard fd >= 0 else { return false }
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return Glibc.poll(&p, 1, milliseconds) > 0
    }

    func close() {
        guard fd >= 0 else { return }
        loop.deregister(fd)
        _ = Glibc.close(fd)
        fd = -1
    }

    deinit { close() }
}

/// A failed socket system call: its errno.
struct SocketFailure: Error {
    let errno: Int32
    var message: String { String(cString: strerror(errno)) }
}
