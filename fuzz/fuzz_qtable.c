/* fuzz_qtable.c - libFuzzer target for a tic-tac-toe agent file (kind
 * qtable, rl/qtable.h): any bytes must either load into an agent whose every
 * Q value lies in [-1, 1] and whose game count is not negative, or be
 * refused with a message; never crash, hang or leak. Each input is tried as
 * it is and with its last 4 bytes replaced by the right CRC32, so the fuzzer
 * reaches the checks after the checksum (the kind, the config, the values).
 * A whole agent file is 708 KB, beyond the 64 KB inputs fuzz/run.sh allows,
 * so the fuzzer explores headers, kinds and configs (seeds: the start of an
 * agent file, a small gpt model); tests/test_qlearn.c covers the values. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rl/qtable.h"
#include "fuzz_common.h"

static void load_one(const uint8_t *data, size_t size) {
    lm_file_parts p;
    lm_err err;
    if (fuzz_load_parts(&p, data, size)) return;
    ttt_agent a;
    err.msg[0] = 0;
    if (ttt_agent_from_parts(&a, &p, &err) == 0) {
        if (!a.q || a.episodes < 0 || strcmp(p.kind, TTT_KIND_QTABLE) != 0) abort();
        for (size_t i = 0; i < (size_t)TTT_STATES * TTT_CELLS; i++)
            if (!(fabsf(a.q[i]) <= 1.0f + 1e-5f)) abort();
        ttt_agent_free(&a);
    } else if (a.q != NULL || err.msg[0] == 0) {
        abort();
    }
    lm_file_parts_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return fuzz_as_is_and_crc_fixed(data, size, load_one); }
