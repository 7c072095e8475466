/* w2v.c - the word2vec model: tables, word list, file, lookups (see w2v.h). */
#include "models/word2vec/w2v.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/editdist.h"
#include "base/le.h"
#include "base/rng.h"
#include "models/word2vec/vocab.h"

/* ---- the config as bytes (little-endian) ---- */
static void config_put(uint8_t *b, const lm_w2v_config *c) {
    int32_t f[5] = {c->vocab, c->dim, c->window, c->negatives, c->min_count};
    for (int i = 0; i < 5; i++) lm_le_put_u32(b + 4 * i, (uint32_t)f[i]);
    uint32_t bits;
    memcpy(&bits, &c->subsample, sizeof bits);
    lm_le_put_u32(b + 20, bits);
}

static void config_get(lm_w2v_config *c, const uint8_t *b) {
    c->vocab = lm_le_get_i32(b);
    c->dim = lm_le_get_i32(b + 4);
    c->window = lm_le_get_i32(b + 8);
    c->negatives = lm_le_get_i32(b + 12);
    c->min_count = lm_le_get_i32(b + 16);
    uint32_t bits = lm_le_get_u32(b + 20);
    memcpy(&c->subsample, &bits, sizeof bits);
}

int lm_w2v_config_check(const lm_w2v_config *c, lm_err *err) {
    if (c->vocab < 1 || c->vocab > LM_W2V_MAX_VOCAB)
        return lm_fail(err, "word2vec: vocabulary of %d words (1..%d)", c->vocab, LM_W2V_MAX_VOCAB);
    if (c->dim < 1 || c->dim > LM_SGNS_MAX_DIM)
        return lm_fail(err, "word2vec: vectors of %d numbers (1..%d)", c->dim, LM_SGNS_MAX_DIM);
    if (2 * (uint64_t)c->vocab * (uint64_t)c->dim > LM_W2V_MAX_PARAMS)
        return lm_fail(err, "word2vec: %d words x %d numbers x 2 tables is more than %llu parameters", c->vocab,
                       c->dim, (unsigned long long)LM_W2V_MAX_PARAMS);
    if (c->window < 1 || c->window > 64) return lm_fail(err, "word2vec: window %d (1..64)", c->window);
    if (c->negatives < 1 || c->negatives > 64) return lm_fail(err, "word2vec: %d negatives (1..64)", c->negatives);
    if (c->min_count < 1) return lm_fail(err, "word2vec: min count %d (at least 1)", c->min_count);
    if (!(c->subsample >= 0 && c->subsample <= 1)) return lm_fail(err, "word2vec: subsample threshold not in 0..1");
    return 0;
}

int lm_w2v_file_check(const uint8_t *config, uint32_t config_bytes, uint64_t n_params, lm_err *err) {
    if (config_bytes != LM_W2V_CONFIG_BYTES)
        return lm_fail(err, "bad model file: a word2vec config is %u bytes, not %u", LM_W2V_CONFIG_BYTES, config_bytes);
    lm_w2v_config c;
    config_get(&c, config);
    lm_err e;
    if (lm_w2v_config_check(&c, &e)) return lm_fail(err, "bad model file: %s", e.msg);
    uint64_t want = 2 * (uint64_t)c.vocab * (uint64_t)c.dim;
    if (n_params != want)
        return lm_fail(err, "bad model file: it holds %llu parameters but a word2vec of %d words x %d needs %llu",
                       (unsigned long long)n_params, c.vocab, c.dim, (unsigned long long)want);
    return 0;
}

/* the tables of cfg in m->ps, and the views */
static int alloc_tables(lm_w2v *m, lm_err *err) {
    size_t n = (size_t)m->cfg.vocab * (size_t)m->cfg.dim;
    lm_param_range r[2] = {{.name = "w_in", .numel = n, .decay = 0}, {.name = "w_out", .numel = n, .decay = 0}};
    if (lm_paramset_alloc(&m->ps, r, 2, err)) return -1;
    m->w_in = m->ps.params;
    m->w_out = m->ps.params + n;
    config_put(m->config, &m->cfg);
    return 0;
}

/* takes the word list blob (owned by m from here) and checks it is a list of V words */
static int take_words(lm_w2v *m, uint8_t *blob, size_t len, lm_err *err) {
    m->words_blob = blob;
    m->words_blob_len = len;
    lm_err e;
    if (len == 0)   /* a model file's way of saying: the byte tokeniser */
        return lm_fail(err, "word2vec: the tokeniser is not a word list of %d words (it is the byte tokeniser)",
                       m->cfg.vocab);
    if (!(m->words = lm_tok_deserialize(blob, len, &e)))
        return lm_fail(err, "word2vec: the word list is not a tokeniser: %s", e.msg);
    if (lm_tok_kind_of(m->words) != LM_TOK_WORD || lm_tok_vocab_size(m->words) != m->cfg.vocab + 1)
        return lm_fail(err, "word2vec: the tokeniser is not a word list of %d words (it is %s of %d ids)",
                       m->cfg.vocab, lm_tok_name(m->words), lm_tok_vocab_size(m->words));
    return 0;
}

int lm_w2v_init(lm_w2v *m, const lm_w2v_config *cfg, const lm_tokenizer *words, uint64_t seed, lm_err *err) {
    memset(m, 0, sizeof *m);
    if (lm_w2v_config_check(cfg, err)) return -1;
    m->cfg = *cfg;
    uint8_t *blob;
    size_t len;
    if (lm_tok_serialize(words, &blob, &len, err)) return -1;
    if (take_words(m, blob, len, err) || alloc_tables(m, err)) {
        lm_w2v_free(m);
        return -1;
    }
    lm_rng rng;
    lm_rng_seed(&rng, seed);
    size_t n = (size_t)cfg->vocab * (size_t)cfg->dim;
    for (size_t i = 0; i < n; i++) m->w_in[i] = (lm_rng_uniform(&rng) - 0.5f) / (float)cfg->dim;
    /* w_out stays zero (lm_paramset_alloc zeroes) */
    return 0;
}

void lm_w2v_free(lm_w2v *m) {
    if (!m) return;
    lm_paramset_free(&m->ps);
    lm_tok_free(m->words);
    free(m->words_blob);
    memset(m, 0, sizeof *m);
}

void lm_w2v_file_head(const lm_w2v *m, lm_file_parts *head) {
    memset(head, 0, sizeof *head);
    snprintf(head->kind, sizeof head->kind, "%s", LM_KIND_WORD2VEC);
    head->config = (uint8_t *)m->config;
    head->config_bytes = LM_W2V_CONFIG_BYTES;
    head->adam_t = m->ps.adam_t;
    head->params = m->ps.params;
    head->n_params = m->ps.n;
    head->tokenizer = m->words_blob;
    head->tokenizer_len = m->words_blob_len;
}

int lm_w2v_save(const lm_w2v *m, const char *meta, const char *path, lm_err *err) {
    lm_file_parts p;
    lm_w2v_file_head(m, &p);
    p.metadata = (char *)meta;
    return lm_save_parts(&p, path, err);
}

int lm_w2v_from_parts(lm_w2v *m, const lm_file_parts *p, lm_err *err) {
    memset(m, 0, sizeof *m);
    if (strcmp(p->kind, LM_KIND_WORD2VEC) != 0)
        return lm_fail(err, "this is a model of kind %s, not a word2vec model", p->kind);
    if (lm_w2v_file_check(p->config, p->config_bytes, p->n_params, err)) return -1;
    config_get(&m->cfg, p->config);
    uint8_t *blob = malloc(p->tokenizer_len ? p->tokenizer_len : 1);
    if (!blob) return lm_fail(err, "out of memory");
    if (p->tokenizer_len) memcpy(blob, p->tokenizer, p->tokenizer_len);
    if (take_words(m, blob, p->tokenizer_len, err) || alloc_tables(m, err)) {
        lm_w2v_free(m);
        return -1;
    }
    memcpy(m->ps.params, p->params, sizeof(float) * m->ps.n);
    m->ps.adam_t = p->adam_t;
    return 0;
}

/* parts -> model, the metadata handed over */
static int from_loaded(lm_w2v *m, char **meta, lm_file_parts *p, const char *where, lm_err *err) {
    lm_err e;
    int rc = lm_w2v_from_parts(m, p, &e);
    if (rc) lm_fail(err, "%s: %s", where, e.msg);
    else if (meta) {
        *meta = p->metadata;
        p->metadata = NULL;
    }
    lm_file_parts_free(p);
    return rc;
}

int lm_w2v_load(lm_w2v *m, char **meta, const char *path, lm_err *err) {
    memset(m, 0, sizeof *m);
    lm_file_parts p;
    if (lm_load_parts(&p, path, err)) return -1;
    return from_loaded(m, meta, &p, path, err);
}

int lm_w2v_load_mem(lm_w2v *m, char **meta, const uint8_t *buf, size_t len, lm_err *err) {
    memset(m, 0, sizeof *m);
    lm_file_parts p;
    if (lm_load_parts_mem(&p, buf, len, err)) return -1;
    return from_loaded(m, meta, &p, "model", err);
}

const uint8_t *lm_w2v_word(const lm_w2v *m, int32_t id, size_t *len) {
    if (id < 0 || id >= m->cfg.vocab) return NULL;
    return lm_tok_piece(m->words, id, len);
}

/* word normalised by the word rule, blanks trimmed, into out (cap bytes);
 * 0, or -1 when it is empty, too long, or several words */
static int typed_word(const char *word, char *out, size_t cap) {
    size_t n = strlen(word);
    if (n == 0 || n >= cap) return -1;
    lm_w2v_normalize((const uint8_t *)word, n, (uint8_t *)out);
    out[n] = 0;
    char *s = out;
    while (*s == ' ') s++;
    size_t k = strlen(s);
    while (k > 0 && s[k - 1] == ' ') k--;
    if (k == 0 || memchr(s, ' ', k)) return -1;
    memmove(out, s, k);
    out[k] = 0;
    return 0;
}

int32_t lm_w2v_find(const lm_w2v *m, const char *word) {
    char w[256];
    if (typed_word(word, w, sizeof w)) return -1;
    lm_ids ids = {0};
    int32_t id = -1;
    if (lm_tok_encode(m->words, (const uint8_t *)w, strlen(w), 0, &ids, NULL) == 0 && ids.n == 1 &&
        ids.ids[0] < m->cfg.vocab)
        id = ids.ids[0];
    lm_ids_free(&ids);
    return id;
}

int32_t lm_w2v_suggest(const lm_w2v *m, const char *word) {
    char w[256], cand[64];
    if (typed_word(word, w, sizeof w) || strlen(w) > 63) return -1;
    int32_t best = -1;
    int best_d = 99;
    for (int32_t id = 0; id < m->cfg.vocab; id++) {
        size_t len;
        const uint8_t *p = lm_w2v_word(m, id, &len);
        if (!p || len > 63) continue;
        memcpy(cand, p, len);
        cand[len] = 0;
        int d = lm_edit_distance(w, cand);
        if (d < best_d) { best_d = d; best = id; }   /* a tie keeps the more frequent (lower id) */
    }
    return best >= 0 && best_d > 0 && lm_edit_close(best_d, (int)strlen(w)) ? best : -1;
}

static const uint8_t *word_label(const void *ctx, int32_t id, size_t *len) {
    return lm_w2v_word((const lm_w2v *)ctx, id, len);
}

int lm_w2v_space(const lm_w2v *m, lm_emb_space *sp, lm_err *err) {
    return lm_emb_open(sp, m->w_in, m->cfg.vocab, m->cfg.dim, word_label, m, err);
}
