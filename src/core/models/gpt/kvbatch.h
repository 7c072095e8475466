/* kvbatch.h - decoding G sequences together: one KV cache per sequence, one
 * weight read per step for all of them. What RL rollouts need (G sampled
 * replies to one prompt): a single-sequence decoding step is a chain of
 * matrix-vector products whose cost is reading every weight once; with G
 * sequences the same weights serve G tokens (matrix-matrix products), so a
 * step costs about what one token did.
 *
 * Contract
 * - lm_kv_batch holds G caches [L, G, n_ctx, C] and a length per sequence.
 * - lm_forward_next_batch feeds tokens[g] to every active sequence g at its
 *   own position len[g] and writes logits [G, V] (the rows of inactive
 *   sequences mean nothing; their caches and lengths do not change). Each
 *   active row equals, to fp32 rounding,
 *   what lm_forward_next gives for that sequence fed alone
 *   (tests/test_kvbatch.c checks it), with the same positions (learned,
 *   sinusoidal, rotary) and head ablation (m->ablate).
 * - lm_kv_batch_fork copies a single cache (a prompt prefilled once with
 *   lm_prefill) into every sequence, so a group of replies shares its
 *   prompt's work.
 * - Fails (nothing changed) on a full sequence, a token out of range, or a
 *   cache made for another model shape. Nothing prints.
 */
#ifndef LM_KVBATCH_H
#define LM_KVBATCH_H

#include <stdint.h>

#include "base/err.h"
#include "models/gpt/model.h"

typedef struct {
    int G, n_ctx, n_layer, d_model, d_mlp, n_head, vocab;
    int *len;          /* [G] tokens in each sequence's cache */
    float *k, *v;      /* [L, G, n_ctx, C] */
    float *x;          /* [G, C] residual stream */
    float *xn;         /* [G, C] LayerNorm output */
    float *qkv;        /* [G, 3C] */
    float *y;          /* [G, C] attention output before w_o */
    float *tmp;        /* [G, C] a block's output */
    float *h;          /* [G, M] MLP hidden */
    float *att;        /* [G, H, n_ctx] probabilities of the step */
    float *rot;        /* [G, hd] cos | sin of each sequence's position (rotary) */
} lm_kv_batch;

int  lm_kv_batch_init(lm_kv_batch *kb, const lm_model *m, int G, lm_err *err);
void lm_kv_batch_free(lm_kv_batch *kb);
void lm_kv_batch_reset(lm_kv_batch *kb);
/* Every sequence starts from kv's tokens (kv made for the same model). */
int  lm_kv_batch_fork(lm_kv_batch *kb, const lm_kv *kv, lm_err *err);
/* tokens [G]; active [G] or NULL (all); logits [G, V]. */
int  lm_forward_next_batch(const lm_model *m, lm_kv_batch *kb, const int32_t *tokens, const uint8_t *active,
                           float *logits, lm_err *err);

#endif
