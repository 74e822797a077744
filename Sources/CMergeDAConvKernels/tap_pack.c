/* tap_pack.c: the input values of the tap-list multiply's panels (merge_daconv_tap_gemm.h). */
#include "merge_daconv_tap_gemm.h"

int64_t mdk_tap_workspace_doubles(const mdk_tap_plan *plan, int64_t rows) {
    return (rows + 3 * MDK_TAP_MR - 1) / (3 * MDK_TAP_MR) * 3 * MDK_TAP_MR * plan->kc +
           plan->panel_count * 3 * MDK_TAP_MR * MDK_TAP_MAX_NR;
}

void mdk_tap_pack_f64(const mdk_conv_shape *s, const mdk_tap_plan *plan, const double *input, int64_t group,
                      double *values) {
    const int64_t pixels = s->out_height * s->out_width, plane = s->in_height * s->in_width;
    const int64_t channels = s->in_channels / s->groups, taps = s->kernel_height * s->kernel_width;
    const int64_t steps = plan->block_count * plan->steps;
    double *group_values = values + group * plan->values_per_group;
    for (int64_t p = 0; p < plan->panel_count; ++p) {
        const int64_t *starts = plan->step_start + plan->panel_list[p] * (steps + 1);
        const int64_t *columns = plan->panel_columns + p * MDK_TAP_MAX_NR, width = plan->panel_width[p];
        double *dst = group_values + plan->panel_values[p];
        for (int64_t step = 0; step < steps; ++step) {
            for (int64_t e = starts[step]; e < starts[step + 1]; ++e, dst += width) {
                const int64_t k = step / plan->steps * plan->kc + plan->entries[e];
                const int64_t c = k / taps, ki = k % taps / s->kernel_width, kj = k % s->kernel_width;
                for (int64_t j = 0; j < width; ++j) {
                    dst[j] = 0;
                    if (columns[j] < 0) continue;
                    const int64_t n = columns[j] / pixels, px = columns[j] % pixels;
                    const int64_t ih = px / s->out_width * s->stride_h - s->pad_h + ki * s->dilation_h;
                    const int64_t iw = px % s->out_width * s->stride_w - s->pad_w + kj * s->dilation_w;
                    if ((uint64_t)ih >= (uint64_t)s->in_height || (uint64_t)iw >= (uint64_t)s->in_width) continue;
                    dst[j] = input[(n * s->in_channels + group * channels + c) * plane + ih * s->in_width + iw];
                }
            }
        }
    }
}
