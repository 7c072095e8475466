/* fuzz_w2v_file.c - libFuzzer target for the word2vec model loader
 * (models/word2vec/w2v.h over io/modelfile.h's parts): any bytes must either
 * load into a model that is consistent with its config and frees cleanly, or
 * be refused with a message; never crash, hang or leak. Each input is tried
 * as it is and with its last 4 bytes made the right CRC32, so the fuzzer
 * reaches the checks after the checksum (config, word list, parameters).
 * The seed corpus fuzz/corpus/fuzz_w2v_file/ holds a tiny trained model. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "models/word2vec/w2v.h"
#include "fuzz_common.h"

static void load_one(const uint8_t *data, size_t size) {
    lm_w2v m;
    char *meta = NULL;
    lm_err err;
    err.msg[0] = 0;
    if (lm_w2v_load_mem(&m, &meta, data, size, &err) == 0) {
        if (lm_w2v_config_check(&m.cfg, NULL) != 0) abort();
        if (m.ps.n != 2 * (size_t)m.cfg.vocab * (size_t)m.cfg.dim) abort();
        if (lm_tok_vocab_size(m.words) != m.cfg.vocab + 1) abort();
        size_t len;
        for (int32_t id = 0; id < m.cfg.vocab && id < 8; id++)
            if (!lm_w2v_word(&m, id, &len) || len == 0) abort();
        if (!meta || strlen(meta) > size) abort();
        lm_emb_space sp;
        if (lm_w2v_space(&m, &sp, NULL) != 0) abort();
        lm_emb_close(&sp);
    } else if (meta != NULL || m.ps.params != NULL || err.msg[0] == 0) {
        abort();
    }
    free(meta);
    lm_w2v_free(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return fuzz_as_is_and_crc_fixed(data, size, load_one); }
