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

#ifdef __cplusplus
}
#endif

#endif
