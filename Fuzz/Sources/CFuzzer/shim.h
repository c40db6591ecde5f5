// CFuzzer: libFuzzer's driver entry point, so a Swift executable's top-level code can hand
// control to libFuzzer (SwiftPM renames `main`, so libFuzzer's own main cannot be used).
#ifndef MAILENGINE_CFUZZER_SHIM_H
#define MAILENGINE_CFUZZER_SHIM_H
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*UserCb)(const uint8_t *Data, size_t Size));
#endif
