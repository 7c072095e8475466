/* block_trace.c - one position's path through one block, and the position
 * encodings (inside.h). The path is read from the last forward's kept
 * activations (res, ln1, res_mid, ln2, fch, fch_act); the attention and MLP
 * outputs are the differences of the residual stream they were added to. */
#include "models/gpt/inside.h"
#include "models/gpt/model_priv.h"
#include "nn/ops.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static float norm2(const float *x, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) s += (double)x[i] * x[i];
    return (float)sqrt(s);
}

static void mean_std(const float *x, int n, float *mean, float *std) {
    double s = 0, ss = 0;
    for (int i = 0; i < n; i++) s += x[i];
    double mu = s / n;
    for (int i = 0; i < n; i++) ss += (x[i] - mu) * (x[i] - mu);
    *mean = (float)mu;
    *std = (float)sqrt(ss / n);
}

void lm_block_trace_free(lm_block_trace *bt) {
    if (!bt) return;
    free(bt->mem);
    memset(bt, 0, sizeof *bt);
}

int lm_block_trace_compute(lm_block_trace *o, const lm_model *m, int b, int layer, int pos,
                           lm_err *err) {
    if (!o) return lm_fail(err, "block: no output");
    memset(o, 0, sizeof *o);
    if (!m || !m->acts || m->B < 1 || b < 0 || b >= m->B)
        return lm_fail(err, "block: no forward pass for sequence %d", b);
    const lm_config *c = &m->cfg;
    if (layer < 0 || layer >= c->n_layer)
        return lm_fail(err, "block: layer %d outside 0..%d", layer, c->n_layer - 1);
    int T = m->T, C = c->d_model, M = c->d_mlp;
    if (pos < 0) pos = T - 1;
    if (pos >= T) return lm_fail(err, "block: position %d outside 0..%d", pos, T - 1);
    o->layer = layer; o->pos = pos; o->T = T; o->C = C; o->M = M; o->act = c->act;
    static const char *names[LM_BLOCK_STEPS] = {"x (input)", "LN1", "attention", "x + attn", "LN2",
                                                 "MLP up", "GELU", "MLP down", "x + mlp"};
    int sizes[LM_BLOCK_STEPS] = {C, C, C, C, C, M, M, C, C};
    size_t total = 0;
    for (int s = 0; s < LM_BLOCK_STEPS; s++) total += (size_t)sizes[s];
    o->mem = malloc(sizeof(float) * total);
    if (!o->mem) return lm_fail(err, "block: out of memory");
    float *p = o->mem;
    for (int s = 0; s < LM_BLOCK_STEPS; s++) {
        o->step[s].name = names[s];
        o->step[s].size = sizes[s];
        o->step[s].vec = p;
        p += sizes[s];
    }
    if (c->act == LM_ACT_RELU) o->step[LM_BLOCK_ACT].name = "ReLU";

    const lm_acts *a = m->acts;
    size_t row = (size_t)b * T + pos, N = (size_t)m->B * T;
    const float *x = a->res + ((size_t)layer * N + row) * C;          /* res[l] [C] */
    const float *xm = a->res_mid + ((size_t)layer * N + row) * C;     /* [C] */
    const float *xo = a->res + ((size_t)(layer + 1) * N + row) * C;   /* res[l+1] [C] */
    memcpy(o->step[LM_BLOCK_X].vec, x, sizeof(float) * C);
    memcpy(o->step[LM_BLOCK_LN1].vec, a->ln1 + ((size_t)layer * N + row) * C, sizeof(float) * C);
    memcpy(o->step[LM_BLOCK_MID].vec, xm, sizeof(float) * C);
    memcpy(o->step[LM_BLOCK_LN2].vec, a->ln2 + ((size_t)layer * N + row) * C, sizeof(float) * C);
    memcpy(o->step[LM_BLOCK_UP].vec, a->fch + ((size_t)layer * N + row) * M, sizeof(float) * M);
    memcpy(o->step[LM_BLOCK_ACT].vec, a->fch_act + ((size_t)layer * N + row) * M, sizeof(float) * M);
    memcpy(o->step[LM_BLOCK_OUT].vec, xo, sizeof(float) * C);
    for (int i = 0; i < C; i++) {
        o->step[LM_BLOCK_ATTN].vec[i] = xm[i] - x[i];
        o->step[LM_BLOCK_DOWN].vec[i] = xo[i] - xm[i];
    }
    for (int s = 0; s < LM_BLOCK_STEPS; s++) o->step[s].norm = norm2(o->step[s].vec, o->step[s].size);
    mean_std(x, C, &o->ln1_mean, &o->ln1_std);
    mean_std(xm, C, &o->ln2_mean, &o->ln2_std);
    int on = 0;
    for (int i = 0; i < M; i++) on += o->step[LM_BLOCK_UP].vec[i] > 0.0f;
    o->frac_active = (float)on / (float)M;
    return 0;
}

/* ------------------------------------------------------------ positions */

void lm_positions_free(lm_positions *p) {
    if (!p) return;
    free(p->table); free(p->freq); free(p->row_norm); free(p->cos_prev);
    memset(p, 0, sizeof *p);
}

static void fill_table(lm_positions *o, const lm_model *m) {
    const lm_config *c = &m->cfg;
    int n = o->n_pos, D = o->n_dim;
    if (c->pos == LM_POS_LEARNED) {
        lm_param_off g = lm_param_offsets(c, 0);
        memcpy(o->table, m->params + g.wpe, sizeof(float) * (size_t)n * D);   /* wpe [n_ctx, C] */
    } else if (c->pos == LM_POS_SINUSOIDAL) {
        for (int p = 0; p < n; p++) sinusoid_row(o->table + (size_t)p * D, p, D);
    } else {
        int hd = c->d_model / c->n_head;
        for (int i = 0; i < D; i++) o->freq[i] = (float)pow(10000.0, -2.0 * i / hd);
        for (int p = 0; p < n; p++)
            for (int i = 0; i < D; i++) o->table[(size_t)p * D + i] = (float)((double)p * o->freq[i]);
    }
}

int lm_positions_compute(lm_positions *o, const lm_model *m, lm_err *err) {
    if (!o) return lm_fail(err, "positions: no output");
    memset(o, 0, sizeof *o);
    if (!m || !m->params) return lm_fail(err, "positions: no model");
    const lm_config *c = &m->cfg;
    o->kind = c->pos;
    o->n_pos = c->n_ctx;
    o->n_dim = c->pos == LM_POS_ROTARY ? c->d_model / c->n_head / 2 : c->d_model;
    int n = o->n_pos, D = o->n_dim;
    o->table = malloc(sizeof(float) * (size_t)n * D);
    o->row_norm = malloc(sizeof(float) * n);
    o->cos_prev = malloc(sizeof(float) * n);
    if (c->pos == LM_POS_ROTARY) o->freq = malloc(sizeof(float) * D);
    if (!o->table || !o->row_norm || !o->cos_prev || (c->pos == LM_POS_ROTARY && !o->freq)) {
        lm_positions_free(o);
        return lm_fail(err, "positions: out of memory");
    }
    fill_table(o, m);
    for (int p = 0; p < n; p++) {
        const float *r = o->table + (size_t)p * D;
        if (c->pos == LM_POS_ROTARY) {
            o->row_norm[p] = sqrtf((float)D);   /* (cos, sin) pairs: each of length 1 */
            double s = 0;
            for (int i = 0; i < D; i++) s += cos(p > 0 ? (double)o->freq[i] : 0.0);
            o->cos_prev[p] = p > 0 ? (float)(s / D) : 0.0f;
            continue;
        }
        o->row_norm[p] = norm2(r, D);
        if (p == 0) { o->cos_prev[p] = 0.0f; continue; }
        const float *q = r - D;
        double dot = 0;
        for (int i = 0; i < D; i++) dot += (double)r[i] * q[i];
        float nq = o->row_norm[p - 1], nr = o->row_norm[p];
        o->cos_prev[p] = nq > 0 && nr > 0 ? (float)(dot / ((double)nq * nr)) : 0.0f;
    }
    return 0;
}
