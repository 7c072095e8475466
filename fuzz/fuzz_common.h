/* fuzz_common.h - what the model-file fuzz targets share: each input tried
 * as it is, then with its last 4 bytes made the right CRC32, so the fuzzer
 * reaches the checks behind the file's checksum as well as the checksum.
 *
 * Contract
 * - fuzz_as_is_and_crc_fixed(data, size, load) calls load(data, size), then,
 *   when size >= 4, load on a copy whose last 4 bytes are
 *   lm_crc32(0, copy, size - 4), little-endian (as every model file ends).
 *   It returns 0 (LLVMFuzzerTestOneInput's value); a copy that cannot be
 *   allocated is skipped.
 * - Header-only (static inline): a target includes it; the Makefile builds
 *   only fuzz/fuzz_*.c, so this file is no target of its own.
 */
#ifndef LM_FUZZ_COMMON_H
#define LM_FUZZ_COMMON_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/le.h"
#include "io/crc32.h"

static inline int fuzz_as_is_and_crc_fixed(const uint8_t *data, size_t size,
                                           void (*load)(const uint8_t *data, size_t size)) {
    load(data, size);
    if (size >= 4) {
        uint8_t *fixed = malloc(size);
        if (!fixed) return 0;
        memcpy(fixed, data, size);
        lm_le_put_u32(fixed + size - 4, lm_crc32(0, fixed, size - 4));
        load(fixed, size);
        free(fixed);
    }
    return 0;
}

#endif
