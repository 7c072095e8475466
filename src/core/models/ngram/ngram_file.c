/* ngram_file.c - an n-gram model as a model file of kind "ngram": its
 * config bytes, its counts as f32 rows in the documented order (ngram.h),
 * and loading them back with every number checked, so a hostile file is
 * refused with a message naming what is wrong and never crashes. */
#include "models/ngram/ngram_priv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/le.h"

/* ---- the config bytes ---- */

/* the config's offsets (ngram.h) */
enum { C_ORDER = 0, C_SMOOTH = 4, C_K = 8, C_DISC = 12, C_VOCAB = 16, C_TOKENS = 20, C_ROWS = 24,
       C_TAIL_LEN = 56, C_TAIL = 60 };

typedef struct {
    lm_ngram_config cfg;
    int32_t vocab;
    uint32_t tokens;
    uint32_t rows[LM_NGRAM_MAX_ORDER + 1];   /* [1..8] */
    int32_t tail_len;
    int32_t tail[LM_NGRAM_MAX_ORDER - 1];
} file_config;

static int read_config(file_config *f, const uint8_t *b, uint32_t bytes, uint64_t n_params, lm_err *err) {
    if (bytes != LM_NGRAM_CONFIG_BYTES)
        return lm_fail(err, "bad model file: an ngram config is %u bytes, not %u", LM_NGRAM_CONFIG_BYTES, bytes);
    memset(f, 0, sizeof *f);
    int32_t smooth = lm_le_get_i32(b + C_SMOOTH);
    f->cfg.order = lm_le_get_i32(b + C_ORDER);
    f->cfg.smoothing = smooth >= 0 && smooth <= 2 ? (lm_ngram_smoothing)smooth : LM_NGRAM_ADDK;
    f->cfg.k = lm_le_get_f32(b + C_K);
    f->cfg.discount = lm_le_get_f32(b + C_DISC);
    if (smooth < 0 || smooth > 2)
        return lm_fail(err, "bad model file: ngram config: unknown smoothing %d (0 add-k, 1 kn, 2 mkn)", smooth);
    lm_err cerr;
    if (lm_ngram_config_check(&f->cfg, &cerr) != 0) return lm_fail(err, "bad model file: ngram config: %s", cerr.msg);
    const int N = f->cfg.order;
    f->vocab = lm_le_get_i32(b + C_VOCAB);
    if (f->vocab < 1 || f->vocab > LM_NGRAM_MAX_VOCAB)
        return lm_fail(err, "bad model file: ngram config: vocabulary %d is not in 1..2^24", f->vocab);
    f->tokens = lm_le_get_u32(b + C_TOKENS);
    if (f->tokens > LM_NGRAM_MAX_TOKENS)
        return lm_fail(err, "bad model file: ngram config: %u tokens counted, at most 2^24 - 1", f->tokens);
    uint64_t want = 0;
    for (int n = 1; n <= LM_NGRAM_MAX_ORDER; n++) {
        f->rows[n] = lm_le_get_u32(b + C_ROWS + 4 * (n - 1));
        if (n > N && f->rows[n] != 0)
            return lm_fail(err, "bad model file: ngram config: %u rows of order %d in a %d-gram model", f->rows[n],
                           n, N);
        if (f->rows[n] > f->tokens)
            return lm_fail(err, "bad model file: ngram config: %u distinct %d-grams in %u tokens", f->rows[n], n,
                           f->tokens);
        want += 3u * (uint64_t)f->rows[n];
    }
    if (n_params != want)
        return lm_fail(err, "bad model file: it holds %llu numbers but its ngram config's rows need %llu (3 per row)",
                       (unsigned long long)n_params, (unsigned long long)want);
    f->tail_len = lm_le_get_i32(b + C_TAIL_LEN);
    uint32_t want_tail = f->tokens < (uint32_t)(N - 1) ? f->tokens : (uint32_t)(N - 1);
    if (f->tail_len < 0 || (uint32_t)f->tail_len != want_tail)
        return lm_fail(err, "bad model file: ngram config: the stream's tail holds %d ids, not %u", f->tail_len,
                       want_tail);
    for (int i = 0; i < LM_NGRAM_MAX_ORDER - 1; i++) {
        int32_t t = lm_le_get_i32(b + C_TAIL + 4 * i);
        if (i < f->tail_len && (t < 0 || t >= f->vocab))
            return lm_fail(err, "bad model file: ngram config: tail id %d is outside the vocabulary", t);
        if (i >= f->tail_len && t != -1)
            return lm_fail(err, "bad model file: ngram config: unused tail slot %d holds %d, not -1", i, t);
        if (i < f->tail_len) f->tail[i] = t;
    }
    return 0;
}

int lm_ngram_check_config(const uint8_t *config, uint32_t config_bytes, uint64_t n_params, lm_err *err) {
    file_config f;
    return read_config(&f, config, config_bytes, n_params, err);
}

/* ---- saving: levels in sorted order ---- */

typedef struct {
    uint64_t key;   /* (new context row, token id) */
    uint32_t old;   /* the row's index in the table */
} sort_row;

static int by_key(const void *a, const void *b) {
    uint64_t x = ((const sort_row *)a)->key, y = ((const sort_row *)b)->key;
    return (x > y) - (x < y);
}

int lm_ngram_serialize(const lm_ngram *g, uint8_t config[LM_NGRAM_CONFIG_BYTES], float **params,
                       uint64_t *n_params, lm_err *err) {
    const int N = g->cfg.order;
    *params = NULL;
    *n_params = 0;
    memset(config, 0, LM_NGRAM_CONFIG_BYTES);
    lm_le_put_u32(config + C_ORDER, (uint32_t)N);
    lm_le_put_u32(config + C_SMOOTH, (uint32_t)g->cfg.smoothing);
    lm_le_put_f32(config + C_K, g->cfg.k);
    lm_le_put_f32(config + C_DISC, g->cfg.discount);
    lm_le_put_u32(config + C_VOCAB, (uint32_t)g->vocab);
    lm_le_put_u32(config + C_TOKENS, g->tokens);
    for (int n = 1; n <= N; n++) lm_le_put_u32(config + C_ROWS + 4 * (n - 1), g->lv[n].n);
    lm_le_put_u32(config + C_TAIL_LEN, (uint32_t)g->have);
    for (int i = 0; i < LM_NGRAM_MAX_ORDER - 1; i++)
        lm_le_put_u32(config + C_TAIL + 4 * i, i < g->have ? (uint32_t)g->tail[i] : UINT32_MAX);
    uint64_t total = lm_ngram_total_rows(g);
    if (total == 0) return 0;
    uint32_t maxrows = 0;
    for (int n = 1; n <= N; n++) maxrows = g->lv[n].n > maxrows ? g->lv[n].n : maxrows;
    float *out = malloc((size_t)total * 3 * sizeof *out);
    sort_row *rows = malloc((size_t)maxrows * sizeof *rows);
    uint32_t *newidx = malloc((size_t)maxrows * sizeof *newidx), *pidx = malloc((size_t)maxrows * sizeof *pidx);
    if (!out || !rows || !newidx || !pidx) {
        free(out), free(rows), free(newidx), free(pidx);
        return lm_fail(err, "out of memory for %llu rows", (unsigned long long)total);
    }
    size_t at = 0;
    for (int n = 1; n <= N; n++) {
        const ng_level *L = &g->lv[n];
        for (uint32_t r = 0; r < L->n; r++) {
            uint32_t ctx = n == 1 ? 0 : pidx[L->parent[r]];   /* the context's row in the sorted level below */
            rows[r] = (sort_row){((uint64_t)ctx << 32) | L->id[r], r};
        }
        qsort(rows, L->n, sizeof *rows, by_key);
        for (uint32_t i = 0; i < L->n; i++) {
            newidx[rows[i].old] = i;
            out[at++] = (float)(rows[i].key >> 32);
            out[at++] = (float)(uint32_t)rows[i].key;
            out[at++] = (float)L->count[rows[i].old];
        }
        memcpy(pidx, newidx, (size_t)L->n * sizeof *pidx);
    }
    free(rows), free(newidx), free(pidx);
    *params = out;
    *n_params = 3 * total;
    return 0;
}

int lm_ngram_save(const lm_ngram *g, const uint8_t *tok_blob, size_t tok_len, const char *metadata, int steps,
                  const char *path, lm_err *err) {
    uint8_t config[LM_NGRAM_CONFIG_BYTES];
    float *params;
    uint64_t n_params;
    if (lm_ngram_serialize(g, config, &params, &n_params, err) != 0) return -1;
    lm_file_parts p = {.kind = LM_KIND_NGRAM, .config = config, .config_bytes = sizeof config, .adam_t = steps,
                       .params = params, .n_params = n_params, .tokenizer = (uint8_t *)tok_blob,
                       .tokenizer_len = tok_len, .metadata = (char *)metadata};
    int rc = lm_save_parts(&p, path, err);
    free(params);
    return rc;
}

/* ---- loading ---- */

/* a stored number as the integer it must be, in [lo, hi] (-0 is not one:
 * every number has one spelling, so saving a loaded model gives its file) */
static int as_int(float v, uint32_t lo, uint32_t hi, uint32_t *out) {
    if (!(v >= (float)lo && v <= (float)hi) || v != floorf(v) || signbit(v)) return -1;
    *out = (uint32_t)v;
    return 0;
}

/* Level n's rows from the file, in order, with their raw counts. */
static int load_level(lm_ngram *g, int n, const float *rows, uint32_t count_rows, lm_err *err) {
    uint32_t below = n == 1 ? 1 : g->lv[n - 1].n;
    if (count_rows > 0 && below == 0)
        return lm_fail(err, "bad model file: %u rows of order %d but none of order %d", count_rows, n, n - 1);
    if (ng_reserve(g, n, count_rows, err) != 0) return -1;
    uint64_t prev_key = 0, sum = 0;
    for (uint32_t i = 0; i < count_rows; i++) {
        const float *x = rows + 3 * (size_t)i;
        uint32_t ctx, id, c;
        if (as_int(x[0], 0, below - 1, &ctx) != 0)
            return lm_fail(err, "bad model file: order-%d row %u: context row %g is not a row of order %d", n, i,
                           (double)x[0], n - 1);
        if (as_int(x[1], 0, (uint32_t)g->vocab - 1, &id) != 0)
            return lm_fail(err, "bad model file: order-%d row %u: token id %g is not in 0..%d", n, i, (double)x[1],
                           g->vocab - 1);
        if (as_int(x[2], 1, g->tokens, &c) != 0)
            return lm_fail(err, "bad model file: order-%d row %u: count %g is not in 1..%u (the tokens counted)", n,
                           i, (double)x[2], g->tokens);
        uint64_t key = ((uint64_t)ctx << 32) | id;
        if (i > 0 && key <= prev_key)
            return lm_fail(err, "bad model file: order-%d row %u is not after row %u (rows are sorted by context "
                                "row, then token id, each once)", n, i, i - 1);
        prev_key = key;
        sum += c;
        if (sum > g->tokens)
            return lm_fail(err, "bad model file: the order-%d counts add up to more than the %u tokens counted", n,
                           g->tokens);
        uint32_t r = ng_add_row(g, n, ctx, id);
        ng_add_raw(g, n, r, c);
    }
    if (n == 1 && sum != g->tokens)
        return lm_fail(err, "bad model file: the order-1 counts add up to %llu, not the %u tokens counted",
                       (unsigned long long)sum, g->tokens);
    return 0;
}

/* Continuation counts: every row of level n (>= 2) adds one to the row of
 * its last n-1 tokens (found through its context's suffix: suf). */
static int load_continuations(lm_ngram *g, lm_err *err) {
    const int N = g->cfg.order;
    uint32_t maxrows = 0;
    for (int n = 1; n <= N; n++) maxrows = g->lv[n].n > maxrows ? g->lv[n].n : maxrows;
    uint32_t *suf = calloc(maxrows ? maxrows : 1, sizeof *suf), *next = calloc(maxrows ? maxrows : 1, sizeof *next);
    if (!suf || !next) {
        free(suf), free(next);
        return lm_fail(err, "out of memory");
    }
    /* suf[r] for level 1: the empty context (row 0 of level 0) */
    for (int n = 2; n <= N; n++) {
        const ng_level *L = &g->lv[n];
        for (uint32_t r = 0; r < L->n; r++) {
            uint32_t ps = n == 2 ? 0 : suf[L->parent[r]];
            uint32_t s = ng_find(&g->lv[n - 1], ps, L->id[r]);
            if (s == NG_NONE) {
                free(suf), free(next);
                return lm_fail(err, "bad model file: order-%d row %u has no order-%d row for its last %d tokens "
                                    "(not the counts of one text)", n, r, n - 1, n - 1);
            }
            next[r] = s;
            ng_add_cont(g, n - 1, s);
        }
        memcpy(suf, next, (size_t)L->n * sizeof *suf);
    }
    free(suf), free(next);
    return 0;
}

lm_ngram *lm_ngram_from_parts(const lm_file_parts *p, lm_err *err) {
    if (strcmp(p->kind, LM_KIND_NGRAM) != 0) {
        lm_fail(err, "this is a %s model, not an n-gram model", p->kind);
        return NULL;
    }
    file_config f;
    if (read_config(&f, p->config, p->config_bytes, p->n_params, err) != 0) return NULL;
    lm_ngram *g = lm_ngram_new(&f.cfg, f.vocab, err);
    if (!g) return NULL;
    g->tokens = f.tokens;
    size_t at = 0;
    for (int n = 1; n <= f.cfg.order; n++) {
        if (load_level(g, n, p->params + at, f.rows[n], err) != 0) goto fail;
        at += 3 * (size_t)f.rows[n];
    }
    if (load_continuations(g, err) != 0) goto fail;
    /* the stream's tail: where more counting would continue */
    g->have = f.tail_len;
    for (int j = 1; j <= f.tail_len; j++) {
        g->tail[j - 1] = f.tail[j - 1];
        uint32_t r = ng_node(g, f.tail + f.tail_len - j, (size_t)j);
        if (r == NG_NONE) {
            lm_fail(err, "bad model file: the last %d tokens counted are not among the %d-grams", j, j);
            goto fail;
        }
        g->prev[j] = r;
    }
    return g;
fail:
    lm_ngram_free(g);
    return NULL;
}
