/* test_score.c - the chain rule over a text (decode/score.h) on a small
 * random model: each ln p equals the log-softmax of lm_forward's logits at
 * the position before the token, the total is their sum exactly, the
 * context token (bos prepended, not doubled, or the first token), rank and
 * top-1, perplexity and bits, and the refusals (too long, nothing to score). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "decode/score.h"
#include "models/gpt/model.h"

#define V 37
#define NCTX 10

static void make_model(lm_model *m) {
    lm_config c = {.n_layer = 2, .n_head = 2, .d_model = 16, .d_mlp = 32, .n_ctx = NCTX,
                   .vocab_size = V, .pos = LM_POS_LEARNED, .act = LM_ACT_GELU};
    assert_int_equal(lm_model_init(m, &c, 11, NULL), 0);
    for (size_t i = 0; i < m->n_params; i++) m->params[i] *= 20.0f;   /* peaked distributions */
}

/* ln p(seq[t+1] | seq[0..t]) from a plain lm_forward, in float64 */
static double ref_logp(lm_model *m, const int32_t *seq, int T, int t) {
    assert_int_equal(lm_forward(m, seq, NULL, NULL, 1, T, NULL), 0);
    const float *z = lm_logits(m, 0) + (size_t)t * V;
    double mx = z[0], s = 0;
    for (int v = 1; v < V; v++) if (z[v] > mx) mx = z[v];
    for (int v = 0; v < V; v++) s += exp(z[v] - mx);
    return z[seq[t + 1]] - mx - log(s);
}

static void test_bos_prepended(void **state) {
    (void)state;
    lm_model m;
    make_model(&m);
    const int32_t bos = 36, ids[5] = {3, 17, 17, 0, 29};
    lm_score sc;
    assert_int_equal(lm_score_ids(&m, ids, 5, bos, &sc, NULL), 0);
    assert_int_equal(sc.n, 5);
    assert_int_equal(sc.context, bos);
    assert_int_equal(sc.prepended, 1);
    int32_t seq[6] = {bos, 3, 17, 17, 0, 29};
    double sum = 0;
    for (int i = 0; i < 5; i++) {
        assert_int_equal(sc.ids[i], ids[i]);
        assert_true(fabs(sc.logp[i] - ref_logp(&m, seq, 6, i)) < 1e-9);
        assert_true(sc.logp[i] <= 0);
        /* rank 0 exactly when the token is the top-1, whose probability is the largest */
        assert_int_equal(sc.rank[i] == 0, sc.top[i] == ids[i]);
        assert_true(sc.top_p[i] + 1e-6 >= exp(sc.logp[i]));
        sum += sc.logp[i];
    }
    assert_true(sc.total == sum);   /* the same additions in the same order */
    assert_true(fabs(lm_score_perplexity(&sc) - exp(-sum / 5)) < 1e-12);
    assert_true(fabs(lm_score_bits_per_token(&sc) - (-sum / 5 / log(2.0))) < 1e-12);
    lm_score_free(&sc);
    /* a text that starts with bos (the chat template) does not get a second one */
    assert_int_equal(lm_score_ids(&m, seq, 6, bos, &sc, NULL), 0);
    assert_int_equal(sc.n, 5);
    assert_int_equal(sc.prepended, 0);
    assert_int_equal(sc.context, bos);
    lm_score_free(&sc);
    lm_model_free(&m);
}

static void test_no_bos_and_limits(void **state) {
    (void)state;
    lm_model m;
    make_model(&m);
    int32_t ids[NCTX + 1];
    for (int i = 0; i <= NCTX; i++) ids[i] = (int32_t)((i * 5 + 2) % V);
    lm_score sc;
    lm_err err;
    /* no bos: the first token is the context, not scored */
    assert_int_equal(lm_score_ids(&m, ids, 4, -1, &sc, NULL), 0);
    assert_int_equal(sc.n, 3);
    assert_int_equal(sc.context, ids[0]);
    assert_int_equal(sc.prepended, 0);
    assert_true(fabs(sc.logp[2] - ref_logp(&m, ids, 4, 2)) < 1e-9);
    lm_score_free(&sc);
    /* the whole context is allowed; one more is refused (with bos: one fewer) */
    assert_int_equal(lm_score_ids(&m, ids, NCTX, -1, &sc, NULL), 0);
    assert_int_equal(sc.n, NCTX - 1);
    lm_score_free(&sc);
    assert_int_equal(lm_score_ids(&m, ids, NCTX + 1, -1, &sc, &err), -1);
    assert_non_null(strstr(err.msg, "reads at most 10"));
    assert_int_equal(lm_score_ids(&m, ids, NCTX, 36, &sc, &err), -1);
    assert_non_null(strstr(err.msg, "<|endoftext|>"));
    assert_int_equal(lm_score_ids(&m, ids, NCTX - 1, 36, &sc, NULL), 0);
    lm_score_free(&sc);
    /* nothing to score */
    assert_int_equal(lm_score_ids(&m, ids, 1, -1, &sc, &err), -1);
    assert_non_null(strstr(err.msg, "nothing to score"));
    assert_int_equal(lm_score_ids(&m, ids, 0, 36, &sc, &err), -1);
    int32_t bad = V;
    assert_int_equal(lm_score_ids(&m, &bad, 1, 36, &sc, &err), -1);   /* an id out of range */
    lm_score zero = {0};
    lm_score_free(&zero);
    assert_true(isnan(lm_score_perplexity(&zero)));
    lm_model_free(&m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bos_prepended),
        cmocka_unit_test(test_no_bos_and_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
