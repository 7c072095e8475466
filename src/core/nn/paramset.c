/* paramset.c - a non-transformer model's parameters, gradients and AdamW
 * moments (see paramset.h). */
#include "nn/paramset.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/bigmem.h"

int lm_paramset_alloc(lm_paramset *ps, const lm_param_range *ranges, int n_ranges, lm_err *err) {
    memset(ps, 0, sizeof *ps);
    if (n_ranges <= 0 || !ranges) return lm_fail(err, "a parameter set needs at least one range");
    size_t n = 0;
    for (int i = 0; i < n_ranges; i++) {
        if (ranges[i].numel > ((size_t)1 << 40) - n) return lm_fail(err, "parameter set too large");
        n += ranges[i].numel;
    }
    if (n == 0) return lm_fail(err, "a parameter set needs at least one parameter");
    ps->ranges = malloc((size_t)n_ranges * sizeof *ps->ranges);
    ps->params = lm_big_alloc(n);
    ps->grads = lm_big_alloc(n);
    if (!ps->ranges || !ps->params || !ps->grads) {
        lm_paramset_free(ps);
        return lm_fail(err, "out of memory for %zu parameters", n);
    }
    size_t off = 0;
    for (int i = 0; i < n_ranges; i++) {
        ps->ranges[i] = ranges[i];
        ps->ranges[i].name[sizeof ps->ranges[i].name - 1] = 0;
        ps->ranges[i].offset = off;
        off += ranges[i].numel;
    }
    ps->n = n;
    ps->n_ranges = n_ranges;
    return 0;
}

void lm_paramset_free(lm_paramset *ps) {
    if (!ps) return;
    free(ps->params);
    free(ps->grads);
    free(ps->adam_m);
    free(ps->adam_v);
    free(ps->ranges);
    memset(ps, 0, sizeof *ps);
}

const lm_param_range *lm_paramset_find(const lm_paramset *ps, const char *name) {
    for (int i = 0; i < ps->n_ranges; i++)
        if (strcmp(ps->ranges[i].name, name) == 0) return &ps->ranges[i];
    return NULL;
}

void lm_paramset_zero_grad(lm_paramset *ps) {
    if (ps->grads) memset(ps->grads, 0, ps->n * sizeof(float));
}

float lm_paramset_clip_grad(lm_paramset *ps, float max_norm) {
    double ss = 0;
    for (size_t i = 0; i < ps->n; i++) ss += (double)ps->grads[i] * ps->grads[i];
    float norm = (float)sqrt(ss);
    if (max_norm > 0 && norm > max_norm) {
        float s = max_norm / (norm + 1e-6f);
        for (size_t i = 0; i < ps->n; i++) ps->grads[i] *= s;
    }
    return norm;
}

void lm_paramset_reset_optimizer(lm_paramset *ps) {
    free(ps->adam_m);
    free(ps->adam_v);
    ps->adam_m = ps->adam_v = NULL;
    ps->adam_t = 0;
}

void lm_adamw_range(float *p, const float *g, float *m, float *v, long n, const lm_adamw *opt, float lr,
                    float bc1, float bc2_sqrt, float decay) {
    const float b1 = opt->beta1, b2 = opt->beta2, eps = opt->eps, step = lr / bc1;
    /* PyTorch: p *= 1 - lr*wd (decayed ranges only); m, v updated;
     * p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps) */
    #pragma omp for simd schedule(static) nowait
    for (long i = 0; i < n; i++) {
        float gi = g[i];
        m[i] = b1 * m[i] + (1.0f - b1) * gi;
        v[i] = b2 * v[i] + (1.0f - b2) * gi * gi;
        p[i] = p[i] * decay - step * m[i] / (sqrtf(v[i]) / bc2_sqrt + eps);
    }
}

int lm_paramset_adamw_step(lm_paramset *ps, const lm_adamw *opt, float lr, lm_err *err) {
    if (!ps->params || !ps->grads) return lm_fail(err, "adamw: no parameters");
    if (!ps->adam_m || !ps->adam_v) {
        lm_paramset_reset_optimizer(ps);
        ps->adam_m = lm_big_alloc(ps->n);
        ps->adam_v = lm_big_alloc(ps->n);
        if (!ps->adam_m || !ps->adam_v) {
            lm_paramset_reset_optimizer(ps);
            return lm_fail(err, "adamw: out of memory for the moments");
        }
    }
    ps->adam_t++;
    const float bc1 = 1.0f - powf(opt->beta1, (float)ps->adam_t);
    const float bc2_sqrt = sqrtf(1.0f - powf(opt->beta2, (float)ps->adam_t));
    #pragma omp parallel if (ps->n > 65536)
    for (int r = 0; r < ps->n_ranges; r++) {
        const lm_param_range *R = &ps->ranges[r];
        lm_adamw_range(ps->params + R->offset, ps->grads + R->offset, ps->adam_m + R->offset,
                       ps->adam_v + R->offset, (long)R->numel, opt, lr, bc1, bc2_sqrt,
                       R->decay ? 1.0f - lr * opt->weight_decay : 1.0f);
    }
    return 0;
}
