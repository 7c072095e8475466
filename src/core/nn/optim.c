/* optim.c - AdamW (PyTorch semantics) and the warmup + cosine LR schedule. */
#include "base/bigmem.h"
#include "models/gpt/model.h"
#include "nn/paramset.h"

#include <math.h>
#include <stdlib.h>

lm_adamw lm_adamw_default(void) {
    lm_adamw o = { 0.9f, 0.95f, 1e-8f, 0.1f };
    return o;
}

int lm_adamw_step(lm_model *m, const lm_adamw *opt, float lr, lm_err *err) {
    if (!m || !m->params) return lm_fail(err, "adamw: no model");
    if (!m->grads) return lm_fail(err, "adamw: no gradients (run backward first)");
    if (!opt) return lm_fail(err, "adamw: no optimizer settings");
    if (!m->adam_m || !m->adam_v) {
        free(m->adam_m); free(m->adam_v);
        m->adam_m = lm_big_alloc(m->n_params);
        m->adam_v = lm_big_alloc(m->n_params);
        if (!m->adam_m || !m->adam_v) {
            free(m->adam_m); free(m->adam_v);
            m->adam_m = m->adam_v = NULL;
            return lm_fail(err, "adamw: out of memory for the moments");
        }
        m->adam_t = 0;
    }
    m->adam_t++;
    const float bc1 = 1.0f - powf(opt->beta1, (float)m->adam_t);
    const float bc2_sqrt = sqrtf(1.0f - powf(opt->beta2, (float)m->adam_t));
    /* one parallel region for all views; each thread takes its share of
     * every view (lm_adamw_range's omp for) without waiting at the end of each */
    #pragma omp parallel
    for (int vi = 0; vi < m->n_views; vi++) {
        const lm_tensor_view *v = &m->views[vi];
        lm_adamw_range(m->params + v->offset, m->grads + v->offset, m->adam_m + v->offset, m->adam_v + v->offset,
                       (long)v->numel, opt, lr, bc1, bc2_sqrt, v->decay ? 1.0f - lr * opt->weight_decay : 1.0f);
    }
    return 0;
}

float lm_schedule_lr(const lm_schedule *s, int step) {
    if (!s) return 0.0f;
    if (step < 0) step = 0;
    if (s->warmup_steps > 0 && step < s->warmup_steps)
        /* (step+1)/warmup as in llm.c: step 0 already learns, step warmup-1 reaches max_lr */
        return s->max_lr * (float)(step + 1) / (float)s->warmup_steps;
    if (step >= s->total_steps) return s->min_lr;
    int span = s->total_steps - s->warmup_steps;
    if (span <= 0) return s->min_lr;
    double r = (double)(step - s->warmup_steps) / span;   /* 0 -> 1 */
    double coef = 0.5 * (1.0 + cos(M_PI * r));             /* 1 -> 0 */
    return (float)(s->min_lr + coef * (s->max_lr - s->min_lr));
}
