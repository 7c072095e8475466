/* fuzz_ngram_load.c - libFuzzer target for the n-gram model file loader
 * (models/ngram/ngram_file.c behind io/modelfile.h): any bytes must either
 * give a model or be refused with a message, never crash, hang or leak.
 * Each input is tried as it is and with its last 4 bytes made the right
 * CRC32, so the fuzzer reaches the row checks behind the checksum.
 * A model that loads must be exactly its file: saving it again gives the
 * same config and rows (the file order is canonical), its next-token
 * distributions sum to 1 with every p > 0 (vocabularies up to 2^16), and
 * counting a few more ids after it works. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "models/ngram/ngram.h"
#include "fuzz_common.h"

static void check_model(lm_ngram *g, const lm_file_parts *p, const uint8_t *data, size_t size) {
    uint8_t config[LM_NGRAM_CONFIG_BYTES];
    float *rows = NULL;
    uint64_t n = 0;
    lm_err err;
    if (lm_ngram_serialize(g, config, &rows, &n, &err) != 0) return;   /* out of memory only */
    if (n != p->n_params || memcmp(config, p->config, sizeof config) != 0) abort();
    if (n && memcmp(rows, p->params, (size_t)n * sizeof *rows) != 0) abort();
    free(rows);
    int V = lm_ngram_vocab(g);
    if (V <= 65536) {
        int32_t ids[8];
        size_t k = size < 8 ? size : 8;
        for (size_t i = 0; i < k; i++) ids[i] = data[i] % V;
        double *d = malloc((size_t)V * sizeof *d);
        if (!d) return;
        for (size_t m = 0; m <= k; m++) {
            lm_ngram_dist(g, ids, m, d);
            double s = 0;
            for (int i = 0; i < V; i++) {
                if (!(d[i] > 0)) abort();
                s += d[i];
            }
            if (fabs(s - 1) > 1e-9) abort();
        }
        free(d);
        if (lm_ngram_tokens(g) + k <= LM_NGRAM_MAX_TOKENS && lm_ngram_count(g, ids, k, &err) != 0 &&
            strstr(err.msg, "memory") == NULL)
            abort();
    }
}

static void load_one(const uint8_t *data, size_t size) {
    lm_file_parts p;
    lm_err err;
    if (fuzz_load_parts(&p, data, size)) return;
    if (strcmp(p.kind, LM_KIND_NGRAM) == 0) {
        err.msg[0] = 0;
        lm_ngram *g = lm_ngram_from_parts(&p, &err);
        if (g) check_model(g, &p, data, size);
        else if (err.msg[0] == 0) abort();
        lm_ngram_free(g);
    }
    lm_file_parts_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return fuzz_as_is_and_crc_fixed(data, size, load_one); }
