/* sgns.c - skip-gram with negative sampling: noise distribution,
 * subsampling, window pairs, loss and gradient (see sgns.h). */
#include "models/word2vec/sgns.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

int lm_sgns_noise_cdf(const int64_t *count, int V, double power, double *cdf, lm_err *err) {
    double z = 0;
    for (int w = 0; w < V; w++) {
        cdf[w] = count[w] > 0 ? pow((double)count[w], power) : 0;
        z += cdf[w];
    }
    if (V <= 0 || !(z > 0)) return lm_fail(err, "the noise distribution needs a word that occurs");
    double run = 0;
    for (int w = 0; w < V; w++) {
        run += cdf[w];
        cdf[w] = run / z;
    }
    /* exactly 1 at the end, and after the last word that occurs */
    for (int w = V - 1; w >= 0 && count[w] <= 0; w--) cdf[w] = 1;
    for (int w = V - 1; w >= 0; w--)
        if (count[w] > 0) { cdf[w] = 1; break; }
    return 0;
}

int32_t lm_sgns_noise_draw(const double *cdf, int V, lm_rng *rng) {
    double u = lm_rng_uniform(rng);
    int lo = 0, hi = V - 1;   /* the first w with u < cdf[w]; cdf[V-1] = 1 > u */
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (u < cdf[mid]) hi = mid;
        else lo = mid + 1;
    }
    return lo;
}

void lm_sgns_keep_probs(const int64_t *count, int V, int64_t total, double t, float *keep) {
    for (int w = 0; w < V; w++) {
        double k = 1;
        if (t > 0 && total > 0 && count[w] > 0) {
            double f = (double)count[w] / (double)total;
            k = (sqrt(f / t) + 1) * t / f;
        }
        keep[w] = k < 1 ? (float)k : 1.0f;
    }
}

int lm_sgns_pairs(const int32_t *ids, size_t n_ids, const float *keep, int window, lm_rng *rng,
                  lm_sgns_pair *pairs, int n, int32_t *scratch) {
    if (n_ids == 0 || n <= 0 || window < 1) return 0;
    /* the chunk: kept words from a random start, around the circle at most once */
    size_t start = n_ids <= UINT32_MAX ? lm_rng_below(rng, (uint32_t)n_ids)
                                       : (((size_t)lm_rng_u32(rng) << 32) | lm_rng_u32(rng)) % n_ids;
    int cap = n + 2 * window + 1, nk = 0;
    for (size_t r = 0; r < n_ids && nk < cap; r++) {
        int32_t w = ids[(start + r) % n_ids];
        if (!keep || lm_rng_uniform(rng) < keep[w]) scratch[nk++] = w;
    }
    /* centers from `window` in, so that each has its left side (a tiny text: from 0) */
    int made = 0;
    for (int i = nk > 2 * window ? window : 0; i < nk && made < n; i++) {
        int b = 1 + (int)lm_rng_below(rng, (uint32_t)window);
        for (int j = i - b; j <= i + b && made < n; j++) {
            if (j == i || j < 0 || j >= nk) continue;
            pairs[made].center = scratch[i];
            pairs[made].context = scratch[j];
            made++;
        }
    }
    return made;
}

void lm_sgns_negatives(const double *cdf, int V, const lm_sgns_pair *pairs, int n, int K, lm_rng *rng,
                       int32_t *neg) {
    for (int i = 0; i < n; i++)
        for (int k = 0; k < K; k++) {
            int32_t w = lm_sgns_noise_draw(cdf, V, rng);
            for (int tries = 0; w == pairs[i].context && tries < 8; tries++) w = lm_sgns_noise_draw(cdf, V, rng);
            neg[(size_t)i * K + k] = w;
        }
}

/* log(1 + e^z) without overflow */
static double softplus(double z) { return (z > 0 ? z : 0) + log1p(exp(-fabs(z))); }

double lm_sgns_loss(const float *W_in, const float *W_out, int D, const lm_sgns_pair *pairs,
                    const int32_t *neg, int n, int K, float *g_in, float *g_out) {
    float dv[LM_SGNS_MAX_DIM];   /* [D] dL/dv of one pair */
    int grad = g_in && g_out;
    if (D < 1 || D > LM_SGNS_MAX_DIM) return NAN;
    double loss = 0;
    for (int i = 0; i < n; i++) {
        const float *v = W_in + (size_t)pairs[i].center * D;   /* [D] the center's input vector */
        if (grad) memset(dv, 0, sizeof(float) * (size_t)D);
        for (int k = -1; k < K; k++) {   /* k = -1: the context word (y = 1), then the negatives (y = 0) */
            int32_t w = k < 0 ? pairs[i].context : neg[(size_t)i * K + k];
            const float *u = W_out + (size_t)w * D;   /* [D] its output vector */
            double x = cblas_sdot(D, u, 1, v, 1);
            loss += k < 0 ? softplus(-x) : softplus(x);   /* -log sigma(x) or -log sigma(-x) */
            if (!grad) continue;
            double sig = x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x));
            float g = (float)(sig - (k < 0 ? 1 : 0));
            cblas_saxpy(D, g, u, 1, dv, 1);                        /* dL/dv += g u_w */
            cblas_saxpy(D, g, v, 1, g_out + (size_t)w * D, 1);     /* dL/du_w += g v */
        }
        if (grad) cblas_saxpy(D, 1.0f, dv, 1, g_in + (size_t)pairs[i].center * D, 1);
    }
    return loss;
}
