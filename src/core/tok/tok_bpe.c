/* tok_bpe.c - byte-level rank BPE, the tiktoken algorithm (see tokenizer.h).
 *
 * Inside one pre-tokenised piece of n bytes the parts start as single bytes.
 * Repeatedly, of all adjacent pairs whose concatenation is a token, merge the
 * one with the lowest rank (the leftmost on a tie), until no pair is a token.
 * A piece that is itself a token is emitted at once (tiktoken's shortcut).
 * Short pieces use tiktoken's linear scan; long ones (no pre-tokenisation, or
 * long runs) a heap of candidate pairs, which gives the same merges in
 * O(n log n).
 */
#include "tok/tok_internal.h"

#include <stdlib.h>
#include <string.h>

#define SMALL_PIECE 128          /* linear scan up to this many bytes */
#define NO_RANK INT32_MAX

lm_tokenizer *lm_tok_bpe_new(const char *name, const uint8_t *const *pieces, const size_t *lens,
                             int n, const char *pattern_or_NULL,
                             const char *const *specials, const int32_t *special_ids,
                             int n_specials, lm_err *err) {
    size_t *slens = NULL;
    if (n_specials > 0) {
        slens = malloc((size_t)n_specials * sizeof *slens);
        if (!slens) { lm_fail(err, "tokenizer: out of memory"); return NULL; }
        for (int i = 0; i < n_specials; i++) slens[i] = specials[i] ? strlen(specials[i]) : 0;
    }
    lm_tokenizer *t = lm_tok_build(LM_TOK_BPE, name ? name : "bpe", pieces, lens, n,
                                   specials, slens, special_ids, n_specials, err);
    free(slens);
    if (!t) return NULL;
    for (int b = 0; b < 256; b++)
        if (t->byte_id[b] < 0) {
            lm_fail(err, "BPE: byte 0x%02x is not a token (every single byte must be)", b);
            lm_tok_free(t);
            return NULL;
        }
    if (pattern_or_NULL) {
        t->pretok = lm_pretok_new(pattern_or_NULL, err);
        if (!t->pretok) { lm_tok_free(t); return NULL; }
    }
    return t;
}

lm_tokenizer *lm_tok_bpe_add_special(const lm_tokenizer *t, const char *text, lm_err *err) {
    if (!t || lm_tok_kind_of(t) != LM_TOK_BPE) {
        lm_fail(err, "only a BPE tokeniser takes a new special token");
        return NULL;
    }
    if (!text || !*text) {
        lm_fail(err, "a special token cannot be empty");
        return NULL;
    }
    if (lm_tok_special_id(t, text) >= 0) {
        lm_fail(err, "the tokeniser already has the special token %s", text);
        return NULL;
    }
    int n = t->n_pieces, ns = t->n_specials + 1;
    const uint8_t **pieces = malloc((size_t)(n ? n : 1) * sizeof *pieces);
    size_t *lens = malloc((size_t)(n ? n : 1) * sizeof *lens);
    char **stext = calloc((size_t)ns, sizeof *stext);   /* NUL-terminated copies */
    int32_t *sids = malloc((size_t)ns * sizeof *sids);
    lm_tokenizer *out = NULL;
    int ok = pieces && lens && stext && sids;
    for (int i = 0; ok && i < n; i++) {   /* ordinary token i: rank == id == i */
        pieces[i] = t->arena + t->tok_off[i];
        lens[i] = t->tok_len[i];
    }
    for (int k = 0; ok && k < t->n_specials; k++) {
        stext[k] = strndup((const char *)t->specials[k].text, t->specials[k].len);
        sids[k] = t->specials[k].id;
        ok = stext[k] != NULL;
    }
    if (ok) {
        stext[ns - 1] = strdup(text);
        sids[ns - 1] = t->vocab_size;   /* the id after the last */
        ok = stext[ns - 1] != NULL;
    }
    if (ok)
        out = lm_tok_bpe_new(t->name, pieces, lens, n, lm_tok_pattern(t), (const char *const *)stext, sids, ns, err);
    else
        lm_fail(err, "tokenizer: out of memory");
    for (int k = 0; stext && k < ns; k++) free(stext[k]);
    free(stext); free(sids); free(pieces); free(lens);
    return out;
}

static inline int32_t rank_of(const lm_tokenizer *t, const uint8_t *p, size_t n) {
    int32_t r = lm_tok_map_get(t, p, n);
    return r < 0 ? NO_RANK : r;
}

/* tiktoken's linear scan for n <= SMALL_PIECE; appends the ids to out */
static int merge_small(const lm_tokenizer *t, const uint8_t *p, size_t n, lm_ids *out) {
    uint32_t start[SMALL_PIECE + 1];
    int32_t rank[SMALL_PIECE];   /* rank[i] = rank of parts i and i+1 joined */
    int32_t id[SMALL_PIECE];     /* the token of part i */
    size_t m = n;                /* number of parts */
    for (size_t i = 0; i < n; i++) { start[i] = (uint32_t)i; id[i] = t->byte_id[p[i]]; }
    start[n] = (uint32_t)n;
    for (size_t i = 0; i + 1 < n; i++) rank[i] = rank_of(t, p + i, 2);
    while (m > 1) {
        size_t best = 0;
        int32_t br = rank[0];
        for (size_t i = 1; i + 1 < m; i++)
            if (rank[i] < br) { br = rank[i]; best = i; }
        if (br == NO_RANK) break;
        id[best] = br;
        /* drop part best+1 */
        memmove(&start[best + 1], &start[best + 2], (m - best - 1) * sizeof *start);
        memmove(&id[best + 1], &id[best + 2], (m - best - 2) * sizeof *id);
        if (best + 3 < m) memmove(&rank[best + 1], &rank[best + 2], (m - best - 3) * sizeof *rank);
        m--;
        if (best > 0) rank[best - 1] = rank_of(t, p + start[best - 1], start[best + 1] - start[best - 1]);
        if (best + 1 < m) rank[best] = rank_of(t, p + start[best], start[best + 2] - start[best]);
    }
    if (lm_ids_reserve(out, m)) return -1;
    memcpy(out->ids + out->n, id, m * sizeof *id);
    out->n += m;
    return 0;
}

/* ---- the heap variant for long pieces ---- */

typedef struct { int32_t rank; uint32_t left, end; } cand;   /* pair [left, end) */

static inline int cand_less(cand a, cand b) {
    return a.rank < b.rank || (a.rank == b.rank && a.left < b.left);
}

static void heap_push(cand *h, size_t *n, cand c) {
    size_t i = (*n)++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!cand_less(c, h[parent])) break;
        h[i] = h[parent];
        i = parent;
    }
    h[i] = c;
}

static cand heap_pop(cand *h, size_t *n) {
    cand top = h[0], last = h[--(*n)];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= *n) break;
        if (c + 1 < *n && cand_less(h[c + 1], h[c])) c++;
        if (!cand_less(h[c], last)) break;
        h[i] = h[c];
        i = c;
    }
    if (*n) h[i] = last;
    return top;
}

static int merge_large(const lm_tokenizer *t, const uint8_t *p, size_t n, lm_ids *out) {
    /* nodes are the parts, named by their first byte; next[i] = start of the
     * following part (n at the end), prev[i] likewise (UINT32_MAX at the start) */
    uint32_t *next = malloc(n * sizeof *next), *prev = malloc(n * sizeof *prev);
    int32_t *id = malloc(n * sizeof *id);
    cand *heap = malloc(2 * n * sizeof *heap);   /* each merge pushes <= 2 */
    int rc = -1;
    if (!next || !prev || !id || !heap) goto done;
    size_t hn = 0;
    for (size_t i = 0; i < n; i++) {
        next[i] = (uint32_t)(i + 1);
        prev[i] = i ? (uint32_t)(i - 1) : UINT32_MAX;
        id[i] = t->byte_id[p[i]];
    }
    for (size_t i = 0; i + 1 < n; i++) {
        int32_t r = rank_of(t, p + i, 2);
        if (r != NO_RANK) heap_push(heap, &hn, (cand){r, (uint32_t)i, (uint32_t)(i + 2)});
    }
    while (hn) {
        cand c = heap_pop(heap, &hn);
        uint32_t l = c.left, r = next[l];
        if (id[l] < 0 || r >= n || next[r] != c.end) continue;   /* stale */
        id[l] = c.rank;
        id[r] = -1;
        next[l] = c.end;
        if (c.end < n) prev[c.end] = l;
        if (prev[l] != UINT32_MAX) {
            uint32_t a = prev[l];
            int32_t rk = rank_of(t, p + a, c.end - a);
            if (rk != NO_RANK) heap_push(heap, &hn, (cand){rk, a, c.end});
        }
        if (c.end < n) {
            uint32_t e = next[c.end];
            int32_t rk = rank_of(t, p + l, e - l);
            if (rk != NO_RANK) heap_push(heap, &hn, (cand){rk, l, e});
        }
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i = next[i]) m++;
    if (lm_ids_reserve(out, m)) goto done;
    for (size_t i = 0; i < n; i = next[i]) out->ids[out->n++] = id[i];
    rc = 0;
done:
    free(next); free(prev); free(id); free(heap);
    return rc;
}

static int encode_piece(const lm_tokenizer *t, const uint8_t *p, size_t n, lm_ids *out) {
    int32_t whole = lm_tok_map_get(t, p, n);
    if (whole >= 0) return lm_ids_push(out, whole);
    if (n <= SMALL_PIECE) return merge_small(t, p, n, out);
    return merge_large(t, p, n, out);
}

/* Length of the longest valid UTF-8 prefix (Rust's Utf8Error::valid_up_to:
 * no overlong forms, no surrogates, nothing above U+10FFFF). */
static size_t utf8_valid_up_to(const uint8_t *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        if (i + 8 <= n) {              /* ASCII fast path */
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (!(w & 0x8080808080808080ull)) { i += 8; continue; }
        }
        uint8_t c = s[i];
        if (c < 0x80) { i++; continue; }
        size_t k;
        uint8_t lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) k = 1;
        else if (c >= 0xE0 && c <= 0xEF) { k = 2; if (c == 0xE0) lo = 0xA0; if (c == 0xED) hi = 0x9F; }
        else if (c >= 0xF0 && c <= 0xF4) { k = 3; if (c == 0xF0) lo = 0x90; if (c == 0xF4) hi = 0x8F; }
        else return i;
        if (i + k >= n) return i;   /* truncated */
        if (s[i + 1] < lo || s[i + 1] > hi) return i;
        for (size_t j = 2; j <= k; j++)
            if ((s[i + j] & 0xC0) != 0x80) return i;
        i += k + 1;
    }
    return n;
}

/* tiktoken's test for the "unstable" whitespace tokens before an invalid tail */
static int all_space(const lm_tokenizer *t, int32_t id) {
    const uint8_t *p = t->arena + t->tok_off[id];
    for (uint32_t i = 0; i < t->tok_len[id]; i++)
        if (p[i] != ' ' && p[i] != '\n' && p[i] != '\t') return 0;
    return 1;
}

/* How many of the last tokens of ids[0..n) go back to bytes before an invalid
 * UTF-8 tail: those of the last piece (last_len), extended over the
 * all-whitespace tokens before them if its first is all whitespace. */
static size_t unstable_len(const lm_tokenizer *t, const int32_t *ids, size_t n, size_t last_len) {
    if (last_len > 0 && all_space(t, ids[n - last_len]))
        while (last_len < n && all_space(t, ids[n - last_len - 1])) last_len++;
    return last_len;
}

typedef struct { const lm_tokenizer *t; lm_ids *out; size_t last_start; } enc_ctx;

static int piece_cb(void *ctx, const uint8_t *p, size_t n) {
    enc_ctx *c = ctx;
    c->last_start = c->out->n;
    return encode_piece(c->t, p, n, c->out) ? 1 : 0;
}

/* Text with a pattern: pieces of the pattern. If the text is not valid UTF-8,
 * tiktoken's rule for bytes (CoreBPE::encode_bytes): the valid prefix is
 * encoded as usual, then the tokens of its last piece (see unstable_len) go
 * back to bytes and, with everything from the first invalid byte on, make one
 * last piece. */
int lm_tok_bpe_encode_ordinary(const lm_tokenizer *t, const uint8_t *text, size_t len,
                               lm_ids *out, lm_err *err) {
    if (!t->pretok) {
        if (len && encode_piece(t, text, len, out)) return lm_fail(err, "encode: out of memory");
        return 0;
    }
    size_t valid = utf8_valid_up_to(text, len), base = out->n;
    enc_ctx c = {t, out, base};
    int rc = lm_pretok_split(t->pretok, text, valid, piece_cb, &c, err);
    if (rc > 0) return lm_fail(err, "encode: out of memory");
    if (rc < 0 || valid == len) return rc;
    size_t k = out->n > base ? unstable_len(t, out->ids + base, out->n - base, out->n - c.last_start) : 0;
    size_t back = 0;
    for (size_t i = out->n - k; i < out->n; i++) back += t->tok_len[out->ids[i]];
    out->n -= k;
    if (encode_piece(t, text + valid - back, len - valid + back, out))
        return lm_fail(err, "encode: out of memory");
    return 0;
}

/* ---- the encoding trace (the UI's stepper) ---- */

typedef struct {
    size_t *off, *len;
    size_t n, cap;
} piece_list;

static int collect_piece(void *ctx, const uint8_t *p, size_t n) {
    (void)p;
    piece_list *pl = ctx;
    if (pl->n == pl->cap) return 1;   /* cannot happen: cap = text length */
    pl->len[pl->n++] = n;
    return 0;
}

typedef struct {
    lm_bpe_trace *tr;
    size_t *tok_off;      /* per step: offset of its token list in store */
    size_t store_n, store_cap, steps_cap;
} trace_build;

/* appends a step whose token list is a ++ b ++ c */
static int add_step(trace_build *b, int32_t piece, int32_t left, int32_t right, int32_t merged,
                    const int32_t *a, size_t na, const int32_t *mid, size_t nm,
                    const int32_t *c, size_t nc) {
    lm_bpe_trace *tr = b->tr;
    size_t need = na + nm + nc;
    if (tr->n_steps == b->steps_cap) {
        size_t cap = b->steps_cap ? 2 * b->steps_cap : 64;
        lm_bpe_step *s = realloc(tr->steps, cap * sizeof *s);
        if (!s) return -1;
        tr->steps = s;
        size_t *o = realloc(b->tok_off, cap * sizeof *o);
        if (!o) return -1;
        b->tok_off = o;
        b->steps_cap = cap;
    }
    if (b->store_n + need > b->store_cap) {
        size_t cap = b->store_cap ? b->store_cap : 1024;
        while (cap < b->store_n + need) cap *= 2;
        int32_t *s = realloc(tr->store_, cap * sizeof *s);
        if (!s) return -1;
        tr->store_ = s;
        b->store_cap = cap;
    }
    int32_t *dst = tr->store_ + b->store_n;
    if (na) memcpy(dst, a, na * sizeof *a);
    if (nm) memcpy(dst + na, mid, nm * sizeof *mid);
    if (nc) memcpy(dst + na + nm, c, nc * sizeof *c);
    lm_bpe_step *st = &tr->steps[tr->n_steps];
    st->piece = piece;
    st->left = left;
    st->right = right;
    st->merged = merged;
    st->n_tokens = need;
    st->tokens = NULL;
    b->tok_off[tr->n_steps++] = b->store_n;
    b->store_n += need;
    return 0;
}

void lm_bpe_trace_free(lm_bpe_trace *tr) {
    if (!tr) return;
    free(tr->piece_off);
    free(tr->piece_len);
    free(tr->initial);
    free(tr->steps);
    free(tr->store_);
    memset(tr, 0, sizeof *tr);
}

/* scratch and state of one trace */
typedef struct {
    trace_build b;
    const lm_tokenizer *t;
    const uint8_t *text;
    size_t len;
    int32_t *done;       /* final ids of the pieces so far */
    size_t n_done;
    int32_t *id, *rank;
    uint32_t *start;
} tracer;

/* merges piece k = text[off, off+n) step by step, recording each step */
static int trace_piece(tracer *tc, size_t k, size_t off, size_t n) {
    const lm_tokenizer *t = tc->t;
    const uint8_t *p = tc->text + off;
    const int32_t *rest = tc->b.tr->initial + off + n;
    size_t m = n, n_rest = tc->len - off - n;
    int32_t *id = tc->id, *rank = tc->rank;
    uint32_t *start = tc->start;
    for (size_t i = 0; i < n; i++) { start[i] = (uint32_t)i; id[i] = t->byte_id[p[i]]; }
    start[n] = (uint32_t)n;
    for (;;) {
        size_t best = 0;
        int32_t br = NO_RANK;
        for (size_t i = 0; i + 1 < m; i++) {
            rank[i] = rank_of(t, p + start[i], start[i + 2] - start[i]);
            if (rank[i] < br) { br = rank[i]; best = i; }
        }
        if (br == NO_RANK) break;
        int32_t left = id[best], right = id[best + 1];
        id[best] = br;
        memmove(&start[best + 1], &start[best + 2], (m - best - 1) * sizeof *start);
        memmove(&id[best + 1], &id[best + 2], (m - best - 2) * sizeof *id);
        m--;
        if (add_step(&tc->b, (int32_t)k, left, right, br, tc->done, tc->n_done, id, m, rest, n_rest))
            return -1;
    }
    int32_t whole = lm_tok_map_get(t, p, n);
    if (whole >= 0 && !(m == 1 && id[0] == whole)) {
        id[0] = whole;
        m = 1;
        if (add_step(&tc->b, (int32_t)k, -1, -1, whole, tc->done, tc->n_done, id, m, rest, n_rest))
            return -1;
    }
    memcpy(tc->done + tc->n_done, id, m * sizeof *id);
    tc->n_done += m;
    return 0;
}

int lm_tok_encode_trace(const lm_tokenizer *t, const uint8_t *text, size_t len,
                        lm_bpe_trace *out, lm_err *err) {
    memset(out, 0, sizeof *out);
    if (len > LM_TRACE_MAX_BYTES)
        return lm_fail(err, "trace: text too long (%zu bytes; the stepper takes at most %d)",
                       len, LM_TRACE_MAX_BYTES);
    if (len && !text) return lm_fail(err, "trace: no text");
    size_t cap = len + 1;
    out->piece_off = malloc(cap * sizeof *out->piece_off);
    out->piece_len = malloc(cap * sizeof *out->piece_len);
    if (!out->piece_off || !out->piece_len) goto oom;
    if (t->kind != LM_TOK_BPE) {
        lm_ids ids = {0};
        if (lm_tok_encode(t, text, len, 0, &ids, err)) { lm_bpe_trace_free(out); return -1; }
        out->initial = ids.ids;
        out->n_initial = ids.n;
        if (len) { out->piece_off[0] = 0; out->piece_len[0] = len; out->n_pieces = 1; }
        return 0;
    }
    size_t valid = t->pretok ? utf8_valid_up_to(text, len) : len;
    piece_list pl = {out->piece_off, out->piece_len, 0, cap};
    if (t->pretok) {
        if (lm_pretok_split(t->pretok, text, valid, collect_piece, &pl, err) != 0) {
            lm_bpe_trace_free(out);
            return -1;
        }
    } else if (len) {
        pl.len[pl.n++] = len;
    }
    for (size_t k = 0, o = 0; k < pl.n; k++) { out->piece_off[k] = o; o += pl.len[k]; }

    tracer tc = {{out, NULL, 0, 0, 0}, t, text, len, NULL, 0, NULL, NULL, NULL};
    out->initial = malloc(cap * sizeof *out->initial);
    tc.done = malloc(cap * sizeof *tc.done);
    tc.id = malloc(cap * sizeof *tc.id);
    tc.rank = malloc(cap * sizeof *tc.rank);
    tc.start = malloc((cap + 1) * sizeof *tc.start);
    if (!out->initial || !tc.done || !tc.id || !tc.rank || !tc.start) goto oom_tmp;
    for (size_t i = 0; i < len; i++) out->initial[i] = t->byte_id[text[i]];
    out->n_initial = len;
    size_t last_start = 0;
    for (size_t k = 0; k < pl.n; k++) {
        last_start = tc.n_done;
        if (trace_piece(&tc, k, out->piece_off[k], out->piece_len[k])) goto oom_tmp;
    }
    if (valid < len) {
        /* invalid UTF-8: the last piece's tokens go back to bytes and join the
         * tail (see lm_tok_bpe_encode_ordinary); recorded as a step -1 -1 -> -1 */
        size_t kk = unstable_len(t, tc.done, tc.n_done, tc.n_done - last_start), back = 0;
        for (size_t i = tc.n_done - kk; i < tc.n_done; i++) back += t->tok_len[tc.done[i]];
        tc.n_done -= kk;
        size_t off = valid - back;
        if (kk && add_step(&tc.b, (int32_t)pl.n, -1, -1, -1, tc.done, tc.n_done, NULL, 0,
                           out->initial + off, len - off)) goto oom_tmp;
        out->piece_off[pl.n] = off;
        out->piece_len[pl.n] = len - off;
        if (trace_piece(&tc, pl.n, off, len - off)) goto oom_tmp;
        pl.n++;
    }
    out->n_pieces = pl.n;
    for (size_t s = 0; s < out->n_steps; s++) out->steps[s].tokens = out->store_ + tc.b.tok_off[s];
    free(tc.b.tok_off); free(tc.done); free(tc.id); free(tc.rank); free(tc.start);
    return 0;
oom_tmp:
    free(tc.b.tok_off); free(tc.done); free(tc.id); free(tc.rank); free(tc.start);
oom:
    lm_bpe_trace_free(out);
    return lm_fail(err, "trace: out of memory");
}
