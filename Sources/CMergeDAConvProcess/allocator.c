/* allocator.c: glibc malloc settings, see merge_daconv_allocator.h. */
#include "merge_daconv_allocator.h"

#include <stdlib.h>
#if defined(__GLIBC__)
#include <malloc.h>
#include <sys/mman.h>
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

int mdk_prefer_huge_pages(int64_t bytes) {
#if defined(__GLIBC__) && defined(MADV_HUGEPAGE)
    if (bytes <= 0 || (uint64_t)bytes > SIZE_MAX / 2) return 0;
    /* The block takes the heap's top: freeing it gives the same range back to the heap, which serves the
     * allocations that follow from it. Only whole huge pages inside it are advised. */
    char *block = malloc((size_t)bytes);
    if (block == NULL) return 0;
    const uintptr_t huge = (uintptr_t)2 << 20;
    uintptr_t start = ((uintptr_t)block + huge - 1) & ~(huge - 1);
    uintptr_t end = ((uintptr_t)block + (size_t)bytes) & ~(huge - 1);
    int applied = end > start && madvise((void *)start, end - start, MADV_HUGEPAGE) == 0;
    free(block);
    return applied;
#else
    (void)bytes;
    return 0;
#endif
}
