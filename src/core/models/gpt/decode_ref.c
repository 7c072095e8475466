/* decode_ref.c - the plain one-token decoder (see decode_ref.h).
 *
 * For the token at position t, with x its row of the residual stream [C]:
 *   x = wte[token] (+ wpe[t] | + sinusoid(t))
 *   per layer:
 *     q, k, v = split(W_qkv LN1(x) + b_qkv)          each [C], heads of hd
 *     (rotary: rotate q and k by position t)
 *     K[t] = k, V[t] = v                              the cache, [n_ctx, C]
 *     y[head] = softmax(q K[0..t]^T / sqrt(hd)) V[0..t]   per head, causal
 *     y[head] = 0 for heads m->ablate knocks out
 *     x = x + W_o y + b_o
 *     x = x + W_proj act(W_fc LN2(x) + b_fc) + b_proj
 *   logits = wte LN_f(x)                              tied head, [V]
 */
#include "models/gpt/decode_ref.h"
#include "models/gpt/model_priv.h"
#include "nn/ops.h"
#include "nn/ops_ref.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    float *x, *xn, *qkv, *y, *h, *delta;   /* [C] [C] [3C] [C] [M] [C] */
    float *cr, *sr;                        /* [hd/2] rotary angles of this position */
} ref_vectors;

/* x += W_o attention(LN1(x)) + b_o, and this position's k, v into the cache */
static void attention_block(const lm_model *m, lm_kv *kv, const ref_vectors *r,
                            const lm_param_off *o, int l, int pos) {
    const lm_config *c = &m->cfg;
    const int C = c->d_model, H = c->n_head, hd = C / H;
    const float *P = m->params;
    layernorm_forward(r->xn, NULL, NULL, r->x, P + o->ln1w, P + o->ln1b, 1, C);
    linear_forward_ref(r->qkv, r->xn, P + o->wqkv, P + o->bqkv, 1, C, 3 * C);
    float *q = r->qkv, *k = r->qkv + C, *v = r->qkv + 2 * C;
    if (c->pos == LM_POS_ROTARY) {
        rotary_apply(q, r->cr, r->sr, C, hd);
        rotary_apply(k, r->cr, r->sr, C, hd);
    }
    float *K = kv->k + (size_t)l * c->n_ctx * C, *V = kv->v + (size_t)l * c->n_ctx * C;
    memcpy(K + (size_t)pos * C, k, sizeof(float) * C);
    memcpy(V + (size_t)pos * C, v, sizeof(float) * C);
    for (int h = 0; h < H; h++) {
        float *a = kv->att + ((size_t)l * H + h) * c->n_ctx;   /* [pos + 1] */
        attention_row_ref(r->y + h * hd, a, q + h * hd, K + h * hd, V + h * hd, (size_t)C, pos + 1, hd);
    }
    if (m->ablate) lm_ablate_rows(m, l, r->y, 1);   /* knocked-out heads add nothing */
    linear_forward_ref(r->delta, r->y, P + o->wo, P + o->bo, 1, C, C);
    for (int i = 0; i < C; i++) r->x[i] += r->delta[i];
}

/* x += W_proj act(W_fc LN2(x) + b_fc) + b_proj */
static void mlp_block(const lm_model *m, const ref_vectors *r, const lm_param_off *o) {
    const int C = m->cfg.d_model, M = m->cfg.d_mlp;
    const float *P = m->params;
    layernorm_forward(r->xn, NULL, NULL, r->x, P + o->ln2w, P + o->ln2b, 1, C);
    linear_forward_ref(r->h, r->xn, P + o->wfc, P + o->bfc, 1, C, M);
    if (m->cfg.act == LM_ACT_GELU) gelu_forward(r->h, r->h, (size_t)M);
    else relu_forward(r->h, r->h, (size_t)M);
    linear_forward_ref(r->delta, r->h, P + o->wproj, P + o->bproj, 1, M, C);
    for (int i = 0; i < C; i++) r->x[i] += r->delta[i];
}

int lm_forward_next_ref(const lm_model *m, lm_kv *kv, int32_t token, float *logits, lm_err *err) {
    if (lm_kv_check_next(m, kv, token, logits, err) != 0) return -1;   /* as lm_forward_next */
    const lm_config *c = &m->cfg;
    const int C = c->d_model, M = c->d_mlp, hd = C / c->n_head, pos = kv->len;
    float *mem = malloc(sizeof(float) * ((size_t)7 * C + M + hd));
    if (!mem) return lm_fail(err, "forward_next_ref: out of memory");
    ref_vectors r = {.x = mem};
    r.xn = r.x + C; r.qkv = r.xn + C; r.y = r.qkv + 3 * C; r.delta = r.y + C;
    r.h = r.delta + C; r.cr = r.h + M; r.sr = r.cr + hd / 2;
    if (c->pos == LM_POS_ROTARY) rotary_row(r.cr, r.sr, pos, hd);

    lm_embed_row(m, r.x, token, pos);
    for (int l = 0; l < c->n_layer; l++) {
        lm_param_off o = lm_param_offsets(c, l);
        attention_block(m, kv, &r, &o, l, pos);
        mlp_block(m, &r, &o);
    }
    lm_param_off g = lm_param_offsets(c, 0);   /* the global tensors */
    layernorm_forward(r.xn, NULL, NULL, r.x, m->params + g.lnfw, m->params + g.lnfb, 1, C);
    linear_forward_ref(logits, r.xn, m->params + g.wte, NULL, 1, C, c->vocab_size);
    free(mem);
    kv->ids[kv->len++] = token;
    return 0;
}
