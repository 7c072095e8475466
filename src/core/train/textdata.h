/* textdata.h - THE data side of every next-token objective on a text file
 * (pretraining the transformer, training the feed-forward and recurrent
 * LMs): the corpus as a token stream, the hold-out rule, the fixed
 * validation batches and random training windows. One place, so every kind
 * of model learns from and is validated on exactly the same tokens.
 *
 * Contract
 * - lm_text_data_prepare loads d->train_path (documents separated by
 *   "<|endoftext|>" lines, data/dataset.h; NULL = a few built-in sentences,
 *   for the TUI without a corpus), holds out by THE rule (data/holdout.h:
 *   d->val_path when given, else the last 5%), builds up to d->val_batches
 *   fixed validation batches of B x T and the training batch
 *   (lm_objective_setup), and fills o->n_train, o->desc and o->meta
 *   ("tokens_train=N\n").
 * - lm_text_data_next_batch fills o->batch with B random windows of T+1 ids
 *   (targets = inputs shifted by one) from o->rng.
 * - Nothing prints; failures return -1 with lm_err.
 */
#ifndef LM_TEXTDATA_H
#define LM_TEXTDATA_H

#include "train/objective.h"

typedef struct {
    lm_token_stream train, val;
} lm_text_data;

int  lm_text_data_prepare(lm_text_data *td, lm_objective *o, const lm_tokenizer *t, const lm_data_opts *d,
                          lm_err *err);
int  lm_text_data_next_batch(lm_text_data *td, lm_objective *o, lm_err *err);
void lm_text_data_free(lm_text_data *td);

#endif
