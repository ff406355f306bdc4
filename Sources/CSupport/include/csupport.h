#ifndef CAIR2_CSUPPORT_H
#define CAIR2_CSUPPORT_H
#include <stddef.h>
#include <stdint.h>

/// Placeholder so the target builds; the SHA-256 and mapping guard land here.
int cair2_csupport_version(void);

#endif
