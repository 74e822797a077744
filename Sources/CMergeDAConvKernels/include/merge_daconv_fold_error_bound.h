#ifndef MERGE_DACONV_FOLD_ERROR_BOUND_H
#define MERGE_DACONV_FOLD_ERROR_BOUND_H
/*
 * The bound verify's tolerance is built from (DAConvVerify's FoldErrorBound says why each term is there):
 * per merged weight, the magnitudes of the exact intermediate values a step-by-step fold rounds, and per
 * output channel the Euclidean norm of those bounds. It reads every branch weight of a layer once; done in
 * Swift it was a quarter of a verify's time.
 */
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The bound's coefficients, in units of the dtype's unit roundoff. */
typedef struct {
    double gate_error;            /* the gate sigmoid(theta), shared by a branch */
    double tap_sum_on_magnitudes; /* the tap sum, times sum_hw |W| */
    double tap_sum_on_sum;        /* the tap sum's rounding to the dtype, times |sum_hw W| */
    double conversion;            /* 1 when the merge may have cast its fold to another dtype */
} mdk_fold_error_coefficients;

/* Branch b's weight is weights[b], [rows, kernels_per_row, taps] row-major, scaled by gates[b]; signs[b] is
 * +1 when its tap sum is added at the centre tap, -1 when subtracted, 0 when it has none. Returns
 * max over rows of the Euclidean norm of the row's bounds. */
double mdk_fold_error_bound_f64(const double *const *weights, const double *gates, const double *signs,
                                int64_t branch_count, int64_t rows, int64_t kernels_per_row, int64_t taps,
                                int64_t centre, mdk_fold_error_coefficients coefficients);

#ifdef __cplusplus
}
#endif

#endif
