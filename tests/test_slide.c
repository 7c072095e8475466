/* test_slide.c - the context policy of decode/generate.h: stop at a full
 * window, or slide it. Checked against the definition, not against the
 * code's own arithmetic: after each slide the tokens drawn are those of a
 * fresh lm_generate (policy stop) on the kept window, the last
 * n_ctx - max(1, n_ctx / 4) tokens of the text, with the random generator
 * carried on; a too-long prompt is refused naming both lengths (stop) or
 * starts slid (slide); the counts in lm_gen_result and lm_slide_start agree
 * with the windows the fresh runs used; lm_gen_note words both cases; and
 * the any-kind path (lm_lmodel_generate over a gpt file) slides the same way. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "decode/generate.h"
#include "models/gpt/model.h"
#include "models/lmodel.h"

enum { N_CTX = 12, KEEP = 9, V = 41 };   /* KEEP = 12 - max(1, 12 / 4), by hand */

static void make_model_v(lm_model *m, uint64_t seed, int vocab) {
    lm_config cfg = {.n_layer = 2, .n_head = 2, .d_model = 32, .d_mlp = 64, .n_ctx = N_CTX, .vocab_size = vocab,
                     .pos = LM_POS_LEARNED, .act = LM_ACT_GELU};
    assert_int_equal(lm_model_init(m, &cfg, seed, NULL), 0);
    for (size_t i = 0; i < m->n_params; i++) m->params[i] *= 6.0f;   /* peaked: no near-ties for greedy */
}

static void make_model(lm_model *m, uint64_t seed) { make_model_v(m, seed, V); }

static void prompt_ids(int32_t *ids, int n) {
    for (int i = 0; i < n; i++) ids[i] = (int32_t)((i * 7 + 3) % V);
}

static void test_keep_rule(void **state) {
    (void)state;
    /* n_ctx - max(1, n_ctx / 4), worked by hand */
    assert_int_equal(lm_slide_keep(128), 96);
    assert_int_equal(lm_slide_keep(512), 384);
    assert_int_equal(lm_slide_keep(12), 9);
    assert_int_equal(lm_slide_keep(5), 4);
    assert_int_equal(lm_slide_keep(3), 2);
    assert_int_equal(lm_slide_keep(2), 1);
    assert_int_equal(lm_slide_keep(1), 0);
}

/* The definition, run by hand: fresh lm_generate calls with policy stop, each
 * on the last KEEP tokens of the text so far once the window is full. text
 * receives prompt + every token; starts[k] = where the window of token k of
 * the continuation started. Returns the slides made. */
static int by_definition(const lm_model *m, const int32_t *prompt, size_t n_prompt, int max_new,
                         const lm_sampling *s, uint64_t seed, lm_ids *text, size_t *starts) {
    lm_rng rng;
    lm_rng_seed(&rng, seed);
    for (size_t i = 0; i < n_prompt; i++) assert_int_equal(lm_ids_push(text, prompt[i]), 0);
    size_t start = 0;
    int slides = 0;
    if (n_prompt >= N_CTX) {   /* it fills the window: start on its last KEEP */
        start = n_prompt - KEEP;
        slides++;
    }
    int made = 0;
    while (made < max_new) {
        lm_gen_opts o = {.max_new = max_new - made, .sampling = *s};
        lm_ids seg = {0};
        lm_gen_result r;
        assert_int_equal(lm_generate(m, NULL, text->ids + start, text->n - start, &o, &rng, &seg, &r, NULL), 0);
        assert_int_equal(r.n_slides, 0);   /* policy stop never slides */
        for (size_t i = 0; i < seg.n; i++) {
            starts[made++] = start;
            assert_int_equal(lm_ids_push(text, seg.ids[i]), 0);
        }
        lm_ids_free(&seg);
        if (r.reason == LM_GEN_MAX) break;
        assert_int_equal(r.reason, LM_GEN_CONTEXT);
        assert_int_equal(text->n - start, N_CTX);   /* it stopped because the window was full */
        start = text->n - KEEP;
        slides++;
    }
    return slides;
}

static void check_against_definition(const lm_model *m, size_t n_prompt, const lm_sampling *s, uint64_t seed) {
    int32_t prompt[40];
    prompt_ids(prompt, (int)n_prompt);
    const int max_new = 30;
    lm_gen_opts o = {.max_new = max_new, .sampling = *s, .slide = 1};
    lm_rng rng;
    lm_rng_seed(&rng, seed);
    lm_ids out = {0}, text = {0};
    lm_gen_result res;
    assert_int_equal(lm_generate(m, NULL, prompt, n_prompt, &o, &rng, &out, &res, NULL), 0);
    assert_int_equal(res.reason, LM_GEN_MAX);
    assert_int_equal(out.n, max_new);
    assert_int_equal(res.n_new, max_new);
    size_t starts[40];
    int slides = by_definition(m, prompt, n_prompt, max_new, s, seed, &text, starts);
    assert_int_equal(text.n, n_prompt + max_new);
    assert_memory_equal(out.ids, text.ids + n_prompt, sizeof(int32_t) * max_new);
    /* the report: slides made and tokens dropped = where the last window starts */
    assert_true(slides >= 2);
    assert_int_equal(res.n_slides, slides);
    assert_int_equal(res.n_dropped, starts[max_new - 1]);
    assert_int_equal(res.n_prompt_dropped, starts[max_new - 1] < n_prompt ? starts[max_new - 1] : n_prompt);
    /* lm_slide_start names the same windows */
    for (int k = 0; k < max_new; k++) assert_int_equal(lm_slide_start(N_CTX, n_prompt, n_prompt + k), starts[k]);
    lm_ids_free(&out);
    lm_ids_free(&text);
}

static void test_slide_is_fresh_generate_on_kept_window(void **state) {
    (void)state;
    lm_model m;
    make_model(&m, 21);
    lm_sampling greedy = lm_sampling_default(), sampled = lm_sampling_default();
    greedy.greedy = 1;
    sampled.temperature = 1.0f;
    for (uint64_t seed = 1; seed <= 3; seed++) {
        check_against_definition(&m, 5, &greedy, seed);
        check_against_definition(&m, 5, &sampled, seed);
        check_against_definition(&m, 11, &sampled, seed);   /* one short of the window */
        check_against_definition(&m, 12, &sampled, seed);   /* exactly the window: starts slid */
        check_against_definition(&m, 30, &sampled, seed);   /* longer than it */
    }
    lm_model_free(&m);
}

static void test_stop_policy_and_long_prompts(void **state) {
    (void)state;
    lm_model m;
    make_model(&m, 22);
    int32_t prompt[30];
    prompt_ids(prompt, 30);
    lm_gen_opts o = {.max_new = 100, .sampling = lm_sampling_default()};
    lm_rng rng;
    lm_rng_seed(&rng, 3);
    lm_gen_result res;
    lm_ids out = {0};
    /* stop: 5 prompt tokens leave room for 7 in a window of 12 */
    assert_int_equal(lm_generate(&m, NULL, prompt, 5, &o, &rng, &out, &res, NULL), 0);
    assert_int_equal(res.reason, LM_GEN_CONTEXT);
    assert_int_equal(out.n, 7);
    assert_int_equal(res.n_slides, 0);
    assert_int_equal(res.n_dropped, 0);
    char note[200];
    assert_int_equal(lm_gen_note(&res, 5, N_CTX, note, sizeof note), 1);
    assert_string_equal(note, "context full: 12 tokens (prompt 5 + 7 generated)");
    /* a prompt of exactly the window: nothing fits after it */
    assert_int_equal(lm_generate(&m, NULL, prompt, 12, &o, &rng, NULL, &res, NULL), 0);
    assert_int_equal(res.reason, LM_GEN_CONTEXT);
    assert_int_equal(res.n_new, 0);
    /* longer: refused, naming both lengths */
    lm_err err = {{0}};
    assert_int_equal(lm_generate(&m, NULL, prompt, 30, &o, &rng, NULL, &res, &err), -1);
    assert_non_null(strstr(err.msg, "30 tokens"));
    assert_non_null(strstr(err.msg, "context of 12"));
    /* slide: a 30-token prompt keeps its last 9; 21 dropped, all the prompt's */
    o.slide = 1;
    o.max_new = 2;
    assert_int_equal(lm_generate(&m, NULL, prompt, 30, &o, &rng, NULL, &res, &err), 0);
    assert_int_equal(res.reason, LM_GEN_MAX);
    assert_int_equal(res.n_slides, 1);
    assert_int_equal(res.n_dropped, 21);
    assert_int_equal(res.n_prompt_dropped, 21);
    assert_int_equal(lm_gen_note(&res, 30, N_CTX, note, sizeof note), 1);
    assert_string_equal(note, "the window (12 tokens) slid once: the first 21 tokens were dropped (21 of the prompt's 30)");
    /* nothing to say when everything fits */
    o.max_new = 3;
    assert_int_equal(lm_generate(&m, NULL, prompt, 5, &o, &rng, NULL, &res, &err), 0);
    assert_int_equal(res.n_slides, 0);
    assert_int_equal(lm_gen_note(&res, 5, N_CTX, note, sizeof note), 0);
    assert_string_equal(note, "");
    /* a kv passed in holds the last window afterwards, all but the last token */
    lm_kv kv;
    assert_int_equal(lm_kv_init(&kv, &m, NULL), 0);
    lm_ids all = {0};
    o.max_new = 10;
    o.sampling.greedy = 1;
    assert_int_equal(lm_generate(&m, &kv, prompt, 5, &o, NULL, &all, &res, &err), 0);
    /* 15 tokens: one slide at 12 keeps 9 (text[3..12)); 3 more drawn, the last not fed */
    assert_int_equal(res.n_slides, 1);
    assert_int_equal(res.n_dropped, 3);
    assert_int_equal(kv.len, 11);
    int32_t text[15];
    memcpy(text, prompt, 5 * sizeof(int32_t));
    memcpy(text + 5, all.ids, 10 * sizeof(int32_t));
    assert_memory_equal(kv.ids, text + 3, 11 * sizeof(int32_t));
    lm_kv_free(&kv);
    lm_ids_free(&all);
    lm_ids_free(&out);
    lm_model_free(&m);
}

/* lm_gen_prefill + lm_decode (the compare view's path) = lm_generate */
static void test_two_halves(void **state) {
    (void)state;
    lm_model m;
    make_model(&m, 23);
    int32_t prompt[20];
    prompt_ids(prompt, 20);
    lm_gen_opts o = {.max_new = 15, .sampling = lm_sampling_default(), .slide = 1};
    lm_rng r1, r2;
    lm_rng_seed(&r1, 5);
    lm_rng_seed(&r2, 5);
    lm_ids a = {0}, b = {0};
    lm_gen_result ra, rb;
    assert_int_equal(lm_generate(&m, NULL, prompt, 20, &o, &r1, &a, &ra, NULL), 0);
    lm_kv kv;
    assert_int_equal(lm_kv_init(&kv, &m, NULL), 0);
    float logits[V];
    assert_int_equal(lm_gen_prefill(&m, &kv, prompt, 20, &o, logits, &rb, NULL), 0);
    assert_int_equal(rb.n_slides, 1);
    assert_int_equal(kv.len, KEEP);
    assert_int_equal(lm_decode(&m, &kv, logits, &o, &r2, &b, &rb, NULL), 0);
    assert_int_equal(a.n, b.n);
    assert_memory_equal(a.ids, b.ids, a.n * sizeof(int32_t));
    assert_int_equal(ra.n_slides, rb.n_slides);
    assert_int_equal(ra.n_dropped, rb.n_dropped);
    assert_int_equal(ra.n_prompt_dropped, rb.n_prompt_dropped);
    /* 20 + 15 tokens: the windows start at 11, 14, 17, 20, 23 (every 3 after 20), so 23 dropped, 20 the prompt's */
    assert_int_equal(ra.n_slides, 5);
    assert_int_equal(ra.n_dropped, 23);
    assert_int_equal(ra.n_prompt_dropped, 20);
    lm_kv_free(&kv);
    lm_ids_free(&a);
    lm_ids_free(&b);
    lm_model_free(&m);
}

/* the any-kind interface over a gpt file: the same policy, through full
 * forwards over the window instead of the KV cache */
static void test_lmodel_slides_the_same(void **state) {
    (void)state;
    char path[64];
    snprintf(path, sizeof path, "/tmp/test_slide_%d.llm", (int)getpid());
    lm_model m;
    make_model_v(&m, 24, 256);   /* a file without a tokeniser reads bytes: 256 ids */
    lm_err err = {{0}};
    assert_int_equal(lm_save(&m, "made_by=test_slide\n", path, &err), 0);
    lm_lmodel *lm = lm_lmodel_open(path, &err);
    unlink(path);
    assert_non_null(lm);
    int32_t prompt[20];
    prompt_ids(prompt, 20);
    lm_gen_opts o = {.max_new = 12, .sampling = lm_sampling_default(), .slide = 1};
    o.sampling.greedy = 1;
    for (size_t np = 4; np <= 20; np += 8) {
        lm_ids ids = {0}, want = {0};
        for (size_t i = 0; i < np; i++) assert_int_equal(lm_ids_push(&ids, prompt[i]), 0);
        lm_gen_result r, rw;
        assert_int_equal(lm_lmodel_generate(lm, &ids, &o, NULL, &r, &err), 0);
        assert_int_equal(lm_generate(&m, NULL, prompt, np, &o, NULL, &want, &rw, &err), 0);
        assert_int_equal(ids.n, np + want.n);
        assert_memory_equal(ids.ids + np, want.ids, want.n * sizeof(int32_t));
        assert_int_equal(r.n_slides, rw.n_slides);
        assert_int_equal(r.n_dropped, rw.n_dropped);
        assert_int_equal(r.n_prompt_dropped, rw.n_prompt_dropped);
        assert_true(r.n_slides >= 1);
        lm_ids_free(&ids);
        lm_ids_free(&want);
    }
    /* policy stop: a too-long prompt is refused with both lengths */
    o.slide = 0;
    lm_ids ids = {0};
    for (size_t i = 0; i < 20; i++) assert_int_equal(lm_ids_push(&ids, prompt[i]), 0);
    lm_gen_result r;
    assert_int_equal(lm_lmodel_generate(lm, &ids, &o, NULL, &r, &err), -1);
    assert_non_null(strstr(err.msg, "20 tokens"));
    assert_non_null(strstr(err.msg, "context of 12"));
    lm_ids_free(&ids);
    lm_lmodel_free(lm);
    lm_model_free(&m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keep_rule),
        cmocka_unit_test(test_slide_is_fresh_generate_on_kept_window),
        cmocka_unit_test(test_stop_policy_and_long_prompts),
        cmocka_unit_test(test_two_halves),
        cmocka_unit_test(test_lmodel_slides_the_same),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
