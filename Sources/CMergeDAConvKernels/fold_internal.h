/*
 * fold_internal.h (internal): shared pieces of the fold kernel (fold.c, fold_avx2.c).
 *
 * The fold works on blocks of whole kernels of at most MDK_FOLD_BLOCK_ELEMENTS values: every value
 * of a block is folded as if it were no centre tap, and the centre taps are folded apart (their
 * tap sums read the block again, from L1) and written over them. Kernels with more taps than a
 * block holds (beyond any real layer) are folded one value at a time.
 */
#ifndef MDK_FOLD_INTERNAL_H
#define MDK_FOLD_INTERNAL_H

#include <stdint.h>
#include <string.h>
#include "merge_daconv_fold.h"

/* Values per block: 4 KiB of each branch, well inside L1 together. */
#define MDK_FOLD_BLOCK_ELEMENTS 1024

/* Element `index` of little-endian float32 data at any alignment. */
static inline float mdk_fold_load(const unsigned char *data, int64_t index) {
    uint32_t bits;
    memcpy(&bits, data + index * 4, 4);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    bits = __builtin_bswap32(bits);
#endif
    float value;
    memcpy(&value, &bits, 4);
    return value;
}

/* Stores `value` as element `index` of little-endian float32 data at any alignment. */
static inline void mdk_fold_store(unsigned char *data, int64_t index, float value) {
    uint32_t bits;
    memcpy(&bits, &value, 4);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    bits = __builtin_bswap32(bits);
#endif
    memcpy(data + index * 4, &bits, 4);
}

/* The folded value of element `index` where it is not a centre tap: sum_b g_b * w_b[index]. */
float mdk_fold_plain_value(const mdk_fold_branch *branches, int64_t branch_count, int64_t index);

/* The folded value of the centre tap of kernel `kernel`. When `sums` is not NULL, each add or
 * difference branch's tap sum (in double, tap order) is stored at sums[b][kernel] on the way. */
float mdk_fold_centre_value(const mdk_fold_branch *branches, int64_t branch_count,
                            mdk_fold_layout layout, int64_t kernel, double *const *sums);

/* Folds kernels [first_kernel, first_kernel + kernel_count), kernel_count * taps being at most
 * MDK_FOLD_BLOCK_ELEMENTS; tap sums go to `sums` as in mdk_fold_centre_value. */
typedef void (*mdk_fold_block_fn)(const mdk_fold_branch *branches, int64_t branch_count,
                                  mdk_fold_layout layout, int64_t first_kernel, int64_t kernel_count,
                                  unsigned char *output, double *const *sums);

void mdk_fold_block_portable(const mdk_fold_branch *branches, int64_t branch_count,
                             mdk_fold_layout layout, int64_t first_kernel, int64_t kernel_count,
                             unsigned char *output, double *const *sums);

/* mdk_fold_f32 keeping the tap sums its centre taps take (see mdk_fold_centre_value). */
void mdk_fold_keeping_tap_sums_f32(mdk_isa isa, const mdk_fold_branch *branches, int64_t branch_count,
                                   mdk_fold_layout layout, int64_t kernel_begin, int64_t kernel_end, void *output,
                                   double *const *sums);

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define MDK_HAVE_AVX2_FOLD 1
void mdk_fold_block_avx2(const mdk_fold_branch *branches, int64_t branch_count,
                         mdk_fold_layout layout, int64_t first_kernel, int64_t kernel_count,
                         unsigned char *output, double *const *sums);
#endif

#endif
