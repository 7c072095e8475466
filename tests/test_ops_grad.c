/* test_ops_grad.c - every op's backward against central finite differences
 * of its forward (LayerNorm, GELU/ReLU, rotary, attention, cross-entropy),
 * and forward values against their formulas computed in float64. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "models/gpt/model.h"
#include "nn/ops.h"
#include "numcheck.h"

/* ---- finite differences: loss = sum(r * f(x)), compare d loss / d x ---- */
typedef void (*fwd_fn)(const float *x, float *y, void *ctx);

/* dx analytic vs central differences over all of x (double accumulation) */
static void fd_check(fwd_fn f, void *ctx, float *x, size_t nx, size_t ny,
                     const float *r, const float *dx, float h, double tol) {
    float *y = malloc(sizeof(float) * ny);
    double *num = malloc(sizeof(double) * nx);
    for (size_t i = 0; i < nx; i++) {
        float keep = x[i];
        x[i] = keep + h; f(x, y, ctx); double lp = dot(r, y, ny);
        x[i] = keep - h; f(x, y, ctx); double lm = dot(r, y, ny);
        x[i] = keep;
        num[i] = (lp - lm) / (2.0 * h);
    }
    double e = rel(dx, num, nx);
    if (e > tol) print_message("finite-difference relative error %.3e > %.1e\n", e, tol);
    assert_true(e <= tol);
    free(y); free(num);
}

typedef struct { int N, C; const float *w, *b; } ln_ctx;
static void ln_fwd(const float *x, float *y, void *c) {
    ln_ctx *k = c;
    layernorm_forward(y, NULL, NULL, x, k->w, k->b, k->N, k->C);
}

static void test_fd_layernorm(void **state) {
    (void)state;
    lm_rng_seed(&g_rng, 2);
    int N = 4, C = 9;
    float *x = randv(N * C, 1), *w = randv(C, 1), *b = randv(C, 1), *r = randv(N * C, 1);
    float *y = malloc(sizeof(float) * N * C), mean[4], rstd[4];
    float *dx = calloc(N * C, sizeof(float)), *dw = calloc(C, sizeof(float)), *db = calloc(C, sizeof(float));
    layernorm_forward(y, mean, rstd, x, w, b, N, C);
    layernorm_backward(dx, dw, db, r, x, w, mean, rstd, N, C);
    ln_ctx k = { N, C, w, b };
    fd_check(ln_fwd, &k, x, N * C, N * C, r, dx, 1e-2f, 2e-3);
    /* parameters: the input is then w (resp. b) */
    double nw[9], nb[9];
    for (int i = 0; i < C; i++) {
        double sw = 0, sb = 0;
        for (int n = 0; n < N; n++) {
            float xh = (x[n * C + i] - mean[n]) * rstd[n];
            sw += (double)r[n * C + i] * xh;
            sb += r[n * C + i];
        }
        nw[i] = sw; nb[i] = sb;
    }
    assert_true(rel(dw, nw, C) < 1e-5);
    assert_true(rel(db, nb, C) < 1e-5);
    free(x); free(w); free(b); free(r); free(y); free(dx); free(dw); free(db);
}

static void gelu_f(const float *x, float *y, void *c) { gelu_forward(y, x, *(size_t *)c); }
static void relu_f(const float *x, float *y, void *c) { relu_forward(y, x, *(size_t *)c); }

static void test_fd_activations(void **state) {
    (void)state;
    lm_rng_seed(&g_rng, 3);
    size_t n = 40;
    float *x = randv(n, 2), *r = randv(n, 1), *dx = malloc(sizeof(float) * n), y[40];
    gelu_backward(dx, r, x, n);
    fd_check(gelu_f, &n, x, n, n, r, dx, 1e-2f, 2e-3);
    /* gelu values against the tanh formula computed in double */
    gelu_forward(y, x, n);
    for (size_t i = 0; i < n; i++) {
        double v = x[i], ref = 0.5 * v * (1 + tanh(sqrt(2 / M_PI) * (v + 0.044715 * v * v * v)));
        assert_true(fabs(y[i] - ref) < 1e-6);
    }
    for (size_t i = 0; i < n; i++) if (fabsf(x[i]) < 0.05f) x[i] = 0.5f;   /* away from the kink */
    relu_backward(dx, r, x, n);
    fd_check(relu_f, &n, x, n, n, r, dx, 1e-2f, 1e-3);
    free(x); free(r); free(dx);
}

typedef struct { int C, hd; const float *c, *s; } rot_ctx;
static void rot_f(const float *x, float *y, void *ctx) {
    rot_ctx *k = ctx;
    memcpy(y, x, sizeof(float) * k->C);
    rotary_apply(y, k->c, k->s, k->C, k->hd);
}

static void test_fd_rotary(void **state) {
    (void)state;
    lm_rng_seed(&g_rng, 4);
    int C = 12, hd = 6, pos = 5;
    float cs[3], sn[3], *x = randv(C, 1), *r = randv(C, 1), dx[12];
    rotary_row(cs, sn, pos, hd);
    assert_true(fabs(cs[1] - cos(5 * pow(10000.0, -2.0 / 6))) < 1e-6);
    memcpy(dx, r, sizeof dx);
    rotary_apply_backward(dx, cs, sn, C, hd);
    rot_ctx k = { C, hd, cs, sn };
    fd_check(rot_f, &k, x, C, C, r, dx, 1e-2f, 1e-3);
    /* a rotation keeps each pair's length */
    float y[12];
    rot_f(x, y, &k);
    for (int h = 0; h < C; h += hd)
        for (int i = 0; i < hd / 2; i++) {
            double a = x[h + i] * x[h + i] + x[h + i + 3] * x[h + i + 3];
            double b = y[h + i] * y[h + i] + y[h + i + 3] * y[h + i + 3];
            assert_true(fabs(a - b) < 1e-5);
        }
    free(x); free(r);
}

typedef struct { int B, T, C, H; float *att; } att_ctx;
static void att_f(const float *x, float *y, void *c) {
    att_ctx *k = c;
    attention_forward(y, k->att, x, k->B, k->T, k->C, k->H);
}

static void test_fd_attention(void **state) {
    (void)state;
    lm_rng_seed(&g_rng, 5);
    int B = 2, T = 5, C = 8, H = 2;
    size_t nx = (size_t)B * T * 3 * C, ny = (size_t)B * T * C;
    float *qkv = randv(nx, 1), *r = randv(ny, 1), *y = malloc(sizeof(float) * ny);
    float *att = malloc(sizeof(float) * B * H * T * T), *dqkv = malloc(sizeof(float) * nx);
    float *scratch = malloc(sizeof(float) * 8 * T * T);
    attention_forward(y, att, qkv, B, T, C, H);
    /* probabilities: rows sum to 1, zero above the diagonal */
    for (int bh = 0; bh < B * H; bh++)
        for (int i = 0; i < T; i++) {
            double s = 0;
            for (int j = 0; j < T; j++) {
                float p = att[(size_t)bh * T * T + i * T + j];
                if (j > i) assert_true(p == 0.0f);
                s += p;
            }
            assert_true(fabs(s - 1) < 1e-5);
        }
    attention_backward(dqkv, scratch, 8, r, qkv, att, B, T, C, H);
    att_ctx k = { B, T, C, H, att };
    fd_check(att_f, &k, qkv, nx, ny, r, dqkv, 1e-2f, 3e-3);
    free(qkv); free(r); free(y); free(att); free(dqkv); free(scratch);
}

typedef struct { int N, V; const int32_t *t; const float *m; } ce_ctx;
static void ce_f(const float *x, float *y, void *c) {
    ce_ctx *k = c;
    float losses[8], lse[8], w[8];
    y[0] = crossentropy_forward(losses, lse, w, x, k->t, k->m, k->N, k->V);
}

static void test_fd_crossentropy(void **state) {
    (void)state;
    lm_rng_seed(&g_rng, 6);
    int N = 5, V = 7;
    int32_t tg[5] = { 3, -1, 0, 6, 2 };
    float mask[5] = { 1, 1, 0, 1, 0.5f }, losses[5], lse[5], w[5], one = 1.0f;
    float *x = randv(N * V, 2), *dx = malloc(sizeof(float) * N * V);
    float loss = crossentropy_forward(losses, lse, w, x, tg, mask, N, V);
    /* by hand: rows 0, 3 (weight 1) and 4 (weight 0.5); row 1 ignored, row 2 masked */
    double num = 0;
    for (int n = 0; n < N; n++) {
        if (tg[n] < 0) continue;
        double s = 0;
        for (int v = 0; v < V; v++) s += exp(x[n * V + v]);
        num += mask[n] * (log(s) - x[n * V + tg[n]]);
    }
    assert_true(fabs(loss - num / 2.5) < 1e-5);
    crossentropy_backward(dx, x, lse, tg, w, N, V);
    ce_ctx k = { N, V, tg, mask };
    fd_check(ce_f, &k, x, N * V, 1, &one, dx, 1e-2f, 2e-3);
    /* a mask that sums to 0 gives loss 0 */
    float zero[5] = { 0 };
    assert_true(crossentropy_forward(losses, lse, w, x, tg, zero, N, V) == 0.0f);
    free(x); free(dx);
}

int main(void) {
    lm_set_threads(2);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fd_layernorm),
        cmocka_unit_test(test_fd_activations),
        cmocka_unit_test(test_fd_rotary),
        cmocka_unit_test(test_fd_attention),
        cmocka_unit_test(test_fd_crossentropy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
