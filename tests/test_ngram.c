/* test_ngram.c - the n-gram model (models/ngram/ngram.h): counts checked by
 * hand on a tiny text; the language-model contract (nll equals the sum of
 * -log softmax(next_logits), position by position); every distribution
 * sums to 1 with every p > 0; a model file round-trips exactly and counting
 * on after a load equals counting in one go; hostile files (every config
 * field and row check) are refused with a message naming the problem; the
 * counting objective (train/obj_ngram.h) counts what direct counting does,
 * scores an empty model at ln V, and its checkpoint leaves no .opt file.
 * (tests/ngram_ref_test.py checks the probabilities against Python.) */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "data/holdout.h"
#include "io/crc32.h"
#include "models/lmodel.h"
#include "models/ngram/ngram.h"
#include "train/obj_ngram.h"
#include "tmpdir_fixture.h"

static char dir[256];

static int setup(void **state) {
    (void)state;
    return tmpdir_make(dir, sizeof dir, "ngram");
}

static int teardown(void **state) {
    (void)state;
    return tmpdir_remove(dir);
}

static void path_of(char *out, size_t cap, const char *name) { snprintf(out, cap, "%s/%s", dir, name); }

static const char TEXT[] = "abracadabra, a cabbage; abracadabra! barbara dabbed a crab, a bad cab.";

/* TEXT's bytes as ids (the byte tokeniser's) */
static size_t text_ids(int32_t *ids, size_t cap) {
    size_t n = strlen(TEXT);
    assert_true(n <= cap);
    for (size_t i = 0; i < n; i++) ids[i] = (uint8_t)TEXT[i];
    return n;
}

static lm_ngram *counted(int order, lm_ngram_smoothing s) {
    lm_ngram_config c = {order, s, 1.0f, 0};
    lm_err err = {{0}};
    lm_ngram *g = lm_ngram_new(&c, 256, &err);
    assert_non_null(g);
    int32_t ids[128];
    size_t n = text_ids(ids, 128);
    assert_int_equal(lm_ngram_count(g, ids, n, &err), 0);
    return g;
}

/* ---- counts by hand ---- */

static void test_counts_by_hand(void **state) {
    (void)state;
    lm_ngram_config c = {3, LM_NGRAM_KN, 1, 0};
    lm_err err = {{0}};
    lm_ngram *g = lm_ngram_new(&c, 256, &err);
    const int32_t abcab[5] = {'a', 'b', 'c', 'a', 'b'};
    assert_int_equal(lm_ngram_count(g, abcab, 5, &err), 0);
    /* a b c a b: unigrams a 2, b 2, c 1; bigrams ab 2, bc 1, ca 1; trigrams abc, bca, cab */
    assert_int_equal(lm_ngram_tokens(g), 5);
    assert_int_equal(lm_ngram_rows(g, 1), 3);
    assert_int_equal(lm_ngram_rows(g, 2), 3);
    assert_int_equal(lm_ngram_rows(g, 3), 3);
    assert_int_equal(lm_ngram_count_of(g, (int32_t[]){'a'}, 1), 2);
    assert_int_equal(lm_ngram_count_of(g, (int32_t[]){'c'}, 1), 1);
    assert_int_equal(lm_ngram_count_of(g, (int32_t[]){'a', 'b'}, 2), 2);
    assert_int_equal(lm_ngram_count_of(g, (int32_t[]){'b', 'a'}, 2), 0);
    assert_int_equal(lm_ngram_count_of(g, (int32_t[]){'c', 'a', 'b'}, 3), 1);
    /* context "a": counted twice, followed twice, both times by b */
    lm_ngram_context cc;
    int32_t next[4];
    uint32_t cnt[4];
    int got = 0;
    assert_int_equal(lm_ngram_context_counts(g, (int32_t[]){'a'}, 1, &cc, next, cnt, 4, &got, &err), 0);
    assert_true(cc.found);
    assert_int_equal(cc.count, 2);
    assert_int_equal(cc.followed, 2);   /* a b, a b */
    assert_int_equal(cc.distinct, 1);
    assert_int_equal(got, 1);
    assert_int_equal(next[0], 'b');
    assert_int_equal(cnt[0], 2);
    /* context "b": counted twice, followed once (by c): the text ends after the second b */
    assert_int_equal(lm_ngram_context_counts(g, (int32_t[]){'b'}, 1, &cc, NULL, NULL, 0, NULL, &err), 0);
    assert_int_equal(cc.count, 2);
    assert_int_equal(cc.followed, 1);
    /* add-one at order 3 after "c a": (c(cab) + 1) / (c(ca.) + V) = 2 / 257 */
    assert_int_equal(lm_ngram_set_query(g, 3, LM_NGRAM_ADDK, 1, 0, &err), 0);
    assert_true(fabs(lm_ngram_prob(g, (int32_t[]){'c', 'a'}, 2, 'b') - 2.0 / 257) < 1e-15);
    assert_true(fabs(lm_ngram_prob(g, (int32_t[]){'c', 'a'}, 2, 'z') - 1.0 / 257) < 1e-15);
    /* an unseen context: uniform */
    assert_true(fabs(lm_ngram_prob(g, (int32_t[]){'z', 'z'}, 2, 'a') - 1.0 / 256) < 1e-15);
    /* Kneser-Ney, fixed discount 0.5, order 2, after "c": level 1 uses continuation counts:
     * a follows c only, b follows a only, c follows b only: a(a) = a(b) = a(c) = 1, A = 3,
     * gamma_1 = 0.5 * 3 / 3; p_1(a) = 0.5/3 + 0.5/256. Level 2 (top, raw): c is followed
     * by a once: p_2(a) = (1 - 0.5)/1 + 0.5 * p_1(a) */
    assert_int_equal(lm_ngram_set_query(g, 2, LM_NGRAM_KN, 1, 0.5f, &err), 0);
    double p1 = 0.5 / 3 + 0.5 / 256, want = 0.5 + 0.5 * p1;
    assert_true(fabs(lm_ngram_prob(g, (int32_t[]){'c'}, 1, 'a') - want) < 1e-15);
    lm_ngram_free(g);
}

/* ---- the language-model contract ---- */

static double log_softmax_at(const float *logits, int V, int id) {
    double mx = logits[0], s = 0;
    for (int i = 1; i < V; i++) mx = logits[i] > mx ? logits[i] : mx;
    for (int i = 0; i < V; i++) s += exp(logits[i] - mx);
    return logits[id] - mx - log(s);
}

static void save_model(lm_ngram *g, const char *name, char *path, size_t cap) {
    path_of(path, cap, name);
    lm_err err = {{0}};
    if (lm_ngram_save(g, NULL, 0, "made_by=test_ngram\n", 3, path, &err) != 0) fail_msg("%s", err.msg);
}

static void test_nll_matches_next_logits(void **state) {
    (void)state;
    lm_ngram *g = counted(4, LM_NGRAM_MKN);
    char path[300];
    save_model(g, "contract.llm", path, sizeof path);
    lm_ngram_free(g);
    lm_err err = {{0}};
    lm_lmodel *lm = lm_lmodel_open(path, &err);
    if (!lm) fail_msg("%s", err.msg);
    assert_string_equal(lm->kind, "ngram");
    assert_int_equal(lm->vocab, 256);
    assert_non_null(strstr(lm->metadata, "made_by=test_ngram"));
    assert_non_null(lm_ngram_of(lm));
    const char *s = "a cab, abracadabra! zebra";   /* seen and unseen n-grams */
    int32_t ids[32];
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i++) ids[i] = (uint8_t)s[i];
    static const lm_ngram_smoothing S[3] = {LM_NGRAM_ADDK, LM_NGRAM_KN, LM_NGRAM_MKN};
    float logits[256];
    for (int k = 0; k < 3; k++)
        for (int order = 1; order <= 4; order++) {
            assert_int_equal(lm_ngram_set_query(lm_ngram_of(lm), order, S[k], 0.5f, 0, &err), 0);
            double nll = 0, want = 0;
            assert_int_equal(lm->ops->nll(lm, ids, n, &nll, &err), 0);
            for (size_t i = 1; i < n; i++) {
                assert_int_equal(lm->ops->next_logits(lm, ids, i, logits, &err), 0);
                want -= log_softmax_at(logits, 256, ids[i]);
            }
            assert_true(nll > (double)(n - 1) * 0.5);   /* not a zero that trivially agrees */
            assert_true(fabs(nll - want) < 1e-5 * want);
        }
    lm_lmodel_free(lm);
}

static void test_distributions_sum_to_one(void **state) {
    (void)state;
    lm_ngram *g = counted(3, LM_NGRAM_KN);
    const char *ctx[] = {"", "a", "ab", "zq", "a ca", "bra", "\xff\xfe", "abracadabra"};
    static const lm_ngram_smoothing S[3] = {LM_NGRAM_ADDK, LM_NGRAM_KN, LM_NGRAM_MKN};
    double p[256];
    lm_err err = {{0}};
    for (int k = 0; k < 3; k++)
        for (int order = 1; order <= 3; order++)
            for (size_t c = 0; c < sizeof ctx / sizeof ctx[0]; c++) {
                assert_int_equal(lm_ngram_set_query(g, order, S[k], 0.25f, 0, &err), 0);
                int32_t ids[16];
                size_t n = strlen(ctx[c]);
                for (size_t i = 0; i < n; i++) ids[i] = (uint8_t)ctx[c][i];
                lm_ngram_dist(g, ids, n, p);
                double sum = 0, mn = 1;
                for (int i = 0; i < 256; i++) {
                    sum += p[i];
                    mn = p[i] < mn ? p[i] : mn;
                    assert_true(fabs(p[i] - lm_ngram_prob(g, ids, n, i)) < 1e-15);
                }
                assert_true(fabs(sum - 1) < 1e-12);
                assert_true(mn > 0);
            }
    lm_ngram_free(g);
}

/* ---- files ---- */

static void test_round_trip(void **state) {
    (void)state;
    int32_t ids[128];
    size_t n = text_ids(ids, 128);
    lm_err err = {{0}};
    lm_ngram_config c = {4, LM_NGRAM_MKN, 0.5f, 0};
    lm_ngram *half = lm_ngram_new(&c, 256, &err), *whole = lm_ngram_new(&c, 256, &err);
    assert_int_equal(lm_ngram_count(half, ids, n / 2, &err), 0);
    assert_int_equal(lm_ngram_count(whole, ids, n, &err), 0);
    char path[300];
    save_model(half, "half.llm", path, sizeof path);
    lm_file_parts p;
    assert_int_equal(lm_load_parts(&p, path, &err), 0);
    assert_int_equal(p.adam_t, 3);
    lm_ngram *back = lm_ngram_from_parts(&p, &err);
    if (!back) fail_msg("%s", err.msg);
    lm_file_parts_free(&p);
    /* the same probabilities, bit for bit */
    double a[256], b[256];
    for (size_t k = 0; k < n; k += 5) {
        lm_ngram_dist(half, ids, k, a);
        lm_ngram_dist(back, ids, k, b);
        assert_memory_equal(a, b, sizeof a);
    }
    assert_int_equal(lm_ngram_config_of(back)->smoothing, LM_NGRAM_MKN);
    assert_true(lm_ngram_config_of(back)->k == 0.5f);
    /* counting on after the load continues the stream: the counts of counting in one go */
    assert_int_equal(lm_ngram_count(back, ids + n / 2, n - n / 2, &err), 0);
    uint8_t c1[LM_NGRAM_CONFIG_BYTES], c2[LM_NGRAM_CONFIG_BYTES];
    float *r1, *r2;
    uint64_t n1, n2;
    assert_int_equal(lm_ngram_serialize(back, c1, &r1, &n1, &err), 0);
    assert_int_equal(lm_ngram_serialize(whole, c2, &r2, &n2, &err), 0);
    assert_int_equal(n1, n2);
    assert_memory_equal(c1, c2, sizeof c1);
    assert_memory_equal(r1, r2, n1 * sizeof *r1);
    free(r1), free(r2);
    lm_ngram_free(half), lm_ngram_free(whole), lm_ngram_free(back);
}

/* the bytes of a saved 3-gram file, and where its config and rows are */
typedef struct {
    uint8_t *b;
    size_t len, params_at;
    uint32_t rows[4];
} file_bytes;

static void load_bytes(file_bytes *f) {
    lm_ngram *g = counted(3, LM_NGRAM_KN);
    char path[300];
    save_model(g, "hostile.llm", path, sizeof path);
    for (int n = 1; n <= 3; n++) f->rows[n] = lm_ngram_rows(g, n);
    uint64_t np = 3 * lm_ngram_total_rows(g);
    lm_ngram_free(g);
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    f->len = (size_t)ftell(fp);
    rewind(fp);
    f->b = malloc(f->len);
    assert_int_equal(fread(f->b, 1, f->len, fp), f->len);
    fclose(fp);
    f->params_at = f->len - 4 - 4 * np;
}

static void put32(uint8_t *b, uint32_t v) {
    for (int i = 0; i < 4; i++) b[i] = (uint8_t)(v >> (8 * i));
}
static uint32_t get32(const uint8_t *b) { return b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24; }
static void putf(uint8_t *b, float v) {
    uint32_t u;
    memcpy(&u, &v, 4);
    put32(b, u);
}
static float getf(const uint8_t *b) {
    uint32_t u = get32(b);
    float v;
    memcpy(&v, &u, 4);
    return v;
}

#define CONFIG 56   /* prefix 16 + the v2 header's common 40 (modelfile.h) */
/* field `field` (0 context row, 1 id, 2 count) of row `row` of level `lev` */
static size_t row_at(const file_bytes *f, int lev, uint32_t row, int field) {
    size_t r = row;
    for (int n = 1; n < lev; n++) r += f->rows[n];
    return f->params_at + 4 * (3 * r + (size_t)field);
}

/* the file with one change (and a right checksum) must fail to open, naming `want` */
static void refused(const file_bytes *f, void (*patch)(const file_bytes *, uint8_t *), const char *want) {
    uint8_t *b = malloc(f->len);
    memcpy(b, f->b, f->len);
    patch(f, b);
    put32(b + f->len - 4, lm_crc32(0, b, f->len - 4));
    char path[300];
    path_of(path, sizeof path, "patched.llm");
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(b, 1, f->len, fp), f->len);
    fclose(fp);
    free(b);
    lm_err err = {{0}};
    lm_lmodel *lm = lm_lmodel_open(path, &err);
    if (lm) fail_msg("a hostile file opened (wanted: %s)", want);
    if (!strstr(err.msg, want)) fail_msg("message \"%s\" does not say \"%s\"", err.msg, want);
    assert_non_null(strstr(err.msg, path));   /* the message names the file */
}

static void p_order0(const file_bytes *f, uint8_t *b) { (void)f; put32(b + CONFIG, 0); }
static void p_order9(const file_bytes *f, uint8_t *b) { (void)f; put32(b + CONFIG, 9); }
static void p_smooth(const file_bytes *f, uint8_t *b) { (void)f; put32(b + CONFIG + 4, 7); }
static void p_k_nan(const file_bytes *f, uint8_t *b) { (void)f; putf(b + CONFIG + 8, NAN); }
static void p_k_zero(const file_bytes *f, uint8_t *b) { (void)f; putf(b + CONFIG + 8, 0); }
static void p_disc(const file_bytes *f, uint8_t *b) { (void)f; putf(b + CONFIG + 12, 1.5f); }
static void p_vocab0(const file_bytes *f, uint8_t *b) { (void)f; put32(b + CONFIG + 16, 0); }
static void p_vocab_big(const file_bytes *f, uint8_t *b) { (void)f; put32(b + CONFIG + 16, (1u << 24) + 1); }
static void p_tokens(const file_bytes *f, uint8_t *b) { (void)f; put32(b + CONFIG + 20, 1u << 24); }
static void p_rows(const file_bytes *f, uint8_t *b) { put32(b + CONFIG + 24, f->rows[1] + 1); }
static void p_rows4(const file_bytes *f, uint8_t *b) { (void)f; put32(b + CONFIG + 24 + 12, 1); }
static void p_tail_len(const file_bytes *f, uint8_t *b) { (void)f; put32(b + CONFIG + 56, 1); }
static void p_tail_id(const file_bytes *f, uint8_t *b) { (void)f; put32(b + CONFIG + 60, 300); }
static void p_tail_slot(const file_bytes *f, uint8_t *b) { (void)f; put32(b + CONFIG + 60 + 4 * 5, 0); }
static void p_tail_unseen(const file_bytes *f, uint8_t *b) { (void)f; put32(b + CONFIG + 64, 0xfe); }
static void p_count_frac(const file_bytes *f, uint8_t *b) { putf(b + row_at(f, 2, 0, 2), 1.5f); }
static void p_count_zero(const file_bytes *f, uint8_t *b) { putf(b + row_at(f, 3, 1, 2), 0); }
static void p_ctx_row(const file_bytes *f, uint8_t *b) { putf(b + row_at(f, 2, f->rows[2] - 1, 0), (float)f->rows[1]); }
static void p_id(const file_bytes *f, uint8_t *b) { putf(b + row_at(f, 1, f->rows[1] - 1, 1), 256); }
static void p_unsorted(const file_bytes *f, uint8_t *b) {   /* rows 0 and 1 of level 1 swapped */
    uint8_t t[12];
    memcpy(t, b + row_at(f, 1, 0, 0), 12);
    memcpy(b + row_at(f, 1, 0, 0), b + row_at(f, 1, 1, 0), 12);
    memcpy(b + row_at(f, 1, 1, 0), t, 12);
}
static void p_duplicate(const file_bytes *f, uint8_t *b) {   /* row 1 of level 2 given row 0's key */
    memcpy(b + row_at(f, 2, 1, 0), b + row_at(f, 2, 0, 0), 8);
}
static void p_sum1(const file_bytes *f, uint8_t *b) {   /* a level-1 count one lower (the first that is >= 2) */
    for (uint32_t r = 0; r < f->rows[1]; r++) {
        float c = getf(b + row_at(f, 1, r, 2));
        if (c >= 2) {
            putf(b + row_at(f, 1, r, 2), c - 1);
            return;
        }
    }
    fail_msg("no level-1 count of 2 or more");
}
static void p_sum2(const file_bytes *f, uint8_t *b) {   /* a level-2 count as large as all the tokens */
    putf(b + row_at(f, 2, 0, 2), (float)strlen(TEXT));
}
static void p_no_suffix(const file_bytes *f, uint8_t *b) {   /* the last 3-gram ends in a byte never seen */
    putf(b + row_at(f, 3, f->rows[3] - 1, 1), 255);
}
static void p_nan(const file_bytes *f, uint8_t *b) { putf(b + row_at(f, 1, 0, 2), NAN); }

static void test_hostile_files_refused(void **state) {
    (void)state;
    file_bytes f;
    load_bytes(&f);
    refused(&f, p_order0, "the order N is 0");
    refused(&f, p_order9, "the order N is 9");
    refused(&f, p_smooth, "unknown smoothing 7");
    refused(&f, p_k_nan, "add-k's k is nan");
    refused(&f, p_k_zero, "add-k's k is 0");
    refused(&f, p_disc, "the discount is 1.5");
    refused(&f, p_vocab0, "vocabulary 0 is not in 1..2^24");
    refused(&f, p_vocab_big, "vocabulary 16777217");
    refused(&f, p_tokens, "16777216 tokens counted, at most 2^24 - 1");
    refused(&f, p_rows, "3 per row");
    refused(&f, p_rows4, "rows of order 4 in a 3-gram model");
    refused(&f, p_tail_len, "the stream's tail holds 1 ids, not 2");
    refused(&f, p_tail_id, "tail id 300 is outside the vocabulary");
    refused(&f, p_tail_slot, "unused tail slot 5 holds 0");
    refused(&f, p_tail_unseen, "the last 1 tokens counted are not among the 1-grams");
    refused(&f, p_count_frac, "order-2 row 0: count 1.5 is not in 1..");
    refused(&f, p_count_zero, "order-3 row 1: count 0 is not in 1..");
    refused(&f, p_ctx_row, "is not a row of order 1");
    refused(&f, p_id, "token id 256 is not in 0..255");
    refused(&f, p_unsorted, "order-1 row 1 is not after row 0");
    refused(&f, p_duplicate, "order-2 row 1 is not after row 0");
    refused(&f, p_sum1, "the order-1 counts add up to");
    refused(&f, p_sum2, "the order-2 counts add up to more than");
    refused(&f, p_no_suffix, "has no order-2 row for its last 2 tokens");
    refused(&f, p_nan, "not finite");
    free(f.b);
}

static void test_counting_limits(void **state) {
    (void)state;
    lm_ngram *g = counted(2, LM_NGRAM_KN);
    uint32_t before = lm_ngram_tokens(g);
    lm_err err = {{0}};
    const int32_t bad[3] = {'a', 256, 'b'};
    assert_int_equal(lm_ngram_count(g, bad, 3, &err), -1);
    assert_non_null(strstr(err.msg, "token id 256 at position 1 is outside the vocabulary"));
    assert_int_equal(lm_ngram_tokens(g), before);   /* nothing counted */
    const int32_t neg[1] = {-1};
    assert_int_equal(lm_ngram_count(g, neg, 1, &err), -1);
    /* past 2^24 - 1 tokens is refused before any id is read */
    assert_int_equal(lm_ngram_count(g, bad, LM_NGRAM_MAX_TOKENS, &err), -1);
    assert_non_null(strstr(err.msg, "below 2^24"));
    lm_ngram_config c = {0, LM_NGRAM_KN, 1, 0};
    assert_null(lm_ngram_new(&c, 256, &err));
    c.order = 2;
    c.k = 0;
    assert_null(lm_ngram_new(&c, 256, &err));
    c.k = 1;
    assert_null(lm_ngram_new(&c, 0, &err));
    assert_int_equal(lm_ngram_set_query(g, 3, LM_NGRAM_KN, 1, 0, &err), -1);   /* above the counted N */
    assert_non_null(strstr(err.msg, "up to 2"));
    lm_ngram_free(g);
}

/* ---- the counting objective ---- */

static void test_objective_counts_and_saves(void **state) {
    (void)state;
    char text[300], out[300], opt[310];
    path_of(text, sizeof text, "corpus.txt");
    path_of(out, sizeof out, "counted.llm");
    snprintf(opt, sizeof opt, "%s.opt", out);
    FILE *fp = fopen(text, "w");
    for (int i = 0; i < 30; i++) fprintf(fp, "%s %d\n<|endoftext|>\n", TEXT, i % 7);
    fclose(fp);
    fp = fopen(opt, "w");   /* a stale optimizer file the save must remove */
    fputs("stale", fp);
    fclose(fp);
    lm_err err = {{0}};
    lm_tokenizer *t = lm_tok_byte_new();
    lm_ngram_config c = {3, LM_NGRAM_KN, 1, 0};
    lm_objective *o = lm_obj_ngram_new(&c, 4, &err);
    assert_non_null(o);
    assert_true(o->ops->trainee != NULL);   /* it trains a model of its own */
    lm_data_opts d = {.train_path = text, .T = 32};
    if (o->ops->prepare(o, t, &d, &err)) fail_msg("%s", err.msg);
    lm_trainee tr;
    assert_int_equal(o->ops->trainee(o, &tr, &err), 0);
    for (int s = 0; s < 4; s++) {
        lm_figures f = {0};
        assert_int_equal(tr.adam_t(tr.self), s);
        assert_int_equal(o->ops->next_batch(o, s, &err), 0);
        assert_int_equal(o->ops->step(o, NULL, NULL, &f, &err), 0);
        double loss = lm_figures_get(&f, "loss");
        if (s == 0) assert_true(fabs(loss - log(256.0)) < 1e-9);   /* nothing counted yet: uniform */
        else assert_true(loss < log(256.0));
    }
    assert_int_equal(o->ops->next_batch(o, 4, &err), -1);   /* past the last chunk */
    lm_figures v = {0};
    assert_int_equal(o->ops->validate(o, NULL, &v, &err), 0);
    double vl = lm_figures_get(&v, "val_loss");
    assert_true(vl > 0 && vl < log(256.0));
    assert_true(fabs(lm_figures_get(&v, "val_ppl") - exp(vl)) < 1e-9);
    assert_int_equal(tr.save(tr.self, "kind=ngram\n", out, &err), 0);
    assert_int_equal(access(opt, F_OK), -1);   /* no optimizer state: none written, the stale one gone */
    /* the file holds what counting the training part directly gives */
    lm_token_stream train, val;
    assert_int_equal(lm_stream_load(&train, t, text, &err), 0);
    assert_int_equal(lm_stream_holdout(&train, &val, 32, &err), 0);
    assert_true(val.n > 0);
    lm_ngram *direct = lm_ngram_new(&c, 256, &err);
    assert_int_equal(lm_ngram_count(direct, train.ids, train.n, &err), 0);
    lm_file_parts p;
    assert_int_equal(lm_load_parts(&p, out, &err), 0);
    assert_int_equal(p.adam_t, 4);   /* the chunks counted */
    lm_ngram *saved = lm_ngram_from_parts(&p, &err);
    assert_non_null(saved);
    uint8_t c1[LM_NGRAM_CONFIG_BYTES], c2[LM_NGRAM_CONFIG_BYTES];
    float *r1, *r2;
    uint64_t n1, n2;
    assert_int_equal(lm_ngram_serialize(saved, c1, &r1, &n1, &err), 0);
    assert_int_equal(lm_ngram_serialize(direct, c2, &r2, &n2, &err), 0);
    assert_int_equal(n1, n2);
    assert_memory_equal(c1, c2, sizeof c1);
    assert_memory_equal(r1, r2, n1 * sizeof *r1);
    free(r1), free(r2);
    lm_file_parts_free(&p);
    lm_ngram_free(saved), lm_ngram_free(direct);
    lm_stream_free(&train), lm_stream_free(&val);
    lm_objective_free(o);
    lm_tok_free(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts_by_hand),
        cmocka_unit_test(test_nll_matches_next_logits),
        cmocka_unit_test(test_distributions_sum_to_one),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_hostile_files_refused),
        cmocka_unit_test(test_counting_limits),
        cmocka_unit_test(test_objective_counts_and_saves),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
