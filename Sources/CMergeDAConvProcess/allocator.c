/* allocator.c: glibc malloc settings, see merge_daconv_allocator.h. */
#include "merge_daconv_allocator.h"

#include <stdlib.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

int mdk_tune_allocator(int64_t heap_limit, int64_t trim_threshold) {
#if defined(__GLIBC__)
    int applied = 1;
    if (heap_limit < 0 || heap_limit > INT32_MAX || trim_threshold < 0 || trim_threshold > INT32_MAX) return 0;
    if (!getenv("MALLOC_MMAP_THRESHOLD_")) applied &= mallopt(M_MMAP_THRESHOLD, (int)heap_limit) == 1;
    if (!getenv("MALLOC_TRIM_THRESHOLD_")) applied &= mallopt(M_TRIM_THRESHOLD, (int)trim_threshold) == 1;
    return applied;
#else
    (void)heap_limit;
    (void)trim_threshold;
    return 0;
#endif
}
