/* test_paramset.c - a non-transformer model's parameter set: layout of its
 * ranges, AdamW against PyTorch's update written out in double precision
 * here (decay on matrices only), clipping, and its optimizer state saved and
 * refused for other weights. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "io/optstate.h"
#include "nn/paramset.h"

static void make_set(lm_paramset *ps) {
    lm_param_range r[2] = {{.name = "w", .numel = 6, .decay = 1}, {.name = "b", .numel = 3, .decay = 0}};
    lm_err err = {{0}};
    assert_int_equal(lm_paramset_alloc(ps, r, 2, &err), 0);
    assert_int_equal(ps->n, 9);
    assert_int_equal(lm_paramset_find(ps, "b")->offset, 6);
    assert_null(lm_paramset_find(ps, "c"));
    for (size_t i = 0; i < 9; i++) ps->params[i] = 0.1f * (float)i - 0.3f;
}

static void test_adamw_matches_pytorch_formula(void **state) {
    (void)state;
    lm_paramset ps;
    make_set(&ps);
    lm_adamw opt = {0.9f, 0.95f, 1e-8f, 0.1f};
    double p[9], m[9] = {0}, v[9] = {0};
    for (int i = 0; i < 9; i++) p[i] = ps.params[i];
    const double lr = 0.01;
    for (int t = 1; t <= 3; t++) {
        for (int i = 0; i < 9; i++) ps.grads[i] = (float)(0.5 * sin(i + t));
        assert_int_equal(lm_paramset_adamw_step(&ps, &opt, (float)lr, NULL), 0);
        /* torch.optim.AdamW: p *= 1 - lr*wd; m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
         * p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps) */
        for (int i = 0; i < 9; i++) {
            double g = (float)(0.5 * sin(i + t));
            if (i < 6) p[i] *= 1 - lr * 0.1;
            m[i] = 0.9 * m[i] + 0.1 * g;
            v[i] = 0.95 * v[i] + 0.05 * g * g;
            p[i] -= lr / (1 - pow(0.9, t)) * m[i] / (sqrt(v[i]) / sqrt(1 - pow(0.95, t)) + 1e-8);
        }
    }
    assert_int_equal(ps.adam_t, 3);
    for (int i = 0; i < 9; i++) assert_true(fabs(ps.params[i] - p[i]) < 1e-6);
    lm_paramset_free(&ps);
}

static void test_clip(void **state) {
    (void)state;
    lm_paramset ps;
    make_set(&ps);
    ps.grads[0] = 3;
    ps.grads[8] = 4;   /* norm 5 */
    float n = lm_paramset_clip_grad(&ps, 1.0f);
    assert_true(fabsf(n - 5.0f) < 1e-6f);
    assert_true(fabsf(ps.grads[0] - 0.6f) < 1e-5f && fabsf(ps.grads[8] - 0.8f) < 1e-5f);
    lm_paramset_zero_grad(&ps);
    assert_true(ps.grads[0] == 0 && ps.grads[8] == 0);
    lm_paramset_free(&ps);
}

static void test_optstate_round_trip_and_refusal(void **state) {
    (void)state;
    char path[64];
    snprintf(path, sizeof path, "/tmp/test_paramset_%d.opt", (int)getpid());
    lm_paramset ps;
    make_set(&ps);
    lm_err err = {{0}};
    assert_int_not_equal(lm_optstate_save_set(&ps, path, &err), 0);   /* no step yet: nothing to save */
    for (int i = 0; i < 9; i++) ps.grads[i] = 0.1f * (float)(i + 1);
    lm_adamw opt = lm_adamw_default();
    assert_int_equal(lm_paramset_adamw_step(&ps, &opt, 0.01f, &err), 0);
    assert_int_equal(lm_optstate_save_set(&ps, path, &err), 0);
    float m3 = ps.adam_m[3], v3 = ps.adam_v[3];
    lm_paramset_reset_optimizer(&ps);
    ps.adam_t = 1;
    assert_int_equal(lm_optstate_load_set(&ps, path, &err), 0);
    assert_true(ps.adam_m[3] == m3 && ps.adam_v[3] == v3);
    ps.params[0] += 1;   /* other weights: refused */
    assert_int_not_equal(lm_optstate_load_set(&ps, path, &err), 0);
    assert_non_null(strstr(err.msg, "other weights"));
    unlink(path);
    lm_paramset_free(&ps);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_adamw_matches_pytorch_formula),
        cmocka_unit_test(test_clip),
        cmocka_unit_test(test_optstate_round_trip_and_refusal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
