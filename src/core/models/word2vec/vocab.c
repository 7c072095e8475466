/* vocab.c - text to lowercase words, the vocabulary of the most frequent
 * words, and a text as word ids (see vocab.h). */
#include "models/word2vec/vocab.h"

#include <stdlib.h>
#include <string.h>

static const char EOT[] = "<|endoftext|>";

/* code points that separate words like ASCII punctuation does */
static int is_punct(uint32_t cp) {
    return (cp >= 0x80 && cp <= 0xBF) || cp == 0xD7 || cp == 0xF7 || (cp >= 0x2000 && cp <= 0x206F);
}

/* the length of a valid UTF-8 sequence at s[0..n) and its code point, or 0 */
static int utf8_at(const uint8_t *s, size_t n, uint32_t *cp) {
    uint8_t c = s[0];
    int len = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? (c <= 0xEF ? 3 : 0) : c >= 0xC2 && c <= 0xDF ? 2 : 0;
    if (len == 0 || (size_t)len > n) return 0;
    uint32_t v = c & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
    for (int i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        v = v << 6 | (s[i] & 0x3F);
    }
    /* overlong forms, surrogates, beyond U+10FFFF */
    if ((len == 3 && v < 0x800) || (len == 4 && (v < 0x10000 || v > 0x10FFFF)) || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

void lm_w2v_normalize(const uint8_t *text, size_t len, uint8_t *out) {
    for (size_t i = 0; i < len;) {
        uint8_t c = text[i];
        if (c == '<' && len - i >= sizeof EOT - 1 && memcmp(text + i, EOT, sizeof EOT - 1) == 0) {
            memset(out + i, ' ', sizeof EOT - 1);
            i += sizeof EOT - 1;
        } else if (c < 0x80) {
            out[i++] = c >= 'A' && c <= 'Z' ? (uint8_t)(c - 'A' + 'a')
                     : (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? c : ' ';
        } else {
            uint32_t cp;
            int n = utf8_at(text + i, len - i, &cp);
            if (n == 0) { out[i++] = ' '; continue; }   /* not UTF-8: a separator */
            if (is_punct(cp)) memset(out + i, ' ', (size_t)n);
            else if (out != text) memcpy(out + i, text + i, (size_t)n);
            i += (size_t)n;
        }
    }
}

/* the text normalised, as a malloc'd copy */
static uint8_t *normalized_copy(const uint8_t *text, size_t len, lm_err *err) {
    uint8_t *s = malloc(len + 1);
    if (!s) { lm_fail(err, "out of memory for %zu bytes of text", len); return NULL; }
    lm_w2v_normalize(text, len, s);
    s[len] = 0;
    return s;
}

/* normalised text -> ids of words (all of them, <unk> included) */
static int encode_all(const lm_tokenizer *words, const uint8_t *norm, size_t len, lm_ids *ids, lm_err *err) {
    ids->n = 0;
    return lm_tok_encode(words, norm, len, 0, ids, err);
}

/* sorting the distinct words: count high to low, then bytes */
typedef struct {
    const lm_tokenizer *t;
    const int64_t *count;
} order_ctx;

static int by_count(const void *pa, const void *pb, void *pc) {
    const order_ctx *c = pc;
    int32_t a = *(const int32_t *)pa, b = *(const int32_t *)pb;
    if (c->count[a] != c->count[b]) return c->count[a] > c->count[b] ? -1 : 1;
    size_t la, lb;
    const uint8_t *wa = lm_tok_piece(c->t, a, &la), *wb = lm_tok_piece(c->t, b, &lb);
    int d = memcmp(wa, wb, la < lb ? la : lb);
    return d ? d : (la < lb ? -1 : la > lb);
}

int lm_w2v_vocab_build(const uint8_t *text, size_t len, int min_count, int max_words, lm_w2v_vocab *out,
                       lm_err *err) {
    memset(out, 0, sizeof *out);
    if (min_count < 1 || max_words < 1) return lm_fail(err, "vocabulary: min count and size must be at least 1");
    uint8_t *norm = normalized_copy(text, len, err);
    if (!norm) return -1;
    lm_tokenizer *all = lm_tok_word_from_text(norm, len, err);   /* every distinct word, in order of appearance */
    lm_ids ids = {0};
    int64_t *count = NULL;
    int32_t *order = NULL;
    char **words = NULL;
    int rc = -1, D = 0, n = 0;
    if (!all || encode_all(all, norm, len, &ids, err)) goto done;
    D = lm_tok_vocab_size(all) - 1;   /* less <unk> */
    count = calloc((size_t)D + 1, sizeof *count);
    order = malloc(((size_t)D + 1) * sizeof *order);
    if (!count || !order) { lm_fail(err, "vocabulary: out of memory"); goto done; }
    for (size_t i = 0; i < ids.n; i++) count[ids.ids[i]]++;
    for (int i = 0; i < D; i++) order[i] = i;
    order_ctx oc = {all, count};
    qsort_r(order, (size_t)D, sizeof *order, by_count, &oc);
    while (n < D && n < max_words && count[order[n]] >= min_count) n++;
    if (n == 0) {
        lm_fail(err, "vocabulary: no word occurs %d time%s or more (the text has %zu words, %d distinct)", min_count,
                min_count == 1 ? "" : "s", ids.n, D);
        goto done;
    }
    words = calloc((size_t)n, sizeof *words);
    out->count = malloc((size_t)n * sizeof *out->count);
    if (!words || !out->count) { lm_fail(err, "vocabulary: out of memory"); goto done; }
    for (int i = 0; i < n; i++) {
        size_t wl;
        const uint8_t *w = lm_tok_piece(all, order[i], &wl);
        if (!(words[i] = malloc(wl + 1))) { lm_fail(err, "vocabulary: out of memory"); goto done; }
        memcpy(words[i], w, wl);
        words[i][wl] = 0;
        out->count[i] = count[order[i]];
    }
    if (!(out->words = lm_tok_word_new((const char *const *)words, n, err))) goto done;
    out->n = n;
    out->total = (int64_t)ids.n;
    out->distinct = D;
    rc = 0;
done:
    if (words)
        for (int i = 0; i < n; i++) free(words[i]);
    free(words);
    if (rc) lm_w2v_vocab_free(out);
    free(norm); free(count); free(order);
    lm_ids_free(&ids);
    lm_tok_free(all);
    return rc;
}

void lm_w2v_vocab_free(lm_w2v_vocab *v) {
    if (!v) return;
    lm_tok_free(v->words);
    free(v->count);
    memset(v, 0, sizeof *v);
}

int lm_w2v_encode(const lm_tokenizer *words, const uint8_t *text, size_t len, int32_t **ids, size_t *n_ids,
                  int64_t *count, size_t *n_dropped, lm_err *err) {
    *ids = NULL;
    *n_ids = 0;
    int32_t unk = lm_tok_unk_id(words);
    if (unk < 0) return lm_fail(err, "word2vec: the word list is not a word tokeniser");
    uint8_t *norm = normalized_copy(text, len, err);
    if (!norm) return -1;
    lm_ids all = {0};
    int rc = encode_all(words, norm, len, &all, err);
    free(norm);
    if (rc) { lm_ids_free(&all); return -1; }
    if (count) memset(count, 0, sizeof *count * (size_t)unk);
    size_t k = 0;
    for (size_t i = 0; i < all.n; i++) {
        int32_t w = all.ids[i];
        if (w < 0 || w >= unk) continue;
        all.ids[k++] = w;
        if (count) count[w]++;
    }
    if (n_dropped) *n_dropped = all.n - k;
    *ids = all.ids;   /* the list's buffer becomes the caller's */
    *n_ids = k;
    return 0;
}
