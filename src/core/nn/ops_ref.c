/* ops_ref.c - the plain reference ops (see ops_ref.h): the formulas as loops. */
#include "nn/ops_ref.h"

#include <math.h>
#include <string.h>

void linear_forward_ref(float *y, const float *x, const float *w, const float *b,
                        int N, int IC, int OC) {
    for (int n = 0; n < N; n++) {
        const float *xn = x + (size_t)n * IC;            /* [IC] */
        for (int o = 0; o < OC; o++) {
            const float *wo = w + (size_t)o * IC;        /* row o of W: [IC] */
            float s = b ? b[o] : 0.0f;
            for (int i = 0; i < IC; i++) s += xn[i] * wo[i];
            y[(size_t)n * OC + o] = s;
        }
    }
}

void attention_row_ref(float *y, float *a, const float *q, const float *k, const float *v,
                       size_t ld, int n, int hd) {
    const float scale = 1.0f / sqrtf((float)hd);
    /* scores a[j] = q . k_j / sqrt(hd) */
    float mx = -INFINITY;
    for (int j = 0; j < n; j++) {
        const float *kj = k + (size_t)j * ld;
        float s = 0.0f;
        for (int d = 0; d < hd; d++) s += q[d] * kj[d];
        a[j] = s * scale;
        if (a[j] > mx) mx = a[j];
    }
    /* softmax over j (minus the max, so exp never overflows) */
    float sum = 0.0f;
    for (int j = 0; j < n; j++) {
        a[j] = expf(a[j] - mx);
        sum += a[j];
    }
    for (int j = 0; j < n; j++) a[j] /= sum;
    /* y = sum_j a[j] v_j */
    for (int d = 0; d < hd; d++) y[d] = 0.0f;
    for (int j = 0; j < n; j++) {
        const float *vj = v + (size_t)j * ld;
        for (int d = 0; d < hd; d++) y[d] += a[j] * vj[d];
    }
}

void attention_forward_ref(float *out, float *att, const float *qkv, int B, int T, int C, int H) {
    const int hd = C / H;
    const size_t C3 = 3 * (size_t)C;
    for (int b = 0; b < B; b++)
        for (int h = 0; h < H; h++)
            for (int t = 0; t < T; t++) {
                const float *seq = qkv + (size_t)b * T * C3;             /* [T, 3C] */
                const float *q = seq + (size_t)t * C3 + h * hd;          /* [hd] */
                const float *k = seq + C + h * hd, *v = seq + 2 * C + h * hd;
                float *a = att + (((size_t)b * H + h) * T + t) * T;      /* row t: [T] */
                float *y = out + ((size_t)b * T + t) * C + h * hd;       /* [hd] */
                attention_row_ref(y, a, q, k, v, C3, t + 1, hd);        /* keys 0..t */
                memset(a + t + 1, 0, sizeof(float) * (size_t)(T - t - 1)); /* the mask */
            }
}
