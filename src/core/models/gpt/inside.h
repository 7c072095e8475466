/* inside.h - inside one attention head (Q.K), one position's path through a
 * block, and the position encodings, as plain structs for the qk, block and
 * positions commands, their panels and lessons.
 *
 * Contract
 * - lm_qk_compute and lm_block_trace read the last forward of m (lm_forward
 *   or lm_prefill_window; sequence b). Everything comes from activations the
 *   forward keeps (model_priv.h: qkv after rotary, att, atty, res, res_mid,
 *   ln1, ln2, fch, fch_act); the only arithmetic redone here is the scores
 *   q.k / sqrt(hd) (the forward overwrites them with the probabilities) and
 *   the head's slice of the output projection. Nothing in the forward is
 *   slowed down.
 * - lm_qk: one layer and head, all T positions.
 *     scores [T, T]  q_i . k_j / sqrt(hd) for every (i, j), before the mask
 *     masked [T, T]  the same with -INFINITY where j > i (the causal mask;
 *                    an encoder has none: masked = scores, causal = 0)
 *     probs  [T, T]  softmax of each masked row: lm_attention_probs (a copy)
 *   and, at position pos (-1 = the last): q, k, v [hd] of this head (q and k
 *   after the rotation when the model is rotary: `rotary` says so), their
 *   norms, the head's output y = sum_j probs[pos, j] v_j [hd], and its
 *   contribution to the residual stream contrib = W_o[:, head cols] y [C]
 *   (no bias; an ablated head's y is zero). For every head of the layer:
 *   the norm of its contribution and its share = norm / sum of all heads'
 *   norms; attn_norm is the norm of the layer's whole attention output at
 *   pos (sum of the heads' contributions + b_o).
 * - lm_block_trace: layer l, position pos (-1 = the last), the steps of a
 *   pre-LayerNorm block in order, each a vector with its size and L2 norm:
 *     "x (input)" [C], "LN1" [C], "attention" [C] (x_mid - x), "x + attn" [C],
 *     "LN2" [C], "MLP up" [M] (pre-activation), "GELU"/"ReLU" [M],
 *     "MLP down" [C] (x_out - x_mid), "x + mlp" [C] (the output)
 *   plus the mean and standard deviation (population, without eps) of the
 *   vector each LayerNorm normalises, and the fraction of MLP units whose
 *   pre-activation is > 0 ("active").
 * - lm_positions: the model's position encodings, no forward needed.
 *     learned     table = wpe [n_ctx, C]
 *     sinusoidal  table = the fixed table [n_ctx, C] (model.h)
 *     rotary      table = the rotation angle pos * 10000^(-2i/hd) of pair i
 *                 [n_ctx, hd/2] in radians (the same for every head), and
 *                 freq [hd/2] = 10000^(-2i/hd)
 *   row_norm [n_pos] the L2 norm of each row (for rotary: of the cos/sin
 *   pairs, sqrt(hd/2), a rotation keeps lengths), and cos_prev [n_pos] the
 *   cosine similarity of row p with row p-1 (0 for p = 0; rotary: the mean
 *   cos of the angle step, how much one step turns a pair on average).
 * - Results own their arrays (free with the matching _free, which accepts a
 *   zeroed struct). 0 or -1 with a message; nothing prints.
 */
#ifndef LM_INSIDE_H
#define LM_INSIDE_H

#include "models/gpt/model.h"

typedef struct {
    int layer, head, pos, T, hd, C, H;
    int rotary;                    /* q and k are after the rotation */
    int causal;                    /* 1: a decoder's mask; 0: an encoder's, none */
    float *scores;                 /* [T, T] before the mask */
    float *masked;                 /* [T, T] -INFINITY above the diagonal */
    float *probs;                  /* [T, T] after softmax */
    float *q, *k, *v;              /* [hd] at pos */
    float q_norm, k_norm, v_norm;
    float *y;                      /* [hd] sum_j probs[pos, j] v_j */
    float y_norm;
    float *contrib;                /* [C] W_o[:, head cols] y */
    float contrib_norm;
    float *head_norm;              /* [H] each head's contribution norm at pos */
    float *head_share;             /* [H] head_norm / sum(head_norm) */
    float attn_norm;               /* the layer's attention output norm at pos (with b_o) */
} lm_qk;

int  lm_qk_compute(lm_qk *out, const lm_model *m, int b, int layer, int head, int pos, lm_err *err);
void lm_qk_free(lm_qk *q);

enum { LM_BLOCK_X, LM_BLOCK_LN1, LM_BLOCK_ATTN, LM_BLOCK_MID, LM_BLOCK_LN2, LM_BLOCK_UP,
       LM_BLOCK_ACT, LM_BLOCK_DOWN, LM_BLOCK_OUT, LM_BLOCK_STEPS };

typedef struct {
    const char *name;              /* static: "x (input)", "LN1", ... */
    int size;                      /* C or M */
    float norm;                    /* L2 */
    float *vec;                    /* [size] */
} lm_block_step;

typedef struct {
    int layer, pos, T, C, M;
    lm_act_kind act;
    lm_block_step step[LM_BLOCK_STEPS];
    float ln1_mean, ln1_std;       /* of x, the vector LN1 normalises */
    float ln2_mean, ln2_std;       /* of x + attn */
    float frac_active;             /* MLP units with pre-activation > 0 */
    float *mem;                    /* private: the vectors */
} lm_block_trace;

int  lm_block_trace_compute(lm_block_trace *out, const lm_model *m, int b, int layer, int pos,
                            lm_err *err);
void lm_block_trace_free(lm_block_trace *bt);

typedef struct {
    lm_pos_kind kind;
    int n_pos, n_dim;              /* rows (n_ctx) and columns (C, or hd/2 when rotary) */
    float *table;                  /* [n_pos, n_dim] */
    float *freq;                   /* [n_dim] rotary only, else NULL */
    float *row_norm;               /* [n_pos] */
    float *cos_prev;               /* [n_pos] */
} lm_positions;

int  lm_positions_compute(lm_positions *out, const lm_model *m, lm_err *err);
void lm_positions_free(lm_positions *p);

#endif
