/* probe_stats.c: the fold with the probe's statistics, see merge_daconv_probe_stats.h. */
#include "merge_daconv_probe_stats.h"

#include <math.h>
#include <string.h>

#define MDK_STATS_LANES 8
#define MDK_STATS_ROWS 8

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

static void tap_sums(const float *row, int64_t kernels, int64_t taps, double *sums) {
    for (int64_t k = 0; k < kernels; ++k) {
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
    for (int64_t first = 0; first < rows; first += MDK_STATS_ROWS) {
        const int64_t last = first + MDK_STATS_ROWS < rows ? first + MDK_STATS_ROWS : rows;
        mdk_fold_f32(isa, branches, branch_count, layout, first * kernels_per_row, last * kernels_per_row, output);
        for (int64_t r = first; r < last; ++r) {
            for (int64_t b = 0; b < branch_count; ++b) {
                const float *weight = (const float *)branches[b].weight + r * per_row;
                tap_sums(weight, kernels_per_row, layout.taps, tap_sums_out[b] + r * kernels_per_row);
                row_norms(weight, per_row, NULL, branch_l1[b] + r);
            }
            row_norms(output + r * per_row, per_row, merged_l2 + r, merged_l1 + r);
        }
    }
}
