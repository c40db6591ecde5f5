import Foundation
public import Testing

/// A trait for CPU-heavy tests (byte-by-byte reference implementations, property loops, 10 MB
/// messages in a debug build): their bodies run on `CPUTestExecutor`'s own threads instead of
/// Swift's cooperative pool.
///
/// On this 2-core machine the cooperative pool has two threads. Two such tests running there
/// at the start of the parallel pass held both for about six seconds, so the tasks of every
/// server test waited, and a 5 s connect deadline ran out before its (instant) name lookup
/// had even been resumed: CI failed with "no time left to connect". Off the pool, the heavy
/// tests still use the CPU, but the kernel shares it, and no other task waits behind them.
///
///     @Suite(.offCooperativePool) struct DotStufferTests { … }
///     @Test(.offCooperativePool) func tenMegabytes() async throws { … }
public struct OffCooperativePool: TestTrait, SuiteTrait, TestScoping {
    public var isRecursive: Bool { true }

    public func provideScope(for test: Test, testCase: Test.Case?,
                             performing function: @Sendable () async throws -> Void) async throws {
        // A suite's scope is entered once for the suite and once for each test: the test's is enough.
        guard testCase != nil || !test.isSuite else { return try await function() }
        try await withTaskExecutorPreference(CPUTestExecutor.shared) { try await function() }
    }
}

extension Trait where Self == OffCooperativePool {
    /// Runs the test (or every test of the suite) off Swift's cooperative pool.
    public static var offCooperativePool: Self { OffCooperativePool() }
}

/// Two threads of its own (one per core here) that run the jobs of the tests that prefer it.
public final class CPUTestExecutor: TaskExecutor, @unchecked Sendable {
    public static let shared = CPUTestExecutor(threads: 2)

    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []  // guarded by `condition`

    init(threads: Int) {
        for i in 0..<threads {
            Thread.detachNewThread { [unowned self] in self.work(name: "cpu-test-\(i)") }
        }
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        condition.lock()
        jobs.append(unowned)
        condition.signal()
        condition.unlock()
    }

    private func work(name: String) {
        // The kernel's name for the thread, as gdb and `top -H` show it.
        try? name.write(toFile: "/proc/thread-self/comm", atomically: false, encoding: .utf8)
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
