/* fuzz_nlm_file.c - libFuzzer target for model files of the feed-forward
 * and recurrent LMs (kinds fflm and rnn): any bytes must either load into a
 * model that runs and frees cleanly or be refused with a message, never
 * crash, hang or leak. Each input is tried as it is and with its last 4
 * bytes made the right CRC32 (so the kinds' config checks and the
 * parameter count are reached). A model that loads computes the next-token
 * logits and the loss of a few ids (finite weights can still overflow to
 * inf or NaN there: huge weights are not refused, and that is no crash).
 * Seeds: fuzz/corpus/fuzz_nlm_file/ (build/tools/nlm_fuzz_seed). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "models/nlm/nlm.h"
#include "fuzz_common.h"

static void load_one(const uint8_t *data, size_t size) {
    lm_file_parts p;
    lm_err err;
    if (fuzz_load_parts(&p, data, size)) return;
    lm_nlm *m = NULL;
    err.msg[0] = 0;
    if (lm_nlm_from_parts(&m, &p, &err) == 0) {
        if (!lm_nlm_is_kind(m->kind) || m->ps.n != p.n_params) abort();
        if (m->vocab <= 16 * 1024 && m->ps.n <= ((size_t)1 << 22)) {   /* keep each run fast */
            int32_t ids[6];
            for (int i = 0; i < 6; i++) ids[i] = (int32_t)((i * 7 + 1) % m->vocab);
            float *logits = malloc(sizeof(float) * (size_t)m->vocab);
            double nll = 0;
            if (!logits) abort();
            if (m->ops->next_logits(m, ids, 6, logits, &err) == 0) lm_nlm_nll(m, ids, 6, &nll, &err);
            free(logits);
        }
        lm_nlm_free(m);
    } else if (err.msg[0] == 0) {
        abort();
    }
    lm_file_parts_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return fuzz_as_is_and_crc_fixed(data, size, load_one); }
