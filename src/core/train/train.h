/* train.h - one training update at a time: pretraining, SFT, validation loss.
 *
 * Contract
 * - A step function does exactly one update (forward with targets [and mask],
 *   backward, gradient clipping, AdamW at the scheduled learning rate) and
 *   returns its numbers in an lm_step_record. Loops over steps belong to the
 *   caller (CLI, TUI worker thread, lessons).
 * - The schedule position is m->adam_t (AdamW steps taken so far), so a model
 *   loaded from a checkpoint continues its schedule; a fine-tune that starts a
 *   new schedule sets m->adam_t = 0 first (lm_train_reset_optimizer).
 * - A non-finite loss or gradient norm returns LM_TRAIN_NONFINITE (-2) before
 *   any weight changes, with a message; other failures return -1.
 * - The optimizer state (AdamW moments) is not part of a model file; it is
 *   saved next to a checkpoint in its own file (optstate.h) for --resume.
 */
#ifndef LM_TRAIN_H
#define LM_TRAIN_H

#include "data/dataset.h"
#include "base/err.h"
#include "models/gpt/model.h"

#define LM_TRAIN_NONFINITE (-2)

typedef struct {
    lm_schedule sched;   /* max_lr, min_lr, warmup_steps, total_steps */
    lm_adamw    adamw;
    float       clip;    /* max global grad norm; <= 0 = no clipping */
} lm_train_opts;

/* THE warm-up rule (objective.h says why): min(100, total_steps / 10). */
int lm_warmup_steps(int total_steps);

/* lr 3e-4 -> 3e-5 cosine, warmup lm_warmup_steps(total), AdamW defaults, clip 1. */
lm_train_opts lm_train_opts_default(int total_steps);

typedef struct {
    int    step;          /* 1-based index of this update (m->adam_t after it) */
    float  loss;          /* (masked) mean loss of the batch before the update */
    float  grad_norm;     /* before clipping */
    float  lr;
    long   tokens;        /* targets that carried loss */
    double seconds;       /* wall time of the step */
    double tokens_per_s;  /* B*T / seconds (positions processed) */
} lm_step_record;

/* Pretraining step: the loss on every target of the batch (its mask is used
 * if present). */
int lm_train_step(lm_model *m, const lm_batch *b, const lm_train_opts *o, lm_step_record *out,
                  lm_err *err);
/* SFT step: the same with the batch's loss mask required. */
int lm_sft_step(lm_model *m, const lm_batch *b, const lm_train_opts *o, lm_step_record *out,
                lm_err *err);

/* Mean loss over n fixed batches, weighted by the targets each carries
 * (forward only; does not touch gradients). */
int lm_eval_loss(lm_model *m, const lm_batch *batches, int n, float *loss, lm_err *err);
/* The figures of a finished step into *out (nothing when out is NULL):
 * step, loss, grad_norm, lr, b's tokens with a target, seconds, and
 * tokens_per_s = B*T / seconds (0 when seconds is 0). Both trainers'
 * (lm_train_step, lm_nlm_train_step). */
void lm_step_record_fill(lm_step_record *out, int step, float loss, float grad_norm, float lr, const lm_batch *b,
                         double seconds);
/* The end of every validation loss (lm_eval_loss, lm_nlm_eval_loss): *loss =
 * sum / weight; -1 with a message if weight is 0 (no targets),
 * LM_TRAIN_NONFINITE if the mean is not finite, else 0. */
int lm_eval_loss_mean(double sum, double weight, float *loss, lm_err *err);

/* Forgets the AdamW moments and sets adam_t = 0 (a fresh schedule). */
void lm_train_reset_optimizer(lm_model *m);

#endif
