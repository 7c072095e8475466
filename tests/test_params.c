/* test_params.c - parameter layout, config checks and GPT-2 initialisation. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "models/gpt/model.h"
#include "models/gpt/params.h"

/* L=2, H=2, C=8, M=16, n_ctx=5, V=11 */
static lm_config small_cfg(lm_pos_kind pos) {
    lm_config c = {.n_layer = 2, .n_head = 2, .d_model = 8, .d_mlp = 16, .n_ctx = 5,
                   .vocab_size = 11, .pos = pos, .act = LM_ACT_GELU};
    return c;
}

static void test_param_count_by_hand(void **state) {
    (void)state;
    /* wte 11*8 = 88, wpe 5*8 = 40,
     * per layer: ln1 8+8, w_qkv 24*8 = 192, b_qkv 24, w_o 64, b_o 8, ln2 8+8,
     *            w_fc 16*8 = 128, b_fc 16, w_proj 128, b_proj 8  -> 600
     * ln_f 8+8 = 16.  Total 88 + 40 + 2*600 + 16 = 1344. */
    lm_config c = small_cfg(LM_POS_LEARNED);
    assert_int_equal(lm_param_count(&c), 1344);
    c.pos = LM_POS_ROTARY;
    assert_int_equal(lm_param_count(&c), 1304);
    c.pos = LM_POS_SINUSOIDAL;
    assert_int_equal(lm_param_count(&c), 1304);
    c.n_layer = 0;
    assert_int_equal(lm_param_count(&c), 0);   /* invalid config */
}

static void test_views_cover_buffer(void **state) {
    (void)state;
    for (int pos = 0; pos < 3; pos++) {
        lm_config c = small_cfg((lm_pos_kind)pos);
        lm_model m;
        lm_err err;
        assert_int_equal(lm_model_alloc(&m, &c, &err), 0);
        assert_int_equal(m.n_params, lm_param_count(&c));
        assert_int_equal(m.n_views, (pos == 0 ? 2 : 1) + 12 * 2 + 2);
        size_t next = 0;
        for (int i = 0; i < m.n_views; i++) {
            const lm_tensor_view *v = &m.views[i];
            assert_int_equal(v->offset, next);   /* no gap, no overlap */
            size_t prod = (size_t)v->shape[0] * (v->ndim == 2 ? (size_t)v->shape[1] : 1);
            assert_int_equal(v->numel, prod);
            assert_true(v->numel > 0);
            assert_int_equal(v->decay, v->ndim == 2 ? 1 : 0);
            for (int j = 0; j < i; j++) assert_string_not_equal(v->name, m.views[j].name);
            next += v->numel;
        }
        assert_int_equal(next, m.n_params);
        for (size_t i = 0; i < m.n_params; i++) assert_true(m.params[i] == 0.0f);
        assert_null(m.grads);
        assert_null(m.acts);
        lm_model_free(&m);
    }
}

static void test_view_names_order_shapes(void **state) {
    (void)state;
    lm_config c = small_cfg(LM_POS_LEARNED);
    lm_model m;
    assert_int_equal(lm_model_alloc(&m, &c, NULL), 0);
    static const struct { const char *name; int ndim, d0, d1; } want[] = {
        {"wte", 2, 11, 8}, {"wpe", 2, 5, 8},
        {"h.0.ln1.w", 1, 8, 0}, {"h.0.ln1.b", 1, 8, 0},
        {"h.0.attn.w_qkv", 2, 24, 8}, {"h.0.attn.b_qkv", 1, 24, 0},
        {"h.0.attn.w_o", 2, 8, 8}, {"h.0.attn.b_o", 1, 8, 0},
        {"h.0.ln2.w", 1, 8, 0}, {"h.0.ln2.b", 1, 8, 0},
        {"h.0.mlp.w_fc", 2, 16, 8}, {"h.0.mlp.b_fc", 1, 16, 0},
        {"h.0.mlp.w_proj", 2, 8, 16}, {"h.0.mlp.b_proj", 1, 8, 0},
        {"h.1.ln1.w", 1, 8, 0},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        assert_string_equal(m.views[i].name, want[i].name);
        assert_int_equal(m.views[i].ndim, want[i].ndim);
        assert_int_equal(m.views[i].shape[0], want[i].d0);
        if (want[i].ndim == 2) assert_int_equal(m.views[i].shape[1], want[i].d1);
    }
    assert_string_equal(m.views[m.n_views - 2].name, "ln_f.w");
    assert_string_equal(m.views[m.n_views - 1].name, "ln_f.b");
    /* offsets by hand: wte 0, wpe 88, h.0.ln1.w 128, h.1.ln1.w 128+600, ln_f.w 1328 */
    assert_int_equal(lm_find_tensor(&m, "wpe")->offset, 88);
    assert_int_equal(lm_find_tensor(&m, "h.0.ln1.w")->offset, 128);
    assert_int_equal(lm_find_tensor(&m, "h.0.attn.w_qkv")->offset, 144);
    assert_int_equal(lm_find_tensor(&m, "h.1.ln1.w")->offset, 728);
    assert_int_equal(lm_find_tensor(&m, "ln_f.w")->offset, 1328);
    const lm_tensor_view *q = lm_find_tensor(&m, "h.1.attn.w_qkv");
    assert_non_null(q);
    assert_int_equal(q->shape[0], 24);
    assert_int_equal(q->shape[1], 8);
    assert_null(lm_find_tensor(&m, "h.2.ln1.w"));
    assert_null(lm_find_tensor(&m, "nope"));
    assert_null(lm_find_tensor(&m, NULL));
    lm_model_free(&m);

    c.pos = LM_POS_ROTARY;
    assert_int_equal(lm_model_alloc(&m, &c, NULL), 0);
    assert_null(lm_find_tensor(&m, "wpe"));
    assert_int_equal(lm_find_tensor(&m, "h.0.ln1.w")->offset, 88);
    lm_model_free(&m);
}

/* The offsets the forward uses are the views' offsets, tensor by tensor and
 * layer by layer, for every kind of positions. */
static void test_offsets_match_views(void **state) {
    (void)state;
    for (int pos = 0; pos < 3; pos++) {
        lm_config c = small_cfg((lm_pos_kind)pos);
        c.n_layer = 3;
        lm_model m;
        assert_int_equal(lm_model_alloc(&m, &c, NULL), 0);
        int seen[LM_P_COUNT] = {0};
        for (int i = 0; i < m.n_views; i++) {
            const lm_tensor_view *v = &m.views[i];
            assert_true(v->param >= 0 && v->param < LM_P_COUNT);
            seen[v->param]++;
            const lm_param_spec *s = &LM_PARAM_TABLE[v->param];
            assert_int_equal(v->layer >= 0, s->scope == LM_SCOPE_LAYER);
            assert_int_equal(v->decay, s->decay);
            lm_param_off o = lm_param_offsets(&c, v->layer < 0 ? 0 : v->layer);
            assert_int_equal(o.at[v->param], v->offset);
            /* the name is the table's name, with "h.<layer>." inside the blocks */
            char want[32];
            if (v->layer < 0) snprintf(want, sizeof want, "%s", s->name);
            else snprintf(want, sizeof want, "h.%d.%s", v->layer, s->name);
            assert_string_equal(v->name, want);
        }
        /* named fields and the array are the same numbers */
        lm_param_off o = lm_param_offsets(&c, 2);
        assert_int_equal(o.wqkv, lm_find_tensor(&m, "h.2.attn.w_qkv")->offset);
        assert_int_equal(o.lnfb, lm_find_tensor(&m, "ln_f.b")->offset);
        assert_int_equal(o.at[LM_P_wte], 0);
        /* every row appears once per layer (or once), wpe only when learned */
        for (int k = 0; k < LM_P_COUNT; k++) {
            int want = LM_PARAM_TABLE[k].scope == LM_SCOPE_LAYER ? 3 : 1;
            if (k == LM_P_wpe && pos != LM_POS_LEARNED) want = 0;
            assert_int_equal(seen[k], want);
        }
        if (pos != LM_POS_LEARNED) assert_true(o.wpe == SIZE_MAX);
        lm_model_free(&m);
    }
}

typedef struct { int n_global, n_layer_1, n_other; size_t last_end; } walk_count;
static void count_visit(void *ctx, lm_param_id id, int layer, size_t offset, size_t numel) {
    (void)id;
    walk_count *w = ctx;
    if (layer < 0) w->n_global++;
    else if (layer == 1) w->n_layer_1++;
    else w->n_other++;
    w->last_end = offset + numel;
}

/* Walking one layer visits the global tensors and that layer's, at the
 * offsets of the full walk, and still returns the total. */
static void test_walk_one_layer(void **state) {
    (void)state;
    lm_config c = small_cfg(LM_POS_LEARNED);
    walk_count w = {0};
    assert_int_equal(lm_param_walk(&c, 1, count_visit, &w), 1344);
    assert_int_equal(w.n_global, 4);    /* wte, wpe, ln_f.w, ln_f.b */
    assert_int_equal(w.n_layer_1, 12);
    assert_int_equal(w.n_other, 0);
    assert_int_equal(w.last_end, 1344); /* ln_f.b ends the buffer */
    assert_int_equal(lm_param_walk(&c, -1, NULL, NULL), 1344);
    assert_int_equal(lm_dim_size(&c, LM_DIM_3C), 24);
    assert_int_equal(lm_dim_size(&c, LM_DIM_NONE), 1);
    assert_int_equal(lm_dim_size(&c, LM_DIM_CTX), 5);
}

static void expect_bad(lm_config c, const char *field) {
    lm_err err = {{0}};
    assert_int_equal(lm_config_check(&c, &err), -1);
    if (!strstr(err.msg, field)) fail_msg("message '%s' does not name '%s'", err.msg, field);
    lm_model m;
    assert_int_equal(lm_model_alloc(&m, &c, NULL), -1);
    assert_null(m.params);
}

static void test_config_check(void **state) {
    (void)state;
    lm_config ok = small_cfg(LM_POS_LEARNED), c;
    assert_int_equal(lm_config_check(&ok, NULL), 0);
    c = ok; c.n_layer = 0; expect_bad(c, "n_layer");
    c = ok; c.n_layer = 65; expect_bad(c, "n_layer");
    c = ok; c.n_layer = 64; assert_int_equal(lm_config_check(&c, NULL), 0);
    c = ok; c.n_head = 0; expect_bad(c, "n_head");
    c = ok; c.n_head = 3; expect_bad(c, "divisible");
    c = ok; c.d_model = 0; expect_bad(c, "d_model");
    c = ok; c.d_model = 6; c.n_head = 2; assert_int_equal(lm_config_check(&c, NULL), 0);
    c.pos = LM_POS_ROTARY; expect_bad(c, "rotary");   /* head dim 3 is odd */
    c = ok; c.d_mlp = 0; expect_bad(c, "d_mlp");
    c = ok; c.n_ctx = 0; expect_bad(c, "n_ctx");
    c = ok; c.n_ctx = 65537; expect_bad(c, "n_ctx");
    c = ok; c.n_ctx = 65536; assert_int_equal(lm_config_check(&c, NULL), 0);
    c = ok; c.vocab_size = 0; expect_bad(c, "vocab_size");
    c = ok; c.vocab_size = 1000001; expect_bad(c, "vocab_size");
    c = ok; c.pos = (lm_pos_kind)7; expect_bad(c, "pos");
    c = ok; c.act = (lm_act_kind)-1; expect_bad(c, "act");
}

static void test_names_parse(void **state) {
    (void)state;
    lm_pos_kind p;
    lm_act_kind a;
    assert_string_equal(lm_pos_name(LM_POS_LEARNED), "learned");
    assert_string_equal(lm_pos_name(LM_POS_SINUSOIDAL), "sinusoidal");
    assert_string_equal(lm_pos_name(LM_POS_ROTARY), "rotary");
    assert_string_equal(lm_act_name(LM_ACT_GELU), "gelu");
    assert_string_equal(lm_act_name(LM_ACT_RELU), "relu");
    assert_int_equal(lm_pos_parse("rotary", &p), 0); assert_int_equal(p, LM_POS_ROTARY);
    assert_int_equal(lm_pos_parse("sinusoidal", &p), 0); assert_int_equal(p, LM_POS_SINUSOIDAL);
    assert_int_equal(lm_pos_parse("learned", &p), 0); assert_int_equal(p, LM_POS_LEARNED);
    assert_int_equal(lm_pos_parse("Rotary", &p), -1);
    assert_int_equal(lm_pos_parse("", &p), -1);
    assert_int_equal(lm_act_parse("relu", &a), 0); assert_int_equal(a, LM_ACT_RELU);
    assert_int_equal(lm_act_parse("gelu", &a), 0); assert_int_equal(a, LM_ACT_GELU);
    assert_int_equal(lm_act_parse("swiglu", &a), -1);
}

static void stats(const float *p, size_t n, double *mean, double *std) {
    double s = 0, s2 = 0;
    for (size_t i = 0; i < n; i++) { s += p[i]; s2 += (double)p[i] * p[i]; }
    *mean = s / n;
    *std = sqrt(s2 / n - *mean * *mean);
}

static void test_init_statistics(void **state) {
    (void)state;
    lm_config c = {.n_layer = 2, .n_head = 4, .d_model = 64, .d_mlp = 256, .n_ctx = 32,
                   .vocab_size = 1000, .pos = LM_POS_LEARNED, .act = LM_ACT_GELU};
    lm_model m;
    lm_err err;
    assert_int_equal(lm_model_init(&m, &c, 42, &err), 0);
    double mean, std;
    const lm_tensor_view *v = lm_find_tensor(&m, "wte");   /* 64000 draws */
    stats(m.params + v->offset, v->numel, &mean, &std);
    assert_true(fabs(std - 0.02) < 0.02 * 0.03);
    assert_true(fabs(mean) < 0.001);
    v = lm_find_tensor(&m, "h.1.mlp.w_fc");   /* 16384 draws */
    stats(m.params + v->offset, v->numel, &mean, &std);
    assert_true(fabs(std - 0.02) < 0.02 * 0.05);
    /* residual projections: 0.02 / sqrt(2 * 2) = 0.01 */
    v = lm_find_tensor(&m, "h.0.mlp.w_proj");
    stats(m.params + v->offset, v->numel, &mean, &std);
    assert_true(fabs(std - 0.01) < 0.01 * 0.05);
    v = lm_find_tensor(&m, "h.1.attn.w_o");   /* only 4096 draws */
    stats(m.params + v->offset, v->numel, &mean, &std);
    assert_true(fabs(std - 0.01) < 0.01 * 0.08);
    v = lm_find_tensor(&m, "wpe");
    stats(m.params + v->offset, v->numel, &mean, &std);
    assert_true(fabs(std - 0.02) < 0.02 * 0.08);
    for (int i = 0; i < m.n_views; i++) {
        const lm_tensor_view *t = &m.views[i];
        if (t->ndim == 2) continue;
        size_t len = strlen(t->name);
        int is_ln_w = strcmp(t->name + len - 2, ".w") == 0;
        assert_true(strstr(t->name, "ln") != NULL || !is_ln_w);
        for (size_t j = 0; j < t->numel; j++)
            assert_true(m.params[t->offset + j] == (is_ln_w ? 1.0f : 0.0f));
    }
    /* same seed, same parameters; another seed, others */
    lm_model m2, m3;
    assert_int_equal(lm_model_init(&m2, &c, 42, NULL), 0);
    assert_int_equal(lm_model_init(&m3, &c, 43, NULL), 0);
    assert_memory_equal(m.params, m2.params, m.n_params * sizeof(float));
    assert_memory_not_equal(m.params, m3.params, m.n_params * sizeof(float));
    lm_model_free(&m);
    lm_model_free(&m2);
    lm_model_free(&m3);
}

static void test_free_twice_is_safe(void **state) {
    (void)state;
    lm_config c = small_cfg(LM_POS_LEARNED);
    lm_model m;
    assert_int_equal(lm_model_init(&m, &c, 1, NULL), 0);
    m.grads = calloc(m.n_params, sizeof(float));
    m.tokenizer_blob = malloc(3);
    m.tokenizer_len = 3;
    lm_model_free(&m);
    assert_null(m.params);
    assert_null(m.views);
    assert_int_equal(m.n_params, 0);
    lm_model_free(&m);
    lm_model_free(NULL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_param_count_by_hand),
        cmocka_unit_test(test_views_cover_buffer),
        cmocka_unit_test(test_view_names_order_shapes),
        cmocka_unit_test(test_offsets_match_views),
        cmocka_unit_test(test_walk_one_layer),
        cmocka_unit_test(test_config_check),
        cmocka_unit_test(test_names_parse),
        cmocka_unit_test(test_init_statistics),
        cmocka_unit_test(test_free_twice_is_safe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
