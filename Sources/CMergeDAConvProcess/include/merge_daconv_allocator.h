#ifndef MERGE_DACONV_ALLOCATOR_H
#define MERGE_DACONV_ALLOCATOR_H
/*
 * glibc's malloc settings (malloc.h is not part of Swift's Glibc module). A no-op elsewhere.
 * Returns 1 when both settings were applied.
 */
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Serve allocations up to heap_limit bytes from the heap instead of fresh mmaps, and return free heap
 * memory to the system only beyond trim_threshold bytes. Values the environment sets
 * (MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_) are left alone. */
int mdk_tune_allocator(int64_t heap_limit, int64_t trim_threshold);

/* Marks the next `bytes` of the calling thread's heap for transparent huge pages (MADV_HUGEPAGE), so memory
 * touched there for the first time faults in 2 MiB at a time instead of 4 KiB. Needs mdk_tune_allocator's
 * settings (a block below heap_limit comes from the heap, and stays there when freed below trim_threshold);
 * nothing is touched, so resident memory grows only as the heap is used. Returns 1 when the advice was taken. */
int mdk_prefer_huge_pages(int64_t bytes);

#ifdef __cplusplus
}
#endif

#endif
