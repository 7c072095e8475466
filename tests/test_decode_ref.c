/* test_decode_ref.c - the threaded one-token decoder (kvcache.c: one parallel
 * region per token, heads and hidden units split over threads, nn/matvec.c)
 * against the plain one (models/gpt/decode_ref.c), with 1 and 2 threads, on
 * models whose heads, hidden units and vocabulary do not split evenly; and
 * the plain decoder against the full forward, which shares neither. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "models/gpt/decode_ref.h"
#include "models/gpt/model.h"
#include "numcheck.h"

#define STEPS 24

/* a model with perturbed weights (biases and norms away from 0 and 1) */
static void make_model(lm_model *m, lm_config cfg, uint64_t seed) {
    assert_int_equal(lm_model_init(m, &cfg, seed, NULL), 0);
    lm_rng_seed(&g_rng, seed + 1);
    for (size_t i = 0; i < m->n_params; i++) m->params[i] += 0.05f * lm_rng_normal(&g_rng);
}

/* worst |a - b| over n floats */
static double max_diff(const float *a, const float *b, size_t n) {
    double d = 0;
    for (size_t i = 0; i < n; i++) d = fmax(d, fabs((double)a[i] - b[i]));
    return d;
}

/* Decodes tok[0..STEPS) with the plain decoder and with the fast one under
 * 1 and 2 threads; logits, cached keys and values and the attention rows
 * must agree. Returns the plain decoder's logits [STEPS, V] (malloc'd). */
static float *compare_decoders(const lm_model *m, const int32_t *tok) {
    const lm_config *c = &m->cfg;
    const int V = c->vocab_size;
    const size_t kv_len = (size_t)c->n_layer * c->n_ctx * c->d_model;
    const size_t att_len = (size_t)c->n_layer * c->n_head * c->n_ctx;
    lm_err err;
    lm_kv ref, fast;
    float *want = malloc(sizeof(float) * STEPS * V), *got = malloc(sizeof(float) * V);
    assert_int_equal(lm_kv_init(&ref, m, &err), 0);
    for (int t = 0; t < STEPS; t++)
        assert_int_equal(lm_forward_next_ref(m, &ref, tok[t], want + (size_t)t * V, &err), 0);
    for (int threads = 1; threads <= 2; threads++) {
        lm_set_threads(threads);
        assert_int_equal(lm_kv_init(&fast, m, &err), 0);
        double worst = 0;
        for (int t = 0; t < STEPS; t++) {
            assert_int_equal(lm_forward_next(m, &fast, tok[t], got, &err), 0);
            worst = fmax(worst, max_diff(got, want + (size_t)t * V, V));
        }
        if (worst >= 1e-4) print_message("%d threads: logits differ by %.2e\n", threads, worst);
        assert_true(worst < 1e-4);
        assert_int_equal(fast.len, ref.len);
        assert_true(max_diff(fast.k, ref.k, kv_len) < 1e-5);
        assert_true(max_diff(fast.v, ref.v, kv_len) < 1e-5);
        assert_true(max_diff(fast.att, ref.att, att_len) < 1e-5);
        lm_kv_free(&fast);
    }
    lm_kv_free(&ref);
    free(got);
    lm_set_threads(2);
    return want;
}

/* 5 heads of 24, 200 hidden units, 301 ids: about 250k weights, enough for
 * the threaded path, and no even split anywhere */
static void test_threaded_decoder_vs_plain(void **state) {
    (void)state;
    static const lm_pos_kind poss[3] = {LM_POS_LEARNED, LM_POS_SINUSOIDAL, LM_POS_ROTARY};
    for (int pi = 0; pi < 3; pi++) {
        lm_config cfg = {2, 5, 120, 200, STEPS, 301, poss[pi], pi == 1 ? LM_ACT_RELU : LM_ACT_GELU};
        lm_model m;
        make_model(&m, cfg, 40 + pi);
        int32_t tok[STEPS];
        for (int i = 0; i < STEPS; i++) tok[i] = (int32_t)lm_rng_below(&g_rng, 301);
        float *plain = compare_decoders(&m, tok);
        /* the plain decoder reproduces the full forward */
        lm_err err;
        assert_int_equal(lm_forward(&m, tok, NULL, NULL, 1, STEPS, &err), 0);
        assert_true(max_diff(plain, lm_logits(&m, 0), (size_t)STEPS * 301) < 1e-4);
        free(plain);
        lm_model_free(&m);
    }
}

/* a model too small to thread (one thread decodes), odd widths */
static void test_small_decoder_vs_plain(void **state) {
    (void)state;
    lm_config cfg = {3, 3, 18, 37, STEPS, 53, LM_POS_ROTARY, LM_ACT_GELU};
    lm_model m;
    make_model(&m, cfg, 50);
    int32_t tok[STEPS];
    for (int i = 0; i < STEPS; i++) tok[i] = (int32_t)lm_rng_below(&g_rng, 53);
    free(compare_decoders(&m, tok));
    lm_model_free(&m);
}

/* the plain decoder refuses what the fast one refuses */
static void test_plain_decoder_errors(void **state) {
    (void)state;
    lm_config cfg = {1, 2, 8, 12, 2, 11, LM_POS_LEARNED, LM_ACT_GELU};
    lm_model m;
    make_model(&m, cfg, 60);
    lm_kv kv;
    lm_err err = {{0}};
    float logits[11];
    assert_int_equal(lm_kv_init(&kv, &m, &err), 0);
    assert_int_equal(lm_forward_next_ref(&m, &kv, 11, logits, &err), -1);
    assert_non_null(strstr(err.msg, "11"));
    assert_int_equal(lm_forward_next_ref(&m, &kv, 1, logits, &err), 0);
    assert_int_equal(lm_forward_next_ref(&m, &kv, 2, logits, &err), 0);
    assert_int_equal(lm_forward_next_ref(&m, &kv, 3, logits, &err), -1);   /* full */
    assert_non_null(strstr(err.msg, "full"));
    lm_kv_free(&kv);
    lm_model_free(&m);
}

int main(void) {
    lm_set_threads(2);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threaded_decoder_vs_plain),
        cmocka_unit_test(test_small_decoder_vs_plain),
        cmocka_unit_test(test_plain_decoder_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
