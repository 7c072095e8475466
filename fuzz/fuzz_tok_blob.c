/* fuzz_tok_blob.c - libFuzzer target: lm_tok_deserialize on arbitrary bytes.
 * If the first byte is odd, the last 4 bytes of the rest are overwritten with
 * the right CRC32 (lm_crc32) so the fuzzer gets past the checksum and into
 * the structure. When a blob loads: serialise -> deserialise -> serialise
 * must give the same bytes twice, and a few texts (fixed ones and the input's
 * first bytes) must encode and decode; for byte and BPE tokenizers
 * decode(encode(x)) == x. Encoding may fail (a blob's pattern can hit PCRE2's
 * match limit), decoding what was encoded may not. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io/modelfile.h"
#include "tok/tokenizer.h"

static void round_trip(const lm_tokenizer *t, const uint8_t *text, size_t len, int allow) {
    lm_ids v = {0};
    if (lm_tok_encode(t, text, len, allow, &v, NULL) == 0) {
        for (size_t i = 0; i < v.n; i++)
            if (v.ids[i] < 0 || v.ids[i] >= lm_tok_vocab_size(t)) abort();
        uint8_t *buf = NULL;
        size_t n = 0;
        if (lm_tok_decode(t, v.ids, v.n, &buf, &n, NULL)) abort();
        if (lm_tok_kind_of(t) != LM_TOK_WORD && !allow && (n != len || (len && memcmp(buf, text, len))))
            abort();
        free(buf);
    }
    lm_ids_free(&v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    int fix_crc = data[0] & 1;
    size_t len = size - 1;
    uint8_t *blob = malloc(len ? len : 1);
    if (!blob) abort();
    memcpy(blob, data + 1, len);
    if (fix_crc && len >= 4) {
        uint32_t c = lm_crc32(0, blob, len - 4);
        for (int i = 0; i < 4; i++) blob[len - 4 + i] = (uint8_t)(c >> (8 * i));
    }
    lm_err err;
    lm_tokenizer *t = lm_tok_deserialize(blob, len, &err);
    if (t) {
        uint8_t *b1 = NULL, *b2 = NULL;
        size_t n1 = 0, n2 = 0;
        if (lm_tok_serialize(t, &b1, &n1, &err)) abort();
        lm_tokenizer *t2 = lm_tok_deserialize(b1, n1, &err);
        if (!t2) abort();
        if (lm_tok_serialize(t2, &b2, &n2, &err)) abort();
        if (n1 != n2 || memcmp(b1, b2, n1)) abort();
        if (lm_tok_vocab_size(t2) != lm_tok_vocab_size(t) || lm_tok_kind_of(t2) != lm_tok_kind_of(t)) abort();
        static const char *const texts[] = {"hello world", "a  b\n\tc\xff\xfe", "<|endoftext|>x<|end|>", ""};
        for (int k = 0; k < 4; k++)
            for (int allow = 0; allow < 2; allow++)
                round_trip(t, (const uint8_t *)texts[k], strlen(texts[k]), allow);
        round_trip(t, data + 1, len < 24 ? len : 24, 0);
        free(b1);
        free(b2);
        lm_tok_free(t2);
        lm_tok_free(t);
    }
    free(blob);
    return 0;
}
