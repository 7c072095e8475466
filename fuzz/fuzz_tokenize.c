/* fuzz_tokenize.c - encode/decode round trip on arbitrary bytes.
 * Uses o200k_base and cl100k_base when data/tiktoken has them, and always
 * the byte tokenizer and a small BPE (with and without a pattern). The first
 * input byte picks allow_special; every tokenizer must give the input back
 * exactly, and the trace must end in what encode gives. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tok/tokenizer.h"

static lm_tokenizer *toks[6];
static int n_toks;

static lm_tokenizer *small_bpe(const char *pattern) {
    static uint8_t bytes[256];
    const uint8_t *pieces[262];
    size_t lens[262];
    for (int i = 0; i < 256; i++) { bytes[i] = (uint8_t)i; pieces[i] = &bytes[i]; lens[i] = 1; }
    const char *m[] = {"ab", "ba", "aba", "  ", "    ", "\xc3\xa9"};
    for (int i = 0; i < 6; i++) { pieces[256 + i] = (const uint8_t *)m[i]; lens[256 + i] = strlen(m[i]); }
    const char *sp[] = {"<|s|>", "<|s|>x"};
    int32_t sid[] = {400, 401};
    return lm_tok_bpe_new("small", pieces, lens, 262, pattern, sp, sid, 2, NULL);
}

static void init(void) {
    const char *names[] = {"o200k_base", "cl100k_base"};
    for (int i = 0; i < 2; i++) {
        lm_tokenizer *t = lm_tok_open(names[i], NULL);
        if (t) toks[n_toks++] = t;
    }
    toks[n_toks++] = lm_tok_byte_new();
    toks[n_toks++] = small_bpe(NULL);
    toks[n_toks++] = small_bpe("[a-z]+| ?[^a-z ]+|\\s+");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!n_toks) init();
    if (size == 0) return 0;
    int allow = data[0] & 1;
    data++; size--;
    for (int k = 0; k < n_toks; k++) {
        lm_ids v = {0};
        if (lm_tok_encode(toks[k], data, size, allow, &v, NULL)) abort();
        uint8_t *buf = NULL;
        size_t len = 0;
        if (lm_tok_decode(toks[k], v.ids, v.n, &buf, &len, NULL)) abort();
        if (len != size || (size && memcmp(buf, data, size))) abort();
        if (!allow && size <= 512) {
            lm_bpe_trace tr;
            if (lm_tok_encode_trace(toks[k], data, size, &tr, NULL)) abort();
            const int32_t *fin = tr.n_steps ? tr.steps[tr.n_steps - 1].tokens : tr.initial;
            size_t nf = tr.n_steps ? tr.steps[tr.n_steps - 1].n_tokens : tr.n_initial;
            if (nf != v.n || (nf && memcmp(fin, v.ids, nf * sizeof *fin))) abort();
            lm_bpe_trace_free(&tr);
        }
        free(buf);
        lm_ids_free(&v);
    }
    return 0;
}
