/* kvbatch.c - G sequences decoded together (see kvbatch.h): the same maths
 * as lm_forward_next (kvcache.c) per sequence, with every linear layer one
 * matrix-matrix product over the G rows, so the weights are read once per
 * step, and attention per (sequence, head) over that sequence's own cache. */
#include "models/gpt/kvbatch.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/bigmem.h"
#include "models/gpt/model_priv.h"
#include "nn/ops.h"

int lm_kv_batch_init(lm_kv_batch *kb, const lm_model *m, int G, lm_err *err) {
    memset(kb, 0, sizeof *kb);
    if (!m || !m->params) return lm_fail(err, "kv batch: no model");
    if (G < 1 || G > 4096) return lm_fail(err, "kv batch: %d sequences (1..4096)", G);
    const lm_config *c = &m->cfg;
    const size_t C = (size_t)c->d_model, L = (size_t)c->n_layer, T = (size_t)c->n_ctx;
    kb->G = G;
    kb->n_ctx = c->n_ctx;
    kb->n_layer = c->n_layer;
    kb->d_model = c->d_model;
    kb->d_mlp = c->d_mlp;
    kb->n_head = c->n_head;
    kb->vocab = c->vocab_size;
    kb->len = calloc((size_t)G, sizeof *kb->len);
    kb->k = lm_big_alloc(L * G * T * C);
    kb->v = lm_big_alloc(L * G * T * C);
    kb->x = lm_big_alloc((size_t)G * C);
    kb->xn = lm_big_alloc((size_t)G * C);
    kb->qkv = lm_big_alloc((size_t)G * 3 * C);
    kb->y = lm_big_alloc((size_t)G * C);
    kb->tmp = lm_big_alloc((size_t)G * C);
    kb->h = lm_big_alloc((size_t)G * c->d_mlp);
    kb->att = lm_big_alloc((size_t)G * c->n_head * T);
    kb->rot = lm_big_alloc((size_t)G * (C / c->n_head));
    if (!kb->len || !kb->k || !kb->v || !kb->x || !kb->xn || !kb->qkv || !kb->y || !kb->tmp || !kb->h ||
        !kb->att || !kb->rot) {
        lm_kv_batch_free(kb);
        return lm_fail(err, "kv batch: out of memory for %d sequences", G);
    }
    return 0;
}

void lm_kv_batch_free(lm_kv_batch *kb) {
    if (!kb) return;
    free(kb->len);
    free(kb->k);
    free(kb->v);
    free(kb->x);
    free(kb->xn);
    free(kb->qkv);
    free(kb->y);
    free(kb->tmp);
    free(kb->h);
    free(kb->att);
    free(kb->rot);
    memset(kb, 0, sizeof *kb);
}

void lm_kv_batch_reset(lm_kv_batch *kb) {
    if (kb->len) memset(kb->len, 0, sizeof(int) * (size_t)kb->G);
}

int lm_kv_batch_fork(lm_kv_batch *kb, const lm_kv *kv, lm_err *err) {
    if (!kv || kv->n_ctx != kb->n_ctx || kv->n_layer != kb->n_layer || kv->d_model != kb->d_model)
        return lm_fail(err, "kv batch: the cache to fork was made for another model shape");
    const size_t C = (size_t)kb->d_model, T = (size_t)kb->n_ctx, n = (size_t)kv->len * C;
    for (int l = 0; l < kb->n_layer; l++)
        for (int g = 0; g < kb->G; g++) {
            size_t to = ((size_t)l * kb->G + g) * T * C, from = (size_t)l * T * C;
            memcpy(kb->k + to, kv->k + from, n * sizeof(float));
            memcpy(kb->v + to, kv->v + from, n * sizeof(float));
            kb->len[g] = kv->len;
        }
    return 0;
}

/* one head of one sequence at its position: rotary on q and k, k and v
 * into the sequence's cache, y[head] = softmax(scale q . k_j) v_j */
static void attend(const lm_model *m, lm_kv_batch *kb, int l, int g, int hh) {
    const int C = kb->d_model, H = kb->n_head, hd = C / H, T = kb->n_ctx, pos = kb->len[g];
    float *q = kb->qkv + (size_t)g * 3 * C + hh * hd, *k = q + C, *v = q + 2 * C;
    const size_t base = ((size_t)l * kb->G + g) * T * C + (size_t)hh * hd;
    float *kc = kb->k + base, *vc = kb->v + base;   /* [T, hd], row stride C */
    float *a = kb->att + ((size_t)g * H + hh) * T;  /* [pos + 1] */
    if (m->cfg.pos == LM_POS_ROTARY) {
        const float *cr = kb->rot + (size_t)g * hd, *sr = cr + hd / 2;
        rotary_apply(q, cr, sr, hd, hd);
        rotary_apply(k, cr, sr, hd, hd);
    }
    memcpy(kc + (size_t)pos * C, k, sizeof(float) * hd);
    memcpy(vc + (size_t)pos * C, v, sizeof(float) * hd);
    const float scale = 1.0f / sqrtf((float)hd);
    for (int j = 0; j <= pos; j++) {
        const float *kj = kc + (size_t)j * C;
        float s = 0;
        #pragma omp simd reduction(+:s)
        for (int i = 0; i < hd; i++) s += kj[i] * q[i];
        a[j] = s * scale;
    }
    softmax_inplace(a, pos + 1);
    float *out = kb->y + (size_t)g * C + hh * hd;
    memset(out, 0, sizeof(float) * hd);
    for (int j = 0; j <= pos; j++) {
        const float *vj = vc + (size_t)j * C, aj = a[j];
        #pragma omp simd
        for (int i = 0; i < hd; i++) out[i] += aj * vj[i];
    }
}

static void add_rows(float *x, const float *d, size_t n) {
    #pragma omp simd
    for (size_t i = 0; i < n; i++) x[i] += d[i];
}

int lm_forward_next_batch(const lm_model *m, lm_kv_batch *kb, const int32_t *tokens, const uint8_t *active,
                          float *logits, lm_err *err) {
    if (!m || !m->params || !kb || !kb->len || !tokens || !logits)
        return lm_fail(err, "forward_next_batch: missing model, cache, tokens or output");
    const lm_config *c = &m->cfg;
    if (kb->n_ctx != c->n_ctx || kb->n_layer != c->n_layer || kb->d_model != c->d_model ||
        kb->d_mlp != c->d_mlp || kb->n_head != c->n_head || kb->vocab != c->vocab_size)
        return lm_fail(err, "forward_next_batch: the cache was made for another model shape");
    const int G = kb->G, C = c->d_model, M = c->d_mlp, H = c->n_head, hd = C / H, V = c->vocab_size;
    for (int g = 0; g < G; g++) {
        if (active && !active[g]) continue;
        if (kb->len[g] >= kb->n_ctx)
            return lm_fail(err, "forward_next_batch: sequence %d is full (%d tokens)", g, kb->n_ctx);
        if (tokens[g] < 0 || tokens[g] >= V)
            return lm_fail(err, "forward_next_batch: token id %d of sequence %d outside [0, %d)", tokens[g], g, V);
    }
    ops_threads_init();
    for (int g = 0; g < G; g++) {   /* x[g] = the token's embedding at its position */
        int on = !active || active[g];
        lm_embed_row(m, kb->x + (size_t)g * C, on ? tokens[g] : 0, on ? kb->len[g] : 0);
        if (c->pos == LM_POS_ROTARY) rotary_row(kb->rot + (size_t)g * hd, kb->rot + (size_t)g * hd + hd / 2,
                                                on ? kb->len[g] : 0, hd);
    }
    const float *P = m->params;
    for (int l = 0; l < c->n_layer; l++) {
        lm_param_off o = lm_param_offsets(c, l);
        layernorm_forward(kb->xn, NULL, NULL, kb->x, P + o.ln1w, P + o.ln1b, G, C);
        linear_forward(kb->qkv, kb->xn, P + o.wqkv, P + o.bqkv, G, C, 3 * C);   /* [G, 3C] */
        #pragma omp parallel for schedule(dynamic) if (G * H >= 4)
        for (int gh = 0; gh < G * H; gh++) {
            int g = gh / H;
            if (!active || active[g]) attend(m, kb, l, g, gh % H);
        }
        if (m->ablate) lm_ablate_rows(m, l, kb->y, G);
        linear_forward(kb->tmp, kb->y, P + o.wo, P + o.bo, G, C, C);
        add_rows(kb->x, kb->tmp, (size_t)G * C);
        layernorm_forward(kb->xn, NULL, NULL, kb->x, P + o.ln2w, P + o.ln2b, G, C);
        linear_forward(kb->h, kb->xn, P + o.wfc, P + o.bfc, G, C, M);         /* [G, M] */
        if (c->act == LM_ACT_GELU) gelu_forward(kb->h, kb->h, (size_t)G * M);
        else relu_forward(kb->h, kb->h, (size_t)G * M);
        linear_forward(kb->tmp, kb->h, P + o.wproj, P + o.bproj, G, M, C);
        add_rows(kb->x, kb->tmp, (size_t)G * C);
    }
    lm_param_off gl = lm_param_offsets(c, 0);
    layernorm_forward(kb->xn, NULL, NULL, kb->x, P + gl.lnfw, P + gl.lnfb, G, C);
    linear_forward(logits, kb->xn, P + gl.wte, NULL, G, C, V);   /* the tied head: [G, V] */
    for (int g = 0; g < G; g++)
        if (!active || active[g]) kb->len[g]++;
    return 0;
}
