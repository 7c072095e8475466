/* numcheck.h - what the numerical tests share: one seeded generator, random
 * vectors, float64 dot products and a relative-error measure. Header-only
 * (static inline), included by tests/test_model.c, test_ops_grad.c,
 * test_linear.c, test_kvcache.c and test_decode_ref.c. */
#ifndef TEST_NUMCHECK_H
#define TEST_NUMCHECK_H

#include <math.h>
#include <stddef.h>
#include <stdlib.h>

#include "base/rng.h"

static lm_rng g_rng;

/* n draws of scale * N(0, 1) from g_rng (malloc'd) */
static inline float *randv(size_t n, float scale) {
    float *p = malloc((n ? n : 1) * sizeof(float));
    for (size_t i = 0; i < n; i++) p[i] = scale * lm_rng_normal(&g_rng);
    return p;
}

static inline double dot(const float *a, const float *b, size_t n) {
    double s = 0;
    for (size_t i = 0; i < n; i++) s += (double)a[i] * b[i];
    return s;
}

/* relative error of a vs b: max|a-b| / max(max|b|, 1e-6) */
static inline double rel(const float *a, const double *b, size_t n) {
    double mx = 0, mb = 1e-6;
    for (size_t i = 0; i < n; i++) {
        double d = fabs(a[i] - b[i]);
        if (d > mx) mx = d;
        if (fabs(b[i]) > mb) mb = fabs(b[i]);
    }
    return mx / mb;
}

/* the same against a float reference */
static inline double rel_f(const float *a, const float *b, size_t n) {
    double *bd = malloc((n ? n : 1) * sizeof(double));
    for (size_t i = 0; i < n; i++) bd[i] = b[i];
    double e = rel(a, bd, n);
    free(bd);
    return e;
}

#endif
