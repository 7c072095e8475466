/* textdata.c - the corpus side of the next-token objectives (textdata.h). */
#include "train/textdata.h"

#include <stdio.h>

#include "data/holdout.h"
#include "tok/chat.h"

/* the training text when no file is given (the TUI with no corpus): a few
 * sentences a tiny model learns in a minute */
static const char builtin_text[] =
    "The cat sat on the mat. The dog sat on the log. The cat saw the dog and the dog saw the cat.\n"
    "A small model learns which letter follows which, then which word follows which.\n"
    "Every step moves the weights a little downhill on the loss.\n"
    LM_CHAT_EOT "\n"
    "Once upon a time there was a tiny transformer. It read the same story again and again,\n"
    "and each time it guessed the next token a little better than before.\n"
    LM_CHAT_EOT "\n"
    "One, two, three, four, five. Five, four, three, two, one. Red, green, blue. Blue, green, red.\n"
    "The sun rises in the east and sets in the west. The moon shines at night.\n";

static int load_text(lm_text_data *td, const lm_tokenizer *t, const lm_data_opts *d, lm_err *err) {
    if (d->train_path)
        return lm_stream_load_head(&td->train, t, d->train_path, d->max_bytes, err);
    return lm_stream_from_text(&td->train, t, (const uint8_t *)builtin_text, sizeof builtin_text - 1,
                               err);
}

int lm_text_data_prepare(lm_text_data *td, lm_objective *o, const lm_tokenizer *t, const lm_data_opts *d,
                         lm_err *err) {
    const char *name = d->train_path ? d->train_path : "the built-in text";
    if (load_text(td, t, d, err)) return -1;
    int rc = d->val_path ? lm_stream_load_head(&td->val, t, d->val_path, d->max_bytes, err)
                         : lm_stream_holdout(&td->train, &td->val, d->T, err);
    if (rc) return -1;
    if (td->train.n < (size_t)d->T + 1)
        return lm_fail(err, "%s has %zu tokens, fewer than one sequence of %d", name, td->train.n,
                       d->T + 1);
    lm_batch *vb = NULL;
    int nvb = 0;   /* a held-out part shorter than one window: no validation, not a failure */
    if (td->val.n >= (size_t)d->T + 1 &&
        lm_stream_val_batches(&td->val, d->B, d->T, d->val_batches, &vb, &nvb, err))
        return -1;
    if (lm_objective_setup(o, d, 0, vb, nvb, err)) return -1;
    o->n_train = (long)td->train.n;
    snprintf(o->desc, sizeof o->desc, "%zu training tokens from %.200s, validation: %s (%d batches)",
             td->train.n, name, d->val_path ? "the --val file" : nvb ? "the last 5%" : "none", nvb);
    snprintf(o->meta, sizeof o->meta, "tokens_train=%zu\n", td->train.n);
    return 0;
}

int lm_text_data_next_batch(lm_text_data *td, lm_objective *o, lm_err *err) {
    return lm_stream_sample(&td->train, &o->rng, &o->batch, err);
}

void lm_text_data_free(lm_text_data *td) {
    lm_stream_free(&td->train);
    lm_stream_free(&td->val);
}
