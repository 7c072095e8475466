/* kvcache.c - incremental decoding: one token at a time with cached keys and
 * values, the same maths as lm_forward (model.c) at a single position. */
#include "model_priv.h"
#include "ops.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* scratch layout, in floats: x[C] xn[C] qkv[3C] y[C] tmp[C] h[M] cos[hd/2] sin[hd/2] */
static size_t scratch_len(const lm_config *c) {
    return (size_t)7 * c->d_model + c->d_mlp + c->d_model / c->n_head;
}

int lm_kv_init(lm_kv *kv, const lm_model *m, lm_err *err) {
    if (!kv) return lm_fail(err, "kv cache: missing");
    memset(kv, 0, sizeof *kv);
    if (!m || !m->params) return lm_fail(err, "kv cache: model has no parameters");
    if (lm_offsets_check(m, err) != 0) return -1;
    const lm_config *c = &m->cfg;
    size_t per = (size_t)c->n_layer * c->n_ctx * c->d_model;
    kv->n_ctx = c->n_ctx; kv->n_layer = c->n_layer; kv->d_model = c->d_model;
    kv->k = calloc(per, sizeof(float));
    kv->v = calloc(per, sizeof(float));
    kv->scratch = calloc(scratch_len(c), sizeof(float));
    kv->att = calloc((size_t)c->n_layer * c->n_head * c->n_ctx, sizeof(float));
    if (!kv->k || !kv->v || !kv->scratch || !kv->att) {
        lm_kv_free(kv);
        return lm_fail(err, "kv cache: out of memory (%.1f MB)", (double)per * 8 / 1e6);
    }
    return 0;
}

void lm_kv_free(lm_kv *kv) {
    if (!kv) return;
    free(kv->k); free(kv->v); free(kv->scratch); free(kv->att);
    memset(kv, 0, sizeof *kv);
}

void lm_kv_reset(lm_kv *kv) {
    if (kv) kv->len = 0;
}

/* y[OC] = w[OC, IC] x[IC] + b[OC], split over output rows (sgemv per thread) */
static void matvec(float *y, const float *w, const float *x, const float *b, int OC, int IC) {
    linear_forward(y, x, w, b, 1, IC, OC);
}

int lm_forward_next(const lm_model *m, lm_kv *kv, int32_t token, float *logits, lm_err *err) {
    if (!m || !kv || !kv->k || !logits) return lm_fail(err, "forward_next: missing model, cache or output");
    ops_threads_init();
    const lm_config *c = &m->cfg;
    if (kv->n_ctx != c->n_ctx || kv->n_layer != c->n_layer || kv->d_model != c->d_model)
        return lm_fail(err, "forward_next: cache was made for another model shape");
    if (kv->len >= kv->n_ctx) return lm_fail(err, "forward_next: context full (%d tokens)", kv->n_ctx);
    if (token < 0 || token >= c->vocab_size)
        return lm_fail(err, "forward_next: token id %d outside [0, %d)", token, c->vocab_size);
    const int L = c->n_layer, C = c->d_model, M = c->d_mlp, H = c->n_head, hd = C / H;
    const int pos = kv->len, n_ctx = c->n_ctx;
    const float *P = m->params;
    float *x = kv->scratch, *xn = x + C, *qkv = xn + C, *y = qkv + 3 * C, *tmp = y + C;
    float *h = tmp + C, *cr = h + M, *sr = cr + hd / 2;
    const float scale = 1.0f / sqrtf((float)hd);

    lm_embed_row(m, x, token, pos);
    if (c->pos == LM_POS_ROTARY) {
        if (m->acts && m->acts->rot_cos) {
            memcpy(cr, m->acts->rot_cos + (size_t)pos * (hd / 2), sizeof(float) * (hd / 2));
            memcpy(sr, m->acts->rot_sin + (size_t)pos * (hd / 2), sizeof(float) * (hd / 2));
        } else {
            rotary_row(cr, sr, pos, hd);
        }
    }
    for (int l = 0; l < L; l++) {
        lm_layer_off o = lm_layer_offsets(c, l);
        float *kc = kv->k + (size_t)l * n_ctx * C, *vc = kv->v + (size_t)l * n_ctx * C;
        layernorm_forward(xn, NULL, NULL, x, P + o.ln1w, P + o.ln1b, 1, C);
        matvec(qkv, P + o.wqkv, xn, P + o.bqkv, 3 * C, C);
        if (c->pos == LM_POS_ROTARY) {
            rotary_apply(qkv, cr, sr, C, hd);
            rotary_apply(qkv + C, cr, sr, C, hd);
        }
        memcpy(kc + (size_t)pos * C, qkv + C, sizeof(float) * C);
        memcpy(vc + (size_t)pos * C, qkv + 2 * C, sizeof(float) * C);
        for (int hh = 0; hh < H; hh++) {
            float *a = kv->att + ((size_t)l * H + hh) * n_ctx;   /* [pos+1] */
            /* scores a[j] = scale * k_j . q  over the cached keys */
            cblas_sgemv(CblasRowMajor, CblasNoTrans, pos + 1, hd, scale, kc + hh * hd, C,
                        qkv + hh * hd, 1, 0.0f, a, 1);
            softmax_inplace(a, pos + 1);
            /* y_h[hd] = sum_j a[j] v_j */
            cblas_sgemv(CblasRowMajor, CblasTrans, pos + 1, hd, 1.0f, vc + hh * hd, C,
                        a, 1, 0.0f, y + hh * hd, 1);
        }
        matvec(tmp, P + o.wo, y, P + o.bo, C, C);
        for (int i = 0; i < C; i++) x[i] += tmp[i];
        layernorm_forward(xn, NULL, NULL, x, P + o.ln2w, P + o.ln2b, 1, C);
        matvec(h, P + o.wfc, xn, P + o.bfc, M, C);
        if (c->act == LM_ACT_GELU) gelu_forward(h, h, (size_t)M);
        else relu_forward(h, h, (size_t)M);
        matvec(tmp, P + o.wproj, h, P + o.bproj, C, M);
        for (int i = 0; i < C; i++) x[i] += tmp[i];
    }
    lm_global_off g = lm_global_offsets(c);
    layernorm_forward(xn, NULL, NULL, x, P + g.lnfw, P + g.lnfb, 1, C);
    matvec(logits, P + g.wte, xn, NULL, c->vocab_size, C);
    kv->len++;
    return 0;
}
