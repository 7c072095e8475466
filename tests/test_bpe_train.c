/* test_bpe_train.c - BPE training: a hand-worked example, a brute-force
 * recount of every merge on random texts, vocabulary size, determinism,
 * encode == replaying the merges, round trips, progress and cancellation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tok/bpe_train.h"
#include "tok/pretok.h"
#include "base/rng.h"
#include "tok/tokenizer.h"

/* ---- a slow, obviously correct model of BPE training -------------------- */

/* The pieces of a text as token lists, rebuilt by brute force. */
typedef struct {
    int32_t **tok;   /* [n][len[i]] */
    size_t *len;
    size_t n, cap;
} pieces_t;

static int add_piece(void *ctx, const uint8_t *p, size_t n) {
    pieces_t *ps = ctx;
    if (ps->n == ps->cap) {
        ps->cap = ps->cap ? 2 * ps->cap : 64;
        ps->tok = realloc(ps->tok, ps->cap * sizeof *ps->tok);
        ps->len = realloc(ps->len, ps->cap * sizeof *ps->len);
    }
    ps->tok[ps->n] = malloc((n ? n : 1) * sizeof(int32_t));
    for (size_t i = 0; i < n; i++) ps->tok[ps->n][i] = p[i];
    ps->len[ps->n++] = n;
    return 0;
}

/* Splits like the trainer should: at specials (not kept), then by pattern. */
static void split_text(const uint8_t *text, size_t len, const char *pattern,
                       const char *const *specials, int n_specials, pieces_t *ps) {
    lm_err err;
    lm_pretok *pt = pattern ? lm_pretok_new(pattern, &err) : NULL;
    if (pattern) assert_non_null(pt);
    size_t i = 0;
    while (i < len) {
        /* naive search: first position where some special starts */
        size_t j = i, sl = 0;
        for (; j < len; j++) {
            for (int k = 0; k < n_specials; k++) {
                size_t l = strlen(specials[k]);
                if (j + l <= len && !memcmp(text + j, specials[k], l) && l > sl) sl = l;
            }
            if (sl) break;
        }
        if (j > i) {
            if (pt) assert_int_equal(lm_pretok_split(pt, text + i, j - i, add_piece, ps, &err), 0);
            else add_piece(ps, text + i, j - i);
        }
        i = j + sl;
    }
    lm_pretok_free(pt);
}

static void pieces_free(pieces_t *ps) {
    for (size_t i = 0; i < ps->n; i++) free(ps->tok[i]);
    free(ps->tok); free(ps->len);
    memset(ps, 0, sizeof *ps);
}

/* Applies merge (a, b) -> x left to right in every piece. */
static void replay_merge(pieces_t *ps, int32_t a, int32_t b, int32_t x) {
    for (size_t i = 0; i < ps->n; i++) {
        size_t w = 0;
        for (size_t r = 0; r < ps->len[i]; r++) {
            if (r + 1 < ps->len[i] && ps->tok[i][r] == a && ps->tok[i][r + 1] == b) {
                ps->tok[i][w++] = x;
                r++;
            } else {
                ps->tok[i][w++] = ps->tok[i][r];
            }
        }
        ps->len[i] = w;
    }
}

/* bytes of every id so far, to rebuild token strings */
typedef struct { uint8_t *b[4096]; size_t n[4096]; int n_ids; } vocab_t;

static void vocab_init(vocab_t *v) {
    for (int i = 0; i < 256; i++) { v->b[i] = malloc(1); v->b[i][0] = (uint8_t)i; v->n[i] = 1; }
    v->n_ids = 256;
}
static int vocab_has(const vocab_t *v, const uint8_t *s, size_t n) {
    for (int i = 0; i < v->n_ids; i++)
        if (v->n[i] == n && !memcmp(v->b[i], s, n)) return 1;
    return 0;
}
static void vocab_free(vocab_t *v) { for (int i = 0; i < v->n_ids; i++) free(v->b[i]); }

/* Brute force: the best eligible pair by (count desc, pair asc), count 0 if none. */
static int64_t best_pair(const pieces_t *ps, const vocab_t *v, int32_t *ba, int32_t *bb) {
    int64_t best = 0;
    *ba = *bb = -1;
    /* candidate pairs: scan every adjacency, recount it over everything */
    for (size_t i = 0; i < ps->n; i++)
        for (size_t r = 0; r + 1 < ps->len[i]; r++) {
            int32_t a = ps->tok[i][r], b = ps->tok[i][r + 1];
            int64_t c = 0;
            for (size_t k = 0; k < ps->n; k++)
                for (size_t q = 0; q + 1 < ps->len[k]; q++)
                    c += ps->tok[k][q] == a && ps->tok[k][q + 1] == b;
            if (c < best || (c == best && (a > *ba || (a == *ba && b >= *bb)))) continue;
            uint8_t buf[512];
            if (v->n[a] + v->n[b] > sizeof buf) continue;
            memcpy(buf, v->b[a], v->n[a]);
            memcpy(buf + v->n[a], v->b[b], v->n[b]);
            if (vocab_has(v, buf, v->n[a] + v->n[b])) continue;   /* would duplicate */
            best = c; *ba = a; *bb = b;
        }
    return best;
}

/* decoding ids gives back exactly text[0..len) */
static void assert_decodes_to(const lm_tokenizer *tok, const lm_ids *ids, const void *text, size_t len) {
    uint8_t *dec = NULL;
    size_t dn = 0;
    lm_err err;
    if (lm_tok_decode(tok, ids->ids, ids->n, &dec, &dn, &err)) fail_msg("decode: %s", err.msg);
    assert_int_equal(dn, len);
    assert_memory_equal(dec, text, len);
    free(dec);
}

/* ---- the hand-worked example -------------------------------------------- */

static void test_classic_aaabdaaabac(void **state) {
    (void)state;
    /* a=97 b=98 c=99 d=100. Adjacent pairs of "aaabdaaabac":
     *   aa x4 (overlaps count), ab x2, bd, da, ba, ac x1
     * 1. (97,97) count 4 -> 256 "aa":  aa a b d aa a b a c
     *    pairs now: (256,97) 2, (97,98) 2, (98,100) 1, (100,256) 1, (98,97) 1, (97,99) 1
     * 2. tie at 2: (97,98) < (256,97) -> 257 "ab":  aa ab d aa ab a c
     * 3. (256,257) count 2 -> 258 "aaab":  aaab d aaab a c
     * 4. all count 1: lowest is (97,99) -> 259 "ac":  aaab d aaab ac
     * 5. (100,258) < (258,100) < (258,259) -> 260 "daaab":  aaab daaab ac
     * 6. (258,260) -> 261 "aaabdaaab"   7. (261,259) -> 262 = the whole text
     * then no pair is left, so a target of 256+10 stops after 7 merges. */
    static const int32_t want[7][4] = {
        {97, 97, 4, 256}, {97, 98, 2, 257}, {256, 257, 2, 258}, {97, 99, 1, 259},
        {100, 258, 1, 260}, {258, 260, 1, 261}, {261, 259, 1, 262},
    };
    static const char *want_bytes[7] = {"aa", "ab", "aaab", "ac", "daaab", "aaabdaaab", "aaabdaaabac"};
    const char *text = "aaabdaaabac";
    lm_bpe_train_opts o = {.vocab_size = 256 + 10};
    lm_bpe_merges m;
    lm_err err;
    assert_int_equal(lm_bpe_train((const uint8_t *)text, strlen(text), &o, &m, &err), 0);
    assert_int_equal(m.n_merges, 7);
    assert_int_equal(lm_bpe_merges_vocab_size(&m), 263);
    for (int k = 0; k < 7; k++) {
        assert_int_equal(m.merges[k].left, want[k][0]);
        assert_int_equal(m.merges[k].right, want[k][1]);
        assert_int_equal(m.merges[k].count, want[k][2]);
        assert_int_equal(m.merges[k].id, want[k][3]);
        size_t n;
        const uint8_t *p = lm_bpe_merges_piece(&m, want[k][3], &n);
        assert_non_null(p);
        assert_int_equal(n, strlen(want_bytes[k]));
        assert_memory_equal(p, want_bytes[k], n);
    }
    size_t n;
    const uint8_t *p = lm_bpe_merges_piece(&m, 'q', &n);
    assert_int_equal(n, 1);
    assert_int_equal(p[0], 'q');
    assert_null(lm_bpe_merges_piece(&m, 263, &n));
    assert_null(lm_bpe_merges_piece(&m, -1, &n));
    lm_bpe_merges_free(&m);

    /* target 256 + 3: exactly the first three */
    o.vocab_size = 259;
    assert_int_equal(lm_bpe_train((const uint8_t *)text, strlen(text), &o, &m, &err), 0);
    assert_int_equal(m.n_merges, 3);
    assert_int_equal(m.merges[2].left, 256);
    assert_int_equal(m.merges[2].right, 257);
    lm_bpe_merges_free(&m);
}

/* "aaaa": (a,a) counted 3 times (overlaps), merged left to right into aa aa,
 * then (aa,aa) once. */
static void test_overlapping_runs(void **state) {
    (void)state;
    lm_bpe_train_opts o = {.vocab_size = 256 + 5};
    lm_bpe_merges m;
    lm_err err;
    assert_int_equal(lm_bpe_train((const uint8_t *)"aaaa", 4, &o, &m, &err), 0);
    assert_int_equal(m.n_merges, 2);
    assert_int_equal(m.merges[0].left, 'a');
    assert_int_equal(m.merges[0].count, 3);
    assert_int_equal(m.merges[1].left, 256);
    assert_int_equal(m.merges[1].right, 256);
    assert_int_equal(m.merges[1].count, 1);
    lm_bpe_merges_free(&m);
    /* "aaa": (a,a) twice; after merging: aa a -> (256,97) once */
    assert_int_equal(lm_bpe_train((const uint8_t *)"aaa", 3, &o, &m, &err), 0);
    assert_int_equal(m.n_merges, 2);
    assert_int_equal(m.merges[0].count, 2);
    assert_int_equal(m.merges[1].left, 256);
    assert_int_equal(m.merges[1].right, 'a');
    lm_bpe_merges_free(&m);
}

/* ---- random texts against the brute-force model ------------------------- */

static uint8_t *random_text(lm_rng *r, size_t len, const char *alphabet) {
    uint8_t *t = malloc(len + 1);
    size_t na = strlen(alphabet);
    for (size_t i = 0; i < len; i++) t[i] = (uint8_t)alphabet[lm_rng_below(r, (uint32_t)na)];
    return t;
}

/* Checks a whole trace against the brute-force model and that the trained
 * tokenizer encodes the text to exactly what replaying the merges gives. */
static void check_against_model(const uint8_t *text, size_t len, const char *pattern,
                                int vocab, const char *const *specials, int n_specials) {
    lm_bpe_train_opts o = {.vocab_size = vocab, .pattern = pattern, .specials = specials,
                           .n_specials = n_specials};
    lm_bpe_merges m;
    lm_err err;
    assert_int_equal(lm_bpe_train(text, len, &o, &m, &err), 0);
    pieces_t ps = {0};
    split_text(text, len, pattern, specials, n_specials, &ps);
    vocab_t *v = malloc(sizeof *v);
    vocab_init(v);
    for (int k = 0; k < m.n_merges; k++) {
        int32_t a, b;
        int64_t c = best_pair(&ps, v, &a, &b);
        assert_true(c > 0);
        assert_int_equal(m.merges[k].left, a);
        assert_int_equal(m.merges[k].right, b);
        assert_int_equal(m.merges[k].count, c);
        assert_int_equal(m.merges[k].id, 256 + k);
        size_t n;
        const uint8_t *p = lm_bpe_merges_piece(&m, 256 + k, &n);
        assert_int_equal(n, v->n[a] + v->n[b]);
        assert_memory_equal(p, v->b[a], v->n[a]);
        assert_memory_equal(p + v->n[a], v->b[b], v->n[b]);
        v->b[v->n_ids] = malloc(n);
        memcpy(v->b[v->n_ids], p, n);
        v->n[v->n_ids++] = n;
        replay_merge(&ps, a, b, 256 + k);
    }
    if (m.n_merges < vocab - 256 - n_specials) {   /* stopped early: nothing left */
        int32_t a, b;
        assert_int_equal(best_pair(&ps, v, &a, &b), 0);
    }
    /* with no specials in the way, encoding must equal the replay */
    if (n_specials == 0) {
        lm_tokenizer *tok = lm_bpe_merges_to_tokenizer(&m, NULL, &err);
        assert_non_null(tok);
        lm_ids ids = {0};
        assert_int_equal(lm_tok_encode(tok, text, len, 0, &ids, &err), 0);
        size_t at = 0;
        for (size_t i = 0; i < ps.n; i++)
            for (size_t r = 0; r < ps.len[i]; r++, at++) {
                assert_true(at < ids.n);
                assert_int_equal(ids.ids[at], ps.tok[i][r]);
            }
        assert_int_equal(at, ids.n);
        assert_decodes_to(tok, &ids, text, len);
        lm_ids_free(&ids);
        lm_tok_free(tok);
    }
    vocab_free(v);
    free(v);
    pieces_free(&ps);
    lm_bpe_merges_free(&m);
}

static void test_random_texts_brute_force(void **state) {
    (void)state;
    lm_rng r;
    lm_rng_seed(&r, 1234);
    for (int it = 0; it < 30; it++) {
        size_t len = 20 + lm_rng_below(&r, 200);
        const char *alpha = it % 3 == 0 ? "ab" : it % 3 == 1 ? "abc " : "aab d\n";
        uint8_t *t = random_text(&r, len, alpha);
        check_against_model(t, len, NULL, 256 + 40, NULL, 0);
        check_against_model(t, len, LM_PAT_R50K, 256 + 40, NULL, 0);
        free(t);
    }
}

static void test_random_with_specials(void **state) {
    (void)state;
    const char *const sp[] = {"<|endoftext|>", "<|user|>"};
    lm_rng r;
    lm_rng_seed(&r, 99);
    for (int it = 0; it < 10; it++) {
        char buf[600];
        size_t n = 0;
        while (n < 400) {
            if (lm_rng_below(&r, 8) == 0) {
                const char *s = sp[lm_rng_below(&r, 2)];
                memcpy(buf + n, s, strlen(s));
                n += strlen(s);
            } else {
                buf[n++] = "ab| <>"[lm_rng_below(&r, 6)];
            }
        }
        check_against_model((const uint8_t *)buf, n, it % 2 ? LM_PAT_CL100K : NULL, 256 + 30, sp, 2);
    }
}

static void assert_same_merges(const lm_bpe_merge *x, const lm_bpe_merge *y, int n) {
    for (int k = 0; k < n; k++) {   /* field by field: the struct has padding */
        assert_int_equal(x[k].left, y[k].left);
        assert_int_equal(x[k].right, y[k].right);
        assert_int_equal(x[k].id, y[k].id);
        assert_int_equal(x[k].count, y[k].count);
    }
}

/* ---- a real-ish text --------------------------------------------------- */

static const char *PROSE =
    "The quick brown fox jumps over the lazy dog. The lazy dog sleeps; the fox runs.\n"
    "A language model predicts the next token. Tokens are pieces of words: \"strawberry\"\n"
    "may be str + aw + berry. Byte pair encoding merges the most frequent pair, again\n"
    "and again, until the vocabulary is large enough. Caf\xc3\xa9, na\xc3\xafve, Stra\xc3\x9f" "e, 2024 and 12345.\n";

static uint8_t *prose_text(size_t *len, int reps) {
    size_t pl = strlen(PROSE);
    uint8_t *t = malloc(pl * (size_t)reps + 64);
    size_t n = 0;
    for (int i = 0; i < reps; i++) {
        memcpy(t + n, PROSE, pl);
        n += pl;
        if (i % 3 == 1) t[n++] = (uint8_t)i;   /* a stray byte: NULs and all */
    }
    static const char tail[] = "\xff\xfe<|endoftext|>\xe2\x82";   /* invalid UTF-8 too */
    memcpy(t + n, tail, sizeof tail - 1);
    n += sizeof tail - 1;
    *len = n;
    return t;
}

static void test_vocab_size_exact_and_deterministic(void **state) {
    (void)state;
    size_t len;
    uint8_t *t = prose_text(&len, 40);
    const char *const sp[] = {"<|endoftext|>", "<|user|>", "<|assistant|>", "<|end|>"};
    lm_bpe_train_opts o = {.vocab_size = 400, .pattern = LM_PAT_O200K, .specials = sp, .n_specials = 4};
    lm_bpe_merges m1, m2;
    lm_err err;
    assert_int_equal(lm_bpe_train(t, len, &o, &m1, &err), 0);
    assert_int_equal(m1.n_merges, 400 - 256 - 4);
    assert_int_equal(lm_bpe_merges_vocab_size(&m1), 400);
    assert_false(m1.cancelled);
    assert_true(m1.n_unique > 10 && m1.n_unique < m1.n_pieces);
    assert_int_equal(lm_bpe_train(t, len, &o, &m2, &err), 0);
    assert_int_equal(m2.n_merges, m1.n_merges);
    assert_same_merges(m1.merges, m2.merges, m1.n_merges);
    assert_memory_equal(m1.bytes, m2.bytes, m1.offs[400 - 4]);
    /* counts never increase along the trace for the first merges?  Not in
     * general, but every count is positive and ids run in order */
    for (int k = 0; k < m1.n_merges; k++) {
        assert_true(m1.merges[k].count > 0);
        assert_int_equal(m1.merges[k].id, 256 + k);
    }

    lm_tokenizer *tok = lm_bpe_merges_to_tokenizer(&m1, "mybpe", &err);
    assert_non_null(tok);
    assert_int_equal(lm_tok_vocab_size(tok), 400);
    assert_string_equal(lm_tok_name(tok), "mybpe");
    for (int k = 0; k < 4; k++) assert_int_equal(lm_tok_special_id(tok, sp[k]), 396 + k);
    /* round trip of the training text, specials as text and as markers */
    for (int allow = 0; allow <= 1; allow++) {
        lm_ids ids = {0};
        assert_int_equal(lm_tok_encode(tok, t, len, allow, &ids, &err), 0);
        assert_true(ids.n < len / 2);   /* the vocabulary compresses what it was trained on */
        int saw_special = 0;
        for (size_t i = 0; i < ids.n; i++) saw_special |= ids.ids[i] == 396;
        assert_int_equal(saw_special, allow);
        assert_decodes_to(tok, &ids, t, len);
        lm_ids_free(&ids);
    }
    lm_tok_free(tok);
    lm_bpe_merges_free(&m1);
    lm_bpe_merges_free(&m2);
    free(t);
}

/* ---- progress and cancellation ------------------------------------------ */

typedef struct { int calls, last_done, last_total, stop_at; } prog_t;

static int on_progress(void *user, int done, int total) {
    prog_t *p = user;
    p->calls++;
    assert_true(done > p->last_done || (done == 0 && p->calls == 1));
    p->last_done = done;
    p->last_total = total;
    return p->stop_at && done >= p->stop_at;
}

static void test_progress_and_cancel(void **state) {
    (void)state;
    size_t len;
    uint8_t *t = prose_text(&len, 10);
    prog_t p = {0};
    lm_bpe_train_opts o = {.vocab_size = 256 + 100, .pattern = LM_PAT_R50K,
                           .progress = on_progress, .progress_user = &p, .progress_every = 10};
    lm_bpe_merges m;
    lm_err err;
    assert_int_equal(lm_bpe_train(t, len, &o, &m, &err), 0);
    assert_int_equal(m.n_merges, 100);
    assert_int_equal(p.calls, 10);   /* at 10, 20, ..., 90 and once at the end (100) */
    assert_int_equal(p.last_done, 100);
    assert_int_equal(p.last_total, 100);
    lm_bpe_merge first[30];
    memcpy(first, m.merges, sizeof first);
    lm_bpe_merges_free(&m);

    p = (prog_t){.stop_at = 30};
    err.msg[0] = 0;
    assert_int_equal(lm_bpe_train(t, len, &o, &m, &err), -1);
    assert_true(m.cancelled);
    assert_int_equal(m.n_merges, 30);
    assert_int_equal(p.calls, 3);
    assert_non_null(strstr(err.msg, "cancel"));
    assert_same_merges(m.merges, first, 30);   /* the partial trace is valid */
    lm_tokenizer *tok = lm_bpe_merges_to_tokenizer(&m, NULL, &err);   /* and usable */
    assert_non_null(tok);
    assert_int_equal(lm_tok_vocab_size(tok), 256 + 30);
    lm_tok_free(tok);
    lm_bpe_merges_free(&m);
    free(t);
}

/* ---- bad input ------------------------------------------------------------ */

static void test_bad_options(void **state) {
    (void)state;
    lm_bpe_merges m;
    lm_err err;
    lm_bpe_train_opts o = {.vocab_size = 255};
    err.msg[0] = 0;
    assert_int_equal(lm_bpe_train((const uint8_t *)"ab", 2, &o, &m, &err), -1);
    assert_non_null(strstr(err.msg, "vocabulary size"));
    const char *const sp[] = {"<|x|>", "<|x|>"};
    o = (lm_bpe_train_opts){.vocab_size = 300, .specials = sp, .n_specials = 2};
    assert_int_equal(lm_bpe_train((const uint8_t *)"ab", 2, &o, &m, &err), -1);
    assert_non_null(strstr(err.msg, "twice"));
    o = (lm_bpe_train_opts){.vocab_size = 257, .specials = sp, .n_specials = 2};
    assert_int_equal(lm_bpe_train((const uint8_t *)"ab", 2, &o, &m, &err), -1);
    o = (lm_bpe_train_opts){.vocab_size = 300, .pattern = "(unclosed"};
    assert_int_equal(lm_bpe_train((const uint8_t *)"ab", 2, &o, &m, &err), -1);
    o = (lm_bpe_train_opts){.vocab_size = 300};
    assert_int_equal(lm_bpe_train(NULL, 5, &o, &m, &err), -1);
    lm_bpe_merges_free(&m);   /* harmless after a failure */
    /* empty text: no merges, not an error */
    assert_int_equal(lm_bpe_train((const uint8_t *)"", 0, &o, &m, &err), 0);
    assert_int_equal(m.n_merges, 0);
    lm_bpe_merges_free(&m);
    const char *pat;
    assert_int_equal(lm_bpe_pattern_by_name("gpt2", &pat, &err), 0);
    assert_ptr_equal(pat, LM_PAT_R50K);
    assert_int_equal(lm_bpe_pattern_by_name("none", &pat, &err), 0);
    assert_null(pat);
    assert_int_equal(lm_bpe_pattern_by_name("nope", &pat, &err), -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classic_aaabdaaabac),
        cmocka_unit_test(test_overlapping_runs),
        cmocka_unit_test(test_random_texts_brute_force),
        cmocka_unit_test(test_random_with_specials),
        cmocka_unit_test(test_vocab_size_exact_and_deterministic),
        cmocka_unit_test(test_progress_and_cancel),
        cmocka_unit_test(test_bad_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
