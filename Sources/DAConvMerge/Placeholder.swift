// DAConvMerge: under construction
