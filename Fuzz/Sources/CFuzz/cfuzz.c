// LLVMFuzzerRunDriver (include/cfuzz.h) is resolved by libFuzzer at link time; the checks below are plain C.
#include "cfuzz.h"

int cfuzz_all_in_range(const uint8_t *p, size_t n, uint8_t lo, uint8_t hi) {
    uint8_t bad = 0;
    for (size_t i = 0; i < n; i++) bad |= (uint8_t)(p[i] < lo) | (uint8_t)(p[i] > hi);
    return !bad;
}

int cfuzz_all_equal(const uint8_t *p, size_t n, uint8_t b) {
    uint8_t diff = 0;
    for (size_t i = 0; i < n; i++) diff |= p[i] ^ b;
    return !diff;
}
