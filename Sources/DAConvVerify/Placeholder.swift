// DAConvVerify: under construction
