/* test_kvcache.c - incremental decoding: the KV cache's logits and attention
 * against the full forward, the views into the last forward (attention,
 * residual stream, logit lens, next-token probabilities), the threaded
 * decoder under every split of threads, and decoding from inside a caller's
 * parallel region. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "models/gpt/model.h"
#include "numcheck.h"

/* ---- KV cache vs full forward, inspection, logit lens ---- */

static const lm_pos_kind POSS[3] = { LM_POS_LEARNED, LM_POS_SINUSOIDAL, LM_POS_ROTARY };

/* L=3, H=4, C=32, M=48, n_ctx=40, V=37 with positions POSS[pi], perturbed
 * weights, and a full forward over tok[40] (after a larger one, so the
 * buffers are bigger than the current shape) */
static void inspect_model(lm_model *m, int pi, int32_t tok[40]) {
    lm_config cfg = { 3, 4, 32, 48, 40, 37, POSS[pi], pi == 2 ? LM_ACT_RELU : LM_ACT_GELU };
    lm_err err;
    assert_int_equal(lm_model_init(m, &cfg, 21, &err), 0);
    lm_rng_seed(&g_rng, 22);
    for (size_t i = 0; i < m->n_params; i++) m->params[i] += 0.2f * lm_rng_normal(&g_rng);
    for (int i = 0; i < 40; i++) tok[i] = (int32_t)lm_rng_below(&g_rng, 37);
    int32_t big[80];
    for (int i = 0; i < 80; i++) big[i] = tok[i % 40];
    assert_int_equal(lm_forward(m, big, NULL, NULL, 2, 40, &err), 0);
    assert_int_equal(lm_forward(m, tok, NULL, NULL, 1, 40, &err), 0);
}

static void test_kv_matches_forward(void **state) {
    (void)state;
    for (int pi = 0; pi < 3; pi++) {
        lm_model m;
        lm_err err;
        lm_kv kv;
        int32_t tok[40];
        const int T = 40;
        inspect_model(&m, pi, tok);
        assert_int_equal(lm_kv_init(&kv, &m, &err), 0);
        float logits[37];
        double worst = 0;
        for (int t = 0; t < T; t++) {
            assert_int_equal(lm_forward_next(&m, &kv, tok[t], logits, &err), 0);
            const float *full = lm_logits(&m, 0) + (size_t)t * 37;
            for (int v = 0; v < 37; v++) worst = fmax(worst, fabs(logits[v] - full[v]));
        }
        assert_true(worst < 1e-4);
        /* the cache is full now */
        assert_int_equal(lm_forward_next(&m, &kv, 0, logits, &err), -1);
        assert_true(strlen(err.msg) > 0);
        /* the last token's attention in the cache equals the full row */
        for (int l = 0; l < 3; l++)
            for (int h = 0; h < 4; h++) {
                const float *row = lm_attention_probs(&m, l, 0, h) + (size_t)(T - 1) * T;
                for (int j = 0; j < T; j++)
                    assert_true(fabsf(row[j] - kv.att[((size_t)l * 4 + h) * 40 + j]) < 1e-5);
            }
        lm_kv_free(&kv);
        lm_model_free(&m);
    }
}

/* attention rows, the residual stream's first layer, the logit lens and the
 * next-token distribution of the last forward */
static void test_inspection(void **state) {
    (void)state;
    for (int pi = 0; pi < 3; pi++) {
        lm_model m;
        lm_err err;
        int32_t tok[40];
        const int T = 40;
        inspect_model(&m, pi, tok);
        /* attention rows sum to 1 and are causal */
        for (int l = 0; l < 3; l++)
            for (int h = 0; h < 4; h++) {
                const float *a = lm_attention_probs(&m, l, 0, h);
                for (int i = 0; i < T; i++) {
                    double s = 0;
                    for (int j = 0; j < T; j++) {
                        if (j > i) assert_true(a[i * T + j] == 0.0f);
                        s += a[i * T + j];
                    }
                    assert_true(fabs(s - 1) < 1e-5);
                }
            }
        assert_null(lm_attention_probs(&m, 3, 0, 0));
        assert_null(lm_attention_probs(&m, 0, 1, 0));
        /* residual 0 is the embedding (+ learned position) */
        const float *r0 = lm_residual(&m, 0, 0);
        const lm_tensor_view *wte = lm_find_tensor(&m, "wte");
        for (int i = 0; i < 32; i++) {
            float e = m.params[wte->offset + (size_t)tok[3] * 32 + i];
            if (m.cfg.pos == LM_POS_LEARNED) e += m.params[lm_find_tensor(&m, "wpe")->offset + 3 * 32 + i];
            if (m.cfg.pos == LM_POS_SINUSOIDAL)
                e += (float)(i % 2 ? cos(3 / pow(10000, (i - 1) / 32.0)) : sin(3 / pow(10000, i / 32.0)));
            assert_true(fabsf(r0[3 * 32 + i] - e) < 1e-5);
        }
        assert_non_null(lm_residual(&m, 3, 0));
        assert_null(lm_residual(&m, 4, 0));
        /* logit lens at layer L equals the logits; earlier layers differ */
        float lens[37];
        for (int t = 0; t < T; t += 13) {
            assert_int_equal(lm_logit_lens(&m, 3, 0, t, lens, &err), 0);
            const float *full = lm_logits(&m, 0) + (size_t)t * 37;
            for (int v = 0; v < 37; v++) assert_true(fabsf(lens[v] - full[v]) < 1e-4);
            assert_int_equal(lm_logit_lens(&m, 1, 0, t, lens, &err), 0);
            double d = 0;
            for (int v = 0; v < 37; v++) d = fmax(d, fabs(lens[v] - full[v]));
            assert_true(d > 1e-3);
        }
        assert_int_equal(lm_logit_lens(&m, 4, 0, 0, lens, &err), -1);
        /* next-token probabilities are a distribution that ranks like the logits */
        float probs[37];
        lm_next_token_probs(&m, 0, 5, probs);
        double s = 0;
        int am = 0, ap = 0;
        const float *lg = lm_logits(&m, 0) + 5 * 37;
        for (int v = 0; v < 37; v++) {
            s += probs[v];
            if (lg[v] > lg[am]) am = v;
            if (probs[v] > probs[ap]) ap = v;
        }
        assert_true(fabs(s - 1) < 1e-5);
        assert_int_equal(am, ap);
        lm_model_free(&m);
    }
}

/* ---- KV cache on a model big enough for the threaded decoder, odd shapes
 * (5 heads of 24, MLP 200, vocabulary 301) ---- */

/* decodes tok[0..23] with a fresh cache made under init_threads and run under
 * run_threads; returns the worst |logit - full forward logit| and keeps the
 * logits in out[24 * 301] */
static double kv_run(lm_model *m, const int32_t *tok, int init_threads, int run_threads, float *out) {
    lm_err err;
    lm_kv kv;
    lm_set_threads(init_threads);
    assert_int_equal(lm_kv_init(&kv, m, &err), 0);
    lm_set_threads(run_threads);
    double worst = 0;
    for (int t = 0; t < 24; t++) {
        assert_int_equal(lm_forward_next(m, &kv, tok[t], out + (size_t)t * 301, &err), 0);
        const float *full = lm_logits(m, 0) + (size_t)t * 301;
        for (int v = 0; v < 301; v++) worst = fmax(worst, fabs(out[t * 301 + v] - full[v]));
    }
    lm_kv_free(&kv);
    return worst;
}

static void test_kv_threads(void **state) {
    (void)state;
    lm_config cfg = { 2, 5, 120, 200, 24, 301, LM_POS_ROTARY, LM_ACT_GELU };
    lm_model m;
    lm_err err;
    assert_int_equal(lm_model_init(&m, &cfg, 5, &err), 0);
    lm_rng_seed(&g_rng, 6);
    for (size_t i = 0; i < m.n_params; i++) m.params[i] += 0.05f * lm_rng_normal(&g_rng);
    int32_t tok[24];
    for (int i = 0; i < 24; i++) tok[i] = (int32_t)lm_rng_below(&g_rng, 301);
    assert_int_equal(lm_forward(&m, tok, NULL, NULL, 1, 24, &err), 0);
    int keep = lm_get_threads();
    float *first = malloc(sizeof(float) * 24 * 301), *logits = malloc(sizeof(float) * 24 * 301);
    /* (threads when the cache is made, threads when decoding): uneven
     * splits, more threads than heads (7 > 5), threads raised after the
     * cache was made (capped at what it was made for) */
    static const int runs[][2] = { { 1, 1 }, { 2, 2 }, { 3, 3 }, { 7, 7 }, { 1, 3 }, { 3, 2 } };
    for (size_t r = 0; r < sizeof runs / sizeof runs[0]; r++) {
        double worst = kv_run(&m, tok, runs[r][0], runs[r][1], r == 0 ? first : logits);
        double vs_first = 0;
        for (int i = 0; r > 0 && i < 24 * 301; i++) vs_first = fmax(vs_first, fabs(logits[i] - first[i]));
        if (worst >= 1e-4 || vs_first >= 1e-4)
            print_message("threads %d/%d: vs full forward %.3e, vs 1 thread %.3e\n", runs[r][0],
                          runs[r][1], worst, vs_first);
        assert_true(worst < 1e-4);
        assert_true(vs_first < 1e-4);
    }
    lm_set_threads(keep);
    free(first); free(logits);
    lm_model_free(&m);
}

/* ---- decoding from inside the caller's own parallel region: two caches at
 * once, on a model too small to thread (its barriers must not wait for the
 * caller's team) and on one that threads (a nested region of one) ---- */
static void test_kv_inside_parallel(void **state) {
    (void)state;
    lm_config cfgs[2] = { { 2, 2, 32, 64, 16, 50, LM_POS_ROTARY, LM_ACT_GELU },
                          { 2, 5, 120, 200, 16, 301, LM_POS_LEARNED, LM_ACT_GELU } };
    for (int k = 0; k < 2; k++) {
        lm_model m;
        lm_err err;
        assert_int_equal(lm_model_init(&m, &cfgs[k], 9, &err), 0);
        const int V = cfgs[k].vocab_size;
        float *alone = malloc(sizeof(float) * 2 * V), *together = malloc(sizeof(float) * 2 * V);
        int steps[2] = { 2, 5 }, failed = 0;
        for (int pass = 0; pass < 2; pass++) {
            float *dst = pass ? together : alone;
            #pragma omp parallel for num_threads(2) schedule(static, 1) if (pass) reduction(|:failed)
            for (int j = 0; j < 2; j++) {
                lm_kv kv;
                lm_err e;
                if (lm_kv_init(&kv, &m, &e)) { failed = 1; continue; }
                for (int t = 0; t < steps[j] && !failed; t++)
                    failed |= lm_forward_next(&m, &kv, (int32_t)((7 * t + j) % V), dst + (size_t)j * V, &e) != 0;
                lm_kv_free(&kv);
            }
        }
        assert_false(failed);
        double d = 0;
        for (int i = 0; i < 2 * V; i++) d = fmax(d, fabs(alone[i] - together[i]));
        assert_true(d < 1e-4);
        free(alone); free(together);
        lm_model_free(&m);
    }
}

int main(void) {
    lm_set_threads(2);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kv_matches_forward),
        cmocka_unit_test(test_inspection),
        cmocka_unit_test(test_kv_threads),
        cmocka_unit_test(test_kv_inside_parallel),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
