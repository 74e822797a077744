/*
 * tap_gemm_template.h (internal): the tap-list multiply (merge_daconv_tap_gemm.h) for one weight type.
 * Included by conv_gemm.c after the narrow double instantiation of conv_gemm_template.h, whose static
 * fill_bias (MDK_NAME) it uses, with MDK_W the weight type, MDK_TAP_NAME(x) naming its functions and,
 * on x86-64, MDK_TAP_PACK_AVX2 packing groups of eight rows.
 *
 * Loop order: per depth block, pack the rows' weights into panels of 24 rows (MDK_TAP_ROW values per
 * tap); then per panel, step by step through the block, run every tap panel over the step's entries
 * (the step's weights stay in L1 while the tap panels reuse them), carrying each tap panel's sums in a
 * tile; at the block's end add the tiles to the output.
 */

/* Doubles per tap panel's tiles: 24 rows of up to MDK_TAP_MAX_NR columns. */
#define MDK_TAP_TILE (MDK_TAP_ROW * MDK_TAP_MAX_NR)

/* Weight rows [0, rows) of `weight_rows`, taps [pc, pc + kc), converted to double as 24-row panels:
 * row 24q + i, tap pc + k at dst[(q * kc + k) * MDK_TAP_ROW + i]; rows past `rows` in the last group of
 * eight are zero. */
static void MDK_TAP_NAME(tap_pack_rows)(mdk_isa isa, const MDK_W *weight_rows, int64_t depth, int64_t rows,
                                        int64_t pc, int64_t kc, double *dst) {
    (void)isa;
    for (int64_t r = 0; r < rows; r += MDK_TAP_ROW) {
        double *panel = dst + r * kc;
        const MDK_W *src = weight_rows + r * depth + pc;
        const int64_t count = rows - r < MDK_TAP_ROW ? rows - r : MDK_TAP_ROW;
#if defined(MDK_TAP_PACK_AVX2) && defined(MDK_HAVE_AVX2_KERNELS)
        if (isa == MDK_ISA_AVX2_FMA && count % MDK_TAP_MR == 0) {
            MDK_TAP_PACK_AVX2(src, depth, count / MDK_TAP_MR, kc, panel, MDK_TAP_ROW);
            continue;
        }
#endif
        const int64_t padded = (count + MDK_TAP_MR - 1) / MDK_TAP_MR * MDK_TAP_MR;
        for (int64_t k = 0; k < kc; ++k) {
            for (int64_t i = 0; i < padded; ++i) panel[k * MDK_TAP_ROW + i] = i < count ? (double)src[i * depth + k] : 0;
        }
    }
}

/* Adds `rows` rows of a tile (tile_rows values per column) to the output at the panel's columns. */
static void MDK_TAP_NAME(tap_add_tile)(const mdk_conv_shape *s, const double *tile, int64_t tile_rows, int64_t rows,
                                   int64_t first_row, const int64_t *columns, int64_t width, double *output) {
    const int64_t pixels = s->out_height * s->out_width;
    for (int64_t j = 0; j < width; ++j) {
        if (columns[j] < 0) continue;
        const int64_t n = columns[j] / pixels, px = columns[j] % pixels;
        double *dst = output + (n * s->out_channels + first_row) * pixels + px;
        for (int64_t i = 0; i < rows; ++i) dst[i * pixels] += tile[j * tile_rows + i];
    }
}

typedef struct MDK_TAP_NAME(tap_kernels) {
    mdk_tap_kernel wide, pair, pair_tall;
} MDK_TAP_NAME(tap_kernels);

static MDK_TAP_NAME(tap_kernels) MDK_TAP_NAME(tap_select_kernels)(mdk_isa isa) {
#if defined(MDK_HAVE_AVX2_KERNELS)
    if (isa == MDK_ISA_AVX2_FMA) {
        return (MDK_TAP_NAME(tap_kernels)){mdk_tap_kernel_8x6_avx2, mdk_tap_kernel_8x2_avx2, mdk_tap_kernel_24x2_avx2};
    }
#endif
    (void)isa;
    return (MDK_TAP_NAME(tap_kernels)){mdk_tap_kernel_8x6_portable, mdk_tap_kernel_8x2_portable,
                                   mdk_tap_kernel_24x2_portable};
}

/* Tile rows of a tap panel over `rows` (at most 24) weight rows: 24 for a pair panel run as one 24 x 2
 * tile, else 8 per tile of eight rows. */
static int64_t MDK_TAP_NAME(tap_tile_rows)(int64_t width, int64_t rows) {
    return width == MDK_TAP_PAIR_NR && rows == MDK_TAP_ROW ? MDK_TAP_ROW : MDK_TAP_MR;
}

/* Tap panel p's entries of step `step` (counted over the whole depth) times `rows` packed rows, into its
 * tiles. */
static void MDK_TAP_NAME(tap_run_panel)(const mdk_tap_plan *plan, MDK_TAP_NAME(tap_kernels) kernels, int64_t p, int64_t step,
                                    const double *packed, int64_t rows, const double *values, double *tiles) {
    const int64_t *starts = plan->step_start + plan->panel_list[p] * (plan->block_count * plan->steps + 1);
    const int64_t first = starts[step], count = starts[step + 1] - first, width = plan->panel_width[p];
    if (count == 0) return;
    const int32_t *ks = plan->entries + first;
    const double *b = values + plan->panel_values[p] + (first - starts[0]) * width;
    if (MDK_TAP_NAME(tap_tile_rows)(width, rows) == MDK_TAP_ROW) {
        kernels.pair_tall(count, ks, packed, b, tiles);
        return;
    }
    const mdk_tap_kernel kernel = width == MDK_TAP_WIDE_NR ? kernels.wide : kernels.pair;
    for (int64_t r = 0; r < rows; r += MDK_TAP_MR) kernel(count, ks, packed + r, b, tiles + r * width);
}

/* Adds every tap panel's tiles for `rows` rows from first_row to the output. */
static void MDK_TAP_NAME(tap_add_tiles)(const mdk_conv_shape *s, const mdk_tap_plan *plan, const double *tiles,
                                    int64_t first_row, int64_t rows, double *output) {
    for (int64_t p = 0; p < plan->panel_count; ++p, tiles += MDK_TAP_TILE) {
        const int64_t width = plan->panel_width[p], *columns = plan->panel_columns + p * MDK_TAP_MAX_NR;
        const int64_t tile_rows = MDK_TAP_NAME(tap_tile_rows)(width, rows);
        for (int64_t r = 0; r < rows; r += tile_rows) {
            const int64_t valid = rows - r < tile_rows ? rows - r : tile_rows;
            MDK_TAP_NAME(tap_add_tile)(s, tiles + r * width, tile_rows, valid, first_row + r, columns, width, output);
        }
    }
}

void MDK_TAP_NAME(mdk_tap_gemm)(const mdk_conv_shape *s, mdk_isa isa, const mdk_tap_plan *plan,
                                const MDK_W *weight_rows, const MDK_W *bias, const double *values, int64_t group,
                                int64_t row_begin, int64_t row_end, double *workspace, double *output) {
    const int64_t depth = s->in_channels / s->groups * s->kernel_height * s->kernel_width;
    const int64_t first_row = group * (s->out_channels / s->groups) + row_begin, rows = row_end - row_begin;
    const MDK_TAP_NAME(tap_kernels) kernels = MDK_TAP_NAME(tap_select_kernels)(isa);
    const double *group_values = values + group * plan->values_per_group;
    double *tiles = workspace + (rows + MDK_TAP_ROW - 1) / MDK_TAP_ROW * MDK_TAP_ROW * plan->kc;
    MDK_NAME(fill_bias)(s, bias, first_row, rows, 0, s->batch * s->out_height * s->out_width, output);
    int64_t block = 0;
    for (int64_t pc = 0; pc < depth; pc += plan->kc, ++block) {
        const int64_t kc = (depth - pc < plan->kc) ? depth - pc : plan->kc;
        MDK_TAP_NAME(tap_pack_rows)(isa, weight_rows, depth, rows, pc, kc, workspace);
        for (int64_t r = 0; r < rows; r += MDK_TAP_ROW) {
            const int64_t count = rows - r < MDK_TAP_ROW ? rows - r : MDK_TAP_ROW;
            const int64_t padded = (count + MDK_TAP_MR - 1) / MDK_TAP_MR * MDK_TAP_MR;
            const double *packed = workspace + r * kc;
            for (int64_t p = 0; p < plan->panel_count; ++p) {
                double *tile = tiles + p * MDK_TAP_TILE;
                for (int64_t i = 0; i < padded * plan->panel_width[p]; ++i) tile[i] = 0;
            }
            for (int64_t step = block * plan->steps; step < (block + 1) * plan->steps; ++step) {
                for (int64_t p = 0; p < plan->panel_count; ++p) {
                    MDK_TAP_NAME(tap_run_panel)(plan, kernels, p, step, packed, count, group_values, tiles + p * MDK_TAP_TILE);
                }
            }
            MDK_TAP_NAME(tap_add_tiles)(s, plan, tiles, first_row + r, count, output);
        }
    }
}
