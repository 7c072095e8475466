/* test_ablate.c - the head-ablation mask (model.h) and the lens results
 * (models/gpt/lens.h): an empty mask is bit-identical to none in every
 * decoder; ablating every head of a layer is the layer with w_o = 0 (its
 * attention skipped, only b_o added); one head is w_o's columns of that head
 * zeroed; the spec parser names bad items; lm_ablation_next and
 * lm_lens_compute agree with the plain inspection calls. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "models/gpt/decode_ref.h"
#include "models/gpt/lens.h"
#include "models/gpt/model.h"
#include "numcheck.h"

#define T 11
static const lm_config CFG = {2, 4, 32, 64, 16, 50, LM_POS_LEARNED, LM_ACT_GELU};
static const int32_t TOK[T] = {3, 17, 42, 5, 5, 9, 31, 0, 49, 22, 8};

static void make_model(lm_model *m, uint64_t seed) {
    assert_int_equal(lm_model_init(m, &CFG, seed, NULL), 0);
    lm_rng_seed(&g_rng, seed + 1);
    for (size_t i = 0; i < m->n_params; i++) m->params[i] += 0.2f * lm_rng_normal(&g_rng);
}

/* logits [T, V] of the full forward (malloc'd) */
static float *forward_logits(lm_model *m) {
    size_t n = (size_t)T * CFG.vocab_size;
    float *out = malloc(sizeof(float) * n);
    assert_int_equal(lm_forward(m, TOK, NULL, NULL, 1, T, NULL), 0);
    memcpy(out, lm_logits(m, 0), sizeof(float) * n);
    return out;
}

/* logits [T, V] of the KV decoder (ref = 0) or the plain one (ref = 1) */
static float *decode_logits(const lm_model *m, int ref) {
    const int V = CFG.vocab_size;
    float *out = malloc(sizeof(float) * T * V);
    lm_kv kv;
    assert_int_equal(lm_kv_init(&kv, m, NULL), 0);
    for (int t = 0; t < T; t++) {
        int rc = ref ? lm_forward_next_ref(m, &kv, TOK[t], out + (size_t)t * V, NULL)
                     : lm_forward_next(m, &kv, TOK[t], out + (size_t)t * V, NULL);
        assert_int_equal(rc, 0);
    }
    lm_kv_free(&kv);
    return out;
}

static double max_diff(const float *a, const float *b, size_t n) {
    double d = 0;
    for (size_t i = 0; i < n; i++) d = fmax(d, fabs((double)a[i] - b[i]));
    return d;
}

/* compares all three paths of m (ablated) with those of ref (weights edited) */
static void same_paths(lm_model *m, lm_model *ref, double tol) {
    size_t n = (size_t)T * CFG.vocab_size;
    for (int path = 0; path < 3; path++) {
        float *a = path == 0 ? forward_logits(m) : decode_logits(m, path == 2);
        float *b = path == 0 ? forward_logits(ref) : decode_logits(ref, path == 2);
        double d = max_diff(a, b, n);
        if (d > tol) print_message("path %d differs by %.3e\n", path, d);
        if (tol == 0) assert_memory_equal(a, b, sizeof(float) * n);
        else assert_true(d <= tol);
        free(a); free(b);
    }
}

static void test_empty_mask_is_no_mask(void **state) {
    (void)state;
    lm_model m, plain;
    make_model(&m, 7);
    assert_int_equal(lm_model_clone(&plain, &m, NULL), 0);
    /* an all-zero mask held on the model (the non-NULL path of every decoder) */
    m.ablate = calloc((size_t)CFG.n_layer * CFG.n_head, 1);
    same_paths(&m, &plain, 0);
    /* set_ablation of zeros stores nothing */
    uint8_t zeros[8] = {0};
    assert_int_equal(lm_model_set_ablation(&m, zeros, NULL), 0);
    assert_null(m.ablate);
    same_paths(&m, &plain, 0);
    lm_model_free(&m); lm_model_free(&plain);
}

static void test_whole_layer_is_skipped_attention(void **state) {
    (void)state;
    lm_model m, skip;
    make_model(&m, 11);
    assert_int_equal(lm_model_clone(&skip, &m, NULL), 0);
    const lm_tensor_view *wo = lm_find_tensor(&skip, "h.1.attn.w_o");
    assert_non_null(wo);
    memset(skip.params + wo->offset, 0, sizeof(float) * wo->numel);   /* attention adds only b_o */
    uint8_t mask[8];
    assert_int_equal(lm_ablation_parse(&CFG, "1.*", mask, NULL), 0);
    assert_int_equal(lm_model_set_ablation(&m, mask, NULL), 0);
    assert_int_equal(lm_model_n_ablated(&m), 4);
    same_paths(&m, &skip, 1e-5);
    /* and it does change the output: the test could not pass by accident */
    float *a = forward_logits(&m);
    lm_model_clear_ablation(&m);
    float *b = forward_logits(&m);
    assert_true(max_diff(a, b, (size_t)T * CFG.vocab_size) > 1e-2);
    free(a); free(b);
    lm_model_free(&m); lm_model_free(&skip);
}

static void test_one_head_is_its_columns_of_w_o(void **state) {
    (void)state;
    lm_model m, ref;
    make_model(&m, 13);
    assert_int_equal(lm_model_clone(&ref, &m, NULL), 0);
    const int C = CFG.d_model, hd = C / CFG.n_head, head = 2;
    const lm_tensor_view *wo = lm_find_tensor(&ref, "h.0.attn.w_o");   /* [C, C] */
    for (int r = 0; r < C; r++)
        for (int j = head * hd; j < (head + 1) * hd; j++) ref.params[wo->offset + (size_t)r * C + j] = 0;
    assert_int_equal(lm_model_ablate_head(&m, 0, head, 1, NULL), 0);
    assert_true(lm_head_ablated(&m, 0, head));
    assert_false(lm_head_ablated(&m, 0, head - 1));
    same_paths(&m, &ref, 1e-5);
    /* switching it back off restores the model bit for bit */
    assert_int_equal(lm_model_ablate_head(&m, 0, head, 0, NULL), 0);
    assert_null(m.ablate);
    lm_model plain;
    assert_int_equal(lm_model_clone(&plain, &m, NULL), 0);
    same_paths(&m, &plain, 0);
    lm_model_free(&m); lm_model_free(&ref); lm_model_free(&plain);
}

static void test_parse_and_format(void **state) {
    (void)state;
    uint8_t mask[8];
    lm_err err = {{0}};
    assert_int_equal(lm_ablation_parse(&CFG, " 1.2, 0.0 ,0.3", mask, &err), 0);
    const uint8_t want[8] = {1, 0, 0, 1, 0, 0, 1, 0};
    assert_memory_equal(mask, want, 8);
    lm_model m;
    make_model(&m, 3);
    assert_int_equal(lm_model_set_ablation(&m, mask, NULL), 0);
    char out[64];
    assert_int_equal(lm_ablation_format(&m, out, sizeof out), 3);
    assert_string_equal(out, "0.0,0.3,1.2");
    lm_model_clear_ablation(&m);
    assert_int_equal(lm_ablation_format(&m, out, sizeof out), 0);
    assert_string_equal(out, "none");
    const char *bad[][2] = {{"2.0", "'2.0'"}, {"0.4", "head 4"}, {"1", "'1'"}, {"1.2,x", "'x'"},
                            {"", "empty"}, {"1.2.3", "'1.2.3'"}, {"-1.0", "'-1.0'"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(lm_ablation_parse(&CFG, bad[i][0], mask, &err), -1);
        if (!strstr(err.msg, bad[i][1])) print_message("'%s': %s\n", bad[i][0], err.msg);
        assert_non_null(strstr(err.msg, bad[i][1]));
    }
    assert_int_equal(lm_model_ablate_head(&m, 2, 0, 1, &err), -1);
    lm_model_free(&m);
}

static void test_ablation_next_keeps_the_mask(void **state) {
    (void)state;
    lm_model m;
    make_model(&m, 5);
    const int V = CFG.vocab_size;
    float *base = malloc(sizeof(float) * V), *abl = malloc(sizeof(float) * V);
    assert_int_equal(lm_forward(&m, TOK, NULL, NULL, 1, T, NULL), 0);
    lm_next_token_probs(&m, 0, T - 1, base);
    uint8_t mask[8] = {0, 1, 0, 0, 0, 0, 1, 1};
    assert_int_equal(lm_model_set_ablation(&m, mask, NULL), 0);
    assert_int_equal(lm_forward(&m, TOK, NULL, NULL, 1, T, NULL), 0);
    lm_next_token_probs(&m, 0, T - 1, abl);
    lm_model_clear_ablation(&m);
    lm_ablation_diff d;
    assert_int_equal(lm_ablation_next(&m, mask, TOK, T, 6, &d, NULL), 0);
    assert_null(m.ablate);   /* left as it was */
    assert_int_equal(d.k, 6);
    for (int i = 0; i < d.k; i++) {
        assert_float_equal(d.p_base[i], base[d.id[i]], 1e-7);
        assert_float_equal(d.p_ablated[i], abl[d.id[i]], 1e-7);
        if (i) assert_true(fmaxf(d.p_base[i], d.p_ablated[i]) <= fmaxf(d.p_base[i - 1], d.p_ablated[i - 1]));
    }
    assert_true(d.kl > 0);
    lm_ablation_diff_free(&d);
    free(base); free(abl);
    lm_model_free(&m);
}

static void test_lens_grid(void **state) {
    (void)state;
    lm_model m;
    make_model(&m, 9);
    const int V = CFG.vocab_size, L = CFG.n_layer;
    assert_int_equal(lm_forward(&m, TOK, NULL, NULL, 1, T, NULL), 0);
    lm_lens lz;
    assert_int_equal(lm_lens_compute(&lz, &m, 0, -1, -1, 4, NULL), 0);
    assert_int_equal(lz.n_rows, L + 1);
    assert_int_equal(lz.pos, T - 1);
    float *p = malloc(sizeof(float) * V), *lg = malloc(sizeof(float) * V);
    for (int t = 0; t < T; t++) {   /* the last row is the model's own distribution */
        lm_next_token_probs(&m, 0, t, p);
        int best = 0;
        for (int v = 1; v < V; v++) if (p[v] > p[best]) best = v;
        assert_int_equal(lz.top[(size_t)L * T + t], best);
        assert_float_equal(lz.top_p[(size_t)L * T + t], p[best], 1e-6);
    }
    assert_int_equal(lz.target, lz.top[(size_t)L * T + T - 1]);
    assert_int_equal(lz.target_rank[L], 0);
    for (int r = 0; r <= L; r++) {   /* every row against lm_logit_lens of one position */
        assert_int_equal(lm_logit_lens(&m, r, 0, T - 1, lg, NULL), 0);
        {   /* softmax of the lens logits */
            float mx = lg[0]; double s = 0;
            for (int v = 1; v < V; v++) mx = fmaxf(mx, lg[v]);
            for (int v = 0; v < V; v++) s += exp((double)lg[v] - mx);
            assert_float_equal(lz.target_p[r], exp((double)lg[lz.target] - mx) / s, 1e-6);
            assert_float_equal(lz.topk_p[(size_t)r * 4], exp((double)lg[lz.topk[(size_t)r * 4]] - mx) / s, 1e-6);
        }
        for (int i = 1; i < 4; i++) assert_true(lz.topk_p[(size_t)r * 4 + i] <= lz.topk_p[(size_t)r * 4 + i - 1]);
    }
    lm_lens_free(&lz);
    assert_int_equal(lm_lens_compute(&lz, &m, 0, T, -1, 4, NULL), -1);   /* position past the end */
    assert_int_equal(lm_lens_compute(&lz, &m, 0, 0, V, 4, NULL), -1);    /* no such token */
    free(p); free(lg);
    lm_model_free(&m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_mask_is_no_mask),
        cmocka_unit_test(test_whole_layer_is_skipped_attention),
        cmocka_unit_test(test_one_head_is_its_columns_of_w_o),
        cmocka_unit_test(test_parse_and_format),
        cmocka_unit_test(test_ablation_next_keeps_the_mask),
        cmocka_unit_test(test_lens_grid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
