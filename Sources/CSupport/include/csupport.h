#ifndef CAIR2_CSUPPORT_H
#define CAIR2_CSUPPORT_H
#include <stddef.h>
#include <stdint.h>

/// Placeholder so the target builds; the SHA-256 and mapping guard land here.
int cair2_csupport_version(void);

/// SHA-256 state. Plain data: copy it to fork a hash, no cleanup needed.
typedef struct cair2_sha256_ctx {
    uint32_t state[8];
    uint64_t total_bytes;   /* bytes passed to update so far */
    uint8_t buffer[64];     /* a partial block waiting for more input */
    uint32_t buffered;      /* bytes held in buffer (0..63) */
    int use_cpu_extensions; /* 1: x86 SHA-NI block function, 0: portable C */
} cair2_sha256_ctx;

/// 1 when this CPU has the x86 SHA extensions (SHA-NI) and SSE4.1, else 0.
int cair2_sha256_cpu_extensions_available(void);

/// Starts a hash, using SHA-NI when the CPU has it.
void cair2_sha256_init(cair2_sha256_ctx *ctx);

/// Starts a hash with an explicit choice of block function (tests and benchmarks
/// compare the two paths). Asking for the CPU extensions on a CPU without them
/// silently falls back to portable C; read ctx->use_cpu_extensions to know.
void cair2_sha256_init_with(cair2_sha256_ctx *ctx, int use_cpu_extensions);

/// Hashes len bytes at data (data may be NULL when len is 0).
void cair2_sha256_update(cair2_sha256_ctx *ctx, const void *data, size_t len);

/// Finishes the hash and writes the 32-byte digest to out. The context must be
/// initialized again before reuse.
void cair2_sha256_final(cair2_sha256_ctx *ctx, uint8_t out[32]);

#endif
