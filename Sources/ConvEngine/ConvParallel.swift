import Dispatch
import Foundation

/// Runs independent tasks on a few worker threads, each worker claiming the next unclaimed task.
///
/// Claiming (rather than a fixed round-robin split) keeps both cores busy when tasks are uneven
/// or another process takes a core for a while.
enum ConvParallel {
    /// Calls `body(worker, task)` once for every task in `0..<taskCount`, on at most `threads`
    /// workers at once; `worker` is in `0..<workers(taskCount:threads:)` and no two concurrent
    /// calls share it, so it can index per-worker scratch space.
    static func run(taskCount: Int, threads: Int, _ body: (_ worker: Int, _ task: Int) -> Void) {
        let workers = self.workers(taskCount: taskCount, threads: threads)
        if workers <= 1 {
            for task in 0..<taskCount { body(0, task) }
            return
        }
        let counter = TaskCounter(limit: taskCount)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            while let task = counter.claim() { body(worker, task) }
        }
    }

    /// The number of workers `run` uses.
    static func workers(taskCount: Int, threads: Int) -> Int {
        max(1, min(threads, taskCount))
    }
}

/// Hands out 0, 1, 2, ... up to a limit, once each, to any thread.
private final class TaskCounter: @unchecked Sendable {
    // Sendable: `next` is only read and written while holding `lock`.
    private let lock = NSLock()
    private var next = 0
    private let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    /// The next unclaimed task, or nil when all are claimed.
    func claim() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard next < limit else { return nil }
        next += 1
        return next - 1
    }
}
