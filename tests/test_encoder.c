/* test_encoder.c - the encoder: the same transformer with the causal mask
 * off (lm_model.bidirectional). Position 0 reads the tokens after it (the
 * decoder's does not), attention rows cover every key, one-token decoding
 * (the KV cache and its plain reference) refuses an encoder, the Q.K view
 * has no -inf, and the kind "encoder" goes through a model file: lm_save
 * writes it, lm_load / lm_load_parts / lm_model_from_parts read it back as
 * bidirectional with the same weights and logits, while a decoder still
 * saves as kind gpt. (Gradients against PyTorch: encoder_torch_test.py.) */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "io/modelfile.h"
#include "models/gpt/decode_ref.h"
#include "models/gpt/inside.h"
#include "models/gpt/model.h"

enum { V = 13, T = 7 };

static void make(lm_model *m, int bidirectional) {
    lm_config c = {.n_layer = 2, .n_head = 2, .d_model = 16, .d_mlp = 32, .n_ctx = 8, .vocab_size = V,
                   .pos = LM_POS_LEARNED, .act = LM_ACT_GELU};
    assert_int_equal(lm_model_init(m, &c, 5, NULL), 0);
    lm_rng r;
    lm_rng_seed(&r, 17);
    for (size_t i = 0; i < m->n_params; i++) m->params[i] += 0.2f * lm_rng_normal(&r);   /* far from uniform */
    m->bidirectional = bidirectional;
}

/* max |logits at position 0| change when the last token changes */
static float change_at_0(lm_model *m) {
    int32_t a[T] = {1, 2, 3, 4, 5, 6, 7}, b[T] = {1, 2, 3, 4, 5, 6, 12};
    float la[V];
    assert_int_equal(lm_forward(m, a, NULL, NULL, 1, T, NULL), 0);
    memcpy(la, lm_logits(m, 0), sizeof la);
    assert_int_equal(lm_forward(m, b, NULL, NULL, 1, T, NULL), 0);
    float d = 0;
    for (int v = 0; v < V; v++) d = fmaxf(d, fabsf(la[v] - lm_logits(m, 0)[v]));
    return d;
}

static void test_reads_both_sides(void **state) {
    (void)state;
    lm_model dec, enc;
    make(&dec, 0);
    make(&enc, 1);
    assert_true(change_at_0(&dec) == 0.0f);   /* the decoder's first token cannot see the last */
    assert_true(change_at_0(&enc) > 1e-3f);   /* the encoder's can */
    /* attention: every row sums to 1 over all keys, the upper triangle is used */
    int32_t ids[T] = {3, 1, 4, 1, 5, 9, 2};
    assert_int_equal(lm_forward(&enc, ids, NULL, NULL, 1, T, NULL), 0);
    for (int l = 0; l < 2; l++)
        for (int h = 0; h < 2; h++) {
            const float *att = lm_attention_probs(&enc, l, 0, h);   /* [T, T] */
            for (int i = 0; i < T; i++) {
                double s = 0;
                for (int j = 0; j < T; j++) {
                    s += att[i * T + j];
                    if (j > i) assert_true(att[i * T + j] > 0);
                }
                assert_true(fabs(s - 1) < 1e-5);
            }
        }
    /* the Q.K view: no mask, so masked = scores */
    lm_qk q;
    assert_int_equal(lm_qk_compute(&q, &enc, 0, 1, 1, -1, NULL), 0);
    assert_int_equal(q.causal, 0);
    assert_memory_equal(q.masked, q.scores, sizeof(float) * T * T);
    lm_qk_free(&q);
    assert_int_equal(lm_forward(&dec, ids, NULL, NULL, 1, T, NULL), 0);
    assert_int_equal(lm_qk_compute(&q, &dec, 0, 1, 1, -1, NULL), 0);
    assert_int_equal(q.causal, 1);
    assert_true(isinf(q.masked[1]) && q.masked[1] < 0);
    lm_qk_free(&q);
    lm_model_free(&dec);
    lm_model_free(&enc);
}

static void test_no_kv_decoding(void **state) {
    (void)state;
    lm_model enc;
    make(&enc, 1);
    lm_kv kv;
    lm_err err = {{0}};
    float logits[V];
    assert_int_equal(lm_kv_init(&kv, &enc, &err), 0);
    assert_int_equal(lm_forward_next(&enc, &kv, 1, logits, &err), -1);
    assert_non_null(strstr(err.msg, "encoder"));
    memset(&err, 0, sizeof err);
    assert_int_equal(lm_forward_next_ref(&enc, &kv, 1, logits, &err), -1);
    assert_non_null(strstr(err.msg, "encoder"));
    assert_int_equal(kv.len, 0);
    lm_kv_free(&kv);
    /* a clone is an encoder too */
    lm_model c;
    assert_int_equal(lm_model_clone(&c, &enc, NULL), 0);
    assert_int_equal(c.bidirectional, 1);
    lm_model_free(&c);
    lm_model_free(&enc);
}

static void test_file_kind(void **state) {
    (void)state;
    char dir[] = "/tmp/llmlab_test_encoder_XXXXXX", pe[300], pd[300];
    assert_non_null(mkdtemp(dir));
    snprintf(pe, sizeof pe, "%s/enc.llm", dir);
    snprintf(pd, sizeof pd, "%s/dec.llm", dir);
    lm_model enc, dec, back;
    make(&enc, 1);
    make(&dec, 0);
    lm_err err = {{0}};
    assert_int_equal(lm_save(&enc, "made=test\n", pe, &err), 0);
    assert_int_equal(lm_save(&dec, NULL, pd, &err), 0);
    lm_file_header h;
    assert_int_equal(lm_file_peek(&h, pe, &err), 0);
    assert_string_equal(h.kind, "encoder");
    assert_int_equal(h.version, 2);
    assert_int_equal(h.config_bytes, 32);   /* gpt's config */
    assert_int_equal(lm_file_peek(&h, pd, &err), 0);
    assert_string_equal(h.kind, "gpt");      /* the decoder's file is unchanged */
    /* lm_load: the same weights, bidirectional, the same logits */
    if (lm_load(&back, NULL, pe, &err)) fail_msg("%s", err.msg);
    assert_int_equal(back.bidirectional, 1);
    assert_memory_equal(&back.cfg, &enc.cfg, sizeof enc.cfg);
    assert_memory_equal(back.params, enc.params, sizeof(float) * enc.n_params);
    int32_t ids[T] = {3, 1, 4, 1, 5, 9, 2};
    float want[T * V];
    assert_int_equal(lm_forward(&enc, ids, NULL, NULL, 1, T, NULL), 0);
    memcpy(want, lm_logits(&enc, 0), sizeof want);
    assert_int_equal(lm_forward(&back, ids, NULL, NULL, 1, T, NULL), 0);
    assert_memory_equal(lm_logits(&back, 0), want, sizeof want);
    lm_model_free(&back);
    if (lm_load(&back, NULL, pd, &err)) fail_msg("%s", err.msg);
    assert_int_equal(back.bidirectional, 0);
    lm_model_free(&back);
    /* any-kind parts: kind encoder, and a model built from them */
    lm_file_parts p;
    assert_int_equal(lm_load_parts(&p, pe, &err), 0);
    assert_string_equal(p.kind, "encoder");
    assert_int_equal(lm_model_from_parts(&back, &p, &err), 0);
    assert_int_equal(back.bidirectional, 1);
    assert_memory_equal(back.params, enc.params, sizeof(float) * enc.n_params);
    lm_model_free(&back);
    /* the parts saved again keep the kind */
    char pp[320];
    snprintf(pp, sizeof pp, "%s/parts.llm", dir);
    assert_int_equal(lm_save_parts(&p, pp, &err), 0);
    lm_file_parts_free(&p);
    assert_int_equal(lm_load(&back, NULL, pp, &err), 0);
    assert_int_equal(back.bidirectional, 1);
    lm_model_free(&back);
    unlink(pe);
    unlink(pd);
    unlink(pp);
    rmdir(dir);
    lm_model_free(&enc);
    lm_model_free(&dec);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_both_sides),
        cmocka_unit_test(test_no_kv_decoding),
        cmocka_unit_test(test_file_kind),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
