/* fold.c: the DAConv fold kernel (see merge_daconv_fold.h): dispatch over blocks of kernels, the
 * portable block, and the value-by-value path for kernels too large for a block. */
#pragma STDC FP_CONTRACT OFF
#include "fold_internal.h"

float mdk_fold_plain_value(const mdk_fold_branch *branches, int64_t branch_count, int64_t index) {
    double acc = 0.0;
    for (int64_t b = 0; b < branch_count; ++b) {
        acc = acc + branches[b].gate * (double)mdk_fold_load((const unsigned char *)branches[b].weight, index);
    }
    return (float)acc;
}

float mdk_fold_centre_value(const mdk_fold_branch *branches, int64_t branch_count,
                            mdk_fold_layout layout, int64_t kernel, double *const *sums) {
    const int64_t start = kernel * layout.taps;
    double acc = 0.0;
    for (int64_t b = 0; b < branch_count; ++b) {
        const unsigned char *weight = (const unsigned char *)branches[b].weight;
        double value = (double)mdk_fold_load(weight, start + layout.centre);
        if (branches[b].kind != MDK_FOLD_VANILLA) {
            double sum = 0.0;
            for (int64_t t = 0; t < layout.taps; ++t) sum += (double)mdk_fold_load(weight, start + t);
            if (sums) sums[b][kernel] = sum;
            /* v + s or v + (-s), as the reference writes it. */
            value = value + (branches[b].kind == MDK_FOLD_ADD ? sum : -sum);
        }
        acc = acc + branches[b].gate * value;
    }
    return (float)acc;
}

/* Every value of the block as if no tap were a centre, all branches per value (inlined with
 * constant branch counts so the branch loop unrolls and the value loop vectorises), then the
 * centres put in place. */
__attribute__((always_inline)) static inline void fold_block(const mdk_fold_branch *branches,
                                                             int64_t branch_count, mdk_fold_layout layout,
                                                             int64_t first_kernel, int64_t kernel_count,
                                                             unsigned char *output, double *const *sums) {
    const int64_t count = kernel_count * layout.taps, first = first_kernel * layout.taps;
    for (int64_t i = first; i < first + count; ++i) {
        double acc = 0.0;
        for (int64_t b = 0; b < branch_count; ++b) {
            acc = acc + branches[b].gate * (double)mdk_fold_load((const unsigned char *)branches[b].weight, i);
        }
        mdk_fold_store(output, i, (float)acc);
    }
    for (int64_t k = first_kernel; k < first_kernel + kernel_count; ++k) {
        const float centre = mdk_fold_centre_value(branches, branch_count, layout, k, sums);
        mdk_fold_store(output, k * layout.taps + layout.centre, centre);
    }
}

void mdk_fold_block_portable(const mdk_fold_branch *branches, int64_t branch_count,
                             mdk_fold_layout layout, int64_t first_kernel, int64_t kernel_count,
                             unsigned char *output, double *const *sums) {
    switch (branch_count) {
    case 1: fold_block(branches, 1, layout, first_kernel, kernel_count, output, sums); break;
    case 2: fold_block(branches, 2, layout, first_kernel, kernel_count, output, sums); break;
    case 3: fold_block(branches, 3, layout, first_kernel, kernel_count, output, sums); break;
    default: fold_block(branches, branch_count, layout, first_kernel, kernel_count, output, sums); break;
    }
}

/* One kernel with any number of taps, value by value: no buffer, for kernels larger than a block. */
static void fold_one_kernel(const mdk_fold_branch *branches, int64_t branch_count,
                            mdk_fold_layout layout, int64_t kernel, unsigned char *output, double *const *sums) {
    const int64_t start = kernel * layout.taps;
    for (int64_t t = 0; t < layout.taps; ++t) {
        const float value = t == layout.centre ? mdk_fold_centre_value(branches, branch_count, layout, kernel, sums)
                                               : mdk_fold_plain_value(branches, branch_count, start + t);
        mdk_fold_store(output, start + t, value);
    }
}

static mdk_fold_block_fn select_block(mdk_isa isa) {
#if defined(MDK_HAVE_AVX2_FOLD)
    if (isa == MDK_ISA_AVX2_FMA) return mdk_fold_block_avx2;
#endif
    (void)isa;
    return mdk_fold_block_portable;
}

void mdk_fold_keeping_tap_sums_f32(mdk_isa isa, const mdk_fold_branch *branches, int64_t branch_count,
                                   mdk_fold_layout layout, int64_t kernel_begin, int64_t kernel_end, void *output,
                                   double *const *sums) {
    unsigned char *out = (unsigned char *)output;
    const int64_t per_block = layout.taps <= MDK_FOLD_BLOCK_ELEMENTS ? MDK_FOLD_BLOCK_ELEMENTS / layout.taps : 0;
    if (per_block == 0) {
        for (int64_t k = kernel_begin; k < kernel_end; ++k) fold_one_kernel(branches, branch_count, layout, k, out, sums);
        return;
    }
    const mdk_fold_block_fn block = select_block(isa);
    for (int64_t k = kernel_begin; k < kernel_end; k += per_block) {
        const int64_t count = kernel_end - k < per_block ? kernel_end - k : per_block;
        block(branches, branch_count, layout, k, count, out, sums);
    }
}

void mdk_fold_f32(mdk_isa isa, const mdk_fold_branch *branches, int64_t branch_count,
                  mdk_fold_layout layout, int64_t kernel_begin, int64_t kernel_end, void *output) {
    mdk_fold_keeping_tap_sums_f32(isa, branches, branch_count, layout, kernel_begin, kernel_end, output, NULL);
}
