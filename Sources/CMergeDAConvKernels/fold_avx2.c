/*
 * fold_avx2.c: the fold's block with AVX2. Eight values per step with every branch added while
 * they are in registers (each weight read once, each output written once); centre taps four
 * kernels at a time, one kernel per lane, so four tap sums advance together.
 *
 * FMA is deliberately not enabled: a fused multiply-add rounds once where the reference rounds
 * twice. Called only after mdk_best_isa() reported AVX2 (and FMA, which is not used). x86-64 is
 * little-endian, so the stored floats are loaded as they are.
 */
#pragma STDC FP_CONTRACT OFF
#include "fold_internal.h"

#if defined(MDK_HAVE_AVX2_FOLD)
#include <immintrin.h>

#define MDK_AVX2 __attribute__((target("avx2")))

#define MDK_AVX2_INLINE __attribute__((target("avx2"), always_inline)) static inline

/* The tap sums of four kernels of `taps` values from `w`, one kernel per lane, each in tap order:
 * rows of four taps are transposed so each step adds tap t of all four kernels. */
MDK_AVX2_INLINE __m256d tap_sums4(const float *w, int64_t taps) {
    __m256d sum = _mm256_setzero_pd();
    int64_t t = 0;
    for (; t + 4 <= taps; t += 4) {
        __m128 r0 = _mm_loadu_ps(w + t), r1 = _mm_loadu_ps(w + taps + t);
        __m128 r2 = _mm_loadu_ps(w + 2 * taps + t), r3 = _mm_loadu_ps(w + 3 * taps + t);
        _MM_TRANSPOSE4_PS(r0, r1, r2, r3);
        sum = _mm256_add_pd(sum, _mm256_cvtps_pd(r0));
        sum = _mm256_add_pd(sum, _mm256_cvtps_pd(r1));
        sum = _mm256_add_pd(sum, _mm256_cvtps_pd(r2));
        sum = _mm256_add_pd(sum, _mm256_cvtps_pd(r3));
    }
    for (; t < taps; ++t) {
        sum = _mm256_add_pd(sum, _mm256_cvtps_pd(_mm_setr_ps(w[t], w[taps + t], w[2 * taps + t], w[3 * taps + t])));
    }
    return sum;
}

/* The folded centre values of four kernels starting at `kernel`; their tap sums go to `sums` (if not NULL). */
MDK_AVX2_INLINE __m128 centres4(const mdk_fold_branch *branches, int64_t branch_count,
                                mdk_fold_layout layout, int64_t kernel, double *const *sums) {
    const int64_t taps = layout.taps;
    const __m256d sign = _mm256_set1_pd(-0.0);
    __m256d acc = _mm256_setzero_pd();
    for (int64_t b = 0; b < branch_count; ++b) {
        const float *w = (const float *)branches[b].weight + kernel * taps;
        const int64_t c = layout.centre;
        __m256d value = _mm256_cvtps_pd(_mm_setr_ps(w[c], w[taps + c], w[2 * taps + c], w[3 * taps + c]));
        if (branches[b].kind != MDK_FOLD_VANILLA) {
            const __m256d sum = tap_sums4(w, taps);
            if (sums) _mm256_storeu_pd(sums[b] + kernel, sum);
            /* v + s or v + (-s), as the reference writes it. */
            value = _mm256_add_pd(value, branches[b].kind == MDK_FOLD_ADD ? sum : _mm256_xor_pd(sum, sign));
        }
        acc = _mm256_add_pd(acc, _mm256_mul_pd(_mm256_set1_pd(branches[b].gate), value));
    }
    return _mm256_cvtpd_ps(acc);
}

/* sum_b g_b * w_b for the four values from element `index`. */
MDK_AVX2_INLINE __m128 plain4(const mdk_fold_branch *branches, int64_t branch_count, int64_t index) {
    __m256d acc = _mm256_setzero_pd();
    for (int64_t b = 0; b < branch_count; ++b) {
        const __m128 values = _mm_loadu_ps((const float *)branches[b].weight + index);
        acc = _mm256_add_pd(acc, _mm256_mul_pd(_mm256_set1_pd(branches[b].gate), _mm256_cvtps_pd(values)));
    }
    return _mm256_cvtpd_ps(acc);
}

/* The block for `branch_count` branches; inlined with constant counts so the branch loops unroll
 * and the gates and weight addresses stay in registers. */
MDK_AVX2_INLINE void fold_block(const mdk_fold_branch *branches, int64_t branch_count, mdk_fold_layout layout,
                                int64_t first_kernel, int64_t kernel_count, float *out, double *const *sums) {
    float centres[MDK_FOLD_BLOCK_ELEMENTS];
    const int64_t count = kernel_count * layout.taps, first = first_kernel * layout.taps;
    int64_t k = 0;
    for (; k + 4 <= kernel_count; k += 4) {
        _mm_storeu_ps(centres + k, centres4(branches, branch_count, layout, first_kernel + k, sums));
    }
    for (; k < kernel_count; ++k) {
        centres[k] = mdk_fold_centre_value(branches, branch_count, layout, first_kernel + k, sums);
    }
    int64_t i = 0;
    for (; i + 8 <= count; i += 8) {
        const __m128 low = plain4(branches, branch_count, first + i);
        const __m128 high = plain4(branches, branch_count, first + i + 4);
        _mm256_storeu_ps(out + first + i, _mm256_set_m128(high, low));
    }
    for (; i < count; ++i) out[first + i] = mdk_fold_plain_value(branches, branch_count, first + i);
    for (k = 0; k < kernel_count; ++k) out[first + k * layout.taps + layout.centre] = centres[k];
}

MDK_AVX2 void mdk_fold_block_avx2(const mdk_fold_branch *branches, int64_t branch_count,
                                  mdk_fold_layout layout, int64_t first_kernel, int64_t kernel_count,
                                  unsigned char *output, double *const *sums) {
    float *out = (float *)(void *)output;
    switch (branch_count) {
    case 1: fold_block(branches, 1, layout, first_kernel, kernel_count, out, sums); break;
    case 2: fold_block(branches, 2, layout, first_kernel, kernel_count, out, sums); break;
    case 3: fold_block(branches, 3, layout, first_kernel, kernel_count, out, sums); break;
    default: fold_block(branches, branch_count, layout, first_kernel, kernel_count, out, sums); break;
    }
}
#endif
