/*
 * conv_gemm_template.h (internal): one block of the convolution's matrix multiply, for one scalar
 * type. Included by conv_gemm.c with MDK_T, MDK_W, MDK_MR, MDK_NR, MDK_NAME(x), MDK_KERNEL_TYPE,
 * MDK_KERNEL_PORTABLE and (on x86-64) MDK_KERNEL_AVX2 defined.
 *
 * MDK_T is the arithmetic type (input, packed panels, output); MDK_W the type the weight and bias
 * are stored in (MDK_T, or float under double arithmetic). Weights are converted to MDK_T only
 * where they are packed into MR-row panels, so float weights never need a full double copy.
 * MDK_PACK_PANEL_AVX2, if defined, packs a full MR-row panel with AVX2 (the generic loop's values).
 *
 * Loop order (BLIS-style): for each depth slice of kc taps, pack the block's weight rows into
 * MR-row panels (they stay in L2), then for each column panel (kc x NR, stays in L1) run the
 * micro-kernel over every MR-row panel.
 */

/* The block's columns as runs inside one image: the output is NCHW, so a column run is contiguous. */
static void MDK_NAME(fill_bias)(const mdk_conv_shape *s, const MDK_W *bias, int64_t first_row,
                                int64_t rows, int64_t first_column, int64_t end_column,
                                MDK_T *output) {
    const int64_t pixels = s->out_height * s->out_width;
    for (int64_t j = first_column; j < end_column;) {
        const int64_t n = j / pixels, px = j % pixels;
        const int64_t run = (pixels - px < end_column - j) ? pixels - px : end_column - j;
        for (int64_t r = 0; r < rows; ++r) {
            const int64_t o = first_row + r;
            const MDK_T value = bias ? (MDK_T)bias[o] : (MDK_T)0;
            MDK_T *dst = output + (n * s->out_channels + o) * pixels + px;
            for (int64_t t = 0; t < run; ++t) dst[t] = value;
        }
        j += run;
    }
}

/* Copies weight rows [first_row, first_row + rows), taps [pc, pc + kc) into MR-row panels.
 * Written in panel order (tap by tap, MR rows each) so the stores are sequential: about 5% faster
 * than row-by-row strided stores for 512-channel 3x3 layers. */
static void MDK_NAME(pack_weights)(mdk_isa isa, const MDK_W *weight, int64_t depth, int64_t first_row,
                                   int64_t rows, int64_t pc, int64_t kc, MDK_T *dst) {
    (void)isa;
    for (int64_t ir = 0; ir < rows; ir += MDK_MR, dst += kc * MDK_MR) {
        const MDK_W *src = weight + (first_row + ir) * depth + pc;
#if defined(MDK_PACK_PANEL_AVX2) && defined(MDK_HAVE_AVX2_KERNELS)
        if (isa == MDK_ISA_AVX2_FMA && ir + MDK_MR <= rows) {
            MDK_PACK_PANEL_AVX2(src, depth, kc, dst);
            continue;
        }
#endif
        if (ir + MDK_MR <= rows) {
            for (int64_t k = 0; k < kc; ++k) {
                for (int i = 0; i < MDK_MR; ++i) dst[k * MDK_MR + i] = (MDK_T)src[i * depth + k];
            }
        } else {
            const int64_t valid = rows - ir;
            for (int64_t k = 0; k < kc; ++k) {
                for (int i = 0; i < MDK_MR; ++i) {
                    dst[k * MDK_MR + i] = i < valid ? (MDK_T)src[i * depth + k] : (MDK_T)0;
                }
            }
        }
    }
}

/* A partial micro-tile (fewer rows or columns, or columns that cross an image boundary):
 * compute into a local tile, then add each valid element where it belongs. */
static void MDK_NAME(edge_tile)(const mdk_conv_shape *s, MDK_KERNEL_TYPE kernel, int64_t kc,
                                const MDK_T *a, const MDK_T *b, int64_t first_row, int64_t mr,
                                int64_t first_column, int64_t nr, MDK_T *output) {
    MDK_T tile[MDK_MR * MDK_NR] = {0};
    kernel(kc, a, b, tile, MDK_NR);
    const int64_t pixels = s->out_height * s->out_width;
    for (int64_t jj = 0; jj < nr; ++jj) {
        const int64_t j = first_column + jj, n = j / pixels, px = j % pixels;
        MDK_T *dst = output + (n * s->out_channels + first_row) * pixels + px;
        for (int64_t i = 0; i < mr; ++i) dst[i * pixels] += tile[i * MDK_NR + jj];
    }
}

static MDK_KERNEL_TYPE MDK_NAME(select_kernel)(mdk_isa isa) {
#if defined(MDK_HAVE_AVX2_KERNELS)
    if (isa == MDK_ISA_AVX2_FMA) return MDK_KERNEL_AVX2;
#endif
    (void)isa;
    return MDK_KERNEL_PORTABLE;
}

/* Runs the micro-kernel over all (column panel, row panel) pairs for one depth slice. */
static void MDK_NAME(multiply_slice)(const mdk_conv_shape *s, MDK_KERNEL_TYPE kernel,
                                     const MDK_T *packed_weights, const MDK_T *group_panels,
                                     mdk_column_chunk chunk, mdk_gemm_block block, int64_t first_row,
                                     int64_t pc, int64_t kc, MDK_T *output) {
    const int64_t depth = s->in_channels / s->groups * s->kernel_height * s->kernel_width;
    const int64_t pixels = s->out_height * s->out_width, rows = block.row_end - block.row_begin;
    for (int64_t p = block.panel_begin; p < block.panel_end; ++p) {
        const MDK_T *b = group_panels + p * depth * MDK_NR + pc * MDK_NR;
        const int64_t j0 = chunk.column_begin + p * MDK_NR;
        const int64_t nr = (chunk.column_end - j0 < MDK_NR) ? chunk.column_end - j0 : MDK_NR;
        const int64_t n = j0 / pixels, px = j0 % pixels;
        const int contiguous = nr == MDK_NR && px + MDK_NR <= pixels;
        MDK_T *c = output + (n * s->out_channels + first_row) * pixels + px;
        for (int64_t ir = 0; ir < rows; ir += MDK_MR) {
            const MDK_T *a = packed_weights + ir * kc;
            const int64_t mr = (rows - ir < MDK_MR) ? rows - ir : MDK_MR;
            if (contiguous && mr == MDK_MR) kernel(kc, a, b, c + ir * pixels, pixels);
            else MDK_NAME(edge_tile)(s, kernel, kc, a, b, first_row + ir, mr, j0, nr, output);
        }
    }
}

void MDK_NAME(mdk_conv_gemm)(const mdk_conv_shape *s, mdk_isa isa, const MDK_W *weight,
                             const MDK_W *bias, const MDK_T *panels, mdk_column_chunk chunk,
                             mdk_gemm_block block, MDK_T *workspace, MDK_T *output) {
    const int64_t depth = s->in_channels / s->groups * s->kernel_height * s->kernel_width;
    const int64_t first_row = block.group * (s->out_channels / s->groups) + block.row_begin;
    const int64_t rows = block.row_end - block.row_begin;
    const int64_t first_column = chunk.column_begin + block.panel_begin * MDK_NR;
    int64_t end_column = chunk.column_begin + block.panel_end * MDK_NR;
    if (end_column > chunk.column_end) end_column = chunk.column_end;
    const MDK_KERNEL_TYPE kernel = MDK_NAME(select_kernel)(isa);
    const MDK_T *group_panels =
        panels + (block.group - chunk.group_begin) * chunk.panel_count * depth * MDK_NR;

    MDK_NAME(fill_bias)(s, bias, first_row, rows, first_column, end_column, output);
    for (int64_t pc = 0; pc < depth; pc += block.kc) {
        const int64_t kc = (depth - pc < block.kc) ? depth - pc : block.kc;
        MDK_NAME(pack_weights)(isa, weight, depth, first_row, rows, pc, kc, workspace);
        MDK_NAME(multiply_slice)(s, kernel, workspace, group_panels, chunk, block, first_row, pc, kc,
                                 output);
    }
}
