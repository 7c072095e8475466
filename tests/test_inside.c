/* test_inside.c - the inside views (models/gpt/inside.h) and the cost
 * measurement (decode/cost.h): their error paths and the properties that
 * hold whatever the weights (values are checked against PyTorch in
 * tests/inside_torch_test.py); the cost's rows, its counts derived here from
 * the parameter table's matrix shapes, its chunked stepping, and that it
 * leaves the caller's model and last forward alone. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "decode/cost.h"
#include "models/gpt/inside.h"
#include "models/gpt/model.h"

#define NT 9
static const lm_config CFG = {2, 4, 32, 64, 20, 50, LM_POS_LEARNED, LM_ACT_GELU};
static const int32_t TOK[NT] = {3, 17, 42, 5, 5, 9, 31, 0, 49};

static void make_model(lm_model *m) {
    assert_int_equal(lm_model_init(m, &CFG, 7, NULL), 0);
    lm_rng r;
    lm_rng_seed(&r, 8);
    for (size_t i = 0; i < m->n_params; i++) m->params[i] += 0.2f * lm_rng_normal(&r);
}

static void test_qk_needs_a_forward_and_ranges(void **state) {
    (void)state;
    lm_model m;
    make_model(&m);
    lm_qk q;
    lm_err err = {{0}};
    assert_int_equal(lm_qk_compute(&q, &m, 0, 0, 0, -1, &err), -1);
    assert_non_null(strstr(err.msg, "no forward"));
    assert_int_equal(lm_forward(&m, TOK, NULL, NULL, 1, NT, NULL), 0);
    assert_int_equal(lm_qk_compute(&q, &m, 0, 2, 0, -1, &err), -1);
    assert_non_null(strstr(err.msg, "layer 2 outside 0..1"));
    assert_int_equal(lm_qk_compute(&q, &m, 0, 0, 4, -1, &err), -1);
    assert_int_equal(lm_qk_compute(&q, &m, 0, 0, 0, NT, &err), -1);
    lm_qk_free(&q);   /* zeroed by the failed call: free accepts it */
    lm_model_free(&m);
}

static void test_qk_properties(void **state) {
    (void)state;
    lm_model m;
    make_model(&m);
    assert_int_equal(lm_model_ablate_head(&m, 1, 2, 1, NULL), 0);
    assert_int_equal(lm_forward(&m, TOK, NULL, NULL, 1, NT, NULL), 0);
    lm_qk q;
    assert_int_equal(lm_qk_compute(&q, &m, 0, 1, 0, 4, NULL), 0);
    assert_int_equal(q.pos, 4);
    for (int i = 0; i < NT; i++) {
        double s = 0;
        for (int j = 0; j < NT; j++) {
            float v = q.masked[i * NT + j];
            if (j > i) assert_true(isinf(v) && v < 0);
            else assert_true(v == q.scores[i * NT + j]);
            s += q.probs[i * NT + j];
        }
        assert_true(fabs(s - 1.0) < 1e-5);
    }
    double share = 0;
    for (int h = 0; h < q.H; h++) share += q.head_share[h];
    assert_true(fabs(share - 1.0) < 1e-5);
    assert_true(q.head_norm[2] == 0.0f);   /* the ablated head adds nothing */
    assert_true(q.head_norm[0] > 0.0f);
    lm_qk_free(&q);
    assert_int_equal(lm_qk_compute(&q, &m, 0, 1, 2, -1, NULL), 0);
    assert_int_equal(q.pos, NT - 1);
    assert_true(q.y_norm == 0.0f && q.contrib_norm == 0.0f && q.head_share[2] == 0.0f);
    lm_qk_free(&q);
    lm_model_free(&m);
}

static void test_block_trace_adds_up(void **state) {
    (void)state;
    lm_model m;
    make_model(&m);
    lm_block_trace bt;
    assert_int_equal(lm_block_trace_compute(&bt, &m, 0, 0, 0, NULL), -1);
    assert_int_equal(lm_forward(&m, TOK, NULL, NULL, 1, NT, NULL), 0);
    assert_int_equal(lm_block_trace_compute(&bt, &m, 0, 5, 0, NULL), -1);
    assert_int_equal(lm_block_trace_compute(&bt, &m, 0, 1, 3, NULL), 0);
    const float *x = bt.step[LM_BLOCK_X].vec, *a = bt.step[LM_BLOCK_ATTN].vec;
    const float *mid = bt.step[LM_BLOCK_MID].vec, *d = bt.step[LM_BLOCK_DOWN].vec;
    const float *out = bt.step[LM_BLOCK_OUT].vec;
    for (int i = 0; i < CFG.d_model; i++) {
        assert_true(fabsf(x[i] + a[i] - mid[i]) < 1e-5f);
        assert_true(fabsf(mid[i] + d[i] - out[i]) < 1e-5f);
    }
    /* the block's input at layer 1 is the output of layer 0: the residual stream */
    const float *res1 = lm_residual(&m, 1, 0) + 3 * CFG.d_model;
    assert_memory_equal(x, res1, sizeof(float) * CFG.d_model);
    assert_int_equal(bt.step[LM_BLOCK_UP].size, CFG.d_mlp);
    assert_true(bt.frac_active > 0.0f && bt.frac_active < 1.0f);
    lm_block_trace_free(&bt);
    lm_model_free(&m);
}

/* per-position FLOPs from the parameter table: 2 x every block matrix, plus the head */
static double per_position_flops(const lm_model *m) {
    double f = 0;
    for (int i = 0; i < m->n_views; i++)
        if (m->views[i].ndim == 2 && m->views[i].layer >= 0) f += 2.0 * (double)m->views[i].numel;
    return f + 2.0 * CFG.vocab_size * CFG.d_model;
}

static void test_cost_rows_counts_and_chunks(void **state) {
    (void)state;
    lm_model m;
    make_model(&m);
    assert_int_equal(lm_forward(&m, TOK, NULL, NULL, 1, NT, NULL), 0);
    float before = lm_logits(&m, 0)[5];
    lm_cost c;
    assert_int_equal(lm_cost_begin(&c, &m, 20, 2, NULL), 0);
    assert_int_equal(c.n_rows, 3);
    assert_int_equal(c.rows[0].T, 8);
    assert_int_equal(c.rows[1].T, 16);
    assert_int_equal(c.rows[2].T, 20);
    int calls = 0, rc;
    double prog = 0;
    while ((rc = lm_cost_step(&c, 0.0, NULL)) == 0) {   /* a zero budget: one unit at a time */
        calls++;
        assert_true(lm_cost_progress(&c) >= prog);
        prog = lm_cost_progress(&c);
        assert_true(calls < 100000);
    }
    assert_int_equal(rc, 1);
    /* 2 repeats x (1 forward + 1 attention + T cached + T uncached) per row */
    assert_true(calls >= 2 * ((2 + 16) + (2 + 32) + (2 + 40)) - 1);
    assert_true(lm_cost_progress(&c) == 1.0);
    double pp = per_position_flops(&m), L = CFG.n_layer, C = CFG.d_model;
    double prev_ratio = 0;
    for (int r = 0; r < c.n_rows; r++) {
        const lm_cost_row *row = &c.rows[r];
        int n = row->T;
        assert_true(row->fwd_ms >= 0 && row->kv_ms >= 0 && row->nocache_ms >= 0 && row->attn_ms >= 0);
        assert_int_equal(row->fwd_calls, 1);
        assert_int_equal(row->kv_calls, n);
        assert_int_equal(row->nocache_calls, n);
        assert_int_equal(row->nocache_tokens, n * (n + 1) / 2);
        double fwd = n * pp + L * 4.0 * n * n * C;
        assert_true(fabs(row->fwd_flops - fwd) < 1e-6 * fwd);
        double kv = n * pp + L * 4.0 * C * n * (n + 1) / 2.0;
        assert_true(fabs(row->kv_flops - kv) < 1e-6 * kv);
        double ratio = row->nocache_flops / row->kv_flops;
        assert_true(ratio > prev_ratio);   /* no cache costs more, the more so the longer */
        prev_ratio = ratio;
        assert_true(row->attn_share_flops > 0 && row->attn_share_flops < 1);
        if (r) assert_true(row->attn_share_flops > c.rows[r - 1].attn_share_flops);
    }
    assert_true(prev_ratio > 5.0);
    lm_cost_free(&c);
    /* the caller's model and its last forward are untouched */
    assert_int_equal(m.T, NT);
    assert_true(lm_logits(&m, 0)[5] == before);
    lm_model_free(&m);
}

static void test_cost_rejects(void **state) {
    (void)state;
    lm_model m;
    make_model(&m);
    lm_cost c;
    lm_err err = {{0}};
    assert_int_equal(lm_cost_begin(&c, &m, 21, 1, &err), -1);
    assert_non_null(strstr(err.msg, "outside 1..20"));
    assert_int_equal(lm_cost_begin(&c, &m, 0, 1, &err), -1);
    assert_int_equal(lm_cost_begin(&c, &m, 8, 0, &err), -1);
    assert_int_equal(lm_cost_step(&c, 1.0, &err), -1);   /* never started */
    assert_int_equal(lm_cost_begin(&c, &m, 5, 1, NULL), 0);
    assert_int_equal(c.n_rows, 1);                        /* under 8: just max_t */
    assert_int_equal(c.rows[0].T, 5);
    lm_cost_free(&c);
    lm_model_free(&m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_qk_needs_a_forward_and_ranges),
        cmocka_unit_test(test_qk_properties),
        cmocka_unit_test(test_block_trace_adds_up),
        cmocka_unit_test(test_cost_rows_counts_and_chunks),
        cmocka_unit_test(test_cost_rejects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
