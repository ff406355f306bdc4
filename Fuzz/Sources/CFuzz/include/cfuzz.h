// libFuzzer's driver entry point (compiler-rt, LLVM >= 11). SwiftPM gives every executable target its own
// `main`, so libFuzzer's `main` is never linked in; each target's main.swift calls the driver itself.
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

// The harnesses' own byte checks, in C: SwiftPM passes -sanitize=fuzzer to the Swift code only, so these loops
// are not coverage-instrumented and cost a few instructions per byte instead of a trace call per comparison.
/// 1 when every byte of p[0..<n] is in lo...hi.
int cfuzz_all_in_range(const uint8_t *p, size_t n, uint8_t lo, uint8_t hi);
/// 1 when every byte of p[0..<n] equals b.
int cfuzz_all_equal(const uint8_t *p, size_t n, uint8_t b);
