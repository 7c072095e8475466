/* ops.c - transformer kernels (see ops.h for shapes and the accumulate rule). */
#include "nn/ops.h"

#include <cblas.h>
#include <math.h>
#include <omp.h>
#include <stdatomic.h>
#include <string.h>

#define LN_EPS 1e-5f

int ops_threads(void) { return omp_get_max_threads(); }

int ops_blas_single(void) {
    int n = openblas_get_num_threads();
    if (n != 1) openblas_set_num_threads(1);
    return n;
}

void ops_blas_restore(int n) {
    if (n != 1) openblas_set_num_threads(n);
}

/* ---------------------------------------------------------------- linear */
/* OpenBLAS threads small products poorly and its spinning threads fight the
 * OpenMP ones on two cores, so BLAS runs single-threaded and the core splits
 * every product over OpenMP threads itself (rows of the output). */

static atomic_int g_blas_pinned = 0;

void ops_threads_init(void) {
    if (!atomic_load_explicit(&g_blas_pinned, memory_order_relaxed)) {
        openblas_set_num_threads(1);
        atomic_store(&g_blas_pinned, 1);
    }
}

/* [lo, hi) of n split into nt nearly equal parts, aligned to 8 rows */
static void split_range(int n, int nt, int i, int *lo, int *hi) {
    int chunk = (n + nt - 1) / nt;
    chunk = (chunk + 7) & ~7;
    *lo = i * chunk < n ? i * chunk : n;
    *hi = *lo + chunk < n ? *lo + chunk : n;
}

/* threads worth using for a product of m*n*k multiply-adds */
static int gemm_threads(double mnk) {
    int nt = omp_get_max_threads();
    return mnk < 2e5 ? 1 : nt;
}

void linear_forward(float *y, const float *x, const float *w, const float *b,
                    int N, int IC, int OC) {
    ops_threads_init();
    int nt = gemm_threads((double)N * IC * OC);
    #pragma omp parallel num_threads(nt)
    {
        int lo, hi, me = omp_get_thread_num(), T = omp_get_num_threads();
        if (N >= 64 * T) {  /* split rows of x (each thread reads every weight) */
            split_range(N, T, me, &lo, &hi);
            if (hi > lo) {
                if (b) for (int n = lo; n < hi; n++) memcpy(y + (size_t)n * OC, b, sizeof(float) * OC);
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, hi - lo, OC, IC,
                            1.0f, x + (size_t)lo * IC, IC, w, IC, b ? 1.0f : 0.0f,
                            y + (size_t)lo * OC, OC);
            }
        } else {            /* few rows (decoding, a batch of replies): split output columns, so each
                             * thread reads only its share of the weights */
            split_range(OC, T, me, &lo, &hi);
            if (hi > lo) {
                for (int n = 0; n < N; n++) {
                    if (b) memcpy(y + (size_t)n * OC + lo, b + lo, sizeof(float) * (hi - lo));
                    else memset(y + (size_t)n * OC + lo, 0, sizeof(float) * (hi - lo));
                }
                if (N == 1)
                    cblas_sgemv(CblasRowMajor, CblasNoTrans, hi - lo, IC, 1.0f,
                                w + (size_t)lo * IC, IC, x, 1, 1.0f, y + lo, 1);
                else
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, N, hi - lo, IC,
                                1.0f, x, IC, w + (size_t)lo * IC, IC, 1.0f, y + lo, OC);
            }
        }
    }
}

void linear_backward(float *dx, float *dw, float *db, const float *dy,
                     const float *x, const float *w, int N, int IC, int OC) {
    ops_threads_init();
    int nt = gemm_threads((double)N * IC * OC);
    #pragma omp parallel num_threads(nt)
    {
        int lo, hi, me = omp_get_thread_num(), T = omp_get_num_threads();
        if (dx) {  /* dx[N,IC] = dy[N,OC] w[OC,IC] (overwritten), split over rows n */
            split_range(N, T, me, &lo, &hi);
            if (hi > lo)
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, hi - lo, IC, OC,
                            1.0f, dy + (size_t)lo * OC, OC, w, IC, 0.0f, dx + (size_t)lo * IC, IC);
        }
        split_range(OC, T, me, &lo, &hi);
        if (dw && hi > lo)  /* dw[OC,IC] += dy^T x, split over rows o */
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, hi - lo, IC, N,
                        1.0f, dy + lo, OC, x, IC, 1.0f, dw + (size_t)lo * IC, IC);
        if (db && hi > lo)  /* db[OC] += column sums of dy */
            for (int n = 0; n < N; n++) {
                const float *row = dy + (size_t)n * OC;
                for (int o = lo; o < hi; o++) db[o] += row[o];
            }
    }
}

/* ------------------------------------------------------------- layernorm */

/* one row of layernorm_forward */
static void layernorm_row(float *yr, float *mean, float *rstd, const float *xr,
                          const float *w, const float *b, int C) {
    float mu = 0.0f;
    #pragma omp simd reduction(+:mu)
    for (int i = 0; i < C; i++) mu += xr[i];
    mu /= C;
    float var = 0.0f;
    #pragma omp simd reduction(+:var)
    for (int i = 0; i < C; i++) { float d = xr[i] - mu; var += d * d; }
    var /= C;
    float rs = 1.0f / sqrtf(var + LN_EPS);
    #pragma omp simd
    for (int i = 0; i < C; i++) yr[i] = (xr[i] - mu) * rs * w[i] + b[i];
    if (mean) *mean = mu;
    if (rstd) *rstd = rs;
}

void layernorm_forward(float *y, float *mean, float *rstd, const float *x,
                       const float *w, const float *b, int N, int C) {
    if (N <= 16 || omp_in_parallel()) {   /* decoding: one row, no region to open */
        for (int n = 0; n < N; n++)
            layernorm_row(y + (size_t)n * C, mean ? mean + n : NULL, rstd ? rstd + n : NULL,
                          x + (size_t)n * C, w, b, C);
        return;
    }
    #pragma omp parallel for schedule(static)
    for (int n = 0; n < N; n++)
        layernorm_row(y + (size_t)n * C, mean ? mean + n : NULL, rstd ? rstd + n : NULL,
                      x + (size_t)n * C, w, b, C);
}

void layernorm_backward(float *dx, float *dw, float *db, const float *dy,
                        const float *x, const float *w, const float *mean,
                        const float *rstd, int N, int C) {
    /* per row: xhat = (x - mu) rstd, g = dy * w,
     * dx = rstd (g - mean(g) - xhat mean(g xhat)) */
    #pragma omp parallel for schedule(static)
    for (int n = 0; n < N; n++) {
        const float *xr = x + (size_t)n * C, *dyr = dy + (size_t)n * C;
        float *dxr = dx + (size_t)n * C;
        float mu = mean[n], rs = rstd[n];
        float sg = 0.0f, sgx = 0.0f;
        for (int i = 0; i < C; i++) {
            float xh = (xr[i] - mu) * rs, g = dyr[i] * w[i];
            sg += g; sgx += g * xh;
        }
        sg /= C; sgx /= C;
        for (int i = 0; i < C; i++) {
            float xh = (xr[i] - mu) * rs, g = dyr[i] * w[i];
            dxr[i] += rs * (g - sg - xh * sgx);
        }
    }
    /* dw[C] += sum_n dy xhat, db[C] += sum_n dy: split over column blocks */
    #pragma omp parallel for schedule(static)
    for (int i0 = 0; i0 < C; i0 += 32) {
        int i1 = i0 + 32 < C ? i0 + 32 : C;
        for (int n = 0; n < N; n++) {
            const float *xr = x + (size_t)n * C, *dyr = dy + (size_t)n * C;
            float mu = mean[n], rs = rstd[n];
            for (int i = i0; i < i1; i++) {
                dw[i] += dyr[i] * (xr[i] - mu) * rs;
                db[i] += dyr[i];
            }
        }
    }
}

/* ----------------------------------------------------------- activations */

#define GELU_K 0.7978845608028654f   /* sqrt(2/pi) */

/* exp(x) for x in [-88, 88], written so that the compiler vectorises it:
 * x = n ln2 + r, |r| <= ln2/2, exp(r) by a degree-6 Taylor/Horner polynomial
 * (relative error ~2e-7), times 2^n built in the exponent bits. */
static inline float fast_expf(float x) {
    /* written so that NaN lands on -87 (no undefined float-to-int cast below);
     * callers multiply by x, so a NaN input still gives a NaN output */
    x = x > -87.0f ? (x < 88.0f ? x : 88.0f) : -87.0f;
    /* round to nearest by the 1.5 * 2^23 trick (vectorises, unlike roundf) */
    float n = (x * 1.4426950408889634f + 12582912.0f) - 12582912.0f;
    float r = x - n * 0.693145751953125f - n * 1.428606765330187e-06f;
    float p = 1.0f / 720.0f;
    p = p * r + 1.0f / 120.0f;
    p = p * r + 1.0f / 24.0f;
    p = p * r + 1.0f / 6.0f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    uint32_t bits = (uint32_t)((int32_t)n + 127) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

/* tanh(u) = 1 - 2 / (exp(2u) + 1); |u| > 9 is +-1 to float precision */
static inline float fast_tanhf(float u) {
    u = u < -9.0f ? -9.0f : (u > 9.0f ? 9.0f : u);
    return 1.0f - 2.0f / (fast_expf(2.0f * u) + 1.0f);
}

/* Elementwise loops run in parallel only when they are long and not already
 * inside a parallel region (decoding calls them per thread on a slice). */
#define ELEMENTWISE_PARALLEL(n) ((n) > 16384 && !omp_in_parallel())

/* Runs `stmt` (of element i) to i in [0, n): vectorised, and split over
 * threads when ELEMENTWISE_PARALLEL(n). */
#define ELEMENTWISE(n, stmt)                                         \
    do {                                                             \
        if (ELEMENTWISE_PARALLEL(n)) {                               \
            _Pragma("omp parallel for simd schedule(static)")        \
            for (size_t i = 0; i < (n); i++) { stmt; }               \
        } else {                                                     \
            _Pragma("omp simd")                                      \
            for (size_t i = 0; i < (n); i++) { stmt; }               \
        }                                                            \
    } while (0)

static inline float gelu1(float v) {
    float u = GELU_K * (v + 0.044715f * v * v * v);
    return 0.5f * v * (1.0f + fast_tanhf(u));
}

/* d/dx = 0.5 (1 + t) + 0.5 x (1 - t^2) k (1 + 3 * 0.044715 x^2) */
static inline float gelu_grad1(float v) {
    float u = GELU_K * (v + 0.044715f * v * v * v);
    float t = fast_tanhf(u);
    float du = GELU_K * (1.0f + 3.0f * 0.044715f * v * v);
    return 0.5f * (1.0f + t) + 0.5f * v * (1.0f - t * t) * du;
}

void gelu_forward(float *y, const float *x, size_t n) {
    ELEMENTWISE(n, y[i] = gelu1(x[i]));
}

void gelu_backward(float *dx, const float *dy, const float *x, size_t n) {
    ELEMENTWISE(n, dx[i] = dy[i] * gelu_grad1(x[i]));
}

void relu_forward(float *y, const float *x, size_t n) {
    ELEMENTWISE(n, y[i] = x[i] > 0.0f ? x[i] : 0.0f);
}

void relu_backward(float *dx, const float *dy, const float *x, size_t n) {
    ELEMENTWISE(n, dx[i] = x[i] > 0.0f ? dy[i] : 0.0f);
}

/* ------------------------------------------------------------- positions */

void rotary_row(float *cos_row, float *sin_row, int pos, int hd) {
    for (int i = 0; i < hd / 2; i++) {
        double inv_freq = pow(10000.0, -2.0 * i / hd);
        double a = pos * inv_freq;
        cos_row[i] = (float)cos(a);
        sin_row[i] = (float)sin(a);
    }
}

void rotary_table(float *cos_t, float *sin_t, int n_ctx, int hd) {
    for (int p = 0; p < n_ctx; p++)
        rotary_row(cos_t + (size_t)p * (hd / 2), sin_t + (size_t)p * (hd / 2), p, hd);
}

void rotary_apply(float *x, const float *cos_row, const float *sin_row, int C, int hd) {
    int half = hd / 2;
    for (int h0 = 0; h0 < C; h0 += hd) {
        float *x1 = x + h0, *x2 = x + h0 + half;
        for (int i = 0; i < half; i++) {
            float a = x1[i], b = x2[i];
            x1[i] = a * cos_row[i] - b * sin_row[i];
            x2[i] = b * cos_row[i] + a * sin_row[i];
        }
    }
}

void rotary_apply_backward(float *dx, const float *cos_row, const float *sin_row, int C, int hd) {
    int half = hd / 2;
    for (int h0 = 0; h0 < C; h0 += hd) {
        float *d1 = dx + h0, *d2 = dx + h0 + half;
        for (int i = 0; i < half; i++) {
            float a = d1[i], b = d2[i];
            d1[i] = a * cos_row[i] + b * sin_row[i];
            d2[i] = b * cos_row[i] - a * sin_row[i];
        }
    }
}

void sinusoid_row(float *pe, int pos, int C) {
    for (int i = 0; 2 * i < C; i++) {
        double a = pos / pow(10000.0, (2.0 * i) / C);
        pe[2 * i] = (float)sin(a);
        if (2 * i + 1 < C) pe[2 * i + 1] = (float)cos(a);
    }
}

/* ------------------------------------------------------------- attention */

void attention_forward(float *out, float *att, const float *qkv, int B, int T, int C, int H) {
    attention_forward_mask(out, att, qkv, B, T, C, H, 1);
}

void attention_forward_mask(float *out, float *att, const float *qkv, int B, int T, int C, int H,
                            int causal) {
    int hd = C / H, C3 = 3 * C;
    float scale = 1.0f / sqrtf((float)hd);
    int saved = ops_blas_single();
    #pragma omp parallel for schedule(dynamic, 1)
    for (int bh = 0; bh < B * H; bh++) {
        int b = bh / H, h = bh % H;
        const float *q = qkv + (size_t)b * T * C3 + h * hd;
        const float *k = q + C, *v = q + 2 * C;
        float *P = att + (size_t)bh * T * T;          /* [T, T] */
        float *y = out + (size_t)b * T * C + h * hd;  /* [T, hd], row stride C */
        /* scores S[T,T] = scale * q k^T */
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, T, T, hd,
                    scale, q, C3, k, C3, 0.0f, P, T);
        for (int i = 0; i < T; i++) {
            float *row = P + (size_t)i * T;
            int n = causal ? i + 1 : T;   /* keys query i may see */
            softmax_inplace(row, n);
            memset(row + n, 0, sizeof(float) * (T - n));
        }
        /* y[T,hd] = P[T,T] v[T,hd] */
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, T, hd, T,
                    1.0f, P, T, v, C3, 0.0f, y, C);
    }
    ops_blas_restore(saved);
}

void attention_backward(float *dqkv, float *scratch, int n_scratch, const float *dout,
                        const float *qkv, const float *att, int B, int T, int C, int H) {
    attention_backward_mask(dqkv, scratch, n_scratch, dout, qkv, att, B, T, C, H, 1);
}

void attention_backward_mask(float *dqkv, float *scratch, int n_scratch, const float *dout,
                             const float *qkv, const float *att, int B, int T, int C, int H, int causal) {
    int hd = C / H, C3 = 3 * C;
    float scale = 1.0f / sqrtf((float)hd);
    int nt = ops_threads() < n_scratch ? ops_threads() : n_scratch;
    int saved = ops_blas_single();
    #pragma omp parallel for schedule(dynamic, 1) num_threads(nt)
    for (int bh = 0; bh < B * H; bh++) {
        int b = bh / H, h = bh % H;
        const float *q = qkv + (size_t)b * T * C3 + h * hd;
        const float *k = q + C, *v = q + 2 * C;
        float *dq = dqkv + (size_t)b * T * C3 + h * hd;
        float *dk = dq + C, *dv = dq + 2 * C;
        const float *P = att + (size_t)bh * T * T;
        const float *dy = dout + (size_t)b * T * C + h * hd;
        float *dP = scratch + (size_t)omp_get_thread_num() * T * T;   /* [T, T] */
        /* dP = dy v^T;  dv = P^T dy */
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, T, T, hd,
                    1.0f, dy, C, v, C3, 0.0f, dP, T);
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, T, hd, T,
                    1.0f, P, T, dy, C, 0.0f, dv, C3);
        /* softmax backward: dS = P (dP - sum_j P dP) * scale over the keys row i sees */
        for (int i = 0; i < T; i++) {
            const float *pr = P + (size_t)i * T;
            float *dr = dP + (size_t)i * T;
            int n = causal ? i + 1 : T;
            float dot = 0.0f;
            for (int j = 0; j < n; j++) dot += pr[j] * dr[j];
            for (int j = 0; j < n; j++) dr[j] = pr[j] * (dr[j] - dot) * scale;
            for (int j = n; j < T; j++) dr[j] = 0.0f;
        }
        /* dq = dS k;  dk = dS^T q */
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, T, hd, T,
                    1.0f, dP, T, k, C3, 0.0f, dq, C3);
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, T, hd, T,
                    1.0f, dP, T, q, C3, 0.0f, dk, C3);
    }
    ops_blas_restore(saved);
}

/* ------------------------------------------------------ softmax and loss */

/* exp for softmax and cross-entropy, whose callers pass x - max <= 0:
 * fast_expf, but exactly 0 below -87 (so -inf gives 0) and NaN in, NaN out
 * (so a diverging run is seen). Above 88 it saturates near 1.7e38, not inf. */
static inline float softmax_exp(float x) {
    float e = fast_expf(x);
    e = x < -87.0f ? 0.0f : e;
    return x == x ? e : x;
}

float softmax_inplace(float *x, int n) {
    float mx = x[0];
    #pragma omp simd reduction(max:mx)
    for (int i = 1; i < n; i++) mx = x[i] > mx ? x[i] : mx;
    float s = 0.0f;
    #pragma omp simd reduction(+:s)
    for (int i = 0; i < n; i++) { x[i] = softmax_exp(x[i] - mx); s += x[i]; }
    float inv = 1.0f / s;
    #pragma omp simd
    for (int i = 0; i < n; i++) x[i] *= inv;
    return logf(s) + mx;
}

float crossentropy_forward(float *losses, float *lse, float *weight, const float *logits,
                           const int32_t *targets, const float *mask, int N, int V) {
    double msum = 0.0;
    for (int n = 0; n < N; n++) {
        float m = targets[n] < 0 ? 0.0f : (mask ? mask[n] : 1.0f);
        weight[n] = m;
        msum += m;
    }
    double total = 0.0;
    #pragma omp parallel for schedule(static) reduction(+:total)
    for (int n = 0; n < N; n++) {
        const float *row = logits + (size_t)n * V;
        float mx = row[0];
        #pragma omp simd reduction(max:mx)
        for (int i = 1; i < V; i++) mx = row[i] > mx ? row[i] : mx;
        float s = 0.0f;
        #pragma omp simd reduction(+:s)
        for (int i = 0; i < V; i++) s += softmax_exp(row[i] - mx);
        lse[n] = logf(s) + mx;
        losses[n] = targets[n] < 0 ? 0.0f : lse[n] - row[targets[n]];
        total += (double)weight[n] * losses[n];
    }
    for (int n = 0; n < N; n++) weight[n] = msum > 0 ? (float)(weight[n] / msum) : 0.0f;
    return msum > 0 ? (float)(total / msum) : 0.0f;
}

void crossentropy_backward(float *dlogits, const float *logits, const float *lse,
                           const int32_t *targets, const float *weight, int N, int V) {
    #pragma omp parallel for schedule(static)
    for (int n = 0; n < N; n++) {
        const float *row = logits + (size_t)n * V;
        float *d = dlogits + (size_t)n * V;
        float w = weight[n];
        if (w == 0.0f) { memset(d, 0, sizeof(float) * V); continue; }
        float l = lse[n];
        #pragma omp simd
        for (int i = 0; i < V; i++) d[i] = w * softmax_exp(row[i] - l);
        d[targets[n]] -= w;
    }
}
