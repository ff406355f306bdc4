// libFuzzer's driver entry point (compiler-rt, LLVM >= 11). SwiftPM gives every executable target its own
// `main`, so libFuzzer's `main` is never linked in; each target's main.swift calls the driver itself.
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
