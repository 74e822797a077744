/*
 * pack_columns_template.h (internal): im2col straight into micro-kernel panels, for one scalar type.
 * Included by pack_columns.c with MDK_T (scalar), MDK_NR (panel width) and MDK_NAME(x) defined.
 *
 * Panel p of a chunk covers columns column_begin + p * NR ..< + NR. Row k of a panel is the input
 * value under kernel tap k = (c * kh + ki) * kw + kj for each of the NR output pixels, or zero
 * where that tap falls in the padding or the column lies past the chunk's end.
 */

/* Per-lane origin of one panel: image offset and the input row/column of kernel tap (0, 0). */
typedef struct MDK_NAME(lane_origins) {
    int64_t base[MDK_NR], ih0[MDK_NR], iw0[MDK_NR];
    int uniform_row; /* all lanes valid, same image and output row, and stride_w == 1 */
} MDK_NAME(lane_origins);

static void MDK_NAME(find_origins)(const mdk_conv_shape *s, mdk_column_chunk chunk, int64_t group,
                                   int64_t first_column, MDK_NAME(lane_origins) *o) {
    const int64_t plane = s->in_height * s->in_width, pixels = s->out_height * s->out_width;
    const int64_t group_channel = group * (s->in_channels / s->groups);
    int64_t first_n = -1, first_oh = -1;
    o->uniform_row = s->stride_w == 1;
    for (int jj = 0; jj < MDK_NR; ++jj) {
        const int64_t j = first_column + jj;
        if (j >= chunk.column_end) {
            /* A row far below zero: every tap of this lane reads as padding. */
            o->base[jj] = 0; o->ih0[jj] = INT64_MIN / 4; o->iw0[jj] = 0;
            o->uniform_row = 0;
            continue;
        }
        const int64_t n = j / pixels, px = j % pixels, oh = px / s->out_width, ow = px % s->out_width;
        o->base[jj] = (n * s->in_channels + group_channel) * plane;
        o->ih0[jj] = oh * s->stride_h - s->pad_h;
        o->iw0[jj] = ow * s->stride_w - s->pad_w;
        if (jj == 0) { first_n = n; first_oh = oh; }
        else if (n != first_n || oh != first_oh) o->uniform_row = 0;
    }
}

/* One panel row, lane by lane, checking every tap against the input bounds. */
static inline void MDK_NAME(pack_lanes)(const mdk_conv_shape *s, const MDK_T *input,
                                        const MDK_NAME(lane_origins) *o, int64_t channel_offset,
                                        int64_t dy, int64_t dx, MDK_T *dst) {
    for (int jj = 0; jj < MDK_NR; ++jj) {
        const int64_t ih = o->ih0[jj] + dy, iw = o->iw0[jj] + dx;
        const int inside = (uint64_t)ih < (uint64_t)s->in_height && (uint64_t)iw < (uint64_t)s->in_width;
        dst[jj] = inside ? input[o->base[jj] + channel_offset + ih * s->in_width + iw] : (MDK_T)0;
    }
}

/* One panel row when all lanes read NR consecutive values of one input row. */
static inline void MDK_NAME(pack_run)(const mdk_conv_shape *s, const MDK_T *input,
                                      const MDK_NAME(lane_origins) *o, int64_t channel_offset,
                                      int64_t dy, int64_t dx, MDK_T *dst) {
    const int64_t ih = o->ih0[0] + dy, iw = o->iw0[0] + dx;
    if ((uint64_t)ih >= (uint64_t)s->in_height) {
        for (int jj = 0; jj < MDK_NR; ++jj) dst[jj] = (MDK_T)0;
    } else if (iw >= 0 && iw + MDK_NR <= s->in_width) {
        const MDK_T *src = input + o->base[0] + channel_offset + ih * s->in_width + iw;
        for (int jj = 0; jj < MDK_NR; ++jj) dst[jj] = src[jj];
    } else {
        MDK_NAME(pack_lanes)(s, input, o, channel_offset, dy, dx, dst);
    }
}

void MDK_NAME(mdk_pack_columns)(const mdk_conv_shape *s, const MDK_T *input, mdk_column_chunk chunk,
                                int64_t group, int64_t panel_begin, int64_t panel_end, MDK_T *panels) {
    const int64_t channels = s->in_channels / s->groups, plane = s->in_height * s->in_width;
    const int64_t depth = channels * s->kernel_height * s->kernel_width;
    MDK_T *dst =
        panels + ((group - chunk.group_begin) * chunk.panel_count + panel_begin) * depth * MDK_NR;
    for (int64_t p = panel_begin; p < panel_end; ++p) {
        MDK_NAME(lane_origins) o;
        MDK_NAME(find_origins)(s, chunk, group, chunk.column_begin + p * MDK_NR, &o);
        for (int64_t c = 0; c < channels; ++c) {
            for (int64_t ki = 0; ki < s->kernel_height; ++ki) {
                const int64_t dy = ki * s->dilation_h;
                for (int64_t kj = 0; kj < s->kernel_width; ++kj, dst += MDK_NR) {
                    const int64_t dx = kj * s->dilation_w;
                    if (o.uniform_row) MDK_NAME(pack_run)(s, input, &o, c * plane, dy, dx, dst);
                    else MDK_NAME(pack_lanes)(s, input, &o, c * plane, dy, dx, dst);
                }
            }
        }
    }
}
