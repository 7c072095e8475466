/* test_model.c - the whole model: finite-difference check of every
 * parameter's gradient, refusals of bad input, AdamW / clipping / schedule,
 * and a tiny model that memorises a text and replays it through the KV cache.
 * (The ops: test_ops_grad.c, test_linear.c; decoding: test_kvcache.c,
 * test_decode_ref.c.) */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "models/gpt/model.h"
#include "numcheck.h"

/* ---- whole model: finite differences on a sample of parameters ---- */
static lm_config tiny(lm_pos_kind pos, lm_act_kind act) {
    lm_config c = { 2, 2, 8, 12, 16, 11, pos, act };
    return c;
}

static void test_fd_model(void **state) {
    (void)state;
    lm_pos_kind poss[3] = { LM_POS_LEARNED, LM_POS_SINUSOIDAL, LM_POS_ROTARY };
    for (int pi = 0; pi < 3; pi++) {
        lm_config cfg = tiny(poss[pi], pi == 1 ? LM_ACT_RELU : LM_ACT_GELU);
        lm_model m;
        lm_err err;
        assert_int_equal(lm_model_init(&m, &cfg, 11 + pi, &err), 0);
        lm_rng_seed(&g_rng, 7 + pi);
        for (size_t i = 0; i < m.n_params; i++) m.params[i] += 0.3f * lm_rng_normal(&g_rng);
        int B = 2, T = 6;
        int32_t tok[12], tg[12];
        float mask[12];
        for (int i = 0; i < 12; i++) {
            tok[i] = (int32_t)lm_rng_below(&g_rng, 11);
            tg[i] = i == 4 ? -1 : (int32_t)lm_rng_below(&g_rng, 11);
            mask[i] = i % 3 ? 1.0f : 0.0f;
        }
        assert_int_equal(lm_forward(&m, tok, tg, mask, B, T, &err), 0);
        lm_zero_grad(&m);
        assert_int_equal(lm_backward(&m, &err), 0);
        float *g = malloc(sizeof(float) * m.n_params);
        memcpy(g, m.grads, sizeof(float) * m.n_params);
        /* every tensor: its first, middle and last element */
        double worst = 0;
        for (int v = 0; v < m.n_views; v++) {
            const lm_tensor_view *tv = &m.views[v];
            size_t idx[3] = { tv->offset, tv->offset + tv->numel / 2, tv->offset + tv->numel - 1 };
            if (strcmp(tv->name, "wte") == 0) idx[0] = (size_t)tok[0] * cfg.d_model;
            if (strcmp(tv->name, "wpe") == 0) idx[2] = tv->offset + (size_t)(T - 1) * cfg.d_model + 1;
            for (int k = 0; k < 3; k++) {
                float keep = m.params[idx[k]], h = 1e-2f;
                m.params[idx[k]] = keep + h;
                lm_forward(&m, tok, tg, mask, B, T, &err);
                double lp = m.loss;
                m.params[idx[k]] = keep - h;
                lm_forward(&m, tok, tg, mask, B, T, &err);
                double lm_ = m.loss;
                m.params[idx[k]] = keep;
                double num = (lp - lm_) / (2 * h);
                double e = fabs(num - g[idx[k]]) / fmax(fabs(num), 1e-2);
                if (e > worst) worst = e;
                if (e > 2e-2)
                    print_message("%s pos %d: %s[%zu] analytic %g numeric %g\n", lm_pos_name(cfg.pos),
                                  pi, tv->name, idx[k] - tv->offset, g[idx[k]], num);
            }
        }
        assert_true(worst < 2e-2);
        free(g);
        lm_model_free(&m);
    }
}

static void test_errors(void **state) {
    (void)state;
    lm_config cfg = tiny(LM_POS_LEARNED, LM_ACT_GELU);
    lm_model m;
    lm_err err;
    assert_int_equal(lm_model_init(&m, &cfg, 1, &err), 0);
    assert_int_equal(lm_backward(&m, &err), -1);              /* no forward yet */
    int32_t tok[20] = { 0 };
    tok[3] = 11;                                              /* == V */
    assert_int_equal(lm_forward(&m, tok, NULL, NULL, 1, 5, &err), -1);
    assert_non_null(strstr(err.msg, "11"));
    tok[3] = -2;
    assert_int_equal(lm_forward(&m, tok, NULL, NULL, 1, 5, &err), -1);
    tok[3] = 0;
    assert_int_equal(lm_forward(&m, tok, NULL, NULL, 1, 17, &err), -1);   /* > n_ctx */
    assert_int_equal(lm_forward(&m, tok, NULL, NULL, 0, 5, &err), -1);
    assert_int_equal(lm_forward(&m, tok, NULL, NULL, 1, 5, &err), 0);
    assert_int_equal(lm_backward(&m, &err), -1);              /* no targets */
    assert_non_null(strstr(err.msg, "targets"));
    lm_kv kv;
    assert_int_equal(lm_kv_init(&kv, &m, &err), 0);
    float lg[11];
    assert_int_equal(lm_forward_next(&m, &kv, 11, lg, &err), -1);
    lm_kv_free(&kv);
    lm_model_free(&m);
}

/* ---- optimiser, clipping, schedule ---- */
static void test_adamw_clip_schedule(void **state) {
    (void)state;
    lm_config cfg = tiny(LM_POS_ROTARY, LM_ACT_GELU);
    lm_model m;
    lm_err err;
    assert_int_equal(lm_model_init(&m, &cfg, 3, &err), 0);
    lm_adamw opt = lm_adamw_default();
    assert_true(opt.beta1 == 0.9f && opt.beta2 == 0.95f && opt.eps == 1e-8f && opt.weight_decay == 0.1f);
    assert_int_equal(lm_adamw_step(&m, &opt, 1e-2f, &err), -1);   /* no gradients */
    m.grads = calloc(m.n_params, sizeof(float));
    lm_rng_seed(&g_rng, 9);
    for (size_t i = 0; i < m.n_params; i++) m.grads[i] = lm_rng_normal(&g_rng);
    double ss = 0;
    for (size_t i = 0; i < m.n_params; i++) ss += (double)m.grads[i] * m.grads[i];
    float norm = lm_clip_grad(&m, 2.0f);
    assert_true(fabs(norm - sqrt(ss)) / sqrt(ss) < 1e-5);
    ss = 0;
    for (size_t i = 0; i < m.n_params; i++) ss += (double)m.grads[i] * m.grads[i];
    assert_true(fabs(sqrt(ss) - 2.0) < 1e-3);
    assert_true(fabsf(lm_clip_grad(&m, 0.0f) - 2.0f) < 1e-3f);   /* 0: measure only */
    /* first AdamW step: m_hat = g, v_hat = g^2, so p' = p (1 - lr wd) - lr g / (|g| + eps) */
    float *p0 = malloc(sizeof(float) * m.n_params);
    memcpy(p0, m.params, sizeof(float) * m.n_params);
    float lr = 1e-2f;
    assert_int_equal(lm_adamw_step(&m, &opt, lr, &err), 0);
    assert_int_equal(m.adam_t, 1);
    for (int v = 0; v < m.n_views; v++) {
        const lm_tensor_view *tv = &m.views[v];
        for (size_t i = tv->offset; i < tv->offset + tv->numel; i += 7) {
            double g = m.grads[i];
            double want = p0[i] * (tv->decay ? 1 - lr * 0.1 : 1) - lr * g / (fabs(g) + 1e-8);
            assert_true(fabs(m.params[i] - want) < 1e-6);
        }
    }
    free(p0);
    lm_model_free(&m);

    lm_schedule s = { 1e-3f, 1e-4f, 10, 110 };
    /* warmup (step+1)/10 * 1e-3: step 0 = 1e-4 (never 0), step 4 = 5e-4, step 9 = 1e-3 */
    assert_true(fabsf(lm_schedule_lr(&s, 0) - 1e-4f) < 1e-9f);
    assert_true(fabsf(lm_schedule_lr(&s, 4) - 5e-4f) < 1e-9f);
    assert_true(fabsf(lm_schedule_lr(&s, 9) - 1e-3f) < 1e-9f);
    assert_true(fabsf(lm_schedule_lr(&s, 10) - 1e-3f) < 1e-9f);   /* cosine starts at max */
    assert_true(fabsf(lm_schedule_lr(&s, 60) - 5.5e-4f) < 1e-8f);   /* cosine midpoint */
    assert_true(fabsf(lm_schedule_lr(&s, 110) - 1e-4f) < 1e-9f);
    assert_true(fabsf(lm_schedule_lr(&s, 500) - 1e-4f) < 1e-9f);
    for (int t = 10; t < 110; t++) assert_true(lm_schedule_lr(&s, t + 1) <= lm_schedule_lr(&s, t));
    for (int t = 0; t < 9; t++) assert_true(lm_schedule_lr(&s, t + 1) > lm_schedule_lr(&s, t));
    lm_schedule one = { 2e-3f, 0.0f, 1, 5 };   /* warmup 1: step 0 at full lr */
    assert_true(fabsf(lm_schedule_lr(&one, 0) - 2e-3f) < 1e-9f);
}

/* ---- a tiny model memorises a short text ---- */
static void test_memorise(void **state) {
    (void)state;
    const char *text = "the cat sat on the mat. the dog ate the log.";
    int T = (int)strlen(text) - 1;
    lm_config cfg = { 2, 4, 32, 64, 64, 128, LM_POS_LEARNED, LM_ACT_GELU };
    lm_model m;
    lm_err err;
    assert_int_equal(lm_model_init(&m, &cfg, 5, &err), 0);
    int32_t tok[64], tg[64];
    for (int i = 0; i < T; i++) { tok[i] = (unsigned char)text[i]; tg[i] = (unsigned char)text[i + 1]; }
    lm_adamw opt = lm_adamw_default();
    opt.weight_decay = 0.0f;
    float first = 0, loss = 1e9f;
    int step;
    for (step = 0; step < 400 && loss >= 0.05f; step++) {
        lm_zero_grad(&m);
        assert_int_equal(lm_forward(&m, tok, tg, NULL, 1, T, &err), 0);
        loss = m.loss;
        if (step == 0) first = loss;
        assert_int_equal(lm_backward(&m, &err), 0);
        lm_clip_grad(&m, 1.0f);
        assert_int_equal(lm_adamw_step(&m, &opt, 1e-2f, &err), 0);
    }
    print_message("memorise: loss %.3f -> %.4f in %d steps\n", first, loss, step);
    assert_true(first > 4.0f);   /* ~ log(128) at initialisation */
    assert_true(loss < 0.05f);
    /* and greedy decoding through the KV cache reproduces the text */
    lm_kv kv;
    assert_int_equal(lm_kv_init(&kv, &m, &err), 0);
    float logits[128];
    int32_t cur = tok[0];
    for (int i = 0; i < T; i++) {
        assert_int_equal(lm_forward_next(&m, &kv, cur, logits, &err), 0);
        int am = 0;
        for (int v = 1; v < 128; v++) if (logits[v] > logits[am]) am = v;
        assert_int_equal(am, tg[i]);
        cur = am;
    }
    lm_kv_free(&kv);
    lm_model_free(&m);
}

int main(void) {
    lm_set_threads(2);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fd_model),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_adamw_clip_schedule),
        cmocka_unit_test(test_memorise),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
