/* test_sampler.c - greedy, temperature, top-k, top-p and the draw itself.
 * Expected values are worked out by hand from distributions built so that
 * softmax gives round numbers: logits log(1), log(2), log(3), log(4) give
 * probabilities 0.1, 0.2, 0.3, 0.4. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "decode/sampler.h"

#define EPS 1e-6

static void logits_1234(float *l, float temperature) {
    for (int i = 0; i < 4; i++) l[i] = temperature * logf((float)(i + 1));
}

static lm_sample_result res(int V) {
    lm_sample_result r;
    assert_int_equal(lm_sample_result_init(&r, V, NULL), 0);
    return r;
}

/* what most tests start from: logits log(1..4) (probabilities 0.1 0.2 0.3
 * 0.4), a result for V = 4, the default sampling and an rng seeded with seed */
typedef struct {
    float l[4];
    lm_sample_result r;
    lm_sampling s;
    lm_rng rng;
} fixture;

static void fixture_init(fixture *f, uint64_t seed) {
    logits_1234(f->l, 1.0f);
    f->r = res(4);
    f->s = lm_sampling_default();
    lm_rng_seed(&f->rng, seed);
}

static void test_defaults(void **state) {
    (void)state;
    lm_sampling s = lm_sampling_default();
    assert_int_equal(s.greedy, 0);
    assert_true(s.temperature == 1.0f);
    assert_int_equal(s.top_k, 0);
    assert_true(s.top_p == 1.0f);
}

static void test_greedy_is_argmax(void **state) {
    (void)state;
    float l[5] = {1.0f, 5.0f, 3.0f, 5.0f, -2.0f};   /* max 5 at ids 1 and 3: lowest wins */
    lm_sample_result r = res(5);
    lm_sampling s = lm_sampling_default();
    s.greedy = 1;
    s.top_k = 3;   /* ignored when greedy */
    lm_rng rng, before;
    lm_rng_seed(&rng, 7);
    before = rng;
    assert_int_equal(lm_sample(l, 5, &s, &rng, &r, NULL), 0);
    assert_int_equal(r.token, 1);
    assert_int_equal(r.n_kept, 1);
    assert_true(r.probs_after[1] == 1.0f);
    for (int i = 0; i < 5; i++) if (i != 1) assert_true(r.probs_after[i] == 0.0f);
    assert_memory_equal(&rng, &before, sizeof rng);   /* no randomness used */
    /* probs_before is the T = 1 softmax: ids 1 and 3 equal, order 1, 3, 2, 0, 4 */
    assert_true(fabsf(r.probs_before[1] - r.probs_before[3]) < 1e-7f);
    int want[5] = {1, 3, 2, 0, 4};
    for (int i = 0; i < 5; i++) assert_int_equal(r.order[i], want[i]);
    /* NULL rng is fine when greedy */
    assert_int_equal(lm_sample(l, 5, &s, NULL, &r, NULL), 0);
    lm_sample_result_free(&r);
}

static void test_temperature_zero_is_greedy(void **state) {
    (void)state;
    float l[4] = {0.5f, -1.0f, 2.5f, 2.4f};
    lm_sample_result r = res(4);
    lm_sampling s = lm_sampling_default();
    s.temperature = 0.0f;
    lm_rng rng;
    lm_rng_seed(&rng, 3);
    for (int i = 0; i < 20; i++) {
        assert_int_equal(lm_sample(l, 4, &s, &rng, &r, NULL), 0);
        assert_int_equal(r.token, 2);
        assert_int_equal(r.n_kept, 1);
    }
    s.temperature = -1.0f;
    assert_int_equal(lm_sample(l, 4, &s, &rng, &r, NULL), 0);
    assert_int_equal(r.token, 2);
    lm_sample_result_free(&r);
}

static void test_softmax_and_temperature(void **state) {
    (void)state;
    fixture f;
    fixture_init(&f, 1);
    /* T = 1 on log(1..4) and T = 2 on 2*log(1..4): both 0.1 0.2 0.3 0.4 */
    for (int t = 1; t <= 2; t++) {
        logits_1234(f.l, (float)t);
        f.s.temperature = (float)t;
        assert_int_equal(lm_sample(f.l, 4, &f.s, &f.rng, &f.r, NULL), 0);
        for (int i = 0; i < 4; i++) {
            assert_true(fabs(f.r.probs_before[i] - 0.1 * (i + 1)) < EPS);
            assert_true(fabs(f.r.probs_after[i] - 0.1 * (i + 1)) < EPS);
        }
        int want[4] = {3, 2, 1, 0};
        for (int i = 0; i < 4; i++) assert_int_equal(f.r.order[i], want[i]);
        assert_int_equal(f.r.kept_by_top_k, 4);
        assert_int_equal(f.r.kept_by_top_p, 4);
        assert_int_equal(f.r.n_kept, 4);
    }
    /* T = 0.5 on log(1..4) squares the odds: 1 4 9 16 over 30 */
    logits_1234(f.l, 1.0f);
    f.s.temperature = 0.5f;
    assert_int_equal(lm_sample(f.l, 4, &f.s, &f.rng, &f.r, NULL), 0);
    for (int i = 0; i < 4; i++)
        assert_true(fabs(f.r.probs_before[i] - (double)((i + 1) * (i + 1)) / 30.0) < EPS);
    lm_sample_result_free(&f.r);
}

static void test_top_k(void **state) {
    (void)state;
    fixture f;
    fixture_init(&f, 2);
    f.s.top_k = 2;   /* keeps 0.4 and 0.3 -> 4/7 and 3/7 */
    assert_int_equal(lm_sample(f.l, 4, &f.s, &f.rng, &f.r, NULL), 0);
    assert_int_equal(f.r.kept_by_top_k, 2);
    assert_int_equal(f.r.kept_by_top_p, 2);
    assert_int_equal(f.r.n_kept, 2);
    assert_true(fabs(f.r.probs_after[3] - 4.0 / 7.0) < EPS);
    assert_true(fabs(f.r.probs_after[2] - 3.0 / 7.0) < EPS);
    assert_true(f.r.probs_after[1] == 0.0f && f.r.probs_after[0] == 0.0f);
    assert_true(fabs(f.r.probs_before[0] - 0.1) < EPS);   /* before is untouched */
    assert_true(f.r.token == 3 || f.r.token == 2);
    f.s.top_k = 1;
    assert_int_equal(lm_sample(f.l, 4, &f.s, &f.rng, &f.r, NULL), 0);
    assert_int_equal(f.r.token, 3);
    assert_true(f.r.probs_after[3] == 1.0f);
    f.s.top_k = 4;   /* >= V: off */
    assert_int_equal(lm_sample(f.l, 4, &f.s, &f.rng, &f.r, NULL), 0);
    assert_int_equal(f.r.kept_by_top_k, 4);
    f.s.top_k = 99;
    assert_int_equal(lm_sample(f.l, 4, &f.s, &f.rng, &f.r, NULL), 0);
    assert_int_equal(f.r.kept_by_top_k, 4);
    lm_sample_result_free(&f.r);
}

/* top-p on 0.4 0.3 0.2 0.1 (ids 3 2 1 0) */
static void expect_top_p(float p, int top_k, int want_k, int want_p, const double *want_after) {
    fixture f;
    fixture_init(&f, 5);
    f.s.top_p = p;
    f.s.top_k = top_k;
    assert_int_equal(lm_sample(f.l, 4, &f.s, &f.rng, &f.r, NULL), 0);
    assert_int_equal(f.r.kept_by_top_k, want_k);
    if (f.r.kept_by_top_p != want_p) fail_msg("top_p=%g top_k=%d: kept %d, want %d", p, top_k, f.r.kept_by_top_p, want_p);
    assert_int_equal(f.r.n_kept, want_p);
    for (int i = 0; i < 4; i++)
        if (fabs(f.r.probs_after[i] - want_after[i]) > EPS)
            fail_msg("top_p=%g: probs_after[%d]=%g want %g", p, i, f.r.probs_after[i], want_after[i]);
    assert_true(f.r.probs_after[f.r.token] > 0.0f);
    lm_sample_result_free(&f.r);
}

static void test_top_p(void **state) {
    (void)state;
    /* p = 0.3: 0.4 alone already >= 0.3 */
    expect_top_p(0.3f, 0, 4, 1, (double[]){0, 0, 0, 1});
    /* p = 0.4: exactly reached by the first token */
    expect_top_p(0.4f, 0, 4, 1, (double[]){0, 0, 0, 1});
    /* p = 0.5: 0.4 < 0.5, 0.4 + 0.3 = 0.7 >= 0.5 -> 4/7, 3/7 */
    expect_top_p(0.5f, 0, 4, 2, (double[]){0, 0, 3.0 / 7, 4.0 / 7});
    /* p = 0.7: exactly 0.7 after two */
    expect_top_p(0.7f, 0, 4, 2, (double[]){0, 0, 3.0 / 7, 4.0 / 7});
    /* p = 0.75: needs the third (0.9) -> 4/9 3/9 2/9 */
    expect_top_p(0.75f, 0, 4, 3, (double[]){0, 2.0 / 9, 3.0 / 9, 4.0 / 9});
    /* p = 0.95: all four */
    expect_top_p(0.95f, 0, 4, 4, (double[]){0.1, 0.2, 0.3, 0.4});
    /* p = 0: still one token */
    expect_top_p(0.0f, 0, 4, 1, (double[]){0, 0, 0, 1});
    /* top-k 3 first, then top-p on the renormalised 4/9 3/9 2/9:
     * p = 0.75: 4/9 = 0.444 < 0.75, 7/9 = 0.778 >= 0.75 -> two tokens
     * (on the raw mass 0.4 + 0.3 = 0.7 < 0.75 it would have been three) */
    expect_top_p(0.75f, 3, 3, 2, (double[]){0, 0, 3.0 / 7, 4.0 / 7});
    /* top-k 3, p = 0.8: 7/9 < 0.8 -> three */
    expect_top_p(0.8f, 3, 3, 3, (double[]){0, 2.0 / 9, 3.0 / 9, 4.0 / 9});
}

static void test_neg_inf_and_errors(void **state) {
    (void)state;
    lm_sample_result r = res(3);
    lm_sampling s = lm_sampling_default();
    lm_rng rng;
    lm_rng_seed(&rng, 9);
    float l[3] = {-INFINITY, 0.0f, 0.0f};
    for (int i = 0; i < 200; i++) {
        assert_int_equal(lm_sample(l, 3, &s, &rng, &r, NULL), 0);
        assert_int_not_equal(r.token, 0);
    }
    assert_int_equal(r.kept_by_top_k, 3);
    assert_int_equal(r.n_kept, 2);
    assert_true(fabs(r.probs_after[1] - 0.5) < EPS);

    lm_err err = {{0}};
    float bad[3] = {0.0f, NAN, 1.0f};
    assert_int_equal(lm_sample(bad, 3, &s, &rng, &r, &err), -1);
    assert_non_null(strstr(err.msg, "NaN"));
    float allinf[3] = {-INFINITY, -INFINITY, -INFINITY};
    assert_int_equal(lm_sample(allinf, 3, &s, &rng, &r, &err), -1);
    assert_non_null(strstr(err.msg, "-inf"));
    float pinf[3] = {0.0f, INFINITY, 1.0f};
    assert_int_equal(lm_sample(pinf, 3, &s, &rng, &r, &err), -1);
    assert_int_equal(lm_sample(l, 4, &s, &rng, &r, &err), -1);   /* V mismatch */
    assert_int_equal(lm_sample(l, 3, &s, NULL, &r, &err), -1);  /* no rng, not greedy */
    lm_sample_result bad_r;
    assert_int_equal(lm_sample_result_init(&bad_r, 0, &err), -1);
    lm_sample_result_free(&r);
}

static void test_same_seed_same_tokens(void **state) {
    (void)state;
    enum { V = 50 };
    float l[V];
    for (int i = 0; i < V; i++) l[i] = sinf((float)i);   /* a bumpy distribution */
    lm_sample_result r = res(V);
    lm_sampling s = lm_sampling_default();
    s.temperature = 0.8f;
    s.top_k = 20;
    s.top_p = 0.9f;
    int32_t a[200], b[200];
    lm_rng rng;
    lm_rng_seed(&rng, 1234);
    for (int i = 0; i < 200; i++) { assert_int_equal(lm_sample(l, V, &s, &rng, &r, NULL), 0); a[i] = r.token; }
    lm_rng_seed(&rng, 1234);
    for (int i = 0; i < 200; i++) { assert_int_equal(lm_sample(l, V, &s, &rng, &r, NULL), 0); b[i] = r.token; }
    assert_memory_equal(a, b, sizeof a);
    lm_rng_seed(&rng, 4321);
    int same = 0;
    for (int i = 0; i < 200; i++) { lm_sample(l, V, &s, &rng, &r, NULL); same += r.token == a[i]; }
    assert_true(same < 200);
    lm_sample_result_free(&r);
}

static void test_empirical_frequencies(void **state) {
    (void)state;
    fixture f;
    fixture_init(&f, 77);
    enum { N = 20000 };
    /* no cut: 0.1 0.2 0.3 0.4; std of a frequency <= sqrt(0.25/N) = 0.0035 */
    int count[4] = {0};
    for (int i = 0; i < N; i++) { lm_sample(f.l, 4, &f.s, &f.rng, &f.r, NULL); count[f.r.token]++; }
    for (int i = 0; i < 4; i++) {
        double f = (double)count[i] / N;
        if (fabs(f - 0.1 * (i + 1)) > 0.015) fail_msg("id %d: frequency %g, want %g", i, f, 0.1 * (i + 1));
    }
    /* top-k 2: 4/7 and 3/7, never ids 0 and 1 */
    f.s.top_k = 2;
    memset(count, 0, sizeof count);
    for (int i = 0; i < N; i++) { lm_sample(f.l, 4, &f.s, &f.rng, &f.r, NULL); count[f.r.token]++; }
    assert_int_equal(count[0] + count[1], 0);
    assert_true(fabs((double)count[3] / N - 4.0 / 7.0) < 0.015);
    lm_sample_result_free(&f.r);
}

static void test_order_large_vocab(void **state) {
    (void)state;
    enum { V = 200000 };
    float *l = malloc(V * sizeof *l);
    lm_rng rng;
    lm_rng_seed(&rng, 11);
    /* values on a coarse grid so that many ties occur */
    for (int i = 0; i < V; i++) l[i] = (float)(int)(lm_rng_normal(&rng) * 20.0f) / 4.0f;
    lm_sample_result r = res(V);
    lm_sampling s = lm_sampling_default();
    s.top_k = 50;
    s.top_p = 0.95f;
    clock_t t0 = clock();
    int calls = 10;
    for (int i = 0; i < calls; i++) assert_int_equal(lm_sample(l, V, &s, &rng, &r, NULL), 0);
    double ms = 1000.0 * (double)(clock() - t0) / CLOCKS_PER_SEC / calls;
    print_message("lm_sample V=%d: %.2f ms per call (CPU)\n", V, ms);
    /* order is a permutation, descending by probability, ties by lower id */
    char *seen = calloc(V, 1);
    for (int i = 0; i < V; i++) {
        int32_t id = r.order[i];
        assert_true(id >= 0 && id < V);
        assert_false(seen[id]);
        seen[id] = 1;
        if (i > 0) {
            int32_t prev = r.order[i - 1];
            float a = r.probs_before[prev], b = r.probs_before[id];
            assert_true(a > b || (a == b && prev < id));
        }
    }
    free(seen);
    assert_int_equal(r.kept_by_top_k, 50);
    assert_true(r.kept_by_top_p >= 1 && r.kept_by_top_p <= 50);
    lm_sample_result_free(&r);
    free(l);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_greedy_is_argmax),
        cmocka_unit_test(test_temperature_zero_is_greedy),
        cmocka_unit_test(test_softmax_and_temperature),
        cmocka_unit_test(test_top_k),
        cmocka_unit_test(test_top_p),
        cmocka_unit_test(test_neg_inf_and_errors),
        cmocka_unit_test(test_same_seed_same_tokens),
        cmocka_unit_test(test_empirical_frequencies),
        cmocka_unit_test(test_order_large_vocab),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
