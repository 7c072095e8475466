/* nlm_step.h - training a feed-forward or recurrent LM (models/nlm/nlm.h)
 * one update at a time, as train.h trains the transformer, and its
 * checkpoint (train/checkpoint.h).
 *
 * Contract
 * - lm_nlm_train_step is one update with the semantics of lm_train_step:
 *   forward over the batch (its mask is not used: every target >= 0
 *   counts), a non-finite loss or gradient norm returns LM_TRAIN_NONFINITE
 *   before any weight changes, zero grads, backward, clip to o->clip,
 *   AdamW (nn/paramset.h) at lm_schedule_lr(&o->sched, ps.adam_t). The
 *   record's tokens_per_s is B*T / seconds, as the transformer's.
 * - lm_nlm_eval_loss: the mean loss over n fixed batches, weighted by the
 *   targets each carries (forward only; gradients untouched).
 * - lm_nlm_ckpt: what train/checkpoint.h saves of m (kind, config,
 *   tokeniser, parameters, AdamW moments); its pointers borrow m's.
 * - Nothing prints; failures return -1 with lm_err.
 */
#ifndef LM_NLM_STEP_H
#define LM_NLM_STEP_H

#include "data/dataset.h"
#include "models/nlm/nlm.h"
#include "train/checkpoint.h"
#include "train/train.h"

int lm_nlm_train_step(lm_nlm *m, const lm_batch *b, const lm_train_opts *o, lm_step_record *out, lm_err *err);
int lm_nlm_eval_loss(lm_nlm *m, const lm_batch *batches, int n, float *loss, lm_err *err);
lm_kind_ckpt lm_nlm_ckpt(lm_nlm *m);

#endif
