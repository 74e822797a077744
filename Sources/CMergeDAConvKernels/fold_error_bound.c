/* fold_error_bound.c: see merge_daconv_fold_error_bound.h; the terms follow FoldErrorBound.swift. */
#include "merge_daconv_fold_error_bound.h"

#include <math.h>

/* The centre tap's bound: the shared steps, the larger of the two natural orders, the final add. */
static double centre_bound(const double *const *weights, const double *gates, const double *signs,
                           int64_t branch_count, int64_t base, int64_t taps, int64_t centre,
                           mdk_fold_error_coefficients k) {
    double centred = 0, plain = 0, plain_merged = 0, sums = 0, absolute_sums = 0, merged = 0;
    for (int64_t b = 0; b < branch_count; ++b) {
        const double *kernel = weights[b] + base;
        double sum = 0, absolute = 0;
        for (int64_t tap = 0; tap < taps; ++tap) {
            sum += kernel[tap];
            absolute += fabs(kernel[tap]);
        }
        const double gate = gates[b], weight = kernel[centre], centred_weight = weight + signs[b] * sum;
        centred += gate * fabs(centred_weight);
        plain += gate * fabs(weight);
        plain_merged += gate * weight;
        sums += gate * fabs(signs[b] * sum);
        absolute_sums += gate * fabs(signs[b]) * absolute;
        merged += gate * centred_weight;
    }
    const double shared = k.gate_error * centred + k.tap_sum_on_magnitudes * absolute_sums + k.tap_sum_on_sum * sums;
    const double release_order = 2 * centred;
    const double gates_first = plain + fabs(plain_merged) + 2 * sums;
    return shared + (release_order > gates_first ? release_order : gates_first) + (1 + k.conversion) * fabs(merged);
}

/* Sum over a row of the squared bounds of every weight as if it were off the centre: gate, product, branch
 * sum. Two branches (the DAConv's own) get a loop the compiler vectorises. */
static double plain_squares(const double *const *weights, const double *gates, int64_t branch_count, int64_t start,
                            int64_t count, mdk_fold_error_coefficients k) {
    const double a = k.gate_error + 1, c = 1 + k.conversion;
    double squares = 0;
    if (branch_count == 2) {
        /* Four independent sums, so the loop runs on vectors without reordering any one sum. */
        const double *w0 = weights[0] + start, *w1 = weights[1] + start;
        const double g0 = gates[0], g1 = gates[1];
        double lanes[4] = {0, 0, 0, 0};
        int64_t i = 0;
        for (; i + 4 <= count; i += 4) {
            for (int lane = 0; lane < 4; ++lane) {
                const double t0 = g0 * w0[i + lane], t1 = g1 * w1[i + lane];
                const double bound = a * (fabs(t0) + fabs(t1)) + c * fabs(t0 + t1);
                lanes[lane] += bound * bound;
            }
        }
        for (; i < count; ++i) {
            const double t0 = g0 * w0[i], t1 = g1 * w1[i];
            const double bound = a * (fabs(t0) + fabs(t1)) + c * fabs(t0 + t1);
            lanes[0] += bound * bound;
        }
        return (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
    }
    for (int64_t i = 0; i < count; ++i) {
        double magnitude = 0, merged = 0;
        for (int64_t b = 0; b < branch_count; ++b) {
            const double term = gates[b] * weights[b][start + i];
            magnitude += fabs(term);
            merged += term;
        }
        const double bound = a * magnitude + c * fabs(merged);
        squares += bound * bound;
    }
    return squares;
}

double mdk_fold_error_bound_f64(const double *const *weights, const double *gates, const double *signs,
                                int64_t branch_count, int64_t rows, int64_t kernels_per_row, int64_t taps,
                                int64_t centre, mdk_fold_error_coefficients k) {
    double largest = 0;
    const int64_t row_length = kernels_per_row * taps;
    for (int64_t row = 0; row < rows; ++row) {
        /* Every weight's plain bound, then each centre's replaced by the centre tap's own. */
        double squares = plain_squares(weights, gates, branch_count, row * row_length, row_length, k);
        for (int64_t kernel = 0; kernel < kernels_per_row; ++kernel) {
            const int64_t base = row * row_length + kernel * taps;
            const double plain = sqrt(plain_squares(weights, gates, branch_count, base + centre, 1, k));
            const double bound = centre_bound(weights, gates, signs, branch_count, base, taps, centre, k);
            squares += (bound - plain) * (bound + plain);
        }
        if (squares > largest) largest = squares;
    }
    return sqrt(largest);
}
