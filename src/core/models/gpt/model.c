/* model.c - full-sequence forward and backward of the decoder (see model.h),
 * or of the encoder: the same blocks with the causal mask off
 * (m->bidirectional).
 *
 * One block, pre-LayerNorm (x is the residual stream [B, T, C]):
 *   ln1 = LN(x);  qkv = ln1 W_qkv^T + b;  (rotary on q, k);  y = attn(qkv)
 *   (heads that m->ablate knocks out: their columns of y set to 0)
 *   x_mid = x + y W_o^T + b_o
 *   ln2 = LN(x_mid);  h = act(ln2 W_fc^T + b_fc);  x' = x_mid + h W_proj^T + b_proj
 * Head: logits = LN_f(x_L) wte^T (tied).  Loss: masked mean cross-entropy.
 */
#include "base/bigmem.h"
#include "models/gpt/model_priv.h"
#include "nn/ops.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ embedding */

void lm_embed_row(const lm_model *m, float *x, int32_t tok, int pos) {
    int C = m->cfg.d_model;
    lm_param_off g = lm_param_offsets(&m->cfg, 0);
    const float *e = m->soft_in && pos < m->n_soft ? m->soft_in + (size_t)pos * C   /* soft_in[pos] */
                                                   : m->params + g.wte + (size_t)tok * C;   /* wte[tok] */
    if (m->cfg.pos == LM_POS_LEARNED) {
        const float *p = m->params + g.wpe + (size_t)pos * C;   /* wpe[pos] */
        for (int i = 0; i < C; i++) x[i] = e[i] + p[i];
    } else if (m->cfg.pos == LM_POS_SINUSOIDAL) {
        const float *pe = m->acts && m->acts->pe ? m->acts->pe + (size_t)pos * C : NULL;
        if (pe) {
            for (int i = 0; i < C; i++) x[i] = e[i] + pe[i];
        } else {
            sinusoid_row(x, pos, C);
            for (int i = 0; i < C; i++) x[i] += e[i];
        }
    } else {
        memcpy(x, e, sizeof(float) * C);
    }
}

/* ------------------------------------------------------------ buffers */

void lm_model_release_acts(lm_model *m) {
    if (!m || !m->acts) return;
    lm_acts *a = m->acts;
    free(a->mem);
    free(a->gmem);
    free(a->rot_cos);
    free(a->rot_sin);
    free(a->pe);
    free(a->tokens);
    free(a->targets);
    free(a);
    m->acts = NULL;
}

int lm_model_reserve(lm_model *m, int B, int T, lm_err *err) {
    if (!m || !m->params) return lm_fail(err, "model has no parameters");
    const lm_config *c = &m->cfg;
    if (B < 1 || T < 1) return lm_fail(err, "reserve: B and T must be >= 1 (got %d, %d)", B, T);
    if (T > c->n_ctx) return lm_fail(err, "sequence length %d exceeds the context n_ctx=%d", T, c->n_ctx);
    if (m->acts && m->acts->Bmax >= B && m->acts->Tmax >= T) return 0;
    if (m->acts) {   /* grow to cover both shapes */
        if (m->acts->Bmax > B) B = m->acts->Bmax;
        if (m->acts->Tmax > T) T = m->acts->Tmax;
        lm_model_release_acts(m);
    }
    size_t L = c->n_layer, C = c->d_model, M = c->d_mlp, V = c->vocab_size, H = c->n_head;
    size_t N = (size_t)B * T;
    lm_acts *a = calloc(1, sizeof *a);
    if (!a) return lm_fail(err, "out of memory for activations");
    a->Bmax = B; a->Tmax = T;
    size_t sizes[] = {
        (L + 1) * N * C,           /* res */
        L * N * C,                 /* res_mid */
        L * N * C, L * N * C,      /* ln1, ln2 */
        L * N, L * N, L * N, L * N,/* ln means / rstds */
        L * N * 3 * C,             /* qkv */
        L * (size_t)B * H * T * T, /* att */
        L * N * C,                 /* atty */
        L * N * M, L * N * M,      /* fch, fch_act */
        N * C, N, N,               /* lnf, mean, rstd */
        N * V,                     /* logits */
        N, N, N,                   /* losses, lse, weight */
    };
    float **ptrs[] = {
        &a->res, &a->res_mid, &a->ln1, &a->ln2,
        &a->ln1_mean, &a->ln1_rstd, &a->ln2_mean, &a->ln2_rstd,
        &a->qkv, &a->att, &a->atty, &a->fch, &a->fch_act,
        &a->lnf, &a->lnf_mean, &a->lnf_rstd, &a->logits,
        &a->losses, &a->lse, &a->weight,
    };
    size_t total = 0, n = sizeof sizes / sizeof sizes[0];
    for (size_t i = 0; i < n; i++) total += sizes[i];
    a->mem = lm_big_alloc(total);
    a->tokens = malloc(N * sizeof(int32_t));
    a->targets = malloc(N * sizeof(int32_t));
    if (c->pos == LM_POS_ROTARY) {
        size_t hd = C / H;
        a->rot_cos = malloc((size_t)c->n_ctx * hd / 2 * sizeof(float));
        a->rot_sin = malloc((size_t)c->n_ctx * hd / 2 * sizeof(float));
        if (a->rot_cos && a->rot_sin) rotary_table(a->rot_cos, a->rot_sin, c->n_ctx, (int)hd);
    }
    if (c->pos == LM_POS_SINUSOIDAL) {
        a->pe = malloc((size_t)c->n_ctx * C * sizeof(float));
        if (a->pe)
            for (int p = 0; p < c->n_ctx; p++) sinusoid_row(a->pe + (size_t)p * C, p, (int)C);
    }
    m->acts = a;
    if (!a->mem || !a->tokens || !a->targets ||
        (c->pos == LM_POS_ROTARY && (!a->rot_cos || !a->rot_sin)) ||
        (c->pos == LM_POS_SINUSOIDAL && !a->pe)) {
        lm_model_release_acts(m);
        return lm_fail(err, "out of memory for activations (%.1f MB)", (double)total * 4 / 1e6);
    }
    a->mem_len = total;
    float *p = a->mem;
    for (size_t i = 0; i < n; i++) { *ptrs[i] = p; p += sizes[i]; }
    return 0;
}

/* Backward scratch: sized for (Bmax, Tmax) on first use. */
static int reserve_grads(lm_model *m, lm_err *err) {
    lm_acts *a = m->acts;
    if (!m->grads) {
        m->grads = lm_big_alloc(m->n_params);
        if (!m->grads) return lm_fail(err, "out of memory for gradients");
    }
    if (a->gmem) return 0;
    size_t C = m->cfg.d_model, M = m->cfg.d_mlp, V = m->cfg.vocab_size;
    size_t N = (size_t)a->Bmax * a->Tmax, TT = (size_t)a->Tmax * a->Tmax;
    int ns = omp_get_num_procs();
    if (ops_threads() > ns) ns = ops_threads();
    size_t total = N * C * 2 + N * 3 * C + N * M + N * V + (size_t)ns * TT;
    a->gmem = lm_big_alloc(total);
    if (!a->gmem) return lm_fail(err, "out of memory for backward buffers");
    a->gmem_len = total;
    a->n_scratch = ns;
    float *p = a->gmem;
    a->dres = p;    p += N * C;
    a->dtmp = p;    p += N * C;
    a->dqkv = p;    p += N * 3 * C;
    a->dfch = p;    p += N * M;
    a->dlogits = p; p += N * V;
    a->datt = p;
    return 0;
}

/* ------------------------------------------------------------ forward */

int lm_forward(lm_model *m, const int32_t *tokens, const int32_t *targets,
               const float *loss_mask, int B, int T, lm_err *err) {
    if (!m || !tokens) return lm_fail(err, "forward: missing model or tokens");
    ops_threads_init();
    const lm_config *c = &m->cfg;
    if (B < 1 || T < 1) return lm_fail(err, "forward: B and T must be >= 1 (got %d, %d)", B, T);
    if (T > c->n_ctx) return lm_fail(err, "forward: %d tokens exceed the context of %d", T, c->n_ctx);
    const int L = c->n_layer, C = c->d_model, M = c->d_mlp, V = c->vocab_size, H = c->n_head;
    const int N = B * T, hd = C / H;
    for (int i = 0; i < N; i++) {
        if (tokens[i] < 0 || tokens[i] >= V)
            return lm_fail(err, "forward: token id %d at index %d is outside [0, %d)", tokens[i], i, V);
        if (targets && targets[i] >= V)
            return lm_fail(err, "forward: target id %d at index %d is outside [0, %d)", targets[i], i, V);
    }
    if (lm_model_reserve(m, B, T, err) != 0) return -1;
    lm_acts *a = m->acts;
    m->B = B; m->T = T;
    memcpy(a->tokens, tokens, sizeof(int32_t) * N);
    const float *P = m->params;
    size_t NC = (size_t)N * C;

    /* embeddings (+ positions): res[0][N, C] */
    #pragma omp parallel for schedule(static)
    for (int i = 0; i < N; i++) lm_embed_row(m, a->res + (size_t)i * C, tokens[i], i % T);

    for (int l = 0; l < L; l++) {
        lm_param_off o = lm_param_offsets(c, l);
        float *x = a->res + l * NC, *x_mid = a->res_mid + l * NC, *x_out = a->res + (l + 1) * NC;
        float *ln1 = a->ln1 + l * NC, *ln2 = a->ln2 + l * NC;
        float *qkv = a->qkv + l * NC * 3, *atty = a->atty + l * NC;
        float *att = a->att + (size_t)l * B * H * T * T;
        float *fch = a->fch + (size_t)l * N * M, *fch_act = a->fch_act + (size_t)l * N * M;

        layernorm_forward(ln1, a->ln1_mean + (size_t)l * N, a->ln1_rstd + (size_t)l * N,
                          x, P + o.ln1w, P + o.ln1b, N, C);
        linear_forward(qkv, ln1, P + o.wqkv, P + o.bqkv, N, C, 3 * C);
        if (c->pos == LM_POS_ROTARY) {
            #pragma omp parallel for schedule(static)
            for (int i = 0; i < N; i++) {
                const float *cr = a->rot_cos + (size_t)(i % T) * (hd / 2);
                const float *sr = a->rot_sin + (size_t)(i % T) * (hd / 2);
                rotary_apply(qkv + (size_t)i * 3 * C, cr, sr, C, hd);       /* q */
                rotary_apply(qkv + (size_t)i * 3 * C + C, cr, sr, C, hd);   /* k */
            }
        }
        attention_forward_mask(atty, att, qkv, B, T, C, H, !m->bidirectional);
        if (m->ablate) lm_ablate_rows(m, l, atty, N);   /* knocked-out heads add nothing */
        linear_forward(x_mid, atty, P + o.wo, P + o.bo, N, C, C);
        #pragma omp parallel for schedule(static)
        for (size_t i = 0; i < NC; i++) x_mid[i] += x[i];

        layernorm_forward(ln2, a->ln2_mean + (size_t)l * N, a->ln2_rstd + (size_t)l * N,
                          x_mid, P + o.ln2w, P + o.ln2b, N, C);
        linear_forward(fch, ln2, P + o.wfc, P + o.bfc, N, C, M);
        if (c->act == LM_ACT_GELU) gelu_forward(fch_act, fch, (size_t)N * M);
        else relu_forward(fch_act, fch, (size_t)N * M);
        linear_forward(x_out, fch_act, P + o.wproj, P + o.bproj, N, M, C);
        #pragma omp parallel for schedule(static)
        for (size_t i = 0; i < NC; i++) x_out[i] += x_mid[i];
    }

    lm_param_off g = lm_param_offsets(c, 0);   /* the global tensors */
    layernorm_forward(a->lnf, a->lnf_mean, a->lnf_rstd, a->res + (size_t)L * NC,
                      P + g.lnfw, P + g.lnfb, N, C);
    linear_forward(a->logits, a->lnf, P + g.wte, NULL, N, C, V);   /* tied head */

    a->has_targets = targets != NULL;
    if (targets) {
        memcpy(a->targets, targets, sizeof(int32_t) * N);
        m->loss = crossentropy_forward(a->losses, a->lse, a->weight, a->logits,
                                       targets, loss_mask, N, V);
    } else {
        m->loss = 0.0f;
    }
    return 0;
}

/* ------------------------------------------------------------ backward */

int lm_backward(lm_model *m, lm_err *err) {
    if (!m || !m->acts || m->B < 1) return lm_fail(err, "backward: no forward pass to differentiate");
    ops_threads_init();
    lm_acts *a = m->acts;
    if (!a->has_targets) return lm_fail(err, "backward: the last forward had no targets");
    if (reserve_grads(m, err) != 0) return -1;
    const lm_config *c = &m->cfg;
    const int B = m->B, T = m->T, L = c->n_layer, C = c->d_model, M = c->d_mlp;
    const int V = c->vocab_size, H = c->n_head, N = B * T, hd = C / H;
    const size_t NC = (size_t)N * C;
    const float *P = m->params;
    float *G = m->grads;
    lm_param_off g = lm_param_offsets(c, 0);   /* the global tensors */

    /* loss -> logits -> ln_f -> residual L */
    crossentropy_backward(a->dlogits, a->logits, a->lse, a->targets, a->weight, N, V);
    linear_backward(a->dtmp, G + g.wte, NULL, a->dlogits, a->lnf, P + g.wte, N, C, V);
    memset(a->dres, 0, NC * sizeof(float));
    layernorm_backward(a->dres, G + g.lnfw, G + g.lnfb, a->dtmp, a->res + (size_t)L * NC,
                       P + g.lnfw, a->lnf_mean, a->lnf_rstd, N, C);

    for (int l = L - 1; l >= 0; l--) {
        lm_param_off o = lm_param_offsets(c, l);
        const float *x = a->res + l * NC, *x_mid = a->res_mid + l * NC;
        const float *ln1 = a->ln1 + l * NC, *ln2 = a->ln2 + l * NC;
        const float *qkv = a->qkv + l * NC * 3, *atty = a->atty + l * NC;
        const float *att = a->att + (size_t)l * B * H * T * T;
        const float *fch = a->fch + (size_t)l * N * M, *fch_act = a->fch_act + (size_t)l * N * M;

        /* MLP: dres is d x_out, which is also the residual part of d x_mid */
        linear_backward(a->dfch, G + o.wproj, G + o.bproj, a->dres, fch_act, P + o.wproj, N, M, C);
        if (c->act == LM_ACT_GELU) gelu_backward(a->dfch, a->dfch, fch, (size_t)N * M);
        else relu_backward(a->dfch, a->dfch, fch, (size_t)N * M);
        linear_backward(a->dtmp, G + o.wfc, G + o.bfc, a->dfch, ln2, P + o.wfc, N, C, M);
        layernorm_backward(a->dres, G + o.ln2w, G + o.ln2b, a->dtmp, x_mid, P + o.ln2w,
                           a->ln2_mean + (size_t)l * N, a->ln2_rstd + (size_t)l * N, N, C);

        /* attention: dres is now d x_mid */
        linear_backward(a->dtmp, G + o.wo, G + o.bo, a->dres, atty, P + o.wo, N, C, C);
        if (m->ablate) lm_ablate_rows(m, l, a->dtmp, N);   /* an ablated head's y is a constant 0 */
        attention_backward_mask(a->dqkv, a->datt, a->n_scratch, a->dtmp, qkv, att, B, T, C, H,
                                !m->bidirectional);
        if (c->pos == LM_POS_ROTARY) {
            #pragma omp parallel for schedule(static)
            for (int i = 0; i < N; i++) {
                const float *cr = a->rot_cos + (size_t)(i % T) * (hd / 2);
                const float *sr = a->rot_sin + (size_t)(i % T) * (hd / 2);
                rotary_apply_backward(a->dqkv + (size_t)i * 3 * C, cr, sr, C, hd);
                rotary_apply_backward(a->dqkv + (size_t)i * 3 * C + C, cr, sr, C, hd);
            }
        }
        linear_backward(a->dtmp, G + o.wqkv, G + o.bqkv, a->dqkv, ln1, P + o.wqkv, N, C, 3 * C);
        layernorm_backward(a->dres, G + o.ln1w, G + o.ln1b, a->dtmp, x, P + o.ln1w,
                           a->ln1_mean + (size_t)l * N, a->ln1_rstd + (size_t)l * N, N, C);
    }

    /* embeddings: dwte[tok] += dres (or dsoft[t] at a soft input), dwpe[t] += dres
     * (serial: tokens repeat) */
    for (int i = 0; i < N; i++) {
        const float *d = a->dres + (size_t)i * C;
        int soft = m->soft_in && i % T < m->n_soft;
        float *dw = !soft ? G + g.wte + (size_t)a->tokens[i] * C
                          : m->soft_grad ? m->soft_grad + (size_t)(i % T) * C : NULL;
        if (dw)
            for (int j = 0; j < C; j++) dw[j] += d[j];
        if (c->pos == LM_POS_LEARNED) {
            float *dp = G + g.wpe + (size_t)(i % T) * C;
            for (int j = 0; j < C; j++) dp[j] += d[j];
        }
    }
    return 0;
}

void lm_zero_grad(lm_model *m) {
    if (!m || !m->grads) return;
    const long n = (long)m->n_params, chunk = 1 << 16;
    #pragma omp parallel for schedule(static) if (n > 4 * chunk)
    for (long i = 0; i < n; i += chunk)
        memset(m->grads + i, 0, sizeof(float) * (size_t)(i + chunk < n ? chunk : n - i));
}

float lm_clip_grad(lm_model *m, float max_norm) {
    if (!m || !m->grads) return 0.0f;
    double ss = 0.0;
    #pragma omp parallel for schedule(static) reduction(+:ss)
    for (size_t i = 0; i < m->n_params; i++) ss += (double)m->grads[i] * m->grads[i];
    float norm = (float)sqrt(ss);
    if (max_norm > 0.0f && norm > max_norm) {
        float s = max_norm / (norm + 1e-6f);
        #pragma omp parallel for schedule(static)
        for (size_t i = 0; i < m->n_params; i++) m->grads[i] *= s;
    }
    return norm;
}
