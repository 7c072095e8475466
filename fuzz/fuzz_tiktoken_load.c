/* fuzz_tiktoken_load.c - the .tiktoken parser and the tokenizer blob reader
 * on arbitrary bytes: never crash; whatever loads must encode and decode, and
 * serialise and load back. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tok/tokenizer.h"

static void exercise(lm_tokenizer *t) {
    static const uint8_t probe[] = "hello world <|endoftext|> \xff\x80 12345 ab";
    lm_ids v = {0};
    if (lm_tok_encode(t, probe, sizeof probe - 1, 1, &v, NULL)) abort();
    uint8_t *buf = NULL;
    size_t len = 0;
    if (lm_tok_decode(t, v.ids, v.n, &buf, &len, NULL)) abort();
    free(buf);
    lm_ids_free(&v);
    uint8_t *blob = NULL;
    if (lm_tok_serialize(t, &blob, &len, NULL)) abort();
    lm_tokenizer *u = lm_tok_deserialize(blob, len, NULL);
    if (!u) abort();
    lm_tok_free(u);
    free(blob);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    lm_err e;
    lm_tokenizer *t = lm_tok_tiktoken_parse(data, size, size && (data[0] & 1) ? "cl100k_base" : NULL, &e);
    if (t) { exercise(t); lm_tok_free(t); }
    t = lm_tok_deserialize(data, size, &e);
    if (t) { exercise(t); lm_tok_free(t); }
    return 0;
}
