/* lens.c - the logit lens grid and the next-token effect of a head ablation
 * (see lens.h). */
#include "models/gpt/lens.h"
#include "models/gpt/model_priv.h"
#include "nn/ops.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void lm_lens_free(lm_lens *lz) {
    if (!lz) return;
    free(lz->top); free(lz->top_p); free(lz->target_p); free(lz->target_rank);
    free(lz->topk); free(lz->topk_p);
    memset(lz, 0, sizeof *lz);
}

/* the k largest of p[V] into id[k], val[k], descending (ties: lower id first) */
static void top_k(const float *p, int V, int k, int32_t *id, float *val) {
    for (int i = 0; i < k; i++) { id[i] = -1; val[i] = -INFINITY; }
    for (int v = 0; v < V; v++) {
        if (p[v] <= val[k - 1]) continue;
        int j = k - 1;
        while (j > 0 && p[v] > val[j - 1]) { id[j] = id[j - 1]; val[j] = val[j - 1]; j--; }
        id[j] = v; val[j] = p[v];
    }
}

static int lens_alloc(lm_lens *o, int R, int T, int k) {
    size_t cells = (size_t)R * T;
    o->top = malloc(sizeof(int32_t) * cells);
    o->top_p = malloc(sizeof(float) * cells);
    o->target_p = malloc(sizeof(float) * R);
    o->target_rank = malloc(sizeof(int) * R);
    o->topk = malloc(sizeof(int32_t) * (size_t)R * k);
    o->topk_p = malloc(sizeof(float) * (size_t)R * k);
    return o->top && o->top_p && o->target_p && o->target_rank && o->topk && o->topk_p ? 0 : -1;
}

/* log(sum(exp(z))) of z[V], stable */
static float log_sum_exp(const float *z, int V) {
    float mx = z[0];
    for (int v = 1; v < V; v++) if (z[v] > mx) mx = z[v];
    double s = 0.0;
    for (int v = 0; v < V; v++) s += exp((double)z[v] - mx);
    return mx + (float)log(s);
}

/* one row of the grid from the lens logits [T, V] of row r. Ranks and top-k
 * are taken on the logits (the same order as the probabilities, without the
 * ties of probabilities that round to 0). */
static void lens_row(lm_lens *o, int r, const float *logits, int V) {
    for (int t = 0; t < o->T; t++) {
        const float *z = logits + (size_t)t * V;   /* [V] */
        size_t cell = (size_t)r * o->T + t;
        float zt;
        top_k(z, V, 1, &o->top[cell], &zt);
        o->top_p[cell] = expf(zt - log_sum_exp(z, V));
    }
    const float *z = logits + (size_t)o->pos * V;
    float lse = log_sum_exp(z, V);
    int32_t *ids = o->topk + (size_t)r * o->k;
    float *ps = o->topk_p + (size_t)r * o->k;
    top_k(z, V, o->k, ids, ps);
    for (int i = 0; i < o->k; i++) ps[i] = expf(ps[i] - lse);
    if (o->target < 0) o->target = ids[0];   /* row L comes first */
    float zt = z[o->target];
    int rank = 0;
    for (int v = 0; v < V; v++) rank += z[v] > zt || (z[v] == zt && v < o->target);
    o->target_p[r] = expf(zt - lse);
    o->target_rank[r] = rank;
}

int lm_lens_compute(lm_lens *out, const lm_model *m, int b, int pos, int32_t target, int k,
                    lm_err *err) {
    if (!out) return lm_fail(err, "lens: no output");
    memset(out, 0, sizeof *out);
    if (!m || !m->acts || m->B < 1 || b < 0 || b >= m->B)
        return lm_fail(err, "lens: no forward pass for sequence %d", b);
    const int L = m->cfg.n_layer, C = m->cfg.d_model, V = m->cfg.vocab_size, T = m->T;
    if (pos < 0) pos = T - 1;
    if (pos >= T) return lm_fail(err, "lens: position %d outside 0..%d", pos, T - 1);
    if (target >= V) return lm_fail(err, "lens: target token %d outside [0, %d)", target, V);
    if (k < 1) k = 1;
    if (k > V) k = V;
    out->n_rows = L + 1; out->T = T; out->pos = pos; out->target = target; out->k = k;
    float *xn = malloc(sizeof(float) * (size_t)T * C);      /* [T, C] */
    float *logits = malloc(sizeof(float) * (size_t)T * V);   /* [T, V] */
    if (!xn || !logits || lens_alloc(out, L + 1, T, k) != 0) {
        free(xn); free(logits); lm_lens_free(out);
        return lm_fail(err, "lens: out of memory for %d x %d cells", L + 1, T);
    }
    lm_param_off g = lm_param_offsets(&m->cfg, 0);   /* the global tensors */
    for (int r = L; r >= 0; r--) {   /* the last row first: it names the default target */
        /* the same ops, in the same shape, as lm_forward's head */
        layernorm_forward(xn, NULL, NULL, lm_residual(m, r, b), m->params + g.lnfw,
                          m->params + g.lnfb, T, C);
        linear_forward(logits, xn, m->params + g.wte, NULL, T, C, V);
        lens_row(out, r, logits, V);
    }
    free(xn); free(logits);
    return 0;
}

void lm_ablation_diff_free(lm_ablation_diff *d) {
    if (!d) return;
    free(d->id); free(d->p_base); free(d->p_ablated);
    memset(d, 0, sizeof *d);
}

/* probs[V] after the last of ids[0..n) under the mask the model has now */
static int next_probs(lm_model *m, const int32_t *ids, size_t n, float *probs, lm_err *err) {
    if (lm_forward(m, ids, NULL, NULL, 1, (int)n, err) != 0) return -1;
    lm_next_token_probs(m, 0, (int)n - 1, probs);
    return 0;
}

/* rows: the k tokens with the largest max(base, ablated), from both top-k lists */
static void diff_rows(lm_ablation_diff *d, const float *pb, const float *pa, int V, float *mx) {
    for (int v = 0; v < V; v++) mx[v] = pb[v] > pa[v] ? pb[v] : pa[v];
    float *val = malloc(sizeof(float) * d->k);
    if (val) top_k(mx, V, d->k, d->id, val);
    free(val);
    for (int i = 0; i < d->k; i++) {
        d->p_base[i] = d->id[i] >= 0 ? pb[d->id[i]] : 0.0f;
        d->p_ablated[i] = d->id[i] >= 0 ? pa[d->id[i]] : 0.0f;
    }
    double kl = 0.0;
    for (int v = 0; v < V; v++)
        if (pb[v] > 0) kl += pb[v] * (log(pb[v]) - log(pa[v] > 1e-30f ? pa[v] : 1e-30f));
    d->kl = (float)kl;
    float best;
    top_k(pb, V, 1, &d->top_base, &best);
    top_k(pa, V, 1, &d->top_ablated, &best);
}

int lm_ablation_next(lm_model *m, const uint8_t *mask, const int32_t *ids, size_t n, int k,
                     lm_ablation_diff *out, lm_err *err) {
    if (!out) return lm_fail(err, "ablation: no output");
    memset(out, 0, sizeof *out);
    if (!m || !m->params || !ids || n == 0) return lm_fail(err, "ablation: missing model or prompt");
    const int V = m->cfg.vocab_size;
    if (k < 1) k = 1;
    if (k > V) k = V;
    size_t nm = (size_t)m->cfg.n_layer * m->cfg.n_head;
    uint8_t *saved = m->ablate;   /* restored below: the model keeps its own mask */
    m->ablate = NULL;
    float *mem = malloc(sizeof(float) * 3 * (size_t)V);   /* base [V], ablated [V], max [V] */
    uint8_t *mine = calloc(nm, 1);
    out->k = k;
    out->id = malloc(sizeof(int32_t) * k);
    out->p_base = malloc(sizeof(float) * k);
    out->p_ablated = malloc(sizeof(float) * k);
    int rc = -1;
    if (!mem || !mine || !out->id || !out->p_base || !out->p_ablated) {
        lm_fail(err, "ablation: out of memory");
    } else if (next_probs(m, ids, n, mem, err) == 0) {
        if (mask) memcpy(mine, mask, nm);
        m->ablate = mine;
        if (next_probs(m, ids, n, mem + V, err) == 0) {
            diff_rows(out, mem, mem + V, V, mem + 2 * (size_t)V);
            rc = 0;
        }
    }
    m->ablate = saved;
    free(mine); free(mem);
    if (rc != 0) lm_ablation_diff_free(out);
    return rc;
}
