/* pack_columns.c: instantiates the im2col panel packer for double (wide and narrow panels) and float. */
#include <stdint.h>
#include "merge_daconv_kernels.h"

#define MDK_T double
#define MDK_NR MDK_F64_NR
#define MDK_NAME(x) x##_f64
#include "pack_columns_template.h"
#undef MDK_T
#undef MDK_NR
#undef MDK_NAME

#define MDK_T double
#define MDK_NR MDK_F64N_NR
#define MDK_NAME(x) x##_f64n
#include "pack_columns_template.h"
#undef MDK_T
#undef MDK_NR
#undef MDK_NAME

#define MDK_T float
#define MDK_NR MDK_F32_NR
#define MDK_NAME(x) x##_f32
#include "pack_columns_template.h"
#undef MDK_T
#undef MDK_NR
#undef MDK_NAME
