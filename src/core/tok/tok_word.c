/* tok_word.c - the word tokenizer a lecture starts with (see tokenizer.h).
 *
 * A dictionary of whole words: id = the word's index, and one more id,
 * <unk>, for every word not in it. Words are maximal runs of bytes that are
 * not ASCII whitespace (space, \t, \n, \v, \f, \r). Word tokenisation is
 * lossy: whitespace is dropped, unknown words become <unk>, and decoding
 * joins the words with single spaces.
 */
#include "tok/tok_internal.h"

#include <stdlib.h>
#include <string.h>

static const char UNK[] = "<unk>";

static inline int is_ws(uint8_t c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

/* the next word at or after *pos; returns 0 when there is none */
static int next_word(const uint8_t *text, size_t len, size_t *pos, size_t *start, size_t *n) {
    size_t i = *pos;
    while (i < len && is_ws(text[i])) i++;
    if (i == len) { *pos = len; return 0; }
    size_t s = i;
    while (i < len && !is_ws(text[i])) i++;
    *start = s;
    *n = i - s;
    *pos = i;
    return 1;
}

static lm_tokenizer *word_build(const uint8_t *const *words, const size_t *lens, int n, lm_err *err) {
    for (int i = 0; i < n; i++) {
        if (lens[i] == 0) { lm_fail(err, "word tokenizer: word %d is empty", i); return NULL; }
        for (size_t k = 0; k < lens[i]; k++)
            if (is_ws(words[i][k])) { lm_fail(err, "word tokenizer: word %d contains whitespace", i); return NULL; }
    }
    lm_tokenizer *t = lm_tok_build(LM_TOK_WORD, "word", words, lens, n, NULL, NULL, NULL, 0, err);
    if (!t) return NULL;
    if (lm_tok_set_extra(t, n, (const uint8_t *)UNK, sizeof UNK - 1, err)) { lm_tok_free(t); return NULL; }
    t->unk_id = n;
    return t;
}

lm_tokenizer *lm_tok_word_new(const char *const *words, int n, lm_err *err) {
    if (n < 0) { lm_fail(err, "word tokenizer: negative size"); return NULL; }
    size_t *lens = malloc(((size_t)n + 1) * sizeof *lens);
    if (!lens) { lm_fail(err, "word tokenizer: out of memory"); return NULL; }
    for (int i = 0; i < n; i++) lens[i] = strlen(words[i]);
    lm_tokenizer *t = word_build((const uint8_t *const *)words, lens, n, err);
    free(lens);
    return t;
}

lm_tokenizer *lm_tok_word_from_text(const uint8_t *text, size_t len, lm_err *err) {
    /* a scratch hash set of (start, length) into text */
    size_t max_words = len / 2 + 1, cap = 16;
    while (cap < 2 * max_words) cap *= 2;
    size_t *slot = calloc(cap, sizeof *slot);           /* word index + 1 */
    const uint8_t **words = malloc(max_words * sizeof *words);
    size_t *lens = malloc(max_words * sizeof *lens);
    lm_tokenizer *t = NULL;
    if (!slot || !words || !lens) { lm_fail(err, "word tokenizer: out of memory"); goto done; }
    size_t pos = 0, s, n, nw = 0;
    while (next_word(text, len, &pos, &s, &n)) {
        size_t i = lm_tok_hash(text + s, n) & (cap - 1);
        for (;; i = (i + 1) & (cap - 1)) {
            if (!slot[i]) {
                slot[i] = nw + 1;
                words[nw] = text + s;
                lens[nw++] = n;
                break;
            }
            size_t w = slot[i] - 1;
            if (lens[w] == n && memcmp(words[w], text + s, n) == 0) break;
        }
    }
    if (nw > (1u << 28)) { lm_fail(err, "word tokenizer: too many words"); goto done; }
    t = word_build(words, lens, (int)nw, err);
done:
    free(slot); free(words); free(lens);
    return t;
}

int lm_tok_word_encode(const lm_tokenizer *t, const uint8_t *text, size_t len,
                       lm_ids *out, lm_err *err) {
    size_t pos = 0, s, n;
    while (next_word(text, len, &pos, &s, &n)) {
        int32_t id = lm_tok_map_get(t, text + s, n);
        if (lm_ids_push(out, id >= 0 ? id : t->unk_id)) return lm_fail(err, "encode: out of memory");
    }
    return 0;
}

int lm_tok_word_decode(const lm_tokenizer *t, const int32_t *ids, size_t n,
                       uint8_t **buf, size_t *len, lm_err *err) {
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        if (ids[i] < 0 || ids[i] >= t->vocab_size || t->tok_len[ids[i]] == LM_TOK_NO_PIECE)
            return lm_fail(err, "decode: invalid token id %d (vocabulary size %d)", ids[i], t->vocab_size);
        total += t->tok_len[ids[i]] + 1;
    }
    uint8_t *p = realloc(*buf, *len + total + 2);
    if (!p) return lm_fail(err, "decode: out of memory");
    *buf = p;
    size_t at = *len;
    for (size_t i = 0; i < n; i++) {
        if (i || at) p[at++] = ' ';
        memcpy(p + at, t->arena + t->tok_off[ids[i]], t->tok_len[ids[i]]);
        at += t->tok_len[ids[i]];
    }
    p[at] = 0;
    *len = at;
    return 0;
}
