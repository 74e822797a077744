internal import CMergeDAConvProcess

/// glibc's allocator settings for a process that works through a checkpoint in buffers of tens of megabytes.
///
/// By default glibc serves every allocation from 128 KiB up (the bound rises to at most 32 MiB) with its own
/// mmap and unmaps it on free, so each module's weight buffers arrive as fresh zeroed pages: merging the
/// 1 GB benchmark checkpoint took 344,000 page faults and 3.0 s of CPU. Served from the heap and not trimmed
/// back, the same few buffers are reused module after module: 20,000 faults and 1.6 s of CPU (`perf stat`,
/// same file, same run). Peak resident memory stays that of the modules in flight, which the pipeline bounds.
public enum ProcessMemoryTuning {
    /// Buffers up to this size come from the heap.
    static let heapLimit: Int64 = 256 << 20
    /// Free heap memory goes back to the system only beyond this much.
    static let trimThreshold: Int64 = 512 << 20

    /// Applies the settings (glibc only); `MALLOC_MMAP_THRESHOLD_` and `MALLOC_TRIM_THRESHOLD_` in the
    /// environment still win. Call it once, before the work starts.
    public static func apply() {
        _ = mdk_tune_allocator(heapLimit, trimThreshold)
    }

    /// Heap that ``preferHugePages()`` marks: below ``heapLimit``, so that one block of it comes from the heap.
    static let hugePageHeap: Int64 = 192 << 20

    /// Lets the heap's next ``hugePageHeap`` bytes fault in as transparent huge pages (where the system allows
    /// them on request). Reading a checkpoint of many small tensors touches its memory once, in pieces: at
    /// 40,000 entries, `inspect` spent a fifth of its time in 27,000 page faults of 4 KiB (perf), and takes
    /// about 0.20 s instead of 0.28 s with huge pages (user time unchanged, system time ~0); a single merge of
    /// the same file 0.51 s instead of 0.56 s, its peak 112 MB instead of 105 MB (huge pages are resident
    /// whole). `inspect` and a single merge call it, only when run as the process and after ``apply()``: the
    /// pages stay the process's until it exits. A batch merges on several threads, whose heaps it does not
    /// reach.
    static func preferHugePages() {
        _ = mdk_prefer_huge_pages(hugePageHeap)
    }
}
