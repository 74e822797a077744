/*
 * merge_daconv_tap_gemm.h: the convolution multiply that skips the kernel taps an output pixel reads
 * from zero padding.
 *
 * A probe's input is small (a 3 x 3 image for a 3 x 3 kernel), so most of its output pixels sit on a
 * border and 40% of the dense multiply's products are weights times padding zeros. Here the output
 * columns (pixels of one batch image) are grouped by the taps that meet the input: a "tap list" holds,
 * for one such group, every k of the fan-in (k = (c * kh + ki) * kw + kj) whose input value lies inside
 * the image, ascending; a "tap panel" holds up to MDK_TAP_MAX_NR columns that share a list, with their
 * input values packed for exactly those k. The multiply runs each panel over its list only.
 *
 * The results are bit for bit those of mdk_conv_gemm_f64n (and _f64n_wf32) with the same depth block
 * kc: each output is its bias, plus per depth block [pc, pc + kc) a sum started at zero and accumulated
 * in ascending k with the same multiply-adds; a skipped product is a weight times zero, which leaves a
 * sum started at +0 unchanged (finite weights; a non-finite weight reaches the output through the
 * pixels whose taps all meet the input, which every probe has).
 *
 * Panels of MDK_TAP_WIDE_NR columns run 8 x 6 micro-tiles (8 output channels); panels of
 * MDK_TAP_PAIR_NR columns (a class with one or two pixels per image pair, as a probe's border has)
 * run 24 x 2 tiles, so either keeps twelve accumulators busy.
 */
#ifndef MERGE_DACONV_TAP_GEMM_H
#define MERGE_DACONV_TAP_GEMM_H

#include <stdint.h>
#include "merge_daconv_kernels.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MDK_TAP_MAX_NR 6
#define MDK_TAP_WIDE_NR 6
#define MDK_TAP_PAIR_NR 2
/* Output channels per micro-tile of a wide panel, and per weight panel: 24 (three tiles' worth). */
#define MDK_TAP_MR 8
#define MDK_TAP_ROW 24

/* Which taps each panel multiplies, for one convolution shape and depth block kc. A depth block is cut
 * into `steps` steps of at most `step` taps, so the weights a step reads stay in L1 while every panel
 * runs over them; each output's sums still run over the whole block in ascending k.
 * - entries: every list's taps, list after list; entry e of list l holds k - pc, the tap's offset in its
 *   depth block [pc, pc + kc) (k ascending within a list);
 * - step_start[l * (block_count * steps + 1) + b * steps + t]: the first entry of list l in step t of
 *   depth block b (an index into entries), and one more per list for its end;
 * - per panel p: panel_columns[p * MDK_TAP_MAX_NR + lane] (an output column, or -1 for an unused lane),
 *   panel_width[p] (MDK_TAP_WIDE_NR or MDK_TAP_PAIR_NR), panel_list[p], panel_values[p] (where its
 *   packed values start, for group 0; group g's start values_per_group later). A panel's values are,
 *   per entry of its list, panel_width values, one per lane. */
typedef struct mdk_tap_plan {
    int64_t panel_count, list_count, block_count, kc, steps, step, values_per_group;
    const int32_t *entries;
    const int64_t *step_start;
    const int64_t *panel_columns;
    const int64_t *panel_width;
    const int64_t *panel_list;
    const int64_t *panel_values;
} mdk_tap_plan;

/* Doubles of workspace mdk_tap_gemm_* needs for `rows` output rows. */
int64_t mdk_tap_workspace_doubles(const mdk_tap_plan *plan, int64_t rows);

/* Packs every panel's values of group `group` into values + group * values_per_group. */
void mdk_tap_pack_f64(const mdk_conv_shape *shape, const mdk_tap_plan *plan, const double *input, int64_t group,
                      double *values);

/* Output rows [row_begin, row_end) of group `group` (relative to the group's first output channel), all
 * columns: output = bias (or 0) + weight * input over the listed taps. `weight_rows` holds exactly
 * those rows (row_begin first), fan-in values each; `bias` (may be NULL) all output channels. The
 * workspace holds mdk_tap_workspace_doubles(plan, row_end - row_begin) doubles. */
void mdk_tap_gemm_f64(const mdk_conv_shape *shape, mdk_isa isa, const mdk_tap_plan *plan, const double *weight_rows,
                      const double *bias, const double *values, int64_t group, int64_t row_begin, int64_t row_end,
                      double *workspace, double *output);
/* The same with float weights and bias, converted exactly while packed. */
void mdk_tap_gemm_f64_wf32(const mdk_conv_shape *shape, mdk_isa isa, const mdk_tap_plan *plan,
                           const float *weight_rows, const float *bias, const double *values, int64_t group,
                           int64_t row_begin, int64_t row_end, double *workspace, double *output);

#ifdef __cplusplus
}
#endif

#endif
