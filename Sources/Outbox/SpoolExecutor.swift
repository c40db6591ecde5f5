import Dispatch

/// The serial executor an `Outbox` runs on: a dispatch queue of its own. Every spool operation
/// blocks in `fsync(2)` (and an enqueue reads attachment files), which must not hold one of the few
/// threads of Swift's cooperative pool that the app's other tasks and every I/O deadline rely on.
final class SpoolExecutor: SerialExecutor {
    private let queue: DispatchQueue

    init(label: String) {
        queue = DispatchQueue(label: label)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedSerialExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}
