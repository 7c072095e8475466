/* bpe_train.c - byte-level BPE training with a merge trace (see bpe_train.h).
 *
 * Data layout (all positions are uint32 indices into the symbol arrays):
 *   words   the distinct pre-tokenised pieces, each with its count
 *   sym[p]  the token id at position p of the concatenated distinct pieces,
 *           -1 once the position was absorbed by a merge on its left
 *   nxt/prv linked list of live positions inside one piece (-1 at the ends)
 *   pairs   (left, right) -> count, list of positions where it (may) occur
 *   heap    max-heap of (count, pair); entries go stale when counts drop and
 *           are refreshed when popped (lazy deletion)
 * A merge of (a, b) into X visits only the recorded positions of (a, b): the
 * neighbours' pairs (p, a) and (b, n) lose the piece's count, (p, X) and (X, n)
 * gain it. Only pairs containing X ever gain, so they are pushed once per merge.
 */
#include "tok/bpe_train.h"

#include "tok/pretok.h"

#include <stdlib.h>
#include <string.h>

int lm_bpe_pattern_by_name(const char *name, const char **pattern, lm_err *err) {
    if (!name || !strcmp(name, "none")) { *pattern = NULL; return 0; }
    if (!strcmp(name, "gpt2") || !strcmp(name, "r50k_base")) { *pattern = LM_PAT_R50K; return 0; }
    if (!strcmp(name, "gpt4") || !strcmp(name, "cl100k_base")) { *pattern = LM_PAT_CL100K; return 0; }
    if (!strcmp(name, "o200k_base")) { *pattern = LM_PAT_O200K; return 0; }
    if (!strcmp(name, "digits")) { *pattern = LM_PAT_DIGITS; return 0; }
    return lm_fail(err, "unknown pre-tokenisation '%s' (none, gpt2, gpt4, o200k_base, digits)", name);
}

/* ---- small helpers --------------------------------------------------------- */

static int grow(void **p, size_t *cap, size_t need, size_t elem) {
    if (need <= *cap) return 0;
    size_t c = *cap ? *cap : 16;
    while (c < need) c *= 2;
    void *q = realloc(*p, c * elem);
    if (!q) return -1;
    *p = q;
    *cap = c;
    return 0;
}

static uint64_t hash_bytes(const uint8_t *s, size_t n) {   /* FNV-1a, then mixed */
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) h = (h ^ s[i]) * 1099511628211ull;
    return h ^ (h >> 29);
}

static uint64_t hash_u64(uint64_t x) {   /* splitmix64 finaliser */
    x ^= x >> 30; x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27; x *= 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

/* ---- the trainer's state ----------------------------------------------------- */

typedef struct { const uint8_t *s; uint32_t len; int64_t count; } word_t;

typedef struct {
    int32_t a, b;
    int64_t count;
    uint32_t *occ; uint32_t n_occ, cap_occ;   /* positions of a (may be stale) */
    int32_t stamp;                           /* last merge that created it */
    int blocked;                             /* merge would duplicate a token */
} pair_t;

typedef struct { int64_t count; int32_t pair; } heap_e;

typedef struct {
    word_t *words; size_t n_words, cap_words;
    int32_t *wtab; size_t wtab_cap;          /* word hash: index or -1 */
    int32_t *sym, *nxt, *prv, *wof;          /* per position */
    size_t n_pos;
    pair_t *pairs; size_t n_pairs, cap_pairs;
    int32_t *ptab; size_t ptab_cap;          /* pair hash: index or -1 */
    heap_e *heap; size_t n_heap, cap_heap;
    int32_t *fresh; size_t n_fresh, cap_fresh;   /* pairs created by this merge */
    size_t n_pieces;
} trainer;

/* ---- distinct pieces ----------------------------------------------------- */

static int word_add(trainer *t, const uint8_t *s, size_t len) {
    if (len == 0) return 0;
    if (len > 0x7fffffff) return -1;
    t->n_pieces++;
    if ((t->n_words + 1) * 2 > t->wtab_cap) {   /* rehash */
        size_t cap = t->wtab_cap ? t->wtab_cap * 2 : 1024;
        int32_t *tab = malloc(cap * sizeof *tab);
        if (!tab) return -1;
        memset(tab, 0xff, cap * sizeof *tab);
        for (size_t w = 0; w < t->n_words; w++) {
            size_t h = hash_bytes(t->words[w].s, t->words[w].len) & (cap - 1);
            while (tab[h] >= 0) h = (h + 1) & (cap - 1);
            tab[h] = (int32_t)w;
        }
        free(t->wtab);
        t->wtab = tab;
        t->wtab_cap = cap;
    }
    size_t h = hash_bytes(s, len) & (t->wtab_cap - 1);
    for (; t->wtab[h] >= 0; h = (h + 1) & (t->wtab_cap - 1)) {
        word_t *w = &t->words[t->wtab[h]];
        if (w->len == len && !memcmp(w->s, s, len)) { w->count++; return 0; }
    }
    if (t->n_words >= 0x7ffffffe) return -1;
    if (grow((void **)&t->words, &t->cap_words, t->n_words + 1, sizeof *t->words)) return -1;
    t->words[t->n_words] = (word_t){ s, (uint32_t)len, 1 };
    t->wtab[h] = (int32_t)t->n_words++;
    return 0;
}

static int on_piece(void *ctx, const uint8_t *piece, size_t len) {
    return word_add(ctx, piece, len) ? 1 : 0;
}

/* Cuts at special tokens, pre-tokenises the rest into the word table. */
static int collect_words(trainer *t, const uint8_t *text, size_t len, const lm_bpe_train_opts *o,
                         lm_err *err) {
    lm_pretok *pt = NULL;
    if (o->pattern && !(pt = lm_pretok_new(o->pattern, err))) return -1;
    int rc = 0;
    size_t i = 0;
    while (i < len && rc == 0) {
        size_t best = len, blen = 0;   /* earliest (then longest) special */
        for (int k = 0; k < o->n_specials; k++) {
            size_t sl = strlen(o->specials[k]);
            const uint8_t *p = memmem(text + i, len - i, o->specials[k], sl);
            if (p && ((size_t)(p - text) < best || ((size_t)(p - text) == best && sl > blen))) {
                best = (size_t)(p - text);
                blen = sl;
            }
        }
        if (pt) {
            rc = lm_pretok_split(pt, text + i, best - i, on_piece, t, err);
            if (rc > 0) lm_fail(err, "bpe-train: out of memory (or a piece over 2 GB) while splitting the text");
        } else if (word_add(t, text + i, best - i)) {
            rc = lm_fail(err, "bpe-train: out of memory (or a piece over 2 GB) while splitting the text");
        }
        i = best + blen;
    }
    lm_pretok_free(pt);
    return rc ? -1 : 0;
}

/* ---- pairs and the heap ---------------------------------------------------- */

static int32_t pair_find(const trainer *t, int32_t a, int32_t b, size_t *slot) {
    uint64_t key = ((uint64_t)(uint32_t)a << 32) | (uint32_t)b;
    size_t h = hash_u64(key) & (t->ptab_cap - 1);
    for (; t->ptab[h] >= 0; h = (h + 1) & (t->ptab_cap - 1)) {
        const pair_t *p = &t->pairs[t->ptab[h]];
        if (p->a == a && p->b == b) { *slot = h; return t->ptab[h]; }
    }
    *slot = h;
    return -1;
}

static int32_t pair_get(trainer *t, int32_t a, int32_t b) {   /* find or create */
    if ((t->n_pairs + 1) * 2 > t->ptab_cap) {
        size_t cap = t->ptab_cap ? t->ptab_cap * 2 : 4096;
        int32_t *tab = malloc(cap * sizeof *tab);
        if (!tab) return -1;
        memset(tab, 0xff, cap * sizeof *tab);
        for (size_t i = 0; i < t->n_pairs; i++) {
            uint64_t key = ((uint64_t)(uint32_t)t->pairs[i].a << 32) | (uint32_t)t->pairs[i].b;
            size_t h = hash_u64(key) & (cap - 1);
            while (tab[h] >= 0) h = (h + 1) & (cap - 1);
            tab[h] = (int32_t)i;
        }
        free(t->ptab);
        t->ptab = tab;
        t->ptab_cap = cap;
    }
    size_t slot;
    int32_t i = pair_find(t, a, b, &slot);
    if (i >= 0) return i;
    if (grow((void **)&t->pairs, &t->cap_pairs, t->n_pairs + 1, sizeof *t->pairs)) return -1;
    t->pairs[t->n_pairs] = (pair_t){ a, b, 0, NULL, 0, 0, -1, 0 };
    t->ptab[slot] = (int32_t)t->n_pairs;
    return (int32_t)t->n_pairs++;
}

/* count += c, recording position pos as an occurrence */
static int pair_inc(trainer *t, int32_t a, int32_t b, int64_t c, uint32_t pos, int32_t stamp) {
    int32_t i = pair_get(t, a, b);
    if (i < 0) return -1;
    pair_t *p = &t->pairs[i];
    size_t cap = p->cap_occ;
    if (grow((void **)&p->occ, &cap, (size_t)p->n_occ + 1, sizeof *p->occ)) return -1;
    p->cap_occ = (uint32_t)cap;
    p->occ[p->n_occ++] = pos;
    p->count += c;
    if (stamp >= 0 && p->stamp != stamp) {
        p->stamp = stamp;
        if (grow((void **)&t->fresh, &t->cap_fresh, t->n_fresh + 1, sizeof *t->fresh)) return -1;
        t->fresh[t->n_fresh++] = i;
    }
    return 0;
}

static void pair_dec(trainer *t, int32_t a, int32_t b, int64_t c) {
    size_t slot;
    int32_t i = pair_find(t, a, b, &slot);
    if (i >= 0) t->pairs[i].count -= c;   /* always found: every adjacency was counted */
}

/* heap order: higher count first, then lower (a, b) */
static int heap_before(const trainer *t, heap_e x, heap_e y) {
    if (x.count != y.count) return x.count > y.count;
    const pair_t *p = &t->pairs[x.pair], *q = &t->pairs[y.pair];
    if (p->a != q->a) return p->a < q->a;
    return p->b < q->b;
}

static int heap_push(trainer *t, int64_t count, int32_t pair) {
    if (grow((void **)&t->heap, &t->cap_heap, t->n_heap + 1, sizeof *t->heap)) return -1;
    size_t i = t->n_heap++;
    heap_e e = { count, pair };
    while (i > 0 && heap_before(t, e, t->heap[(i - 1) / 2])) {
        t->heap[i] = t->heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    t->heap[i] = e;
    return 0;
}

static heap_e heap_pop(trainer *t) {
    heap_e top = t->heap[0], e = t->heap[--t->n_heap];
    size_t i = 0, n = t->n_heap;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        heap_e best = e;
        if (l < n && heap_before(t, t->heap[l], best)) { m = l; best = t->heap[l]; }
        if (r < n && heap_before(t, t->heap[r], best)) { m = r; }
        if (m == i) break;
        t->heap[i] = t->heap[m];
        i = m;
    }
    if (n) t->heap[i] = e;
    return top;
}

/* ---- the vocabulary being built ------------------------------------------- */

typedef struct {
    uint8_t *bytes; size_t n_bytes, cap_bytes;
    size_t *offs; size_t cap_offs;           /* n_ids + 1 used */
    int n_ids;
    int32_t *tab; size_t tab_cap;            /* bytes -> id, for duplicate checks */
} vocab_t;

static int vocab_lookup_or_slot(const vocab_t *v, const uint8_t *s, size_t n, size_t *slot) {
    size_t h = hash_bytes(s, n) & (v->tab_cap - 1);
    for (; v->tab[h] >= 0; h = (h + 1) & (v->tab_cap - 1)) {
        int32_t id = v->tab[h];
        if (v->offs[id + 1] - v->offs[id] == n && !memcmp(v->bytes + v->offs[id], s, n)) return id;
    }
    *slot = h;
    return -1;
}

/* Appends the token bytes(a) ++ bytes(b) (a == b == -1: appends nothing) and
 * returns its id; -2 if those bytes already name a token, -1 if out of memory. */
static int32_t vocab_add_pair(vocab_t *v, int32_t a, int32_t b) {
    size_t la = v->offs[a + 1] - v->offs[a], lb = v->offs[b + 1] - v->offs[b];
    if (grow((void **)&v->bytes, &v->cap_bytes, v->n_bytes + la + lb, 1)) return -1;
    if (grow((void **)&v->offs, &v->cap_offs, (size_t)v->n_ids + 2, sizeof *v->offs)) return -1;
    uint8_t *dst = v->bytes + v->n_bytes;
    memcpy(dst, v->bytes + v->offs[a], la);
    memcpy(dst + la, v->bytes + v->offs[b], lb);
    size_t slot = 0;
    if (vocab_lookup_or_slot(v, dst, la + lb, &slot) >= 0) return -2;
    v->n_bytes += la + lb;
    v->offs[v->n_ids + 1] = v->n_bytes;
    v->tab[slot] = v->n_ids;
    return v->n_ids++;
}

/* ---- training ---------------------------------------------------------------- */

static void trainer_free(trainer *t) {
    for (size_t i = 0; i < t->n_pairs; i++) free(t->pairs[i].occ);
    free(t->words); free(t->wtab);
    free(t->sym); free(t->nxt); free(t->prv); free(t->wof);
    free(t->pairs); free(t->ptab); free(t->heap); free(t->fresh);
}

/* Lays the distinct pieces out as linked symbol lists and counts every pair. */
static int build_positions(trainer *t, lm_err *err) {
    size_t total = 0;
    for (size_t w = 0; w < t->n_words; w++) total += t->words[w].len;
    if (total >= 0x7fffffff) return lm_fail(err, "text too large: %zu distinct bytes (limit 2 GB)", total);
    t->n_pos = total;
    size_t n = total ? total : 1;
    t->sym = malloc(n * sizeof *t->sym); t->nxt = malloc(n * sizeof *t->nxt);
    t->prv = malloc(n * sizeof *t->prv); t->wof = malloc(n * sizeof *t->wof);
    if (!t->sym || !t->nxt || !t->prv || !t->wof) return lm_fail(err, "out of memory");
    size_t p = 0;
    for (size_t w = 0; w < t->n_words; w++) {
        const word_t *wd = &t->words[w];
        for (uint32_t k = 0; k < wd->len; k++, p++) {
            t->sym[p] = wd->s[k];
            t->prv[p] = k ? (int32_t)p - 1 : -1;
            t->nxt[p] = k + 1 < wd->len ? (int32_t)p + 1 : -1;
            t->wof[p] = (int32_t)w;
        }
    }
    for (p = 0; p < total; p++)
        if (t->nxt[p] >= 0 &&
            pair_inc(t, t->sym[p], t->sym[p + 1], t->words[t->wof[p]].count, (uint32_t)p, -1))
            return lm_fail(err, "out of memory");
    for (size_t i = 0; i < t->n_pairs; i++)
        if (heap_push(t, t->pairs[i].count, (int32_t)i)) return lm_fail(err, "out of memory");
    return 0;
}

/* Merges every live occurrence of pair pi into id x, left to right. */
static int apply_merge(trainer *t, int32_t pi, int32_t x, int32_t stamp) {
    pair_t *pp = &t->pairs[pi];
    int32_t a = pp->a, b = pp->b;
    uint32_t *occ = pp->occ, n_occ = pp->n_occ;
    pp->occ = NULL; pp->n_occ = pp->cap_occ = 0;
    t->n_fresh = 0;
    int rc = 0;
    for (uint32_t k = 0; k < n_occ && rc == 0; k++) {
        int32_t i = (int32_t)occ[k];
        if (t->sym[i] != a) continue;                 /* absorbed or already changed */
        int32_t j = t->nxt[i];
        if (j < 0 || t->sym[j] != b) continue;        /* neighbour changed */
        int64_t c = t->words[t->wof[i]].count;
        int32_t p = t->prv[i], n = t->nxt[j];
        if (p >= 0) pair_dec(t, t->sym[p], a, c);
        if (n >= 0) pair_dec(t, b, t->sym[n], c);
        pair_dec(t, a, b, c);
        t->sym[i] = x; t->sym[j] = -1;
        t->nxt[i] = n;
        if (n >= 0) t->prv[n] = i;
        if (p >= 0) rc |= pair_inc(t, t->sym[p], x, c, (uint32_t)p, stamp);
        if (n >= 0) rc |= pair_inc(t, x, t->sym[n], c, (uint32_t)i, stamp);
    }
    free(occ);
    for (size_t f = 0; f < t->n_fresh && rc == 0; f++)
        if (t->pairs[t->fresh[f]].count > 0) rc = heap_push(t, t->pairs[t->fresh[f]].count, t->fresh[f]);
    return rc;
}

static int check_opts(const lm_bpe_train_opts *o, lm_err *err) {
    if (o->n_specials < 0 || (o->n_specials > 0 && !o->specials))
        return lm_fail(err, "bpe-train: bad special token list");
    for (int k = 0; k < o->n_specials; k++) {
        if (!o->specials[k] || !o->specials[k][0]) return lm_fail(err, "bpe-train: empty special token");
        for (int m = 0; m < k; m++)
            if (!strcmp(o->specials[k], o->specials[m]))
                return lm_fail(err, "bpe-train: special token '%s' given twice", o->specials[k]);
    }
    if (o->vocab_size < 256 + o->n_specials)
        return lm_fail(err, "bpe-train: vocabulary size %d is below 256 bytes + %d special tokens",
                       o->vocab_size, o->n_specials);
    if (o->vocab_size > (1 << 24))
        return lm_fail(err, "bpe-train: vocabulary size %d is too large (at most %d)", o->vocab_size, 1 << 24);
    return 0;
}

int lm_bpe_train(const uint8_t *text, size_t len, const lm_bpe_train_opts *o,
                 lm_bpe_merges *out, lm_err *err) {
    if (!out) return lm_fail(err, "bpe-train: no output");
    memset(out, 0, sizeof *out);
    if (!o) return lm_fail(err, "bpe-train: no options");
    if (!text && len) return lm_fail(err, "bpe-train: no text");
    if (check_opts(o, err)) return -1;
    int target = o->vocab_size - 256 - o->n_specials;
    int every = o->progress_every > 0 ? o->progress_every : 64;

    trainer t = { 0 };
    vocab_t v = { 0 };
    int rc = -1, done = 0, cancelled = 0;
    if (collect_words(&t, text, len, o, err) || build_positions(&t, err)) goto out;

    v.tab_cap = 1024;
    while (v.tab_cap < 2 * ((size_t)target + 257)) v.tab_cap *= 2;
    v.tab = malloc(v.tab_cap * sizeof *v.tab);
    out->merges = malloc(((size_t)target + 1) * sizeof *out->merges);
    if (!v.tab || !out->merges || grow((void **)&v.offs, &v.cap_offs, 257, sizeof *v.offs)) {
        lm_fail(err, "out of memory");
        goto out;
    }
    memset(v.tab, 0xff, v.tab_cap * sizeof *v.tab);
    v.offs[0] = 0;
    for (int c = 0; c < 256; c++) {   /* ids 0..255: the bytes */
        uint8_t byte = (uint8_t)c;
        if (grow((void **)&v.bytes, &v.cap_bytes, v.n_bytes + 1, 1)) { lm_fail(err, "out of memory"); goto out; }
        v.bytes[v.n_bytes++] = byte;
        v.offs[c + 1] = v.n_bytes;
        size_t slot = 0;
        vocab_lookup_or_slot(&v, &byte, 1, &slot);
        v.tab[slot] = v.n_ids++;
    }

    while (done < target && t.n_heap > 0) {
        heap_e e = heap_pop(&t);
        pair_t *p = &t.pairs[e.pair];
        if (p->blocked || p->count <= 0) continue;
        if (e.count != p->count) {   /* stale: re-file under its current count */
            if (heap_push(&t, p->count, e.pair)) { lm_fail(err, "out of memory"); goto out; }
            continue;
        }
        int32_t id = vocab_add_pair(&v, p->a, p->b);
        if (id == -2) { p->blocked = 1; continue; }
        if (id < 0) { lm_fail(err, "out of memory"); goto out; }
        out->merges[done] = (lm_bpe_merge){ p->a, p->b, id, p->count };
        if (apply_merge(&t, e.pair, id, done)) { lm_fail(err, "out of memory"); goto out; }
        done++;
        if (o->progress && done % every == 0 && done < target &&
            o->progress(o->progress_user, done, target)) {
            cancelled = 1;
            break;
        }
    }
    if (!cancelled && o->progress && o->progress(o->progress_user, done, target)) cancelled = 1;

    out->n_merges = done;
    out->bytes = v.bytes; v.bytes = NULL;
    out->offs = v.offs; v.offs = NULL;
    out->n_pieces = t.n_pieces;
    out->n_unique = t.n_words;
    out->specials = calloc(o->n_specials ? (size_t)o->n_specials : 1, sizeof *out->specials);
    if (!out->specials) { lm_fail(err, "out of memory"); goto out; }
    out->n_specials = o->n_specials;
    for (int k = 0; k < o->n_specials; k++)
        if (!(out->specials[k] = strdup(o->specials[k]))) { lm_fail(err, "out of memory"); goto out; }
    if (o->pattern && !(out->pattern = strdup(o->pattern))) { lm_fail(err, "out of memory"); goto out; }
    if (cancelled) {
        out->cancelled = 1;
        lm_fail(err, "bpe-train: cancelled after %d of %d merges", done, target);
    } else {
        rc = 0;
    }
out:
    trainer_free(&t);
    free(v.bytes); free(v.offs); free(v.tab);
    if (rc && !cancelled) lm_bpe_merges_free(out);
    return rc;
}

/* ---- the result ---------------------------------------------------------------- */

int lm_bpe_merges_vocab_size(const lm_bpe_merges *m) {
    return 256 + m->n_merges + m->n_specials;
}

const uint8_t *lm_bpe_merges_piece(const lm_bpe_merges *m, int32_t id, size_t *len) {
    if (!m->offs || id < 0 || id >= 256 + m->n_merges) return NULL;
    if (len) *len = m->offs[id + 1] - m->offs[id];
    return m->bytes + m->offs[id];
}

lm_tokenizer *lm_bpe_merges_to_tokenizer(const lm_bpe_merges *m, const char *name, lm_err *err) {
    if (!m || !m->offs) { lm_fail(err, "bpe: no merges to build a tokeniser from"); return NULL; }
    int n = 256 + m->n_merges;
    const uint8_t **pieces = malloc((size_t)n * sizeof *pieces);
    size_t *lens = malloc((size_t)n * sizeof *lens);
    int32_t *sids = malloc((m->n_specials ? (size_t)m->n_specials : 1) * sizeof *sids);
    lm_tokenizer *tok = NULL;
    if (!pieces || !lens || !sids) {
        lm_fail(err, "out of memory");
    } else {
        for (int i = 0; i < n; i++) pieces[i] = lm_bpe_merges_piece(m, i, &lens[i]);
        for (int k = 0; k < m->n_specials; k++) sids[k] = n + k;
        tok = lm_tok_bpe_new(name ? name : "bpe", pieces, lens, n, m->pattern,
                             (const char *const *)m->specials, sids, m->n_specials, err);
    }
    free(pieces); free(lens); free(sids);
    return tok;
}

void lm_bpe_merges_free(lm_bpe_merges *m) {
    if (!m) return;
    for (int k = 0; k < m->n_specials && m->specials; k++) free(m->specials[k]);
    free(m->specials); free(m->merges); free(m->bytes); free(m->offs); free(m->pattern);
    memset(m, 0, sizeof *m);
}
