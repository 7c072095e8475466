/* test_kvbatch.c - G sequences decoded together equal each decoded alone:
 * for every position encoding, with head ablation, with sequences of
 * different lengths (inactive rows skipped), and after forking one prefilled
 * prompt into the whole batch. The reference is lm_forward_next, itself
 * checked against lm_forward and PyTorch elsewhere. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/rng.h"
#include "decode/prefill.h"
#include "models/gpt/kvbatch.h"

static void make_model(lm_model *m, lm_pos_kind pos) {
    lm_config cfg = {.n_layer = 2, .n_head = 4, .d_model = 32, .d_mlp = 64, .n_ctx = 16, .vocab_size = 50,
                     .pos = pos, .act = LM_ACT_GELU};
    lm_err err = {{0}};
    assert_int_equal(lm_model_init(m, &cfg, 11 + (uint64_t)pos, &err), 0);
    for (size_t i = 0; i < m->n_params; i++) m->params[i] *= 5.0f;   /* sharp attention, not uniform */
}

static float max_diff(const float *a, const float *b, int n) {
    float d = 0;
    for (int i = 0; i < n; i++) d = fmaxf(d, fabsf(a[i] - b[i]));
    return d;
}

static void ragged(lm_pos_kind pos, int ablate) {
    lm_model m;
    make_model(&m, pos);
    lm_err err = {{0}};
    if (ablate) assert_int_equal(lm_model_ablate_head(&m, 1, 2, 1, &err), 0);
    enum { G = 3 };
    const int lens[G] = {5, 8, 3};
    int32_t seq[G][8];
    lm_rng rng;
    lm_rng_seed(&rng, 5);
    for (int g = 0; g < G; g++)
        for (int t = 0; t < 8; t++) seq[g][t] = (int32_t)lm_rng_below(&rng, 50);
    lm_kv single[G];
    for (int g = 0; g < G; g++) assert_int_equal(lm_kv_init(&single[g], &m, &err), 0);
    lm_kv_batch kb;
    assert_int_equal(lm_kv_batch_init(&kb, &m, G, &err), 0);
    float logits[G * 50], one[50];
    float worst = 0;
    for (int t = 0; t < 8; t++) {
        int32_t tok[G];
        uint8_t active[G];
        for (int g = 0; g < G; g++) {
            active[g] = t < lens[g];
            tok[g] = active[g] ? seq[g][t] : 999;   /* an inactive row's token is never read */
        }
        assert_int_equal(lm_forward_next_batch(&m, &kb, tok, active, logits, &err), 0);
        for (int g = 0; g < G; g++) {
            if (!active[g]) continue;
            assert_int_equal(lm_forward_next(&m, &single[g], tok[g], one, &err), 0);
            worst = fmaxf(worst, max_diff(logits + g * 50, one, 50));
        }
    }
    for (int g = 0; g < G; g++) assert_int_equal(kb.len[g], lens[g]);
    assert_true(worst < 2e-4f);
    for (int g = 0; g < G; g++) lm_kv_free(&single[g]);
    lm_kv_batch_free(&kb);
    lm_model_free(&m);
}

static void test_learned(void **s) { (void)s; ragged(LM_POS_LEARNED, 0); }
static void test_sinusoidal(void **s) { (void)s; ragged(LM_POS_SINUSOIDAL, 0); }
static void test_rotary(void **s) { (void)s; ragged(LM_POS_ROTARY, 0); }
static void test_ablated(void **s) { (void)s; ragged(LM_POS_LEARNED, 1); }

static void test_fork_a_prompt(void **state) {
    (void)state;
    lm_model m;
    make_model(&m, LM_POS_ROTARY);
    lm_err err = {{0}};
    const int32_t prompt[4] = {3, 14, 15, 9};
    float first[50];
    lm_kv kv;
    assert_int_equal(lm_kv_init(&kv, &m, &err), 0);
    assert_int_equal(lm_prefill(&m, &kv, prompt, 4, first, &err), 0);
    enum { G = 4 };
    lm_kv_batch kb;
    assert_int_equal(lm_kv_batch_init(&kb, &m, G, &err), 0);
    assert_int_equal(lm_kv_batch_fork(&kb, &kv, &err), 0);
    const int32_t next[G] = {1, 2, 3, 4};
    float logits[G * 50], one[50];
    assert_int_equal(lm_forward_next_batch(&m, &kb, next, NULL, logits, &err), 0);
    for (int g = 0; g < G; g++) {
        lm_kv alone;
        assert_int_equal(lm_kv_init(&alone, &m, &err), 0);
        assert_int_equal(lm_prefill(&m, &alone, prompt, 4, one, &err), 0);
        assert_int_equal(lm_forward_next(&m, &alone, next[g], one, &err), 0);
        assert_true(max_diff(logits + g * 50, one, 50) < 2e-4f);
        lm_kv_free(&alone);
    }
    /* refused: a token out of range, a full sequence */
    int32_t bad[G] = {1, 2, 50, 4};
    assert_int_not_equal(lm_forward_next_batch(&m, &kb, bad, NULL, logits, &err), 0);
    assert_non_null(strstr(err.msg, "sequence 2"));
    kb.len[1] = 16;
    assert_int_not_equal(lm_forward_next_batch(&m, &kb, next, NULL, logits, &err), 0);
    assert_non_null(strstr(err.msg, "full"));
    lm_kv_free(&kv);
    lm_kv_batch_free(&kb);
    lm_model_free(&m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_learned),  cmocka_unit_test(test_sinusoidal),
        cmocka_unit_test(test_rotary),   cmocka_unit_test(test_ablated),
        cmocka_unit_test(test_fork_a_prompt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
