/* qk.c - inside one attention head (inside.h): the Q.K scores before and
 * after the causal mask, the probabilities, one position's q, k, v and what
 * the head adds to the residual stream. Read from the last forward's kept
 * activations; the scores are q.k / sqrt(hd) again from the kept q and k. */
#include "models/gpt/inside.h"
#include "models/gpt/model_priv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static float norm2(const float *x, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) s += (double)x[i] * x[i];
    return (float)sqrt(s);
}

void lm_qk_free(lm_qk *q) {
    if (!q) return;
    free(q->scores); free(q->masked); free(q->probs);
    free(q->q); free(q->k); free(q->v); free(q->y);
    free(q->contrib); free(q->head_norm); free(q->head_share);
    memset(q, 0, sizeof *q);
}

/* out[C] = W_o[:, h*hd .. h*hd+hd) y[hd]  (W_o [C, C], row = output) */
static void head_contrib(float *out, const float *wo, const float *y, int C, int hd, int h) {
    for (int i = 0; i < C; i++) {
        const float *row = wo + (size_t)i * C + (size_t)h * hd;
        double s = 0;
        for (int j = 0; j < hd; j++) s += (double)row[j] * y[j];
        out[i] = (float)s;
    }
}

static int qk_alloc(lm_qk *o, int T, int hd, int C, int H) {
    size_t TT = (size_t)T * T;
    o->scores = malloc(sizeof(float) * TT);
    o->masked = malloc(sizeof(float) * TT);
    o->probs = malloc(sizeof(float) * TT);
    o->q = malloc(sizeof(float) * hd);
    o->k = malloc(sizeof(float) * hd);
    o->v = malloc(sizeof(float) * hd);
    o->y = malloc(sizeof(float) * hd);
    o->contrib = malloc(sizeof(float) * C);
    o->head_norm = malloc(sizeof(float) * H);
    o->head_share = malloc(sizeof(float) * H);
    return o->scores && o->masked && o->probs && o->q && o->k && o->v && o->y && o->contrib &&
           o->head_norm && o->head_share ? 0 : -1;
}

/* the [T, T] scores of head h from qkv [T, 3C] (q, k after rotary) */
static void qk_scores(lm_qk *o, const float *qkv, int h) {
    int T = o->T, C = o->C, hd = o->hd;
    float scale = 1.0f / sqrtf((float)hd);
    for (int i = 0; i < T; i++) {
        const float *qi = qkv + (size_t)i * 3 * C + (size_t)h * hd;
        for (int j = 0; j < T; j++) {
            const float *kj = qkv + (size_t)j * 3 * C + C + (size_t)h * hd;
            double s = 0;
            for (int d = 0; d < hd; d++) s += (double)qi[d] * kj[d];
            float v = (float)s * scale;
            o->scores[(size_t)i * T + j] = v;
            o->masked[(size_t)i * T + j] = j > i && o->causal ? -INFINITY : v;
        }
    }
}

int lm_qk_compute(lm_qk *o, const lm_model *m, int b, int layer, int head, int pos, lm_err *err) {
    if (!o) return lm_fail(err, "qk: no output");
    memset(o, 0, sizeof *o);
    if (!m || !m->acts || m->B < 1 || b < 0 || b >= m->B)
        return lm_fail(err, "qk: no forward pass for sequence %d", b);
    const lm_config *c = &m->cfg;
    if (layer < 0 || layer >= c->n_layer)
        return lm_fail(err, "qk: layer %d outside 0..%d", layer, c->n_layer - 1);
    if (head < 0 || head >= c->n_head)
        return lm_fail(err, "qk: head %d outside 0..%d", head, c->n_head - 1);
    int T = m->T, C = c->d_model, H = c->n_head, hd = C / H;
    if (pos < 0) pos = T - 1;
    if (pos >= T) return lm_fail(err, "qk: position %d outside 0..%d", pos, T - 1);
    o->layer = layer; o->head = head; o->pos = pos; o->T = T; o->hd = hd; o->C = C; o->H = H;
    o->rotary = c->pos == LM_POS_ROTARY;
    o->causal = !m->bidirectional;
    if (qk_alloc(o, T, hd, C, H)) { lm_qk_free(o); return lm_fail(err, "qk: out of memory"); }

    size_t NC = (size_t)m->B * T * C;
    const float *qkv = m->acts->qkv + (size_t)layer * NC * 3 + (size_t)b * T * 3 * C;   /* [T, 3C] */
    const float *atty = m->acts->atty + (size_t)layer * NC + (size_t)b * T * C;        /* [T, C] */
    qk_scores(o, qkv, head);
    memcpy(o->probs, lm_attention_probs(m, layer, b, head), sizeof(float) * (size_t)T * T);

    const float *row = qkv + (size_t)pos * 3 * C + (size_t)head * hd;
    memcpy(o->q, row, sizeof(float) * hd);
    memcpy(o->k, row + C, sizeof(float) * hd);
    memcpy(o->v, row + 2 * C, sizeof(float) * hd);
    memcpy(o->y, atty + (size_t)pos * C + (size_t)head * hd, sizeof(float) * hd);
    o->q_norm = norm2(o->q, hd); o->k_norm = norm2(o->k, hd); o->v_norm = norm2(o->v, hd);
    o->y_norm = norm2(o->y, hd);

    lm_param_off off = lm_param_offsets(c, layer);
    const float *wo = m->params + off.wo, *bo = m->params + off.bo;
    float *tmp = malloc(sizeof(float) * C), *sum = calloc((size_t)C, sizeof(float));
    if (!tmp || !sum) { free(tmp); free(sum); lm_qk_free(o); return lm_fail(err, "qk: out of memory"); }
    double total = 0;
    for (int h = 0; h < H; h++) {
        head_contrib(tmp, wo, atty + (size_t)pos * C + (size_t)h * hd, C, hd, h);
        o->head_norm[h] = norm2(tmp, C);
        total += o->head_norm[h];
        for (int i = 0; i < C; i++) sum[i] += tmp[i];
        if (h == head) memcpy(o->contrib, tmp, sizeof(float) * C);
    }
    for (int h = 0; h < H; h++) o->head_share[h] = total > 0 ? (float)(o->head_norm[h] / total) : 0.0f;
    for (int i = 0; i < C; i++) sum[i] += bo[i];
    o->contrib_norm = o->head_norm[head];
    o->attn_norm = norm2(sum, C);
    free(tmp); free(sum);
    return 0;
}
