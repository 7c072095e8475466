/* obj_pretrain.c - the pretraining objective: next-token loss on every
 * position of random windows of T+1 ids of a text file (objective.h). */
#include "train/objective.h"

#include <stdio.h>
#include <stdlib.h>

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

typedef struct {
    lm_token_stream train, val;
} pretrain_state;

static int load_text(pretrain_state *st, const lm_tokenizer *t, const lm_data_opts *d, lm_err *err) {
    if (d->train_path)
        return lm_stream_load_head(&st->train, t, d->train_path, d->max_bytes, err);
    return lm_stream_from_text(&st->train, t, (const uint8_t *)builtin_text, sizeof builtin_text - 1,
                               err);
}

static int prepare(lm_objective *o, const lm_tokenizer *t, const lm_data_opts *d, lm_err *err) {
    pretrain_state *st = o->state;
    const char *name = d->train_path ? d->train_path : "the built-in text";
    if (load_text(st, t, d, err)) return -1;
    int rc = d->val_path ? lm_stream_load_head(&st->val, t, d->val_path, d->max_bytes, err)
                         : lm_stream_holdout(&st->train, &st->val, d->T, err);
    if (rc) return -1;
    if (st->train.n < (size_t)d->T + 1)
        return lm_fail(err, "%s has %zu tokens, fewer than one sequence of %d", name, st->train.n,
                       d->T + 1);
    lm_batch *vb = NULL;
    int nvb = 0;   /* a held-out part shorter than one window: no validation, not a failure */
    if (st->val.n >= (size_t)d->T + 1 &&
        lm_stream_val_batches(&st->val, d->B, d->T, d->val_batches, &vb, &nvb, err))
        return -1;
    if (lm_objective_setup(o, d, 0, vb, nvb, err)) return -1;
    o->n_train = (long)st->train.n;
    snprintf(o->desc, sizeof o->desc, "%zu training tokens from %.200s, validation: %s (%d batches)",
             st->train.n, name, d->val_path ? "the --val file" : nvb ? "the last 5%" : "none", nvb);
    snprintf(o->meta, sizeof o->meta, "tokens_train=%zu\n", st->train.n);
    return 0;
}

static int next_batch(lm_objective *o, int step, lm_err *err) {
    (void)step;
    pretrain_state *st = o->state;
    return lm_stream_sample(&st->train, &o->rng, &o->batch, err);
}

static int step(lm_objective *o, lm_model *m, const lm_train_opts *opts, lm_figures *out,
                lm_err *err) {
    lm_step_record r;
    if (lm_objective_need_causal(m, err)) return -1;
    int rc = lm_train_step(m, &o->batch, opts, &r, err);
    if (rc == 0) lm_figures_from_step(&r, out);
    return rc;
}

static void free_state(void *p) {
    pretrain_state *st = p;
    if (!st) return;
    lm_stream_free(&st->train);
    lm_stream_free(&st->val);
    free(st);
}

static const lm_objective_ops pretrain_ops = {
    .name = "pretrain",
    .default_data = "data/corpus/train.txt",
    .default_val = "data/corpus/val.txt",
    .prepare = prepare,
    .next_batch = next_batch,
    .step = step,
    .validate = lm_objective_val_loss,
    .free_state = free_state,
};

lm_objective *lm_obj_pretrain_new(lm_err *err) {
    pretrain_state *st = calloc(1, sizeof *st);
    if (!st) {
        lm_fail(err, "out of memory");
        return NULL;
    }
    return lm_objective_new(&pretrain_ops, st, err);
}
