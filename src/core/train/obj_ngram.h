/* obj_ngram.h - counting an n-gram model as an objective (objective.h), so
 * the one training loop (cli/trainloop.h: progress, validation, checkpoints,
 * Ctrl-C, --resume) drives it as it drives the transformer.
 *
 * Contract
 * - The training text (THE hold-out rule: the --val file, else the last 5%
 *   of the training stream) is cut into `chunks` equal slices of the token
 *   stream; step s counts slice s (chunk s = ids [s*n/chunks, (s+1)*n/chunks)),
 *   continuing the stream, so counting all chunks gives exactly the counts
 *   of the whole text in one go.
 * - A step's "loss" is the slice's mean -ln p per token under the counts
 *   BEFORE it was counted (text the model had not seen: how surprised it
 *   was), then the slice is counted; "tok/s" is its speed. validate gives
 *   "val_loss" (mean -ln p per token of the held-out stream, scored in
 *   windows of T ids whose first id is not scored, as lm_lmodel_text_loss
 *   does) and "val_ppl" (its exp: the perplexity).
 * - The n-gram has no gradients and takes no optimizer step: AdamW, the
 *   learning rate and clipping do not apply (the loop's lm_train_opts are
 *   ignored). Its trainee (ops->trainee) saves through
 *   lm_checkpoint_save_kind with a parameter set that is only a view of the
 *   counts laid out as the file stores them (ngram.h), no gradients and no
 *   moments, so no OUT.opt is written (a stale one is removed); the file's
 *   step count (adam_t) is the number of chunks counted, which --resume
 *   continues from.
 * - prepare sets o->max_steps = chunks: the count ends there.
 * - In the TUI's objective table (train/objectives.c: a Kneser-Ney 4-gram in
 *   100 chunks), which its worker runs as a model of its own kind.
 */
#ifndef LM_OBJ_NGRAM_H
#define LM_OBJ_NGRAM_H

#include "models/ngram/ngram.h"
#include "train/objective.h"

/* A new count of config c over the tokeniser prepare is given, in `chunks`
 * steps. */
lm_objective *lm_obj_ngram_new(const lm_ngram_config *c, int chunks, lm_err *err);
/* Continues g (taken: freed with the objective), which has counted
 * `done` of `chunks` chunks of the same text (--resume). */
lm_objective *lm_obj_ngram_resume(lm_ngram *g, int done, int chunks, lm_err *err);
/* The model being counted (NULL before prepare of a new count). */
lm_ngram *lm_obj_ngram_model(lm_objective *o);

#endif
