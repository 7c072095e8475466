/* ngram_table.c - counting: the count table of every n-gram up to order N
 * (ngram_priv.h: a trie of hash-addressed levels), filled token by token,
 * and what it says about a context (see ngram.h). */
#include "models/ngram/ngram_priv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- the config ---- */

int lm_ngram_config_check(const lm_ngram_config *c, lm_err *err) {
    if (c->order < 1 || c->order > LM_NGRAM_MAX_ORDER)
        return lm_fail(err, "the order N is %d; an n-gram model here has N in 1..%d", c->order, LM_NGRAM_MAX_ORDER);
    if (c->smoothing != LM_NGRAM_ADDK && c->smoothing != LM_NGRAM_KN && c->smoothing != LM_NGRAM_MKN)
        return lm_fail(err, "unknown smoothing %d (0 add-k, 1 kn, 2 mkn)", (int)c->smoothing);
    if (!(c->k > 0 && c->k <= LM_NGRAM_MAX_K))
        return lm_fail(err, "add-k's k is %g; it must be in (0, %g]", (double)c->k, (double)LM_NGRAM_MAX_K);
    if (!(c->discount == 0 || (c->discount > 0 && c->discount <= 1)))
        return lm_fail(err, "the discount is %g; it must be 0 (estimated from the counts) or in (0, 1]",
                       (double)c->discount);
    return 0;
}

lm_ngram *lm_ngram_new(const lm_ngram_config *c, int vocab, lm_err *err) {
    if (lm_ngram_config_check(c, err) != 0) return NULL;
    if (vocab < 1 || vocab > LM_NGRAM_MAX_VOCAB) {
        lm_fail(err, "a vocabulary of %d ids; an n-gram model counts ids below 2^24", vocab);
        return NULL;
    }
    lm_ngram *g = calloc(1, sizeof *g);
    if (!g) {
        lm_fail(err, "out of memory");
        return NULL;
    }
    g->cfg = *c;
    g->vocab = vocab;
    g->q_order = c->order;
    g->q_smoothing = c->smoothing;
    g->q_k = c->k;
    g->q_discount = c->discount;
    /* level 0: the empty context, one row */
    if (ng_reserve(g, 0, 1, err) != 0) {
        lm_ngram_free(g);
        return NULL;
    }
    ng_level *root = &g->lv[0];
    root->n = 1;
    root->first_child[0] = NG_NONE;
    root->raw_sum[0] = root->cont_sum[0] = 0;
    for (int j = 0; j < 3; j++) root->raw_n[j][0] = root->cont_n[j][0] = 0;
    return g;
}

static void level_free(ng_level *L) {
    free(L->parent);
    free(L->id);
    free(L->count);
    free(L->next_sib);
    free(L->cont);
    free(L->first_child);
    free(L->raw_sum);
    free(L->cont_sum);
    for (int j = 0; j < 3; j++) {
        free(L->raw_n[j]);
        free(L->cont_n[j]);
    }
    free(L->slots);
    memset(L, 0, sizeof *L);
}

void lm_ngram_free(lm_ngram *g) {
    if (!g) return;
    for (int n = 0; n <= LM_NGRAM_MAX_ORDER; n++) level_free(&g->lv[n]);
    free(g);
}

/* ---- the hash of a level ---- */

static uint32_t key_hash(uint32_t parent, uint32_t id) {
    uint64_t x = ((uint64_t)parent << 32) | id;   /* splitmix64's finaliser */
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return (uint32_t)x;
}

uint32_t ng_find(const ng_level *L, uint32_t parent, uint32_t id) {
    if (L->n_slots == 0) return NG_NONE;
    uint32_t mask = L->n_slots - 1;
    for (uint32_t s = key_hash(parent, id) & mask;; s = (s + 1) & mask) {
        uint32_t v = L->slots[s];
        if (v == 0) return NG_NONE;
        if (L->parent[v - 1] == parent && L->id[v - 1] == id) return v - 1;
    }
}

static void slot_put(ng_level *L, uint32_t r) {
    uint32_t mask = L->n_slots - 1;
    uint32_t s = key_hash(L->parent[r], L->id[r]) & mask;
    while (L->slots[s]) s = (s + 1) & mask;
    L->slots[s] = r + 1;
}

uint32_t ng_node(const lm_ngram *g, const int32_t *ids, size_t len) {
    uint32_t r = 0;
    for (size_t j = 0; j < len && r != NG_NONE; j++) r = ng_find(&g->lv[j + 1], r, (uint32_t)ids[j]);
    return r;
}

/* ---- growing a level ---- */

static int grow(uint32_t **a, uint32_t cap) {
    uint32_t *p = realloc(*a, (size_t)cap * sizeof *p);
    if (!p) return -1;
    *a = p;
    return 0;
}

int ng_reserve(lm_ngram *g, int n, uint32_t more, lm_err *err) {
    ng_level *L = &g->lv[n];
    uint64_t need = (uint64_t)L->n + more;
    if (need > LM_NGRAM_MAX_TOKENS + 1u) return lm_fail(err, "more than 2^24 rows in level %d", n);
    if (need > L->cap) {
        uint32_t cap = L->cap ? L->cap : 1024;
        while (cap < need) cap = cap + cap / 2 + 1;
        int context = n < g->cfg.order, fail = 0;
        fail |= grow(&L->parent, cap) | grow(&L->id, cap) | grow(&L->count, cap) | grow(&L->next_sib, cap);
        if (context) {
            fail |= grow(&L->cont, cap) | grow(&L->first_child, cap) | grow(&L->raw_sum, cap) |
                    grow(&L->cont_sum, cap);
            for (int j = 0; j < 3; j++) fail |= grow(&L->raw_n[j], cap) | grow(&L->cont_n[j], cap);
        }
        if (fail) return lm_fail(err, "out of memory for %u n-grams of order %d", cap, n);
        L->cap = cap;
    }
    if (n > 0 && need * 2 > L->n_slots) {   /* load factor at most 1/2 */
        uint32_t ns = L->n_slots ? L->n_slots : 2048;
        while ((uint64_t)ns < need * 2) ns *= 2;
        uint32_t *slots = calloc(ns, sizeof *slots);
        if (!slots) return lm_fail(err, "out of memory for the hash of order %d", n);
        free(L->slots);
        L->slots = slots;
        L->n_slots = ns;
        for (uint32_t r = 0; r < L->n; r++) slot_put(L, r);
    }
    return 0;
}

uint32_t ng_add_row(lm_ngram *g, int n, uint32_t parent, uint32_t id) {
    ng_level *L = &g->lv[n], *P = &g->lv[n - 1];
    uint32_t r = L->n++;
    L->parent[r] = parent;
    L->id[r] = id;
    L->count[r] = 0;
    L->next_sib[r] = P->first_child[parent];
    P->first_child[parent] = r;
    if (n < g->cfg.order) {
        L->cont[r] = 0;
        L->first_child[r] = NG_NONE;
        L->raw_sum[r] = L->cont_sum[r] = 0;
        for (int j = 0; j < 3; j++) L->raw_n[j][r] = L->cont_n[j][r] = 0;
    }
    slot_put(L, r);
    return r;
}

/* a count going from old to old + by: the bucket (1, 2, >= 3) of the
 * context's stats and the level's histogram (1..4) follow */
static void shift(uint32_t *n3[3], uint32_t at, uint32_t *hist, uint32_t old, uint32_t by) {
    uint32_t now = old + by;
    if (old >= 1) n3[old < 3 ? old - 1 : 2][at]--;
    n3[now < 3 ? now - 1 : 2][at]++;
    if (old >= 1 && old <= 4) hist[old]--;
    if (now <= 4) hist[now]++;
}

void ng_add_raw(lm_ngram *g, int n, uint32_t r, uint32_t by) {
    ng_level *L = &g->lv[n], *P = &g->lv[n - 1];
    uint32_t old = L->count[r], p = L->parent[r];
    L->count[r] = old + by;
    P->raw_sum[p] += by;
    shift(P->raw_n, p, g->raw_hist[n], old, by);
}

void ng_add_cont(lm_ngram *g, int n, uint32_t r) {
    ng_level *L = &g->lv[n], *P = &g->lv[n - 1];
    uint32_t old = L->cont[r], p = L->parent[r];
    L->cont[r] = old + 1;
    P->cont_sum[p] += 1;
    shift(P->cont_n, p, g->cont_hist[n], old, 1);
}

/* ---- counting ---- */

/* One token w after the stream so far (room reserved). */
static void count_token(lm_ngram *g, uint32_t w) {
    const int N = g->cfg.order;
    uint32_t cur[LM_NGRAM_MAX_ORDER + 1];
    cur[0] = 0;
    int top = g->have + 1 < N ? g->have + 1 : N;
    for (int n = 1; n <= top; n++) {
        uint32_t p = n == 1 ? 0 : g->prev[n - 1];
        uint32_t r = ng_find(&g->lv[n], p, w);
        if (r == NG_NONE) {
            r = ng_add_row(g, n, p, w);
            /* a new n-gram: one more different token before its last n-1 */
            if (n >= 2) ng_add_cont(g, n - 1, cur[n - 1]);
        }
        ng_add_raw(g, n, r, 1);
        cur[n] = r;
    }
    int have = g->have + 1 < N - 1 ? g->have + 1 : N - 1;
    for (int j = 1; j <= have; j++) g->prev[j] = cur[j];
    if (have > 0) {   /* the tail: the last `have` ids */
        if (g->have == have) memmove(g->tail, g->tail + 1, (size_t)(have - 1) * sizeof *g->tail);
        g->tail[have - 1] = (int32_t)w;
    }
    g->have = have;
    g->tokens++;
}

int lm_ngram_count(lm_ngram *g, const int32_t *ids, size_t n, lm_err *err) {
    if (n == 0) return 0;
    if (!ids) return lm_fail(err, "count: no ids");
    if (n > LM_NGRAM_MAX_TOKENS - g->tokens)
        return lm_fail(err, "counting %zu more tokens would pass %u in all (%u counted): counts are kept "
                            "below 2^24 so that a model file stores them exactly as f32",
                       n, LM_NGRAM_MAX_TOKENS, g->tokens);
    for (size_t i = 0; i < n; i++)
        if (ids[i] < 0 || ids[i] >= g->vocab)
            return lm_fail(err, "token id %d at position %zu is outside the vocabulary (0..%d)", ids[i], i,
                           g->vocab - 1);
    /* in slices whose rows are reserved first, so memory running out
     * leaves whole slices counted, never half a token */
    const size_t SLICE = 1u << 16;
    for (size_t at = 0; at < n; at += SLICE) {
        size_t m = n - at < SLICE ? n - at : SLICE;
        for (int lev = 1; lev <= g->cfg.order; lev++)
            if (ng_reserve(g, lev, (uint32_t)m, err) != 0) return -1;
        for (size_t i = 0; i < m; i++) count_token(g, (uint32_t)ids[at + i]);
    }
    return 0;
}

/* ---- what was counted ---- */

const lm_ngram_config *lm_ngram_config_of(const lm_ngram *g) { return &g->cfg; }
int lm_ngram_vocab(const lm_ngram *g) { return g->vocab; }
uint32_t lm_ngram_tokens(const lm_ngram *g) { return g->tokens; }

uint32_t lm_ngram_rows(const lm_ngram *g, int n) {
    return n >= 1 && n <= g->cfg.order ? g->lv[n].n : 0;
}

uint64_t lm_ngram_total_rows(const lm_ngram *g) {
    uint64_t t = 0;
    for (int n = 1; n <= g->cfg.order; n++) t += g->lv[n].n;
    return t;
}

uint32_t lm_ngram_count_of(const lm_ngram *g, const int32_t *ids, size_t n) {
    if (n < 1 || n > (size_t)g->cfg.order || !ids) return 0;
    for (size_t i = 0; i < n; i++)
        if (ids[i] < 0 || ids[i] >= g->vocab) return 0;
    uint32_t r = ng_node(g, ids, n);
    return r == NG_NONE ? 0 : g->lv[n].count[r];
}

typedef struct {
    uint32_t count;
    int32_t id;
} next_row;

static int by_count_desc(const void *a, const void *b) {
    const next_row *x = a, *y = b;
    if (x->count != y->count) return x->count < y->count ? 1 : -1;
    return (x->id > y->id) - (x->id < y->id);
}

int lm_ngram_context_counts(const lm_ngram *g, const int32_t *ctx, size_t n, lm_ngram_context *out,
                            int32_t *next_ids, uint32_t *next_counts, int cap, int *n_next, lm_err *err) {
    memset(out, 0, sizeof *out);
    if (n_next) *n_next = 0;
    if (n >= (size_t)g->cfg.order)
        return lm_fail(err, "a %d-gram model's contexts are at most %d tokens, not %zu", g->cfg.order,
                       g->cfg.order - 1, n);
    for (size_t i = 0; i < n; i++)
        if (ctx[i] < 0 || ctx[i] >= g->vocab)
            return lm_fail(err, "token id %d is outside the vocabulary (0..%d)", ctx[i], g->vocab - 1);
    uint32_t r = ng_node(g, ctx, n);
    if (r == NG_NONE) return 0;
    const ng_level *L = &g->lv[n], *C = &g->lv[n + 1];
    out->found = 1;
    out->count = n == 0 ? g->tokens : L->count[r];
    out->followed = L->raw_sum[r];
    out->distinct = L->raw_n[0][r] + L->raw_n[1][r] + L->raw_n[2][r];
    if (!next_ids || !next_counts || cap <= 0 || out->distinct == 0) return 0;
    next_row *rows = malloc((size_t)out->distinct * sizeof *rows);
    if (!rows) return lm_fail(err, "out of memory");
    uint32_t k = 0;
    for (uint32_t c = L->first_child[r]; c != NG_NONE && k < out->distinct; c = C->next_sib[c])
        rows[k++] = (next_row){C->count[c], (int32_t)C->id[c]};
    qsort(rows, k, sizeof *rows, by_count_desc);
    int m = (int)k < cap ? (int)k : cap;
    for (int i = 0; i < m; i++) {
        next_ids[i] = rows[i].id;
        next_counts[i] = rows[i].count;
    }
    if (n_next) *n_next = m;
    free(rows);
    return 0;
}
