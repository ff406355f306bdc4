/*
 * SHA-256 (FIPS 180-4) with two block functions: the x86 SHA extensions
 * (SHA-NI: sha256rnds2 / sha256msg1 / sha256msg2), picked at run time with
 * __builtin_cpu_supports, and portable C for every other CPU. Archives and
 * summaries hash files of close to a gigabyte, where SHA-NI is several times
 * faster than the C rounds.
 */
#include "csupport.h"
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CAIR2_HAVE_X86 1
#else
#define CAIR2_HAVE_X86 0
#endif

static const uint32_t K256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static const uint32_t H0[8] = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

#define ROTR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void blocks_portable(uint32_t state[8], const uint8_t *p, size_t nblocks) {
    while (nblocks--) {
        uint32_t w[64];
        for (int i = 0; i < 16; i++) {
            w[i] = ((uint32_t)p[4 * i] << 24) | ((uint32_t)p[4 * i + 1] << 16) |
                   ((uint32_t)p[4 * i + 2] << 8) | (uint32_t)p[4 * i + 3];
        }
        for (int i = 16; i < 64; i++) {
            uint32_t s0 = ROTR(w[i - 15], 7) ^ ROTR(w[i - 15], 18) ^ (w[i - 15] >> 3);
            uint32_t s1 = ROTR(w[i - 2], 17) ^ ROTR(w[i - 2], 19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
        uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
        for (int i = 0; i < 64; i++) {
            uint32_t S1 = ROTR(e, 6) ^ ROTR(e, 11) ^ ROTR(e, 25);
            uint32_t ch = (e & f) ^ (~e & g);
            uint32_t t1 = h + S1 + ch + K256[i] + w[i];
            uint32_t S0 = ROTR(a, 2) ^ ROTR(a, 13) ^ ROTR(a, 22);
            uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
            uint32_t t2 = S0 + maj;
            h = g; g = f; f = e; e = d + t1;
            d = c; c = b; b = a; a = t1 + t2;
        }
        state[0] += a; state[1] += b; state[2] += c; state[3] += d;
        state[4] += e; state[5] += f; state[6] += g; state[7] += h;
        p += 64;
    }
}

#if CAIR2_HAVE_X86
/*
 * The SHA-NI block function. The instructions keep the state as two vectors,
 * ABEF and CDGH; each sha256rnds2 does two rounds, so every group of four
 * rounds is two calls (the second with the upper half of W+K moved down).
 * msg1/msg2 compute the message schedule four words at a time, overlapped
 * with the rounds: in group i we finish W for group i+1 (msg2) and start the
 * schedule for group i+3 (msg1).
 */
__attribute__((target("sha,sse4.1")))
static void blocks_shani(uint32_t state[8], const uint8_t *p, size_t nblocks) {
    const __m128i byteswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    __m128i tmp = _mm_loadu_si128((const __m128i *)&state[0]);     /* DCBA */
    __m128i state1 = _mm_loadu_si128((const __m128i *)&state[4]);  /* HGFE */
    tmp = _mm_shuffle_epi32(tmp, 0xB1);                            /* CDAB */
    state1 = _mm_shuffle_epi32(state1, 0x1B);                      /* EFGH */
    __m128i state0 = _mm_alignr_epi8(tmp, state1, 8);              /* ABEF */
    state1 = _mm_blend_epi16(state1, tmp, 0xF0);                   /* CDGH */

    while (nblocks--) {
        const __m128i abef_save = state0;
        const __m128i cdgh_save = state1;
        __m128i msg[4];
#pragma clang loop unroll(full)
        for (int i = 0; i < 16; i++) {
            if (i < 4) {
                msg[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * i)), byteswap);
            }
            __m128i wk = _mm_add_epi32(msg[i & 3], _mm_loadu_si128((const __m128i *)&K256[4 * i]));
            state1 = _mm_sha256rnds2_epu32(state1, state0, wk);
            if (i >= 3 && i <= 14) {
                __m128i t = _mm_alignr_epi8(msg[i & 3], msg[(i - 1) & 3], 4);
                msg[(i + 1) & 3] = _mm_add_epi32(msg[(i + 1) & 3], t);
                msg[(i + 1) & 3] = _mm_sha256msg2_epu32(msg[(i + 1) & 3], msg[i & 3]);
            }
            wk = _mm_shuffle_epi32(wk, 0x0E);
            state0 = _mm_sha256rnds2_epu32(state0, state1, wk);
            if (i >= 1 && i <= 12) {
                msg[(i - 1) & 3] = _mm_sha256msg1_epu32(msg[(i - 1) & 3], msg[i & 3]);
            }
        }
        state0 = _mm_add_epi32(state0, abef_save);
        state1 = _mm_add_epi32(state1, cdgh_save);
        p += 64;
    }

    tmp = _mm_shuffle_epi32(state0, 0x1B);                         /* FEBA */
    state1 = _mm_shuffle_epi32(state1, 0xB1);                      /* DCHG */
    state0 = _mm_blend_epi16(tmp, state1, 0xF0);                   /* DCBA */
    state1 = _mm_alignr_epi8(state1, tmp, 8);                      /* HGFE */
    _mm_storeu_si128((__m128i *)&state[0], state0);
    _mm_storeu_si128((__m128i *)&state[4], state1);
}
#endif

int cair2_sha256_cpu_extensions_available(void) {
#if CAIR2_HAVE_X86
    __builtin_cpu_init();
    return __builtin_cpu_supports("sha") && __builtin_cpu_supports("sse4.1");
#else
    return 0;
#endif
}

static void run_blocks(cair2_sha256_ctx *ctx, const uint8_t *p, size_t nblocks) {
#if CAIR2_HAVE_X86
    if (ctx->use_cpu_extensions) {
        blocks_shani(ctx->state, p, nblocks);
        return;
    }
#endif
    blocks_portable(ctx->state, p, nblocks);
}

void cair2_sha256_init_with(cair2_sha256_ctx *ctx, int use_cpu_extensions) {
    memcpy(ctx->state, H0, sizeof H0);
    ctx->total_bytes = 0;
    ctx->buffered = 0;
    ctx->use_cpu_extensions = use_cpu_extensions && cair2_sha256_cpu_extensions_available();
}

void cair2_sha256_init(cair2_sha256_ctx *ctx) {
    cair2_sha256_init_with(ctx, 1);
}

void cair2_sha256_update(cair2_sha256_ctx *ctx, const void *data, size_t len) {
    if (len == 0) return;
    const uint8_t *p = (const uint8_t *)data;
    ctx->total_bytes += len;
    if (ctx->buffered) {
        size_t take = 64 - ctx->buffered;
        if (take > len) take = len;
        memcpy(ctx->buffer + ctx->buffered, p, take);
        ctx->buffered += (uint32_t)take;
        p += take;
        len -= take;
        if (ctx->buffered < 64) return;
        run_blocks(ctx, ctx->buffer, 1);
        ctx->buffered = 0;
    }
    size_t whole = len / 64;
    if (whole) {
        run_blocks(ctx, p, whole);
        p += whole * 64;
        len -= whole * 64;
    }
    if (len) {
        memcpy(ctx->buffer, p, len);
        ctx->buffered = (uint32_t)len;
    }
}

void cair2_sha256_final(cair2_sha256_ctx *ctx, uint8_t out[32]) {
    uint64_t bits = ctx->total_bytes * 8;
    uint8_t pad[72];
    /* 0x80, zeros up to 56 mod 64, then the 64-bit big-endian bit length. */
    size_t padlen = (ctx->buffered < 56) ? (56 - ctx->buffered) : (120 - ctx->buffered);
    memset(pad, 0, sizeof pad);
    pad[0] = 0x80;
    for (int i = 0; i < 8; i++) pad[padlen + i] = (uint8_t)(bits >> (56 - 8 * i));
    uint64_t saved = ctx->total_bytes;
    cair2_sha256_update(ctx, pad, padlen + 8);
    ctx->total_bytes = saved;
    for (int i = 0; i < 8; i++) {
        out[4 * i] = (uint8_t)(ctx->state[i] >> 24);
        out[4 * i + 1] = (uint8_t)(ctx->state[i] >> 16);
        out[4 * i + 2] = (uint8_t)(ctx->state[i] >> 8);
        out[4 * i + 3] = (uint8_t)ctx->state[i];
    }
}
