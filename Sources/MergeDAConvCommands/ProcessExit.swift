/// What a command has finished with, left for the process's exit to reclaim instead of freed one object at a
/// time: `inspect` of a 40,000-tensor state dict spent 78 M instructions (4% of its work) freeing the graph and
/// the listing it had just printed, right before exiting.
///
/// Only ``MergeDAConvCommand/runAndExit(_:)`` turns it on: commands run in-process (tests, other tools) free
/// everything as usual.
enum ProcessExit {
    nonisolated(unsafe) static var reclaimsMemory = false
    nonisolated(unsafe) private static var kept: [Any] = []

    /// Keeps `value` until the process exits, when ``reclaimsMemory`` is on; otherwise lets it go at once.
    static func keepUntilExit(_ value: Any) {
        if reclaimsMemory { kept.append(value) }
    }
}
