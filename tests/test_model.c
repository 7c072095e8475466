/* test_model.c - the transformer maths of the core: finite-difference checks
 * of every op's backward, BLAS vs naive products, KV cache vs full forward,
 * inspection views, logit lens, AdamW / clipping / schedule, memorisation. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "nn/matvec.h"
#include "models/gpt/model.h"
#include "nn/ops.h"

static lm_rng g_rng;

static float *randv(size_t n, float scale) {
    float *p = malloc(n * sizeof(float));
    for (size_t i = 0; i < n; i++) p[i] = scale * lm_rng_normal(&g_rng);
    return p;
}

static double dot(const float *a, const float *b, size_t n) {
    double s = 0;
    for (size_t i = 0; i < n; i++) s += (double)a[i] * b[i];
    return s;
}

/* relative error of a vs b: max|a-b| / max(max|b|, 1e-6) */
static double rel(const float *a, const double *b, size_t n) {
    double mx = 0, mb = 1e-6;
    for (size_t i = 0; i < n; i++) {
        double d = fabs(a[i] - b[i]);
        if (d > mx) mx = d;
        if (fabs(b[i]) > mb) mb = fabs(b[i]);
    }
    return mx / mb;
}

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

static void test_blas_vs_naive(void **state) {
    (void)state;
    lm_rng_seed(&g_rng, 1);
    check_linear(7, 13, 5);
    check_linear(1, 29, 71);     /* decoding: one row, split over columns */
    check_linear(3, 17, 45);
    check_linear(37, 23, 65);    /* split over rows */
    check_linear(129, 31, 97);
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

/* ---- whole model: finite differences on a sample of parameters ---- */
static lm_config tiny(lm_pos_kind pos, lm_act_kind act) {
    lm_config c = { 2, 2, 8, 12, 16, 11, pos, act };
    return c;
}

static void test_fd_model(void **state) {
    (void)state;
    lm_pos_kind poss[3] = { LM_POS_LEARNED, LM_POS_SINUSOIDAL, LM_POS_ROTARY };
    for (int pi = 0; pi < 3; pi++) {
        lm_config cfg = tiny(poss[pi], pi == 1 ? LM_ACT_RELU : LM_ACT_GELU);
        lm_model m;
        lm_err err;
        assert_int_equal(lm_model_init(&m, &cfg, 11 + pi, &err), 0);
        lm_rng_seed(&g_rng, 7 + pi);
        for (size_t i = 0; i < m.n_params; i++) m.params[i] += 0.3f * lm_rng_normal(&g_rng);
        int B = 2, T = 6;
        int32_t tok[12], tg[12];
        float mask[12];
        for (int i = 0; i < 12; i++) {
            tok[i] = (int32_t)lm_rng_below(&g_rng, 11);
            tg[i] = i == 4 ? -1 : (int32_t)lm_rng_below(&g_rng, 11);
            mask[i] = i % 3 ? 1.0f : 0.0f;
        }
        assert_int_equal(lm_forward(&m, tok, tg, mask, B, T, &err), 0);
        lm_zero_grad(&m);
        assert_int_equal(lm_backward(&m, &err), 0);
        float *g = malloc(sizeof(float) * m.n_params);
        memcpy(g, m.grads, sizeof(float) * m.n_params);
        /* every tensor: its first, middle and last element */
        double worst = 0;
        for (int v = 0; v < m.n_views; v++) {
            const lm_tensor_view *tv = &m.views[v];
            size_t idx[3] = { tv->offset, tv->offset + tv->numel / 2, tv->offset + tv->numel - 1 };
            if (strcmp(tv->name, "wte") == 0) idx[0] = (size_t)tok[0] * cfg.d_model;
            if (strcmp(tv->name, "wpe") == 0) idx[2] = tv->offset + (size_t)(T - 1) * cfg.d_model + 1;
            for (int k = 0; k < 3; k++) {
                float keep = m.params[idx[k]], h = 1e-2f;
                m.params[idx[k]] = keep + h;
                lm_forward(&m, tok, tg, mask, B, T, &err);
                double lp = m.loss;
                m.params[idx[k]] = keep - h;
                lm_forward(&m, tok, tg, mask, B, T, &err);
                double lm_ = m.loss;
                m.params[idx[k]] = keep;
                double num = (lp - lm_) / (2 * h);
                double e = fabs(num - g[idx[k]]) / fmax(fabs(num), 1e-2);
                if (e > worst) worst = e;
                if (e > 2e-2)
                    print_message("%s pos %d: %s[%zu] analytic %g numeric %g\n", lm_pos_name(cfg.pos),
                                  pi, tv->name, idx[k] - tv->offset, g[idx[k]], num);
            }
        }
        assert_true(worst < 2e-2);
        free(g);
        lm_model_free(&m);
    }
}

/* ---- KV cache vs full forward, inspection, logit lens ---- */
static void test_kv_cache_and_inspection(void **state) {
    (void)state;
    lm_pos_kind poss[3] = { LM_POS_LEARNED, LM_POS_SINUSOIDAL, LM_POS_ROTARY };
    for (int pi = 0; pi < 3; pi++) {
        lm_config cfg = { 3, 4, 32, 48, 40, 37, poss[pi], pi == 2 ? LM_ACT_RELU : LM_ACT_GELU };
        lm_model m;
        lm_err err;
        lm_kv kv;
        assert_int_equal(lm_model_init(&m, &cfg, 21, &err), 0);
        lm_rng_seed(&g_rng, 22);
        for (size_t i = 0; i < m.n_params; i++) m.params[i] += 0.2f * lm_rng_normal(&g_rng);
        int T = 40;
        int32_t tok[40];
        for (int i = 0; i < T; i++) tok[i] = (int32_t)lm_rng_below(&g_rng, 37);
        /* a larger forward first so the buffers are bigger than the current shape */
        int32_t big[80];
        for (int i = 0; i < 80; i++) big[i] = tok[i % 40];
        assert_int_equal(lm_forward(&m, big, NULL, NULL, 2, 40, &err), 0);
        assert_int_equal(lm_forward(&m, tok, NULL, NULL, 1, T, &err), 0);
        assert_int_equal(lm_kv_init(&kv, &m, &err), 0);
        float logits[37], lens[37];
        double worst = 0;
        for (int t = 0; t < T; t++) {
            assert_int_equal(lm_forward_next(&m, &kv, tok[t], logits, &err), 0);
            const float *full = lm_logits(&m, 0) + (size_t)t * 37;
            for (int v = 0; v < 37; v++) worst = fmax(worst, fabs(logits[v] - full[v]));
        }
        assert_true(worst < 1e-4);
        /* the cache is full now */
        assert_int_equal(lm_forward_next(&m, &kv, 0, logits, &err), -1);
        assert_true(strlen(err.msg) > 0);
        /* the last token's attention in the cache equals the full row */
        for (int l = 0; l < 3; l++)
            for (int h = 0; h < 4; h++) {
                const float *row = lm_attention_probs(&m, l, 0, h) + (size_t)(T - 1) * T;
                for (int j = 0; j < T; j++)
                    assert_true(fabsf(row[j] - kv.att[((size_t)l * 4 + h) * 40 + j]) < 1e-5);
            }
        /* attention rows sum to 1 and are causal */
        for (int l = 0; l < 3; l++)
            for (int h = 0; h < 4; h++) {
                const float *a = lm_attention_probs(&m, l, 0, h);
                for (int i = 0; i < T; i++) {
                    double s = 0;
                    for (int j = 0; j < T; j++) {
                        if (j > i) assert_true(a[i * T + j] == 0.0f);
                        s += a[i * T + j];
                    }
                    assert_true(fabs(s - 1) < 1e-5);
                }
            }
        assert_null(lm_attention_probs(&m, 3, 0, 0));
        assert_null(lm_attention_probs(&m, 0, 1, 0));
        /* residual 0 is the embedding (+ learned position) */
        const float *r0 = lm_residual(&m, 0, 0);
        const lm_tensor_view *wte = lm_find_tensor(&m, "wte");
        for (int i = 0; i < 32; i++) {
            float e = m.params[wte->offset + (size_t)tok[3] * 32 + i];
            if (cfg.pos == LM_POS_LEARNED) e += m.params[lm_find_tensor(&m, "wpe")->offset + 3 * 32 + i];
            if (cfg.pos == LM_POS_SINUSOIDAL)
                e += (float)(i % 2 ? cos(3 / pow(10000, (i - 1) / 32.0)) : sin(3 / pow(10000, i / 32.0)));
            assert_true(fabsf(r0[3 * 32 + i] - e) < 1e-5);
        }
        assert_non_null(lm_residual(&m, 3, 0));
        assert_null(lm_residual(&m, 4, 0));
        /* logit lens at layer L equals the logits; earlier layers differ */
        for (int t = 0; t < T; t += 13) {
            assert_int_equal(lm_logit_lens(&m, 3, 0, t, lens, &err), 0);
            const float *full = lm_logits(&m, 0) + (size_t)t * 37;
            for (int v = 0; v < 37; v++) assert_true(fabsf(lens[v] - full[v]) < 1e-4);
            assert_int_equal(lm_logit_lens(&m, 1, 0, t, lens, &err), 0);
            double d = 0;
            for (int v = 0; v < 37; v++) d = fmax(d, fabs(lens[v] - full[v]));
            assert_true(d > 1e-3);
        }
        assert_int_equal(lm_logit_lens(&m, 4, 0, 0, lens, &err), -1);
        /* next-token probabilities are a distribution that ranks like the logits */
        float probs[37];
        lm_next_token_probs(&m, 0, 5, probs);
        double s = 0;
        int am = 0, ap = 0;
        const float *lg = lm_logits(&m, 0) + 5 * 37;
        for (int v = 0; v < 37; v++) {
            s += probs[v];
            if (lg[v] > lg[am]) am = v;
            if (probs[v] > probs[ap]) ap = v;
        }
        assert_true(fabs(s - 1) < 1e-5);
        assert_int_equal(am, ap);
        lm_kv_free(&kv);
        lm_model_free(&m);
    }
}

/* ---- KV cache on a model big enough for the threaded decoder, odd shapes
 * (5 heads of 24, MLP 200, vocabulary 301) ---- */

/* decodes tok[0..23] with a fresh cache made under init_threads and run under
 * run_threads; returns the worst |logit - full forward logit| and keeps the
 * logits in out[24 * 301] */
static double kv_run(lm_model *m, const int32_t *tok, int init_threads, int run_threads, float *out) {
    lm_err err;
    lm_kv kv;
    lm_set_threads(init_threads);
    assert_int_equal(lm_kv_init(&kv, m, &err), 0);
    lm_set_threads(run_threads);
    double worst = 0;
    for (int t = 0; t < 24; t++) {
        assert_int_equal(lm_forward_next(m, &kv, tok[t], out + (size_t)t * 301, &err), 0);
        const float *full = lm_logits(m, 0) + (size_t)t * 301;
        for (int v = 0; v < 301; v++) worst = fmax(worst, fabs(out[t * 301 + v] - full[v]));
    }
    lm_kv_free(&kv);
    return worst;
}

static void test_kv_threads(void **state) {
    (void)state;
    lm_config cfg = { 2, 5, 120, 200, 24, 301, LM_POS_ROTARY, LM_ACT_GELU };
    lm_model m;
    lm_err err;
    assert_int_equal(lm_model_init(&m, &cfg, 5, &err), 0);
    lm_rng_seed(&g_rng, 6);
    for (size_t i = 0; i < m.n_params; i++) m.params[i] += 0.05f * lm_rng_normal(&g_rng);
    int32_t tok[24];
    for (int i = 0; i < 24; i++) tok[i] = (int32_t)lm_rng_below(&g_rng, 301);
    assert_int_equal(lm_forward(&m, tok, NULL, NULL, 1, 24, &err), 0);
    int keep = lm_get_threads();
    float *first = malloc(sizeof(float) * 24 * 301), *logits = malloc(sizeof(float) * 24 * 301);
    /* (threads when the cache is made, threads when decoding): uneven
     * splits, more threads than heads (7 > 5), threads raised after the
     * cache was made (capped at what it was made for) */
    static const int runs[][2] = { { 1, 1 }, { 2, 2 }, { 3, 3 }, { 7, 7 }, { 1, 3 }, { 3, 2 } };
    for (size_t r = 0; r < sizeof runs / sizeof runs[0]; r++) {
        double worst = kv_run(&m, tok, runs[r][0], runs[r][1], r == 0 ? first : logits);
        double vs_first = 0;
        for (int i = 0; r > 0 && i < 24 * 301; i++) vs_first = fmax(vs_first, fabs(logits[i] - first[i]));
        if (worst >= 1e-4 || vs_first >= 1e-4)
            print_message("threads %d/%d: vs full forward %.3e, vs 1 thread %.3e\n", runs[r][0],
                          runs[r][1], worst, vs_first);
        assert_true(worst < 1e-4);
        assert_true(vs_first < 1e-4);
    }
    lm_set_threads(keep);
    free(first); free(logits);
    lm_model_free(&m);
}

/* ---- decoding from inside the caller's own parallel region: two caches at
 * once, on a model too small to thread (its barriers must not wait for the
 * caller's team) and on one that threads (a nested region of one) ---- */
static void test_kv_inside_parallel(void **state) {
    (void)state;
    lm_config cfgs[2] = { { 2, 2, 32, 64, 16, 50, LM_POS_ROTARY, LM_ACT_GELU },
                          { 2, 5, 120, 200, 16, 301, LM_POS_LEARNED, LM_ACT_GELU } };
    for (int k = 0; k < 2; k++) {
        lm_model m;
        lm_err err;
        assert_int_equal(lm_model_init(&m, &cfgs[k], 9, &err), 0);
        const int V = cfgs[k].vocab_size;
        float *alone = malloc(sizeof(float) * 2 * V), *together = malloc(sizeof(float) * 2 * V);
        int steps[2] = { 2, 5 }, failed = 0;
        for (int pass = 0; pass < 2; pass++) {
            float *dst = pass ? together : alone;
            #pragma omp parallel for num_threads(2) schedule(static, 1) if (pass) reduction(|:failed)
            for (int j = 0; j < 2; j++) {
                lm_kv kv;
                lm_err e;
                if (lm_kv_init(&kv, &m, &e)) { failed = 1; continue; }
                for (int t = 0; t < steps[j] && !failed; t++)
                    failed |= lm_forward_next(&m, &kv, (int32_t)((7 * t + j) % V), dst + (size_t)j * V, &e) != 0;
                lm_kv_free(&kv);
            }
        }
        assert_false(failed);
        double d = 0;
        for (int i = 0; i < 2 * V; i++) d = fmax(d, fabs(alone[i] - together[i]));
        assert_true(d < 1e-4);
        free(alone); free(together);
        lm_model_free(&m);
    }
}

static void test_errors(void **state) {
    (void)state;
    lm_config cfg = tiny(LM_POS_LEARNED, LM_ACT_GELU);
    lm_model m;
    lm_err err;
    assert_int_equal(lm_model_init(&m, &cfg, 1, &err), 0);
    assert_int_equal(lm_backward(&m, &err), -1);              /* no forward yet */
    int32_t tok[20] = { 0 };
    tok[3] = 11;                                              /* == V */
    assert_int_equal(lm_forward(&m, tok, NULL, NULL, 1, 5, &err), -1);
    assert_non_null(strstr(err.msg, "11"));
    tok[3] = -2;
    assert_int_equal(lm_forward(&m, tok, NULL, NULL, 1, 5, &err), -1);
    tok[3] = 0;
    assert_int_equal(lm_forward(&m, tok, NULL, NULL, 1, 17, &err), -1);   /* > n_ctx */
    assert_int_equal(lm_forward(&m, tok, NULL, NULL, 0, 5, &err), -1);
    assert_int_equal(lm_forward(&m, tok, NULL, NULL, 1, 5, &err), 0);
    assert_int_equal(lm_backward(&m, &err), -1);              /* no targets */
    assert_non_null(strstr(err.msg, "targets"));
    lm_kv kv;
    assert_int_equal(lm_kv_init(&kv, &m, &err), 0);
    float lg[11];
    assert_int_equal(lm_forward_next(&m, &kv, 11, lg, &err), -1);
    lm_kv_free(&kv);
    lm_model_free(&m);
}

/* ---- optimiser, clipping, schedule ---- */
static void test_adamw_clip_schedule(void **state) {
    (void)state;
    lm_config cfg = tiny(LM_POS_ROTARY, LM_ACT_GELU);
    lm_model m;
    lm_err err;
    assert_int_equal(lm_model_init(&m, &cfg, 3, &err), 0);
    lm_adamw opt = lm_adamw_default();
    assert_true(opt.beta1 == 0.9f && opt.beta2 == 0.95f && opt.eps == 1e-8f && opt.weight_decay == 0.1f);
    assert_int_equal(lm_adamw_step(&m, &opt, 1e-2f, &err), -1);   /* no gradients */
    m.grads = calloc(m.n_params, sizeof(float));
    lm_rng_seed(&g_rng, 9);
    for (size_t i = 0; i < m.n_params; i++) m.grads[i] = lm_rng_normal(&g_rng);
    double ss = 0;
    for (size_t i = 0; i < m.n_params; i++) ss += (double)m.grads[i] * m.grads[i];
    float norm = lm_clip_grad(&m, 2.0f);
    assert_true(fabs(norm - sqrt(ss)) / sqrt(ss) < 1e-5);
    ss = 0;
    for (size_t i = 0; i < m.n_params; i++) ss += (double)m.grads[i] * m.grads[i];
    assert_true(fabs(sqrt(ss) - 2.0) < 1e-3);
    assert_true(fabsf(lm_clip_grad(&m, 0.0f) - 2.0f) < 1e-3f);   /* 0: measure only */
    /* first AdamW step: m_hat = g, v_hat = g^2, so p' = p (1 - lr wd) - lr g / (|g| + eps) */
    float *p0 = malloc(sizeof(float) * m.n_params);
    memcpy(p0, m.params, sizeof(float) * m.n_params);
    float lr = 1e-2f;
    assert_int_equal(lm_adamw_step(&m, &opt, lr, &err), 0);
    assert_int_equal(m.adam_t, 1);
    for (int v = 0; v < m.n_views; v++) {
        const lm_tensor_view *tv = &m.views[v];
        for (size_t i = tv->offset; i < tv->offset + tv->numel; i += 7) {
            double g = m.grads[i];
            double want = p0[i] * (tv->decay ? 1 - lr * 0.1 : 1) - lr * g / (fabs(g) + 1e-8);
            assert_true(fabs(m.params[i] - want) < 1e-6);
        }
    }
    free(p0);
    lm_model_free(&m);

    lm_schedule s = { 1e-3f, 1e-4f, 10, 110 };
    /* warmup (step+1)/10 * 1e-3: step 0 = 1e-4 (never 0), step 4 = 5e-4, step 9 = 1e-3 */
    assert_true(fabsf(lm_schedule_lr(&s, 0) - 1e-4f) < 1e-9f);
    assert_true(fabsf(lm_schedule_lr(&s, 4) - 5e-4f) < 1e-9f);
    assert_true(fabsf(lm_schedule_lr(&s, 9) - 1e-3f) < 1e-9f);
    assert_true(fabsf(lm_schedule_lr(&s, 10) - 1e-3f) < 1e-9f);   /* cosine starts at max */
    assert_true(fabsf(lm_schedule_lr(&s, 60) - 5.5e-4f) < 1e-8f);   /* cosine midpoint */
    assert_true(fabsf(lm_schedule_lr(&s, 110) - 1e-4f) < 1e-9f);
    assert_true(fabsf(lm_schedule_lr(&s, 500) - 1e-4f) < 1e-9f);
    for (int t = 10; t < 110; t++) assert_true(lm_schedule_lr(&s, t + 1) <= lm_schedule_lr(&s, t));
    for (int t = 0; t < 9; t++) assert_true(lm_schedule_lr(&s, t + 1) > lm_schedule_lr(&s, t));
    lm_schedule one = { 2e-3f, 0.0f, 1, 5 };   /* warmup 1: step 0 at full lr */
    assert_true(fabsf(lm_schedule_lr(&one, 0) - 2e-3f) < 1e-9f);
}

/* ---- a tiny model memorises a short text ---- */
static void test_memorise(void **state) {
    (void)state;
    const char *text = "the cat sat on the mat. the dog ate the log.";
    int T = (int)strlen(text) - 1;
    lm_config cfg = { 2, 4, 32, 64, 64, 128, LM_POS_LEARNED, LM_ACT_GELU };
    lm_model m;
    lm_err err;
    assert_int_equal(lm_model_init(&m, &cfg, 5, &err), 0);
    int32_t tok[64], tg[64];
    for (int i = 0; i < T; i++) { tok[i] = (unsigned char)text[i]; tg[i] = (unsigned char)text[i + 1]; }
    lm_adamw opt = lm_adamw_default();
    opt.weight_decay = 0.0f;
    float first = 0, loss = 1e9f;
    int step;
    for (step = 0; step < 400 && loss >= 0.05f; step++) {
        lm_zero_grad(&m);
        assert_int_equal(lm_forward(&m, tok, tg, NULL, 1, T, &err), 0);
        loss = m.loss;
        if (step == 0) first = loss;
        assert_int_equal(lm_backward(&m, &err), 0);
        lm_clip_grad(&m, 1.0f);
        assert_int_equal(lm_adamw_step(&m, &opt, 1e-2f, &err), 0);
    }
    print_message("memorise: loss %.3f -> %.4f in %d steps\n", first, loss, step);
    assert_true(first > 4.0f);   /* ~ log(128) at initialisation */
    assert_true(loss < 0.05f);
    /* and greedy decoding through the KV cache reproduces the text */
    lm_kv kv;
    assert_int_equal(lm_kv_init(&kv, &m, &err), 0);
    float logits[128];
    int32_t cur = tok[0];
    for (int i = 0; i < T; i++) {
        assert_int_equal(lm_forward_next(&m, &kv, cur, logits, &err), 0);
        int am = 0;
        for (int v = 1; v < 128; v++) if (logits[v] > logits[am]) am = v;
        assert_int_equal(am, tg[i]);
        cur = am;
    }
    lm_kv_free(&kv);
    lm_model_free(&m);
}

int main(void) {
    lm_set_threads(2);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blas_vs_naive),
        cmocka_unit_test(test_matvec_vs_naive),
        cmocka_unit_test(test_fd_layernorm),
        cmocka_unit_test(test_fd_activations),
        cmocka_unit_test(test_fd_rotary),
        cmocka_unit_test(test_fd_attention),
        cmocka_unit_test(test_fd_crossentropy),
        cmocka_unit_test(test_fd_model),
        cmocka_unit_test(test_kv_cache_and_inspection),
        cmocka_unit_test(test_kv_threads),
        cmocka_unit_test(test_kv_inside_parallel),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_adamw_clip_schedule),
        cmocka_unit_test(test_memorise),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
