/* cpu_features.c: run-time choice of the instruction set the kernels use. */
#include "merge_daconv_kernels.h"
#include "microkernels.h"

mdk_isa mdk_best_isa(void) {
#if defined(MDK_HAVE_AVX2_KERNELS)
    /* __builtin_cpu_supports also checks that the OS saves the YMM registers (XCR0). */
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        return MDK_ISA_AVX2_FMA;
    }
#endif
    return MDK_ISA_PORTABLE;
}
