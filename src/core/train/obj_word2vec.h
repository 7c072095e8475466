/* obj_word2vec.h - the word2vec objective: skip-gram with negative sampling
 * (models/word2vec/sgns.h) on the words of a text file, training a word2vec
 * model of its own (ops->trainee; the loop calls step and validate with
 * m = NULL and saves through the trainee, train/checkpoint.h).
 *
 * Contract
 * - prepare reads the text (data opts: train_path, required; val_path or
 *   THE hold-out rule on the word stream: the last 5%, at least 2W+1 words;
 *   max_bytes), and, for a new model, builds the vocabulary from the whole
 *   training file (vocab.h: min_count, at most cfg->vocab words) and
 *   initialises the tables from d->seed. The tokeniser prepare is given is
 *   not used: the model's word list is. The noise distribution and the
 *   subsampling come from the counts of the training part.
 * - A batch is d->B (center, context) pairs of one stretch of text at a
 *   random place (sgns.h lm_sgns_pairs) with K negatives each; the rng is
 *   seeded from (seed, start_step) as every objective's.
 * - The optimizer is plain SGD, as in the paper and word2vec.c, with its
 *   linear decay: lr(t) = max_lr - (max_lr - min_lr) t / total_steps (no
 *   warm-up, no clipping; opts->sched gives max_lr, min_lr, total_steps).
 *   Why not AdamW: one pair touches 2 + K rows of the two tables, so a step
 *   updates only the rows its batch touched (cost B (K+1) D), where AdamW's
 *   moments would update all 2 V D numbers every step (3 times the work of
 *   the batch itself at V = 10k, D = 100) and keep two more tables; SGD also
 *   has no state to save besides the step count (no OUT.opt). The update is
 *   lr times the gradient of the batch's summed loss: the same as the paper's
 *   B pair-by-pair steps taken from the same starting point.
 * - Figures: "loss" (SGNS loss per pair of the batch), "lr", "pairs/s",
 *   "epoch" (passes over the training text so far: pairs seen / the pairs
 *   one pass gives on average), and from validate "val_loss" (SGNS loss per
 *   pair on fixed held-out pairs and negatives, up to val_batches x B).
 * - A non-finite loss returns LM_TRAIN_NONFINITE with the tables unchanged.
 */
#ifndef LM_OBJ_WORD2VEC_H
#define LM_OBJ_WORD2VEC_H

#include "models/word2vec/w2v.h"
#include "train/objective.h"

/* want: a new model's config (vocab = the most words kept); resume: a model
 * to continue (owned by the objective from here, NULL = a new model). On
 * failure resume is freed too. */
lm_objective *lm_obj_word2vec_new(const lm_w2v_config *want, lm_w2v *resume, lm_err *err);
/* the model trained (NULL before prepare made it) */
const lm_w2v *lm_obj_word2vec_model(const lm_objective *o);

#endif
