/* kvcache.c - incremental decoding: one token at a time with cached keys and
 * values, the same maths as lm_forward (model.c) at a single position.
 *
 * Decoding one token is a chain of matrix-vector products: its cost is
 * reading every weight once, plus the time threads spend waiting for each
 * other (about 1.5 us per barrier between these two cores). So the token runs
 * in one OpenMP parallel region, split the Megatron way to need two barriers
 * per layer instead of five:
 *   attention: thread t owns a contiguous run of heads. It computes their
 *     q, k, v rows, their attention, and their share of the output
 *     projection, part_t[C] = w_o[:, its columns] y[its columns].
 *   MLP: thread t owns a run of hidden units: h_t = act(w_fc[its rows] xn),
 *     part_t[C] = w_proj[:, its columns] h_t.
 * After each barrier every thread adds b + part_0 + ... + part_{n-1} (in that
 * order) to its own copy of the residual, so all copies stay identical and
 * LayerNorm needs no further wait. The two blocks use different part buffers,
 * so a fast thread never overwrites parts a slow one is still adding. */
#include "base/bigmem.h"
#include "nn/matvec.h"
#include "models/gpt/model_priv.h"
#include "nn/ops.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

/* Scratch, in floats, 64-byte aligned. Shared: qkv[3C] y[C] h[M] cos[hd/2]
 * sin[hd/2], padded to 16 floats. Then one block per thread (n_scratch of
 * them): x[C] xn[C] part_attn[C] part_mlp[C], each block padded to 16 floats
 * so that every thread's copies sit at the same alignment (and so reduce in
 * the same order) and no two threads share a cache line. */
static size_t pad16(size_t n) { return (n + 15) & ~(size_t)15; }
static size_t shared_len(const lm_config *c) {
    return pad16((size_t)4 * c->d_model + c->d_mlp + 2 * (size_t)(c->d_model / c->n_head / 2));
}
static size_t own_len(const lm_config *c) { return pad16((size_t)4 * c->d_model); }

int lm_kv_init(lm_kv *kv, const lm_model *m, lm_err *err) {
    if (!kv) return lm_fail(err, "kv cache: missing");
    memset(kv, 0, sizeof *kv);
    if (!m || !m->params) return lm_fail(err, "kv cache: model has no parameters");
    const lm_config *c = &m->cfg;
    size_t per = (size_t)c->n_layer * c->n_ctx * c->d_model;
    kv->n_ctx = c->n_ctx; kv->n_layer = c->n_layer; kv->d_model = c->d_model;
    kv->n_scratch = omp_get_max_threads();
    if (kv->n_scratch < 1) kv->n_scratch = 1;
    kv->k = lm_big_alloc(per);
    kv->v = lm_big_alloc(per);
    size_t scratch_bytes = (shared_len(c) + (size_t)kv->n_scratch * own_len(c)) * sizeof(float);
    kv->scratch = aligned_alloc(64, scratch_bytes);   /* a multiple of 64: pad16 */
    if (kv->scratch) memset(kv->scratch, 0, scratch_bytes);
    kv->att = calloc((size_t)c->n_layer * c->n_head * c->n_ctx, sizeof(float));
    kv->ids = calloc((size_t)c->n_ctx, sizeof(int32_t));
    if (!kv->k || !kv->v || !kv->scratch || !kv->att || !kv->ids) {
        lm_kv_free(kv);
        return lm_fail(err, "kv cache: out of memory (%.1f MB)", (double)per * 8 / 1e6);
    }
    return 0;
}

void lm_kv_free(lm_kv *kv) {
    if (!kv) return;
    free(kv->k); free(kv->v); free(kv->scratch); free(kv->att); free(kv->ids);
    memset(kv, 0, sizeof *kv);
}

void lm_kv_reset(lm_kv *kv) {
    if (kv) kv->len = 0;
}

/* What every thread of one decoding step reads. */
typedef struct {
    const lm_model *m;
    lm_kv *kv;
    float *logits;                 /* [V] */
    float *qkv, *y, *h;            /* [3C], [C] heads' outputs, [M] hidden units */
    const float *cr, *sr;          /* [hd/2] rotary angles of this position */
    float *own;                    /* n_scratch blocks of own_len: x, xn, parts */
    size_t own_stride;             /* own_len(cfg) */
    int pos;
} step;

/* [lo, hi) of n items for thread me of nt: blocks of `align` items dealt out
 * as evenly as they go (4 heads over 3 threads: 1, 1, 2) */
static void my_share(int n, int nt, int me, int align, int *lo, int *hi) {
    long blocks = (n + align - 1) / align;
    long b0 = blocks * me / nt, b1 = blocks * (me + 1) / nt;
    *lo = (int)(b0 * align < n ? b0 * align : n);
    *hi = (int)(b1 * align < n ? b1 * align : n);
}

/* A barrier of the decoding team; none when decoding runs on one thread
 * (then there is no team of ours, and an orphaned barrier would wait for
 * the caller's own team). */
static void team_wait(int nt) {
    if (nt > 1) {
        #pragma omp barrier
    }
}

/* y[rows] = w[rows, IC] x[IC] + b[rows] for rows [lo, hi); b may be NULL */
static void rows_matvec(float *y, const float *w, const float *x, const float *b,
                        int lo, int hi, int IC) {
    if (hi <= lo) return;
    lm_matvec(y + lo, w + (size_t)lo * IC, (size_t)IC, x, hi - lo, IC, 0);
    if (b) for (int r = lo; r < hi; r++) y[r] += b[r];
}

/* part[OC] = w[:, lo:hi] v[lo:hi] for w [OC, IC]; zero when the run is empty */
static void cols_matvec(float *part, const float *w, const float *v, int lo, int hi,
                        int OC, int IC) {
    if (hi <= lo) { memset(part, 0, sizeof(float) * OC); return; }
    lm_matvec(part, w + lo, (size_t)IC, v + lo, OC, hi - lo, 0);
}

/* x[C] += b[C] + part `which` of all nt threads (summed in thread order into
 * tmp[C] first, so every thread's x gets the very same numbers) */
static void add_parts(float *x, float *tmp, const float *b, const step *s, int which,
                      int nt, int C) {
    memcpy(tmp, b, sizeof(float) * C);
    for (int t = 0; t < nt; t++) {
        const float *part = s->own + (size_t)t * s->own_stride + (size_t)which * C;
        #pragma omp simd
        for (int i = 0; i < C; i++) tmp[i] += part[i];
    }
    #pragma omp simd
    for (int i = 0; i < C; i++) x[i] += tmp[i];
}

/* One head at this position: rotary on its q and k, its k and v into the
 * cache, then y[head] = softmax(scale q . k_j) v_j over positions 0..pos. */
static void attend_head(const step *s, int l, int hh) {
    const lm_config *c = &s->m->cfg;
    const int C = c->d_model, H = c->n_head, hd = C / H, pos = s->pos, n_ctx = c->n_ctx;
    float *q = s->qkv + hh * hd, *k = s->qkv + C + hh * hd, *v = s->qkv + 2 * C + hh * hd;
    float *kc = s->kv->k + (size_t)l * n_ctx * C + hh * hd;   /* [n_ctx, hd], row stride C */
    float *vc = s->kv->v + (size_t)l * n_ctx * C + hh * hd;
    float *a = s->kv->att + ((size_t)l * H + hh) * n_ctx;    /* [pos+1] */
    if (c->pos == LM_POS_ROTARY) {
        rotary_apply(q, s->cr, s->sr, hd, hd);
        rotary_apply(k, s->cr, s->sr, hd, hd);
    }
    memcpy(kc + (size_t)pos * C, k, sizeof(float) * hd);
    memcpy(vc + (size_t)pos * C, v, sizeof(float) * hd);
    const float scale = 1.0f / sqrtf((float)hd);
    lm_matvec(a, kc, (size_t)C, q, pos + 1, hd, 0);            /* k_j . q */
    for (int j = 0; j <= pos; j++) a[j] *= scale;
    softmax_inplace(a, pos + 1);
    lm_matvec_t(s->y + hh * hd, vc, (size_t)C, a, pos + 1, hd);  /* sum_j a_j v_j */
    if (s->m->ablate && s->m->ablate[(size_t)l * H + hh])          /* knocked out */
        memset(s->y + hh * hd, 0, sizeof(float) * hd);
}

/* The body every thread runs: thread me of nt, its residual copy x already
 * holds the token's embedding. */
static void step_thread(const step *s, int me, int nt) {
    const lm_config *c = &s->m->cfg;
    const int L = c->n_layer, C = c->d_model, M = c->d_mlp, H = c->n_head, hd = C / H;
    const float *P = s->m->params;
    float *x = s->own + (size_t)me * s->own_stride, *xn = x + C;
    float *part_attn = xn + C, *part_mlp = part_attn + C;
    int h0, h1, u0, u1;
    my_share(H, nt, me, 1, &h0, &h1);     /* my heads */
    my_share(M, nt, me, 16, &u0, &u1);    /* my hidden units */
    for (int l = 0; l < L; l++) {
        lm_param_off o = lm_param_offsets(c, l);
        const float *wqkv = P + o.wqkv, *bqkv = P + o.bqkv;
        /* attention block: my heads' q, k, v rows, attention, output share */
        layernorm_forward(xn, NULL, NULL, x, P + o.ln1w, P + o.ln1b, 1, C);
        for (int part = 0; part < 3; part++)
            rows_matvec(s->qkv, wqkv, xn, bqkv, part * C + h0 * hd, part * C + h1 * hd, C);
        for (int hh = h0; hh < h1; hh++) attend_head(s, l, hh);
        cols_matvec(part_attn, P + o.wo, s->y, h0 * hd, h1 * hd, C, C);
        team_wait(nt);
        add_parts(x, xn, P + o.bo, s, 2, nt, C);
        /* MLP block: my hidden units and their share of the projection */
        layernorm_forward(xn, NULL, NULL, x, P + o.ln2w, P + o.ln2b, 1, C);
        rows_matvec(s->h, P + o.wfc, xn, P + o.bfc, u0, u1, C);
        if (u1 > u0) {
            if (c->act == LM_ACT_GELU) gelu_forward(s->h + u0, s->h + u0, (size_t)(u1 - u0));
            else relu_forward(s->h + u0, s->h + u0, (size_t)(u1 - u0));
        }
        cols_matvec(part_mlp, P + o.wproj, s->h, u0, u1, C, M);
        team_wait(nt);
        add_parts(x, xn, P + o.bproj, s, 3, nt, C);
    }
    lm_param_off g = lm_param_offsets(c, 0);   /* the global tensors */
    layernorm_forward(xn, NULL, NULL, x, P + g.lnfw, P + g.lnfb, 1, C);
    int v0, v1;
    my_share(c->vocab_size, nt, me, 16, &v0, &v1);
    rows_matvec(s->logits, P + g.wte, xn, NULL, v0, v1, C);
}

int lm_kv_check_next(const lm_model *m, const lm_kv *kv, int32_t token, const float *logits,
                     lm_err *err) {
    if (!m || !m->params || !kv || !kv->k || !logits)
        return lm_fail(err, "forward_next: missing model, cache or output");
    const lm_config *c = &m->cfg;
    if (m->bidirectional)
        return lm_fail(err, "this model is an encoder (bidirectional attention): every position reads the "
                            "tokens after it too, so it cannot predict the next token one at a time");
    if (kv->n_ctx != c->n_ctx || kv->n_layer != c->n_layer || kv->d_model != c->d_model)
        return lm_fail(err, "forward_next: cache was made for another model shape");
    if (kv->len >= kv->n_ctx) return lm_fail(err, "forward_next: context full (%d tokens)", kv->n_ctx);
    if (token < 0 || token >= c->vocab_size)
        return lm_fail(err, "forward_next: token id %d outside [0, %d)", token, c->vocab_size);
    return 0;
}

int lm_forward_next(const lm_model *m, lm_kv *kv, int32_t token, float *logits, lm_err *err) {
    if (lm_kv_check_next(m, kv, token, logits, err) != 0) return -1;
    ops_threads_init();
    const lm_config *c = &m->cfg;
    const int C = c->d_model, hd = C / c->n_head, pos = kv->len;
    step s = { .m = m, .kv = kv, .logits = logits, .pos = pos };
    s.qkv = kv->scratch; s.y = s.qkv + 3 * C; s.h = s.y + C;
    float *cr = s.h + c->d_mlp, *sr = cr + hd / 2;
    s.cr = cr; s.sr = sr;
    s.own = kv->scratch + shared_len(c);
    s.own_stride = own_len(c);

    if (c->pos == LM_POS_ROTARY) {
        if (m->acts && m->acts->rot_cos) {
            memcpy(cr, m->acts->rot_cos + (size_t)pos * (hd / 2), sizeof(float) * (hd / 2));
            memcpy(sr, m->acts->rot_sin + (size_t)pos * (hd / 2), sizeof(float) * (hd / 2));
        } else {
            rotary_row(cr, sr, pos, hd);
        }
    }
    /* threads pay off once a token reads a few hundred thousand weights */
    size_t weights = (size_t)c->n_layer * ((size_t)4 * C * C + 2 * (size_t)C * c->d_mlp)
                   + (size_t)c->vocab_size * C;
    int nt = weights < 200000 ? 1 : lm_get_threads();
    if (nt > kv->n_scratch) nt = kv->n_scratch;
    if (nt <= 1) {
        lm_embed_row(m, s.own, token, pos);
        step_thread(&s, 0, 1);
    } else {
        #pragma omp parallel num_threads(nt)
        {
            /* OpenMP may give fewer threads than asked (one, inside another
             * parallel region): split over the team we got */
            int me = omp_get_thread_num(), got = omp_get_num_threads();
            lm_embed_row(m, s.own + (size_t)me * s.own_stride, token, pos);
            step_thread(&s, me, got);
        }
    }
    kv->ids[kv->len++] = token;
    return 0;
}
