/* paramset.h - the trainable numbers of a model that is not the transformer
 * (a feed-forward LM, an RNN, soft prompts, word vectors, ...): one buffer
 * of parameters with its gradients and AdamW moments in the same layout,
 * and a table of named ranges into it, as the transformer keeps its own
 * (models/gpt/model.h). The optimizer, gradient clipping and the
 * optimizer-state file work on it exactly as on the transformer's buffers.
 *
 * Contract
 * - lm_paramset_alloc lays the ranges out in the order given (offsets
 *   computed here), zeroes the parameters and the gradients (lm_big_alloc zeroes); the moments are
 *   allocated by the first AdamW step (adam_t counts steps taken).
 * - A range's decay = 1 means AdamW's decoupled weight decay applies to it
 *   (matrices), 0 that it does not (biases, embeddings if the kind says so).
 * - lm_paramset_adamw_step has PyTorch's AdamW semantics (the same kernel as
 *   lm_adamw_step); lm_paramset_clip_grad returns the norm before clipping.
 * - Nothing prints; failures return -1 with lm_err.
 */
#ifndef LM_PARAMSET_H
#define LM_PARAMSET_H

#include <stddef.h>

#include "base/err.h"
#include "models/gpt/model.h"   /* lm_adamw */

typedef struct {
    char   name[32];   /* "emb", "rnn.w_hh", ... */
    size_t offset;     /* in floats (set by lm_paramset_alloc) */
    size_t numel;
    int    decay;
} lm_param_range;

typedef struct {
    float *params, *grads;        /* [n] each */
    float *adam_m, *adam_v;       /* [n] each; NULL until the first AdamW step */
    size_t n;
    int    adam_t;
    lm_param_range *ranges;
    int    n_ranges;
} lm_paramset;

/* ranges[0..n_ranges): name, numel and decay (offsets are ignored and set). */
int   lm_paramset_alloc(lm_paramset *ps, const lm_param_range *ranges, int n_ranges, lm_err *err);
void  lm_paramset_free(lm_paramset *ps);
/* The range of that name, or NULL. */
const lm_param_range *lm_paramset_find(const lm_paramset *ps, const char *name);
void  lm_paramset_zero_grad(lm_paramset *ps);
float lm_paramset_clip_grad(lm_paramset *ps, float max_norm);
int   lm_paramset_adamw_step(lm_paramset *ps, const lm_adamw *opt, float lr, lm_err *err);
/* Forgets the moments and the step count (a fresh run on these weights). */
void  lm_paramset_reset_optimizer(lm_paramset *ps);

/* The AdamW update of one range (the kernel lm_adamw_step and
 * lm_paramset_adamw_step share): bc1 = 1 - b1^t, bc2_sqrt = sqrt(1 - b2^t),
 * decay = 1 - lr * wd for decayed ranges, else 1. */
void  lm_adamw_range(float *p, const float *g, float *m, float *v, long n, const lm_adamw *opt, float lr,
                     float bc1, float bc2_sqrt, float decay);

#endif
