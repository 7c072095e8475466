/* inspect.c - read-only views into the last forward pass (see model.h):
 * attention probabilities, residual stream, logits, next-token probabilities
 * and the logit lens. Nothing is recomputed except the lens' final norm. */
#include "models/gpt/model_priv.h"
#include "nn/ops.h"

#include <stdlib.h>
#include <string.h>

static int have_forward(const lm_model *m, int b) {
    return m && m->acts && m->B > 0 && b >= 0 && b < m->B;
}

const float *lm_attention_probs(const lm_model *m, int layer, int b, int head) {
    if (!have_forward(m, b) || layer < 0 || layer >= m->cfg.n_layer ||
        head < 0 || head >= m->cfg.n_head) return NULL;
    size_t T = m->T, H = m->cfg.n_head;
    /* att [L, B, H, T, T] */
    return m->acts->att + (((size_t)layer * m->B + b) * H + head) * T * T;
}

const float *lm_residual(const lm_model *m, int layer, int b) {
    if (!have_forward(m, b) || layer < 0 || layer > m->cfg.n_layer) return NULL;
    size_t NC = (size_t)m->B * m->T * m->cfg.d_model;
    /* res [L+1, B, T, C] */
    return m->acts->res + layer * NC + (size_t)b * m->T * m->cfg.d_model;
}

const float *lm_logits(const lm_model *m, int b) {
    if (!have_forward(m, b)) return NULL;
    return m->acts->logits + (size_t)b * m->T * m->cfg.vocab_size;
}

void lm_next_token_probs(const lm_model *m, int b, int t, float *probs) {
    if (!probs) return;
    const float *lg = lm_logits(m, b);
    if (!lg || t < 0 || t >= m->T) return;
    int V = m->cfg.vocab_size;
    memcpy(probs, lg + (size_t)t * V, sizeof(float) * V);
    softmax_inplace(probs, V);
}

int lm_logit_lens(const lm_model *m, int layer, int b, int t, float *logits, lm_err *err) {
    if (!logits) return lm_fail(err, "logit lens: no output buffer");
    if (!have_forward(m, b)) return lm_fail(err, "logit lens: no forward pass for sequence %d", b);
    if (layer < 0 || layer > m->cfg.n_layer)
        return lm_fail(err, "logit lens: layer %d outside 0..%d", layer, m->cfg.n_layer);
    if (t < 0 || t >= m->T) return lm_fail(err, "logit lens: position %d outside 0..%d", t, m->T - 1);
    int C = m->cfg.d_model, V = m->cfg.vocab_size;
    const float *x = lm_residual(m, layer, b) + (size_t)t * C;
    lm_param_off g = lm_param_offsets(&m->cfg, 0);
    /* layer == L goes the same way as the model's head, so it reproduces
     * lm_logits to fp32 rounding (tested) */
    float *xn = malloc(sizeof(float) * C);   /* [C] */
    if (!xn) return lm_fail(err, "logit lens: out of memory");
    layernorm_forward(xn, NULL, NULL, x, m->params + g.lnfw, m->params + g.lnfb, 1, C);
    /* logits[V] = wte[V, C] xn[C] */
    linear_forward(logits, xn, m->params + g.wte, NULL, 1, C, V);
    free(xn);
    return 0;
}
