/* test_prefill.c - the one prompt-feeding path (decode/prefill.h): the KV
 * cache and the full window give the same next-token logits, the window
 * clips to the last n_ctx tokens, lm_generate equals lm_prefill + lm_decode,
 * and lm_model_clone copies weights and tokeniser but nothing of training. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "decode/generate.h"
#include "decode/prefill.h"
#include "models/gpt/model.h"

static lm_config small_cfg(void) {
    lm_config c = {.n_layer = 2, .n_head = 2, .d_model = 32, .d_mlp = 64, .n_ctx = 12,
                   .vocab_size = 41, .pos = LM_POS_LEARNED, .act = LM_ACT_GELU};
    return c;
}

static void prompt_ids(int32_t *ids, int n, int V) {
    for (int i = 0; i < n; i++) ids[i] = (int32_t)((i * 7 + 3) % V);
}

static void test_kv_and_window_agree(void **state) {
    (void)state;
    lm_config cfg = small_cfg();
    lm_model m;
    assert_int_equal(lm_model_init(&m, &cfg, 5, NULL), 0);
    lm_kv kv;
    assert_int_equal(lm_kv_init(&kv, &m, NULL), 0);
    const int V = cfg.vocab_size;
    int32_t ids[12];
    prompt_ids(ids, 12, V);
    float logits[41];
    for (int n = 1; n <= 12; n += 5) {
        assert_int_equal(lm_prefill(&m, &kv, ids, (size_t)n, logits, NULL), 0);
        assert_int_equal(kv.len, n);
        size_t off = 99;
        assert_int_equal(lm_prefill_window(&m, ids, (size_t)n, &off, NULL), 0);
        assert_int_equal(off, 0);
        const float *row = lm_logits(&m, 0) + (size_t)(n - 1) * V;   /* [V] */
        for (int v = 0; v < V; v++) assert_true(fabsf(row[v] - logits[v]) < 1e-4f);
    }
    lm_kv_free(&kv);
    lm_model_free(&m);
}

static void test_window_clips_and_errors(void **state) {
    (void)state;
    lm_config cfg = small_cfg();
    lm_model m;
    assert_int_equal(lm_model_init(&m, &cfg, 6, NULL), 0);
    int32_t ids[20];
    prompt_ids(ids, 20, cfg.vocab_size);
    size_t off = 0;
    assert_int_equal(lm_prefill_window(&m, ids, 20, &off, NULL), 0);
    assert_int_equal(off, 8);
    assert_int_equal(m.T, 12);
    lm_err err = {{0}};
    assert_int_equal(lm_prefill_window(&m, ids, 0, &off, &err), -1);
    assert_non_null(strstr(err.msg, "empty"));
    lm_kv kv;
    assert_int_equal(lm_kv_init(&kv, &m, NULL), 0);
    float logits[41];
    assert_int_equal(lm_prefill(&m, &kv, ids, 20, logits, &err), -1);
    assert_non_null(strstr(err.msg, "more than the context"));
    ids[3] = 41;   /* out of range */
    assert_int_equal(lm_prefill(&m, &kv, ids, 5, logits, &err), -1);
    lm_kv_free(&kv);
    lm_model_free(&m);
}

static void test_generate_is_prefill_then_decode(void **state) {
    (void)state;
    lm_config cfg = small_cfg();
    lm_model m;
    assert_int_equal(lm_model_init(&m, &cfg, 7, NULL), 0);
    int32_t ids[4];
    prompt_ids(ids, 4, cfg.vocab_size);
    lm_gen_opts o = {.max_new = 20, .sampling = lm_sampling_default()};
    lm_rng r1, r2;
    lm_rng_seed(&r1, 11);
    lm_rng_seed(&r2, 11);
    lm_ids a = {0}, b = {0};
    lm_gen_result ra, rb = {0};   /* lm_decode carries on its slide counts */
    assert_int_equal(lm_generate(&m, NULL, ids, 4, &o, &r1, &a, &ra, NULL), 0);
    lm_kv kv;
    assert_int_equal(lm_kv_init(&kv, &m, NULL), 0);
    float logits[41];
    assert_int_equal(lm_prefill(&m, &kv, ids, 4, logits, NULL), 0);
    assert_int_equal(lm_decode(&m, &kv, logits, &o, &r2, &b, &rb, NULL), 0);
    /* 4 prompt tokens in a 12-token window leave room for 8 */
    assert_int_equal(ra.reason, LM_GEN_CONTEXT);
    assert_int_equal(a.n, 8);
    assert_int_equal(rb.reason, ra.reason);
    assert_int_equal(b.n, a.n);
    assert_memory_equal(a.ids, b.ids, a.n * sizeof(int32_t));
    lm_ids_free(&a);
    lm_ids_free(&b);
    lm_kv_free(&kv);
    lm_model_free(&m);
}

static void test_clone(void **state) {
    (void)state;
    lm_config cfg = small_cfg();
    lm_model m, c;
    assert_int_equal(lm_model_init(&m, &cfg, 8, NULL), 0);
    uint8_t blob[5] = {1, 2, 3, 4, 5};
    m.tokenizer_blob = malloc(5);
    memcpy(m.tokenizer_blob, blob, 5);
    m.tokenizer_len = 5;
    m.adam_t = 17;
    int32_t ids[3] = {1, 2, 3};
    int32_t tg[3] = {2, 3, 4};
    assert_int_equal(lm_forward(&m, ids, tg, NULL, 1, 3, NULL), 0);
    assert_int_equal(lm_backward(&m, NULL), 0);
    assert_int_equal(lm_model_clone(&c, &m, NULL), 0);
    assert_int_equal(c.n_params, m.n_params);
    assert_memory_equal(c.params, m.params, m.n_params * sizeof(float));
    assert_true(c.params != m.params);
    assert_int_equal(c.tokenizer_len, 5);
    assert_memory_equal(c.tokenizer_blob, blob, 5);
    assert_int_equal(c.adam_t, 17);
    assert_null(c.grads);
    assert_null(c.acts);
    assert_non_null(lm_find_tensor(&c, "h.1.mlp.w_fc"));
    c.params[0] += 1.0f;   /* independent storage */
    assert_true(c.params[0] != m.params[0]);
    lm_model_free(&c);
    lm_model_free(&m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kv_and_window_agree),
        cmocka_unit_test(test_window_clips_and_errors),
        cmocka_unit_test(test_generate_is_prefill_then_decode),
        cmocka_unit_test(test_clone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
