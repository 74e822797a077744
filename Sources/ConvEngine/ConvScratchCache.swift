import Foundation

/// Keeps the scratch memory (packed input and weight blocks) of the last convolution for the
/// next one, so a verifier running hundreds of convolutions does not fault in fresh pages for
/// each.
///
/// At most one block of at most `maxCachedBytes` is kept (with the default 32 MiB budget, a
/// convolution needs at most that plus a little); concurrent convolutions simply allocate their
/// own. `Conv2D.releaseScratchMemory()` frees it.
final class ConvScratchCache: @unchecked Sendable {
    // Sendable: `cached` is only read and written while holding `lock`.
    /// The process-wide cache.
    static let shared = ConvScratchCache()
    /// Larger blocks are freed after use rather than kept.
    static let maxCachedBytes = 64 << 20

    private let lock = NSLock()
    private var cached: ConvScratch?

    /// A block of at least `bytes` bytes: the cached one if big enough, else a new one.
    func take(bytes: Int) -> ConvScratch {
        lock.lock()
        let candidate = cached
        cached = nil
        lock.unlock()
        if let candidate, candidate.bytes >= bytes { return candidate }
        return ConvScratch(bytes: bytes)
    }

    /// Hands a block back after use; keeps it if it is the largest on offer within the limit.
    func give(_ scratch: ConvScratch) {
        guard scratch.bytes <= Self.maxCachedBytes else { return }
        lock.lock()
        defer { lock.unlock() }
        if (cached?.bytes ?? 0) < scratch.bytes { cached = scratch }
    }

    /// Frees the cached block.
    func release() {
        lock.lock()
        cached = nil
        lock.unlock()
    }

    /// The size of the cached block, 0 when none (for tests).
    var cachedBytes: Int {
        lock.lock()
        defer { lock.unlock() }
        return cached?.bytes ?? 0
    }
}
