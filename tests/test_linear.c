/* test_linear.c - the products: linear_forward (threads + BLAS) and
 * attention_forward against their plain references (nn/ops_ref.h) with 1
 * and 2 threads on odd shapes; linear_backward and decoding's matvec
 * against float64 loops. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "models/gpt/model.h"
#include "nn/matvec.h"
#include "nn/ops.h"
#include "nn/ops_ref.h"
#include "numcheck.h"

/* ---- BLAS path vs naive triple loops on odd shapes ---- */
static void check_linear(int N, int IC, int OC) {
    float *x = randv((size_t)N * IC, 1), *w = randv((size_t)OC * IC, 1), *b = randv(OC, 1);
    float *y = malloc(sizeof(float) * N * OC), *dy = randv((size_t)N * OC, 1);
    float *dx = calloc((size_t)N * IC, sizeof(float)), *dw = calloc((size_t)OC * IC, sizeof(float));
    float *db = calloc(OC, sizeof(float));
    double *ry = malloc(sizeof(double) * N * OC), *rdx = calloc((size_t)N * IC, sizeof(double));
    double *rdw = calloc((size_t)OC * IC, sizeof(double)), *rdb = calloc(OC, sizeof(double));
    linear_forward(y, x, w, b, N, IC, OC);
    linear_backward(dx, dw, db, dy, x, w, N, IC, OC);
    for (int n = 0; n < N; n++)
        for (int o = 0; o < OC; o++) {
            double s = b[o];
            for (int i = 0; i < IC; i++) s += (double)x[n * IC + i] * w[o * IC + i];
            ry[n * OC + o] = s;
            double g = dy[n * OC + o];
            rdb[o] += g;
            for (int i = 0; i < IC; i++) {
                rdx[n * IC + i] += g * w[o * IC + i];
                rdw[o * IC + i] += g * x[n * IC + i];
            }
        }
    assert_true(rel(y, ry, (size_t)N * OC) < 1e-5);
    assert_true(rel(dx, rdx, (size_t)N * IC) < 1e-5);
    assert_true(rel(dw, rdw, (size_t)OC * IC) < 1e-5);
    assert_true(rel(db, rdb, OC) < 1e-5);
    free(x); free(w); free(b); free(y); free(dy); free(dx); free(dw); free(db);
    free(ry); free(rdx); free(rdw); free(rdb);
}

/* ---- decoding's hand-written matrix-vector products vs float64 ---- */
static void test_matvec_vs_naive(void **state) {
    (void)state;
    lm_rng_seed(&g_rng, 7);
    /* widths around the 16-lane steps, and empty products */
    static const int widths[] = { 0, 1, 5, 15, 16, 17, 31, 32, 33, 48, 63 };
    for (int rows = 0; rows <= 9; rows++)
        for (size_t wi = 0; wi < sizeof widths / sizeof widths[0]; wi++) {
            int cols = widths[wi];
            size_t ldw = (size_t)cols + (size_t)(rows % 3);   /* a slice of a wider matrix */
            size_t big = (size_t)(rows > cols ? rows : cols) + 1;
            float *w = randv((size_t)rows * ldw + 1, 1), *x = randv(big, 1);
            float *y = randv(big, 1);
            float *y0 = malloc(sizeof(float) * big);
            double *ref = malloc(sizeof(double) * big);
            memcpy(y0, y, sizeof(float) * (size_t)rows);
            for (int add = 0; add <= 1; add++) {
                memcpy(y, y0, sizeof(float) * (size_t)rows);
                lm_matvec(y, w, ldw, x, rows, cols, add);
                for (int r = 0; r < rows; r++)
                    ref[r] = (add ? y0[r] : 0.0) + dot(w + (size_t)r * ldw, x, (size_t)cols);
                assert_true(rel(y, ref, (size_t)rows) < 1e-5);
            }
            /* transposed: y[c] = sum_r x[r] w[r, c] */
            lm_matvec_t(y, w, ldw, x, rows, cols);
            for (int c = 0; c < cols; c++) {
                ref[c] = 0;
                for (int r = 0; r < rows; r++) ref[c] += (double)x[r] * w[(size_t)r * ldw + c];
            }
            assert_true(rel(y, ref, (size_t)cols) < 1e-5);
            free(w); free(x); free(y); free(y0); free(ref);
        }
}


/* ---- the fast ops against the plain ones (nn/ops_ref.h), 1 and 2 threads ---- */

/* shapes for each path of linear_forward: tiny (one thread), one row
 * (sgemv over split columns), a few rows (sgemm over split columns), many
 * rows (split rows); none divisible by 8 rows or 16 lanes */
static const int LINEAR_SHAPES[][3] = {
    {7, 13, 5}, {1, 301, 703}, {3, 257, 301}, {37, 67, 129}, {129, 31, 97}, {50, 100, 45},
};

static void test_linear_vs_ref(void **state) {
    (void)state;
    lm_rng_seed(&g_rng, 11);
    for (size_t s = 0; s < sizeof LINEAR_SHAPES / sizeof LINEAR_SHAPES[0]; s++) {
        const int N = LINEAR_SHAPES[s][0], IC = LINEAR_SHAPES[s][1], OC = LINEAR_SHAPES[s][2];
        float *x = randv((size_t)N * IC, 1), *w = randv((size_t)OC * IC, 1), *b = randv(OC, 1);
        float *ref = malloc(sizeof(float) * N * OC), *y = malloc(sizeof(float) * N * OC);
        double *exact = malloc(sizeof(double) * N * OC);
        for (int with_bias = 0; with_bias <= 1; with_bias++) {
            const float *bb = with_bias ? b : NULL;
            linear_forward_ref(ref, x, w, bb, N, IC, OC);
            /* the reference itself against float64 */
            for (int n = 0; n < N; n++)
                for (int o = 0; o < OC; o++)
                    exact[n * OC + o] = (bb ? bb[o] : 0.0) + dot(x + (size_t)n * IC, w + (size_t)o * IC, IC);
            assert_true(rel(ref, exact, (size_t)N * OC) < 1e-5);
            for (int threads = 1; threads <= 2; threads++) {
                lm_set_threads(threads);
                linear_forward(y, x, w, bb, N, IC, OC);
                double e = rel_f(y, ref, (size_t)N * OC);
                if (e >= 1e-5) print_message("linear %dx%dx%d, %d threads: %.2e\n", N, IC, OC, threads, e);
                assert_true(e < 1e-5);
            }
        }
        free(x); free(w); free(b); free(ref); free(y); free(exact);
    }
    lm_set_threads(2);
}

static void test_attention_vs_ref(void **state) {
    (void)state;
    lm_rng_seed(&g_rng, 12);
    /* (B, T, C, H): head widths 8, 6 and 1; T not a multiple of anything */
    static const int shapes[][4] = {{2, 37, 40, 5}, {1, 1, 12, 2}, {3, 19, 18, 3}, {1, 23, 3, 3}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        const int B = shapes[s][0], T = shapes[s][1], C = shapes[s][2], H = shapes[s][3];
        size_t nqkv = (size_t)B * T * 3 * C, ny = (size_t)B * T * C, na = (size_t)B * H * T * T;
        float *qkv = randv(nqkv, 1.5f);
        float *y_ref = malloc(sizeof(float) * ny), *y = malloc(sizeof(float) * ny);
        float *a_ref = malloc(sizeof(float) * na), *a = malloc(sizeof(float) * na);
        attention_forward_ref(y_ref, a_ref, qkv, B, T, C, H);
        for (int threads = 1; threads <= 2; threads++) {
            lm_set_threads(threads);
            memset(a, 0xff, sizeof(float) * na);   /* NaN: every entry must be written */
            attention_forward(y, a, qkv, B, T, C, H);
            assert_true(rel_f(y, y_ref, ny) < 1e-5);
            for (size_t i = 0; i < na; i++) assert_true(fabsf(a[i] - a_ref[i]) < 1e-6f);
        }
        /* the reference's mask and rows: zero after t, rows sum to 1 */
        for (int bh = 0; bh < B * H; bh++)
            for (int t = 0; t < T; t++) {
                const float *row = a_ref + ((size_t)bh * T + t) * T;
                double sum = 0;
                for (int j = 0; j < T; j++) {
                    if (j > t) assert_true(row[j] == 0.0f);
                    sum += row[j];
                }
                assert_true(fabs(sum - 1) < 1e-5);
            }
        free(qkv); free(y_ref); free(y); free(a_ref); free(a);
    }
    lm_set_threads(2);
}

/* the backward products and the forward against float64 on odd shapes */
static void test_linear_backward_vs_naive(void **state) {
    (void)state;
    lm_rng_seed(&g_rng, 1);
    for (size_t s = 0; s < sizeof LINEAR_SHAPES / sizeof LINEAR_SHAPES[0]; s++)
        check_linear(LINEAR_SHAPES[s][0], LINEAR_SHAPES[s][1], LINEAR_SHAPES[s][2]);
}

int main(void) {
    lm_set_threads(2);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_linear_vs_ref),
        cmocka_unit_test(test_attention_vs_ref),
        cmocka_unit_test(test_linear_backward_vs_naive),
        cmocka_unit_test(test_matvec_vs_naive),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
