/* fuzz_tiktoken_load.c - the .tiktoken parser and the tokenizer blob reader
 * on arbitrary bytes: never crash; whatever loads must encode and decode, and
 * serialise and load back. The same text with CRLF line endings parses
 * exactly as with LF (same verdict, same vocabulary). */
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

/* data with every "\n" turned into "\r\n" must parse the same way, unless
 * it already holds a '\r' (then the verdicts may differ) */
static void crlf_same(const uint8_t *data, size_t size, const char *enc, const lm_tokenizer *t) {
    if (memchr(data, '\r', size)) return;
    uint8_t *c = malloc(2 * size + 1);
    if (!c) return;
    size_t n = 0;
    for (size_t i = 0; i < size; i++) {
        if (data[i] == '\n') c[n++] = '\r';
        c[n++] = data[i];
    }
    lm_err e;
    lm_tokenizer *u = lm_tok_tiktoken_parse(c, n, enc, &e);
    if (!t != !u) abort();
    if (u && lm_tok_vocab_size(u) != lm_tok_vocab_size(t)) abort();
    lm_tok_free(u);
    free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    lm_err e;
    const char *enc = size && (data[0] & 1) ? "cl100k_base" : NULL;
    lm_tokenizer *t = lm_tok_tiktoken_parse(data, size, enc, &e);
    crlf_same(data, size, enc, t);
    if (t) { exercise(t); lm_tok_free(t); }
    t = lm_tok_deserialize(data, size, &e);
    if (t) { exercise(t); lm_tok_free(t); }
    return 0;
}
