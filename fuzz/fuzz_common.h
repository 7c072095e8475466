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
 * - fuzz_load_parts(p, data, size) is lm_load_parts_mem with its promise
 *   checked: 0 with *p loaded (the caller frees it), or -1 refused, and a
 *   refusal without a message aborts (the fuzzer's crash).
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
#include "io/modelfile.h"

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

static inline int fuzz_load_parts(lm_file_parts *p, const uint8_t *data, size_t size) {
    lm_err err;
    err.msg[0] = 0;
    if (lm_load_parts_mem(p, data, size, &err) == 0) return 0;
    if (err.msg[0] == 0) abort();
    return -1;
}

#endif
