#include <zlib.h>

/// inflateInit2 is a macro (it passes the library version and the stream's size): Swift cannot call it.
/// 16 + MAX_WBITS: gzip members only (a zlib or raw deflate stream is an error).
static inline int cair2_inflate_init_gzip(z_stream *stream) {
    return inflateInit2(stream, 16 + MAX_WBITS);
}
