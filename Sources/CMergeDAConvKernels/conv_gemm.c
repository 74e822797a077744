/* conv_gemm.c: instantiates the blocked convolution multiply for double, float, and double
 * arithmetic over float weights (mixed precision: see merge_daconv_mixed_gemm.h); the double ones
 * also over narrow panels, with the tap-list multiply (merge_daconv_tap_gemm.h) beside them. */
#include <stdint.h>
#include "merge_daconv_kernels.h"
#include "merge_daconv_mixed_gemm.h"
#include "merge_daconv_tap_gemm.h"
#include "microkernels.h"

#define MDK_T double
#define MDK_W double
#define MDK_MR MDK_F64_MR
#define MDK_NR MDK_F64_NR
#define MDK_NAME(x) x##_f64
#define MDK_KERNEL_TYPE mdk_kernel_f64
#define MDK_KERNEL_PORTABLE mdk_kernel_f64_portable
#define MDK_KERNEL_AVX2 mdk_kernel_f64_avx2
#include "conv_gemm_template.h"
#undef MDK_W
#undef MDK_NAME

/* The same double multiply with float weights and biases, converted while packed. */
#define MDK_W float
#define MDK_NAME(x) x##_f64_wf32
#include "conv_gemm_template.h"
#undef MDK_T
#undef MDK_W
#undef MDK_MR
#undef MDK_NR
#undef MDK_NAME
#undef MDK_KERNEL_TYPE
#undef MDK_KERNEL_PORTABLE
#undef MDK_KERNEL_AVX2

/* Both again over narrow panels. */
#define MDK_T double
#define MDK_W double
#define MDK_MR MDK_F64N_MR
#define MDK_NR MDK_F64N_NR
#define MDK_NAME(x) x##_f64n
#define MDK_KERNEL_TYPE mdk_kernel_f64
#define MDK_KERNEL_PORTABLE mdk_kernel_f64n_portable
#define MDK_KERNEL_AVX2 mdk_kernel_f64n_avx2
#include "conv_gemm_template.h"
#define MDK_TAP_NAME(x) x##_f64
#define MDK_TAP_PACK_AVX2 mdk_pack_rows_f64_avx2
#include "tap_gemm_template.h"
#undef MDK_TAP_PACK_AVX2
#undef MDK_TAP_NAME
#undef MDK_W
#undef MDK_NAME
#define MDK_W float
#define MDK_NAME(x) x##_f64n_wf32
#define MDK_PACK_PANEL_AVX2 mdk_pack_panel_f64n_wf32_avx2
#include "conv_gemm_template.h"
#define MDK_TAP_NAME(x) x##_f64_wf32
#define MDK_TAP_PACK_AVX2 mdk_pack_rows_wf32_avx2
#include "tap_gemm_template.h"
#undef MDK_TAP_PACK_AVX2
#undef MDK_TAP_NAME
#undef MDK_PACK_PANEL_AVX2
#undef MDK_T
#undef MDK_W
#undef MDK_MR
#undef MDK_NR
#undef MDK_NAME
#undef MDK_KERNEL_TYPE
#undef MDK_KERNEL_PORTABLE
#undef MDK_KERNEL_AVX2

#define MDK_T float
#define MDK_W float
#define MDK_MR MDK_F32_MR
#define MDK_NR MDK_F32_NR
#define MDK_NAME(x) x##_f32
#define MDK_KERNEL_TYPE mdk_kernel_f32
#define MDK_KERNEL_PORTABLE mdk_kernel_f32_portable
#define MDK_KERNEL_AVX2 mdk_kernel_f32_avx2
#include "conv_gemm_template.h"
#undef MDK_T
#undef MDK_W
#undef MDK_MR
#undef MDK_NR
#undef MDK_NAME
#undef MDK_KERNEL_TYPE
#undef MDK_KERNEL_PORTABLE
#undef MDK_KERNEL_AVX2
