/* obj_nlm.h - the objective that trains a feed-forward or recurrent LM
 * (models/nlm/nlm.h) on a text file: next-token loss on every position of
 * random windows, the same corpus, hold-out rule and batches as pretraining
 * the transformer (train/textdata.h). obj_fflm.c and obj_rnn.c are its two
 * instances (their names, their default model); this is what they share.
 *
 * Contract (on top of objective.h's)
 * - The model trained is its own kind (ops->trainee): the one given to the
 *   constructor (borrowed: the caller frees it after the objective), or,
 *   when none is given, a new one of the family's default config made by
 *   prepare for the tokeniser's vocabulary, seeded by d->seed, carrying a
 *   copy of the tokeniser (the TUI's objective table).
 * - prepare refuses a model whose vocabulary is not the tokeniser's.
 * - step and validate ignore the transformer they are passed (NULL from the
 *   CLI loop); figures: loss, grad_norm, lr, tok/s; val_loss.
 * - trainee fails before there is a model (prepare makes the default one).
 */
#ifndef LM_OBJ_NLM_H
#define LM_OBJ_NLM_H

#include "models/nlm/nlm.h"
#include "train/nlm_step.h"
#include "train/objective.h"

/* a new model of the family's default config for vocab ids */
typedef int (*lm_nlm_maker)(lm_nlm **out, int vocab, uint64_t seed, lm_err *err);

lm_objective *lm_obj_nlm_new(const lm_objective_ops *ops, lm_nlm *m, lm_nlm_maker make, lm_err *err);

int  lm_obj_nlm_prepare(lm_objective *o, const lm_tokenizer *t, const lm_data_opts *d, lm_err *err);
int  lm_obj_nlm_next_batch(lm_objective *o, int step, lm_err *err);
int  lm_obj_nlm_step(lm_objective *o, lm_model *unused, const lm_train_opts *opts, lm_figures *out, lm_err *err);
int  lm_obj_nlm_validate(lm_objective *o, lm_model *unused, lm_figures *out, lm_err *err);
int  lm_obj_nlm_trainee(lm_objective *o, lm_trainee *out, lm_err *err);
void lm_obj_nlm_free_state(void *state);
/* the model the objective trains (NULL before prepare made the default one) */
lm_nlm *lm_obj_nlm_model(const lm_objective *o);

/* The ops table of an instance named NAME: the shipped corpus validated on
 * its held-out file, and the functions above. Use as
 * `static const lm_objective_ops x_ops = LM_OBJ_NLM_OPS("x");`. */
#define LM_OBJ_NLM_OPS(NAME)                                                                         \
    {                                                                                                \
        .name = (NAME), .default_data = "data/corpus/train.txt", .default_val = "data/corpus/val.txt", \
        .prepare = lm_obj_nlm_prepare, .next_batch = lm_obj_nlm_next_batch, .step = lm_obj_nlm_step,   \
        .validate = lm_obj_nlm_validate, .free_state = lm_obj_nlm_free_state,                        \
        .trainee = lm_obj_nlm_trainee,                                                               \
    }

#endif
