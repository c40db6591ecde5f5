import Foundation
import Glibc

/// An exclusive advisory lock (`flock`) on one message, held while it is claimed or sent. The
/// kernel drops it when the process dies, so a crashed sender's messages can be recovered.
final class MessageLock {
    private let fd: Int32

    /// Takes the lock without waiting; `nil` when another process (or descriptor) holds it.
    init?(path: String) {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return nil }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            return nil
        }
        self.fd = fd
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
