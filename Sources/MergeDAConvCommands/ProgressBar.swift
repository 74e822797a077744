import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A one-line progress bar on stderr, drawn only when stderr is a terminal and the work has taken more than
/// half a second, at most ten times a second; cleared when done.
final class ProgressBar: @unchecked Sendable {
    private let label: String
    private let enabled: Bool
    private let start = DispatchTime.now()
    private let lock = NSLock()
    private var lastDraw: UInt64 = 0
    private var drawn = false

    init(label: String, quiet: Bool) {
        self.label = label
        self.enabled = !quiet && isatty(STDERR_FILENO) == 1
    }

    /// `done` of `total` units, described by `detail` (e.g. "412 MiB of 972 MiB"), which is only spelled when
    /// the bar is drawn: a merge of many small tensors reports progress once per record.
    func update(_ done: Int, of total: Int, detail: @autoclosure () -> String) {
        guard enabled, total > 0 else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        lock.lock()
        defer { lock.unlock() }
        guard now - start.uptimeNanoseconds > 500_000_000, now - lastDraw > 100_000_000 || done >= total else { return }
        lastDraw = now
        let width = 30
        let filled = min(width, done * width / total)
        let bar = String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled)
        fputs("\r\(label) [\(bar)] \(min(100, done * 100 / total))% \(detail())\u{1B}[K", stderr)
        drawn = true
    }

    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if drawn { fputs("\r\u{1B}[K", stderr) }
        drawn = false
    }
}
