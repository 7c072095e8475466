/* test_lmodel.c - the any-kind language-model interface over the
 * transformer: opening a saved gpt file, nll equal to the position-by-
 * position sum of -log softmax(next_logits), generation, bits per byte, and
 * the parts API's checks (unknown kinds, other kinds through lm_load). */
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
#include "models/lmodel.h"

static char path[256];

static int setup(void **state) {
    (void)state;
    snprintf(path, sizeof path, "/tmp/test_lmodel_%d.llm", (int)getpid());
    lm_config cfg = {.n_layer = 2, .n_head = 2, .d_model = 16, .d_mlp = 32, .n_ctx = 12, .vocab_size = 256,
                     .pos = LM_POS_LEARNED, .act = LM_ACT_GELU};
    lm_model m;
    lm_err err = {{0}};
    assert_int_equal(lm_model_init(&m, &cfg, 7, &err), 0);
    for (size_t i = 0; i < m.n_params; i++) m.params[i] *= 8.0f;   /* a peaked distribution, not uniform */
    assert_int_equal(lm_save(&m, "made_by=test_lmodel\n", path, &err), 0);
    lm_model_free(&m);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    unlink(path);
    return 0;
}

static double log_softmax_at(const float *logits, int V, int id) {
    double mx = logits[0], s = 0;
    for (int i = 1; i < V; i++) mx = logits[i] > mx ? logits[i] : mx;
    for (int i = 0; i < V; i++) s += exp(logits[i] - mx);
    return logits[id] - mx - log(s);
}

static void test_nll_matches_next_logits(void **state) {
    (void)state;
    lm_err err = {{0}};
    lm_lmodel *lm = lm_lmodel_open(path, &err);
    assert_non_null(lm);
    assert_string_equal(lm->kind, "gpt");
    assert_int_equal(lm->vocab, 256);
    assert_int_equal(lm->n_ctx, 12);
    assert_non_null(strstr(lm->metadata, "made_by=test_lmodel"));
    int32_t ids[10] = {72, 101, 108, 108, 111, 32, 119, 111, 114, 108};
    double nll = 0, want = 0;
    assert_int_equal(lm->ops->nll(lm, ids, 10, &nll, &err), 0);
    float logits[256];
    for (size_t i = 1; i < 10; i++) {
        assert_int_equal(lm->ops->next_logits(lm, ids, i, logits, &err), 0);
        want -= log_softmax_at(logits, 256, ids[i]);
    }
    assert_true(nll > 9 * 0.5);   /* not a zero that trivially agrees */
    assert_true(fabs(nll - want) < 1e-3 * want);
    lm_lmodel_free(lm);
}

static void test_generate_and_bits_per_byte(void **state) {
    (void)state;
    lm_err err = {{0}};
    lm_lmodel *lm = lm_lmodel_open(path, &err);
    assert_non_null(lm);
    lm_ids ids = {0};
    assert_int_equal(lm_ids_push(&ids, 72), 0);
    lm_gen_opts o = {.max_new = 5, .sampling = lm_sampling_default()};
    o.sampling.greedy = 1;
    lm_rng rng;
    lm_rng_seed(&rng, 1);
    lm_gen_result res;
    assert_int_equal(lm_lmodel_generate(lm, &ids, &o, &rng, &res, &err), 0);
    assert_int_equal(ids.n, 6);
    assert_int_equal(res.n_new, 5);
    assert_int_equal(res.reason, LM_GEN_MAX);
    /* a stop id is reported, not appended */
    int32_t stop = ids.ids[1];
    ids.n = 1;
    o.stop_ids = &stop;
    o.n_stop = 1;
    assert_int_equal(lm_lmodel_generate(lm, &ids, &o, &rng, &res, &err), 0);
    assert_int_equal(res.reason, LM_GEN_STOP);
    assert_int_equal(res.stop_token, stop);
    assert_int_equal(ids.n, 1);
    o.n_stop = 0;
    /* the context bounds it: n_ctx = 12 */
    o.max_new = 50;
    assert_int_equal(lm_lmodel_generate(lm, &ids, &o, &rng, &res, &err), 0);
    assert_int_equal(res.reason, LM_GEN_CONTEXT);
    assert_int_equal(ids.n, 12);
    ids.n = 6;
    assert_int_equal(lm_lmodel_generate(lm, &ids, &(lm_gen_opts){.max_new = 0}, &rng, &res, &err), 0);
    /* greedy generation takes the argmax of next_logits each time */
    float logits[256];
    assert_int_equal(lm->ops->next_logits(lm, ids.ids, 3, logits, &err), 0);
    int best = 0;
    for (int i = 1; i < 256; i++) best = logits[i] > logits[best] ? i : best;
    assert_int_equal(ids.ids[3], best);
    lm_ids_free(&ids);

    /* bytes tokeniser: one token per byte, so bits/byte = nats/token / ln 2 */
    const char *text = "the cat sat on the mat. the dog sat on the log.";
    lm_text_loss tl;
    assert_int_equal(lm_lmodel_text_loss(lm, (const uint8_t *)text, strlen(text), 100, 0, &tl, &err), 0);
    /* windows clip to n_ctx = 12: 47 bytes -> 4 windows, each scores all but its first */
    size_t len = strlen(text), windows = (len + 11) / 12;
    assert_int_equal(tl.tokens, (long)(len - windows));
    assert_true(fabs(tl.bytes - (double)tl.tokens) < 1e-9);
    assert_true(fabs(tl.bits_per_byte - tl.nats_per_token / log(2.0)) < 1e-9);
    assert_int_not_equal(lm_lmodel_text_loss(lm, (const uint8_t *)"a", 1, 100, 0, &tl, &err), 0);
    lm_lmodel_free(lm);
}

static void test_parts_refuse_unknown_kind_and_bad_ids(void **state) {
    (void)state;
    lm_err err = {{0}};
    float p[2] = {1, 2};
    lm_file_parts parts = {.kind = "nosuchkind", .params = p, .n_params = 2};
    char out[300];
    snprintf(out, sizeof out, "%s.x", path);
    assert_int_not_equal(lm_save_parts(&parts, out, &err), 0);
    assert_non_null(strstr(err.msg, "unknown model kind"));
    assert_int_not_equal(access(out, F_OK), 0);

    lm_lmodel *lm = lm_lmodel_open(path, &err);
    assert_non_null(lm);
    int32_t bad[2] = {1, 999};
    float logits[256];
    lm_sampling s = lm_sampling_default();
    lm_rng rng;
    lm_rng_seed(&rng, 1);
    lm_sample_result r;
    assert_int_equal(lm_sample_result_init(&r, 256, &err), 0);
    assert_int_not_equal(lm_lmodel_next(lm, bad, 2, &s, &rng, &r, &err), 0);
    assert_non_null(strstr(err.msg, "outside the vocabulary"));
    assert_int_not_equal(lm_lmodel_next(lm, bad, 0, &s, &rng, &r, &err), 0);
    (void)logits;
    lm_sample_result_free(&r);
    lm_lmodel_free(lm);
}

static void test_parts_round_trip_gpt(void **state) {
    (void)state;
    lm_err err = {{0}};
    lm_file_parts parts;
    assert_int_equal(lm_load_parts(&parts, path, &err), 0);
    assert_string_equal(parts.kind, "gpt");
    assert_int_equal(parts.config_bytes, 32);
    char out[300];
    snprintf(out, sizeof out, "%s.copy", path);
    assert_int_equal(lm_save_parts(&parts, out, &err), 0);
    /* the same bytes as lm_save wrote */
    FILE *a = fopen(path, "rb"), *b = fopen(out, "rb");
    assert_non_null(a);
    assert_non_null(b);
    int ca, cb;
    long n = 0;
    do {
        ca = fgetc(a);
        cb = fgetc(b);
        assert_int_equal(ca, cb);
        n++;
    } while (ca != EOF);
    assert_true(n > 1000);
    fclose(a);
    fclose(b);
    unlink(out);
    /* a wrong parameter count is refused by the kind's own check */
    parts.n_params -= 1;
    assert_int_not_equal(lm_save_parts(&parts, out, &err), 0);
    assert_non_null(strstr(err.msg, "parameters"));
    lm_file_parts_free(&parts);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nll_matches_next_logits),
        cmocka_unit_test(test_generate_and_bits_per_byte),
        cmocka_unit_test(test_parts_refuse_unknown_kind_and_bad_ids),
        cmocka_unit_test(test_parts_round_trip_gpt),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
