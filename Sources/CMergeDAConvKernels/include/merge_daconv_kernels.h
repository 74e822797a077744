#ifndef MERGE_DACONV_KERNELS_H
#define MERGE_DACONV_KERNELS_H
/* Placeholder: the convolution micro-kernels live here (see DAConvVerify). */
int merge_daconv_kernels_version(void);
#endif
