#include "merge_daconv_reductions.h"

#include <math.h>

#define MDK_LANES 8

#define MDK_ROW_NORMS(NAME, T)                                                                       \
    void NAME(const T *matrix, int64_t rows, int64_t cols, double *l2, double *l1) {                  \
        for (int64_t r = 0; r < rows; ++r) {                                                         \
            const T *row = matrix + r * cols;                                                        \
            double squares[MDK_LANES] = {0}, sums[MDK_LANES] = {0};                                  \
            int64_t i = 0;                                                                           \
            for (; i + MDK_LANES <= cols; i += MDK_LANES) {                                          \
                for (int lane = 0; lane < MDK_LANES; ++lane) {                                       \
                    const double value = (double)row[i + lane];                                      \
                    squares[lane] += value * value;                                                  \
                    sums[lane] += fabs(value);                                                       \
                }                                                                                    \
            }                                                                                        \
            for (; i < cols; ++i) {                                                                  \
                const double value = (double)row[i];                                                 \
                squares[0] += value * value;                                                         \
                sums[0] += fabs(value);                                                              \
            }                                                                                        \
            double square = 0, sum = 0;                                                              \
            for (int lane = 0; lane < MDK_LANES; ++lane) {                                           \
                square += squares[lane];                                                             \
                sum += sums[lane];                                                                   \
            }                                                                                        \
            l2[r] = sqrt(square);                                                                    \
            l1[r] = sum;                                                                             \
        }                                                                                            \
    }

MDK_ROW_NORMS(mdk_row_norms_f32, float)
MDK_ROW_NORMS(mdk_row_norms_f64, double)

#define MDK_TAP_SUMS(NAME, T)                                                                        \
    void NAME(const T *weight, int64_t kernels, int64_t taps, double *sums) {                        \
        for (int64_t k = 0; k < kernels; ++k) {                                                      \
            const T *kernel = weight + k * taps;                                                     \
            double sum = 0;                                                                          \
            for (int64_t t = 0; t < taps; ++t) sum += (double)kernel[t];                             \
            sums[k] = sum;                                                                           \
        }                                                                                            \
    }

MDK_TAP_SUMS(mdk_tap_sums_f32, float)
MDK_TAP_SUMS(mdk_tap_sums_f64, double)

void mdk_max_abs_difference(const double *a, const double *b, int64_t count, double *max_difference, double *max_a) {
    double differences[MDK_LANES] = {0}, magnitudes[MDK_LANES] = {0};
    int nan = 0;
    int64_t i = 0;
    for (; i + MDK_LANES <= count; i += MDK_LANES) {
        for (int lane = 0; lane < MDK_LANES; ++lane) {
            const double difference = fabs(a[i + lane] - b[i + lane]), magnitude = fabs(a[i + lane]);
            nan |= isnan(difference);
            differences[lane] = difference > differences[lane] ? difference : differences[lane];
            magnitudes[lane] = magnitude > magnitudes[lane] ? magnitude : magnitudes[lane];
        }
    }
    for (; i < count; ++i) {
        const double difference = fabs(a[i] - b[i]), magnitude = fabs(a[i]);
        nan |= isnan(difference);
        differences[0] = difference > differences[0] ? difference : differences[0];
        magnitudes[0] = magnitude > magnitudes[0] ? magnitude : magnitudes[0];
    }
    double difference = 0, magnitude = 0;
    for (int lane = 0; lane < MDK_LANES; ++lane) {
        difference = differences[lane] > difference ? differences[lane] : difference;
        magnitude = magnitudes[lane] > magnitude ? magnitudes[lane] : magnitude;
    }
    *max_difference = nan ? NAN : difference;
    *max_a = magnitude;
}
