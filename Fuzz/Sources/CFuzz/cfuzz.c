// Intentionally empty: the declarations in include/cfuzz.h are resolved by libFuzzer at link time.
