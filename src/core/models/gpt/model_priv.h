/* model_priv.h - what model.c, params.c, inspect.c, kvcache.c and decode_ref.c share
 * privately.
 *
 * Contract
 * - Parameter offsets come from the table in params.h (lm_param_offsets).
 * - lm_acts holds every activation of the last forward, laid out compactly
 *   for the (B, T) of that forward inside buffers sized for the reserved
 *   (Bmax, Tmax).
 */
#ifndef LM_MODEL_PRIV_H
#define LM_MODEL_PRIV_H

#include "models/gpt/model.h"
#include "models/gpt/params.h"

/* Input row of position `pos` for token `tok`: x[C] = wte[tok] (+ wpe[pos] |
 * + sinusoid(pos)). */
void lm_embed_row(const lm_model *m, float *x, int32_t tok, int pos);

/* The checks lm_forward_next and lm_forward_next_ref (decode_ref.c) make
 * before feeding a token: model, cache of its shape and not full, token id
 * in range, an output. 0 or -1 with a message. Defined in kvcache.c. */
int lm_kv_check_next(const lm_model *m, const lm_kv *kv, int32_t token, const float *logits,
                     lm_err *err);

/* Head ablation (ablate.c): zeroes, in y [N, C] (the heads' outputs before
 * w_o, head h in columns [h*hd, (h+1)*hd)), the heads of layer l that
 * m->ablate knocks out. The caller checks m->ablate != NULL first, so that
 * no ablation costs nothing. */
void lm_ablate_rows(const lm_model *m, int l, float *y, int N);

/* Frees m->acts and everything it owns and sets m->acts = NULL; accepts
 * m->acts == NULL. Defined in model.c; lm_model_free (params.c) calls it so
 * that params.c never needs the layout of struct lm_acts. */
void lm_model_release_acts(lm_model *m);

struct lm_acts {
    int Bmax, Tmax;
    float *mem; size_t mem_len;          /* forward activations */
    /* all [.., B, T, ...] compact for the current (B, T) */
    float *res;        /* [L+1, B, T, C]  residual stream; res[0] = embeddings */
    float *res_mid;    /* [L, B, T, C]    residual after attention */
    float *ln1, *ln2;  /* [L, B, T, C] */
    float *ln1_mean, *ln1_rstd, *ln2_mean, *ln2_rstd;   /* [L, B, T] */
    float *qkv;        /* [L, B, T, 3C]   q and k after rotary */
    float *att;        /* [L, B, H, T, T] attention probabilities */
    float *atty;       /* [L, B, T, C]    attention output before w_o */
    float *fch;        /* [L, B, T, M]    MLP pre-activation */
    float *fch_act;    /* [L, B, T, M]    MLP activation */
    float *lnf;        /* [B, T, C] */
    float *lnf_mean, *lnf_rstd;   /* [B, T] */
    float *logits;     /* [B, T, V] */
    float *losses, *lse, *weight; /* [B, T] */
    int32_t *tokens, *targets;    /* [B, T] copies of the last inputs */
    int has_targets;
    float *rot_cos, *rot_sin;     /* [n_ctx, hd/2] when rotary */
    float *pe;                    /* [n_ctx, C] when sinusoidal */
    /* backward scratch, allocated on the first backward */
    float *gmem; size_t gmem_len;
    float *dres, *dtmp;           /* [B, T, C] */
    float *dqkv;                  /* [B, T, 3C] */
    float *dfch;                  /* [B, T, M] */
    float *dlogits;               /* [B, T, V] */
    float *datt;                  /* [n_scratch, T, T] */
    int n_scratch;
};

#endif
