/*
 * crc32_clmul.c: the zip CRC-32 (zlib's crc32: reflected polynomial 0xEDB88320, register inverted
 * before and after) at memory speed, by folding with carry-less multiplication.
 *
 * Why folding works. Over GF(2), the CRC register after a message M is M * x^32 mod P (bits reflected,
 * the inversions aside). A 128-bit block B that lies D bits before the end of the message contributes
 * B * x^D, and B * x^D = B_hi * x^(D+64) + B_lo * x^D is congruent, modulo P, to
 *     B_hi * ((x^(D+63) mod P) * x) + B_lo * ((x^(D-1) mod P) * x),
 * two 64 x 32-bit carry-less products whose sum fits in 128 bits again. So a block can be folded
 * forward by D bits (XORed into the block D bits later) without changing the CRC. We keep four
 * independent accumulators (to hide the multiply latency), fold each over the other three plus
 * itself (D = 512 bits for 128-bit lanes, 1024 for 256-bit lanes), then fold the four into one
 * (D = 128, or 256 then 128), leaving a 16-byte message congruent to everything so far. That block
 * and the last few bytes go through the byte table. The register enters by XOR into the first block.
 *
 * Constants: K(e) = bit-reflect64(x^e mod P) with P = x^32 + 0x04C11DB7; in reflected order the
 * extra factor x is the one-bit shift a 64 x 64 product of reflected operands introduces. Derivation:
 *     r = 1; repeat e times: r <<= 1; if r & (1 << 32): r ^= 0x104C11DB7   ->  reflect r over 64 bits
 *
 * The instruction set is chosen once at load time; the folding functions are compiled for their
 * target through attributes only, so the rest of the target keeps the baseline (as the conv kernels do).
 */
#include <stddef.h>
#include <stdint.h>
#include "merge_daconv_kernels.h"

#define MDK_CRC32_POLY 0xEDB88320u

/* Byte-at-a-time table; filled once, before main, by mdk_crc32_setup. */
static uint32_t byte_table[256];
static mdk_crc32_impl best_impl = MDK_CRC32_TABLE;

/* Continues the (inverted) register over n bytes, one table lookup per byte. */
static uint32_t update_bytes(uint32_t reg, const uint8_t *p, size_t n) {
    while (n--) reg = byte_table[(reg ^ *p++) & 0xFFu] ^ (reg >> 8);
    return reg;
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define MDK_HAVE_CLMUL 1
#include <immintrin.h>

#define K1024_LO 0x7d657a1000000000ULL /* x^1087 mod P */
#define K1024_HI 0x7406fa9500000000ULL /* x^1023 mod P */
#define K512_LO 0x653d982200000000ULL  /* x^575 mod P */
#define K512_HI 0xcad38e8f00000000ULL  /* x^511 mod P */
#define K256_LO 0x9570d49500000000ULL  /* x^319 mod P */
#define K256_HI 0x01b5fd1d00000000ULL  /* x^255 mod P */
#define K128_LO 0x65673b4600000000ULL  /* x^191 mod P */
#define K128_HI 0x9ba54c6f00000000ULL  /* x^127 mod P */

#define MDK_PCLMUL __attribute__((target("pclmul,sse4.1")))
#define MDK_VPCLMUL __attribute__((target("vpclmulqdq,avx2,pclmul,sse4.1")))

/* The 16-byte block congruent to block * x^D, for the D whose constants k holds. */
MDK_PCLMUL static inline __m128i fold128(__m128i block, __m128i k) {
    return _mm_xor_si128(_mm_clmulepi64_si128(block, k, 0x00), _mm_clmulepi64_si128(block, k, 0x11));
}

MDK_VPCLMUL static inline __m256i fold256(__m256i block, __m256i k) {
    return _mm256_xor_si256(_mm256_clmulepi64_epi128(block, k, 0x00), _mm256_clmulepi64_epi128(block, k, 0x11));
}

/* Folds the 16-byte remainder and the last n < 16 bytes through the table. */
MDK_PCLMUL static uint32_t finish128(__m128i acc, const uint8_t *p, size_t n) {
    uint8_t rest[16];
    _mm_storeu_si128((__m128i *)rest, acc);
    return update_bytes(update_bytes(0, rest, 16), p, n);
}

/* Four 128-bit lanes, 64 bytes per step; needs n >= 64. */
MDK_PCLMUL static uint32_t crc32_pclmul(uint32_t reg, const uint8_t *p, size_t n) {
    const __m128i k512 = _mm_set_epi64x((long long)K512_HI, (long long)K512_LO);
    const __m128i k128 = _mm_set_epi64x((long long)K128_HI, (long long)K128_LO);
    __m128i a0 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)p), _mm_cvtsi32_si128((int)reg));
    __m128i a1 = _mm_loadu_si128((const __m128i *)(p + 16));
    __m128i a2 = _mm_loadu_si128((const __m128i *)(p + 32));
    __m128i a3 = _mm_loadu_si128((const __m128i *)(p + 48));
    for (p += 64, n -= 64; n >= 64; p += 64, n -= 64) {
        a0 = _mm_xor_si128(fold128(a0, k512), _mm_loadu_si128((const __m128i *)p));
        a1 = _mm_xor_si128(fold128(a1, k512), _mm_loadu_si128((const __m128i *)(p + 16)));
        a2 = _mm_xor_si128(fold128(a2, k512), _mm_loadu_si128((const __m128i *)(p + 32)));
        a3 = _mm_xor_si128(fold128(a3, k512), _mm_loadu_si128((const __m128i *)(p + 48)));
    }
    __m128i acc = _mm_xor_si128(fold128(a0, k128), a1);
    acc = _mm_xor_si128(fold128(acc, k128), a2);
    acc = _mm_xor_si128(fold128(acc, k128), a3);
    for (; n >= 16; p += 16, n -= 16) acc = _mm_xor_si128(fold128(acc, k128), _mm_loadu_si128((const __m128i *)p));
    return finish128(acc, p, n);
}

/* Four 256-bit lanes, 128 bytes per step; needs n >= 128. */
MDK_VPCLMUL static uint32_t crc32_vpclmul(uint32_t reg, const uint8_t *p, size_t n) {
    const __m256i k1024 = _mm256_set_epi64x((long long)K1024_HI, (long long)K1024_LO, (long long)K1024_HI,
                                            (long long)K1024_LO);
    const __m256i k256 = _mm256_set_epi64x((long long)K256_HI, (long long)K256_LO, (long long)K256_HI,
                                           (long long)K256_LO);
    const __m128i k128 = _mm_set_epi64x((long long)K128_HI, (long long)K128_LO);
    __m256i first = _mm256_zextsi128_si256(_mm_cvtsi32_si128((int)reg));
    __m256i a0 = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)p), first);
    __m256i a1 = _mm256_loadu_si256((const __m256i *)(p + 32));
    __m256i a2 = _mm256_loadu_si256((const __m256i *)(p + 64));
    __m256i a3 = _mm256_loadu_si256((const __m256i *)(p + 96));
    for (p += 128, n -= 128; n >= 128; p += 128, n -= 128) {
        a0 = _mm256_xor_si256(fold256(a0, k1024), _mm256_loadu_si256((const __m256i *)p));
        a1 = _mm256_xor_si256(fold256(a1, k1024), _mm256_loadu_si256((const __m256i *)(p + 32)));
        a2 = _mm256_xor_si256(fold256(a2, k1024), _mm256_loadu_si256((const __m256i *)(p + 64)));
        a3 = _mm256_xor_si256(fold256(a3, k1024), _mm256_loadu_si256((const __m256i *)(p + 96)));
    }
    __m256i acc = _mm256_xor_si256(fold256(a0, k256), a1);
    acc = _mm256_xor_si256(fold256(acc, k256), a2);
    acc = _mm256_xor_si256(fold256(acc, k256), a3);
    for (; n >= 32; p += 32, n -= 32) acc = _mm256_xor_si256(fold256(acc, k256), _mm256_loadu_si256((const __m256i *)p));
    __m128i half = _mm_xor_si128(fold128(_mm256_castsi256_si128(acc), k128), _mm256_extracti128_si256(acc, 1));
    if (n >= 16) {
        half = _mm_xor_si128(fold128(half, k128), _mm_loadu_si128((const __m128i *)p));
        p += 16;
        n -= 16;
    }
    return finish128(half, p, n);
}
#endif

/* Builds the byte table and picks the implementation, once, before any thread can call in. */
__attribute__((constructor)) static void mdk_crc32_setup(void) {
    for (uint32_t byte = 0; byte < 256; byte++) {
        uint32_t c = byte;
        for (int bit = 0; bit < 8; bit++) c = (c >> 1) ^ (MDK_CRC32_POLY & (0u - (c & 1u)));
        byte_table[byte] = c;
    }
#if defined(MDK_HAVE_CLMUL)
    /* __builtin_cpu_supports("avx2") also checks that the OS saves the YMM registers. */
    __builtin_cpu_init();
    if (__builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1")) best_impl = MDK_CRC32_PCLMUL;
    if (best_impl == MDK_CRC32_PCLMUL && __builtin_cpu_supports("vpclmulqdq") && __builtin_cpu_supports("avx2")) {
        best_impl = MDK_CRC32_VPCLMUL;
    }
#endif
}

mdk_crc32_impl mdk_crc32_best_impl(void) {
    return best_impl;
}

const char *mdk_crc32_impl_name(mdk_crc32_impl impl) {
    switch (impl) {
    case MDK_CRC32_PCLMUL: return "pclmulqdq";
    case MDK_CRC32_VPCLMUL: return "vpclmulqdq";
    default: return "table";
    }
}

uint32_t mdk_crc32_with(mdk_crc32_impl impl, uint32_t crc, const uint8_t *data, size_t length) {
    uint32_t reg = ~crc;
    if (impl > best_impl) impl = best_impl; /* never run instructions this CPU lacks */
#if defined(MDK_HAVE_CLMUL)
    if (impl == MDK_CRC32_VPCLMUL && length >= 128) return ~crc32_vpclmul(reg, data, length);
    if (impl != MDK_CRC32_TABLE && length >= 64) return ~crc32_pclmul(reg, data, length);
#endif
    return ~update_bytes(reg, data, length);
}

uint32_t mdk_crc32(uint32_t crc, const uint8_t *data, size_t length) {
    return mdk_crc32_with(best_impl, crc, data, length);
}
