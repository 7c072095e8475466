/* test_embedding.c - embedding geometry (nn/embedding.h) on tables whose
 * answers are known by hand: cosine, neighbours (order, ties, the query
 * left out, k clipped), the analogy (a, b, c left out; the unit-vector
 * target), PCA (a line, a rectangle, the sign rule, the variance shares,
 * errors), and lm_embed_word's rule for turning a word into one token
 * (models/gpt/embed.h). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "models/gpt/embed.h"
#include "nn/embedding.h"

static const char *const names[] = {"man", "woman", "king", "queen", "apple", "zero", "man2"};

static const uint8_t *label(const void *ctx, int32_t id, size_t *len) {
    (void)ctx;
    *len = strlen(names[id]);
    return (const uint8_t *)names[id];
}

/* man, woman, king, queen, apple (unit rows, king and queen at 45 degrees),
 * a zero row and a longer copy of man */
#define R2 0.70710678f
static const float table[7 * 3] = {
    1, 0, 0,  0, 1, 0,  R2, 0, R2,  0, R2, R2,  0, 0, 1,  0, 0, 0,  3, 0, 0,
};

static void open_table(lm_emb_space *s) {
    assert_int_equal(lm_emb_open(s, table, 7, 3, label, NULL, NULL), 0);
}

static void test_cosine(void **state) {
    (void)state;
    lm_emb_space s;
    open_table(&s);
    assert_true(fabsf(lm_emb_cosine(&s, 0, 1)) < 1e-7f);       /* orthogonal */
    assert_true(fabsf(lm_emb_cosine(&s, 0, 6) - 1) < 1e-7f);   /* same direction, any length */
    assert_true(fabsf(lm_emb_cosine(&s, 0, 2) - R2) < 1e-6f);
    assert_true(fabsf(lm_emb_cosine(&s, 2, 3) - 0.5f) < 1e-6f);
    assert_true(lm_emb_cosine(&s, 5, 0) == 0.0f);              /* a zero row */
    assert_true(fabsf(s.norm[6] - 3) < 1e-6f);
    assert_int_equal(lm_emb_find(&s, (const uint8_t *)"queen", 5), 3);
    assert_int_equal(lm_emb_find(&s, (const uint8_t *)"que", 3), -1);
    lm_emb_close(&s);
}

static void test_neighbours(void **state) {
    (void)state;
    lm_emb_space s;
    open_table(&s);
    lm_emb_hits h;
    assert_int_equal(lm_emb_neighbours(&s, 0, 3, &h, NULL), 0);
    assert_int_equal(h.k, 3);
    assert_int_equal(h.id[0], 6);   /* man2: cosine 1 */
    assert_int_equal(h.id[1], 2);   /* king: 0.707 */
    assert_true(fabsf(h.sim[1] - R2) < 1e-6f);
    /* woman, queen, apple and zero all have cosine 0 with man: the tie goes to the lowest id */
    assert_int_equal(h.id[2], 1);
    lm_emb_hits_free(&h);
    /* k larger than the rest: every other row, the query never among them */
    assert_int_equal(lm_emb_neighbours(&s, 4, 100, &h, NULL), 0);
    assert_int_equal(h.k, 6);
    for (int i = 0; i < h.k; i++) assert_int_not_equal(h.id[i], 4);
    for (int i = 1; i < h.k; i++) assert_true(h.sim[i - 1] >= h.sim[i]);
    lm_emb_hits_free(&h);
    lm_err err;
    assert_int_equal(lm_emb_neighbours(&s, 7, 3, &h, &err), -1);
    assert_non_null(strstr(err.msg, "outside the table"));
    lm_emb_close(&s);
}

static void test_analogy(void **state) {
    (void)state;
    lm_emb_space s;
    open_table(&s);
    lm_emb_hits h;
    /* man is to king as woman is to ? -> queen (king - man + woman) */
    assert_int_equal(lm_emb_analogy(&s, 0, 2, 1, 4, &h, NULL), 0);
    assert_int_equal(h.id[0], 3);
    /* the target (R2 - 1, 1, R2) / |.|, its cosine with queen */
    double t[3] = {R2 - 1.0, 1.0, R2}, n = sqrt(t[0] * t[0] + t[1] * t[1] + t[2] * t[2]);
    assert_true(fabs(h.sim[0] - (t[1] * R2 + t[2] * R2) / n) < 1e-6);
    for (int i = 0; i < h.k; i++) assert_true(h.id[i] != 0 && h.id[i] != 1 && h.id[i] != 2);
    lm_emb_hits_free(&h);
    /* unit vectors: man2 (3x longer) as a gives the same answer as man */
    assert_int_equal(lm_emb_analogy(&s, 6, 2, 1, 1, &h, NULL), 0);
    assert_int_equal(h.id[0], 3);
    lm_emb_hits_free(&h);
    lm_emb_close(&s);
}

static void test_pca_line_and_rectangle(void **state) {
    (void)state;
    /* rows 0-3: a rectangle (+-2, +-1) in the plane z = 5, turned by 30 degrees
     * in x-y; rows 4-6: three points on a line */
    float E[7 * 3];
    const float c = cosf((float)M_PI / 6), sn = sinf((float)M_PI / 6);
    const float rect[4][2] = {{2, 1}, {-2, 1}, {-2, -1}, {2, -1}};
    for (int i = 0; i < 4; i++) {
        E[i * 3 + 0] = 7 + c * rect[i][0] - sn * rect[i][1];
        E[i * 3 + 1] = -3 + sn * rect[i][0] + c * rect[i][1];
        E[i * 3 + 2] = 5;
    }
    const float line[3] = {-1, 0, 4};
    for (int i = 0; i < 3; i++) { E[(4 + i) * 3] = 1 + line[i]; E[(4 + i) * 3 + 1] = 2 + 2 * line[i]; E[(4 + i) * 3 + 2] = 0; }
    lm_emb_space s;
    assert_int_equal(lm_emb_open(&s, E, 7, 3, NULL, NULL, NULL), 0);
    lm_emb_pca p;
    int32_t ids[4] = {0, 1, 2, 3};
    assert_int_equal(lm_emb_pca2(&s, ids, 4, &p, NULL), 0);
    assert_true(fabs(p.var[0] - 0.8) < 1e-6 && fabs(p.var[1] - 0.2) < 1e-6);   /* 4 : 1 */
    for (int i = 0; i < 4; i++) {
        assert_true(fabsf(fabsf(p.xy[i * 2]) - 2) < 1e-5f);
        assert_true(fabsf(fabsf(p.xy[i * 2 + 1]) - 1) < 1e-5f);
    }
    /* the sign rule: on a tie of distances, the first point is positive */
    assert_true(p.xy[0] > 0 && p.xy[1] > 0);
    /* the rectangle's shape is kept: points 0 and 1 differ in PC1, 1 and 2 in PC2 */
    assert_true(p.xy[2] < 0 && p.xy[3] > 0 && p.xy[5] < 0);
    lm_emb_pca_free(&p);
    int32_t lids[3] = {4, 5, 6};   /* mean at line = 1: coordinates (-2, -1, 3) * sqrt(5) */
    assert_int_equal(lm_emb_pca2(&s, lids, 3, &p, NULL), 0);
    assert_true(fabs(p.var[0] - 1) < 1e-9 && p.var[1] < 1e-9);
    const float want[3] = {-2, -1, 3};
    for (int i = 0; i < 3; i++) {
        assert_true(fabsf(p.xy[i * 2] - want[i] * sqrtf(5)) < 1e-5f);   /* the farthest (+3) is positive */
        assert_true(fabsf(p.xy[i * 2 + 1]) < 1e-5f);
    }
    lm_emb_pca_free(&p);
    lm_err err;
    assert_int_equal(lm_emb_pca2(&s, lids, 1, &p, &err), -1);
    assert_non_null(strstr(err.msg, "at least 2"));
    int32_t bad[2] = {0, 9};
    assert_int_equal(lm_emb_pca2(&s, bad, 2, &p, &err), -1);
    int32_t many[LM_EMB_PCA_MAX + 1] = {0};
    assert_int_equal(lm_emb_pca2(&s, many, LM_EMB_PCA_MAX + 1, &p, &err), -1);
    lm_emb_close(&s);
}

/* a BPE with " a" (256) and "ab" (257) beyond the 256 bytes, no pre-tokenisation */
static lm_tokenizer *small_bpe(void) {
    uint8_t bytes[256];
    const uint8_t *pieces[258];
    size_t lens[258];
    for (int i = 0; i < 256; i++) { bytes[i] = (uint8_t)i; pieces[i] = bytes + i; lens[i] = 1; }
    pieces[256] = (const uint8_t *)" a"; lens[256] = 2;
    pieces[257] = (const uint8_t *)"ab"; lens[257] = 2;
    return lm_tok_bpe_new("test", pieces, lens, 258, NULL, NULL, NULL, 0, NULL);
}

static void test_embed_word(void **state) {
    (void)state;
    lm_tokenizer *t = small_bpe();
    assert_non_null(t);
    int32_t id;
    lm_ids pieces = {0};
    lm_err err;
    assert_int_equal(lm_embed_word(t, 258, "a", &id, &pieces, &err), 0);    /* " a" first */
    assert_int_equal(id, 256);
    assert_int_equal(lm_embed_word(t, 258, "ab", &id, &pieces, &err), 0);   /* " ab" is 2: "ab" */
    assert_int_equal(id, 257);
    assert_int_equal(lm_embed_word(t, 258, " b", &id, &pieces, &err), 1);   /* as written: 2 */
    assert_int_equal(pieces.n, 2);
    assert_int_equal(lm_embed_word(t, 258, "zz", &id, &pieces, &err), 1);   /* the pieces of " zz" */
    assert_int_equal(pieces.n, 3);
    assert_int_equal(pieces.ids[0], ' ');
    assert_int_equal(lm_embed_word(t, 258, "q", &id, &pieces, &err), 0);    /* " q" is 2, "q" is 1 */
    assert_int_equal(id, 'q');
    assert_int_equal(lm_embed_word(t, 258, "\\n", &id, &pieces, &err), 0);  /* an escape */
    assert_int_equal(id, '\n');
    assert_int_equal(lm_embed_word(t, 258, "id:257", &id, &pieces, &err), 0);
    assert_int_equal(id, 257);
    assert_int_equal(lm_embed_word(t, 258, "id:258", &id, &pieces, &err), -1);
    assert_int_equal(lm_embed_word(t, 258, "id:", &id, &pieces, &err), -1);
    assert_int_equal(lm_embed_word(t, 258, "", &id, &pieces, &err), -1);
    assert_non_null(strstr(err.msg, "empty"));
    lm_ids_free(&pieces);
    lm_tok_free(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cosine),
        cmocka_unit_test(test_neighbours),
        cmocka_unit_test(test_analogy),
        cmocka_unit_test(test_pca_line_and_rectangle),
        cmocka_unit_test(test_embed_word),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
