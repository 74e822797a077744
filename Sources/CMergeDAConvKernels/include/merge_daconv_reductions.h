#ifndef MERGE_DACONV_REDUCTIONS_H
#define MERGE_DACONV_REDUCTIONS_H
/*
 * Reductions the equivalence probe needs over whole weight tensors (hundreds of millions of elements in a
 * large checkpoint). Accumulation is in double; the order is not the point (these feed tolerances and
 * reference 1x1 kernels), speed is, so several independent accumulators let the compiler vectorise.
 */
#include <stddef.h>
#include <stdint.h>

/* Per row of a [rows, cols] matrix: the Euclidean norm and the sum of absolute values. */
void mdk_row_norms_f32(const float *matrix, int64_t rows, int64_t cols, double *l2, double *l1);
void mdk_row_norms_f64(const double *matrix, int64_t rows, int64_t cols, double *l2, double *l1);

/* Sums of consecutive runs of `taps` elements (one per kernel of a [out, in, kh, kw] weight), in double. */
void mdk_tap_sums_f32(const float *weight, int64_t kernels, int64_t taps, double *sums);
void mdk_tap_sums_f64(const double *weight, int64_t kernels, int64_t taps, double *sums);

/* max |a[i] - b[i]| and max |a[i]|; a NaN anywhere makes the first result NaN. */
void mdk_max_abs_difference(const double *a, const double *b, int64_t count, double *max_difference, double *max_a);

#endif
