/* probe_stats.c: the fold with the probe's statistics, see merge_daconv_probe_stats.h. */
#include "merge_daconv_probe_stats.h"
#include "fold_internal.h"

#include <math.h>
#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#define MDK_STATS_LANES 8
#define MDK_STATS_ROWS 8

/* The values from `i` on (fewer than a lane group) go to lane 0, then the lanes are added in order. */
static void finish_norms(const float *row, int64_t i, int64_t count, double *squares, double *sums, double *l2,
                         double *l1) {
    for (; i < count; ++i) {
        const double value = (double)row[i];
        squares[0] += value * value;
        sums[0] += fabs(value);
    }
    double square = 0, sum = 0;
    for (int lane = 0; lane < MDK_STATS_LANES; ++lane) {
        square += squares[lane];
        sum += sums[lane];
    }
    if (l2) *l2 = sqrt(square);
    *l1 = sum;
}

static void row_norms(const float *row, int64_t count, double *l2, double *l1) {
    double squares[MDK_STATS_LANES] = {0}, sums[MDK_STATS_LANES] = {0};
    int64_t i = 0;
    for (; i + MDK_STATS_LANES <= count; i += MDK_STATS_LANES) {
        for (int lane = 0; lane < MDK_STATS_LANES; ++lane) {
            const double value = (double)row[i + lane];
            squares[lane] += value * value;
            sums[lane] += fabs(value);
        }
    }
    finish_norms(row, i, count, squares, sums, l2, l1);
}

#if defined(__x86_64__)
/* row_norms with AVX2 (no FMA: each lane's square is rounded before it is added, as in the scalar code):
 * lanes 0-3 and 4-7 are two vectors of doubles, so every lane sees the same operations in the same order
 * and the results are the scalar ones bit for bit. */
__attribute__((target("avx2"))) static void row_norms_avx2(const float *row, int64_t count, double *l2, double *l1) {
    const __m256d sign = _mm256_set1_pd(-0.0);
    __m256d squares_low = _mm256_setzero_pd(), squares_high = _mm256_setzero_pd();
    __m256d sums_low = _mm256_setzero_pd(), sums_high = _mm256_setzero_pd();
    int64_t i = 0;
    for (; i + MDK_STATS_LANES <= count; i += MDK_STATS_LANES) {
        const __m256 values = _mm256_loadu_ps(row + i);
        const __m256d low = _mm256_cvtps_pd(_mm256_castps256_ps128(values));
        const __m256d high = _mm256_cvtps_pd(_mm256_extractf128_ps(values, 1));
        squares_low = _mm256_add_pd(squares_low, _mm256_mul_pd(low, low));
        squares_high = _mm256_add_pd(squares_high, _mm256_mul_pd(high, high));
        sums_low = _mm256_add_pd(sums_low, _mm256_andnot_pd(sign, low));
        sums_high = _mm256_add_pd(sums_high, _mm256_andnot_pd(sign, high));
    }
    double squares[MDK_STATS_LANES], sums[MDK_STATS_LANES];
    _mm256_storeu_pd(squares, squares_low);
    _mm256_storeu_pd(squares + 4, squares_high);
    _mm256_storeu_pd(sums, sums_low);
    _mm256_storeu_pd(sums + 4, sums_high);
    finish_norms(row, i, count, squares, sums, l2, l1);
}
#endif

/* Each kernel's taps are summed in tap order; four kernels at a time so that four independent chains of
 * additions are in flight instead of one. */
static void tap_sums(const float *row, int64_t kernels, int64_t taps, double *sums) {
    int64_t k = 0;
    for (; k + 4 <= kernels; k += 4) {
        const float *a = row + k * taps, *b = a + taps, *c = b + taps, *d = c + taps;
        double sa = 0, sb = 0, sc = 0, sd = 0;
        for (int64_t t = 0; t < taps; ++t) {
            sa += (double)a[t];
            sb += (double)b[t];
            sc += (double)c[t];
            sd += (double)d[t];
        }
        sums[k] = sa;
        sums[k + 1] = sb;
        sums[k + 2] = sc;
        sums[k + 3] = sd;
    }
    for (; k < kernels; ++k) {
        double sum = 0;
        for (int64_t t = 0; t < taps; ++t) sum += (double)row[k * taps + t];
        sums[k] = sum;
    }
}

void mdk_fold_with_probe_stats_f32(mdk_isa isa, const mdk_fold_branch *branches, int64_t branch_count,
                                   mdk_fold_layout layout, int64_t rows, int64_t kernels_per_row, float *output,
                                   double *const *tap_sums_out, double *const *branch_l1, double *merged_l2,
                                   double *merged_l1) {
    const int64_t per_row = kernels_per_row * layout.taps;
#if defined(__x86_64__)
    void (*const norms)(const float *, int64_t, double *, double *) = isa == MDK_ISA_AVX2_FMA ? row_norms_avx2 : row_norms;
#else
    void (*const norms)(const float *, int64_t, double *, double *) = row_norms;
#endif
    for (int64_t first = 0; first < rows; first += MDK_STATS_ROWS) {
        const int64_t last = first + MDK_STATS_ROWS < rows ? first + MDK_STATS_ROWS : rows;
        /* The fold takes the add and difference branches' tap sums for their centre taps: kept, not taken again. */
        mdk_fold_keeping_tap_sums_f32(isa, branches, branch_count, layout, first * kernels_per_row,
                                      last * kernels_per_row, output, tap_sums_out);
        for (int64_t r = first; r < last; ++r) {
            for (int64_t b = 0; b < branch_count; ++b) {
                const float *weight = (const float *)branches[b].weight + r * per_row;
                if (branches[b].kind == MDK_FOLD_VANILLA) {
                    tap_sums(weight, kernels_per_row, layout.taps, tap_sums_out[b] + r * kernels_per_row);
                }
                norms(weight, per_row, NULL, branch_l1[b] + r);
            }
            norms(output + r * per_row, per_row, merged_l2 + r, merged_l1 + r);
        }
    }
}
