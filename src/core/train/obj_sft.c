/* obj_sft.c - the supervised fine-tuning objective: next-token loss on chat
 * conversations (JSONL rendered with the chat template), counted only on
 * the assistant's tokens unless the mask is off (objective.h). */
#include "train/objective.h"

#include <stdio.h>
#include <stdlib.h>

#include "data/holdout.h"

typedef struct {
    int use_mask;
    lm_sft_set train, val;
} sft_state;

static int prepare(lm_objective *o, const lm_tokenizer *t, const lm_data_opts *d, lm_err *err) {
    sft_state *st = o->state;
    if (!d->train_path) return lm_fail(err, "SFT needs a file of conversations (JSONL)");
    if (lm_sft_load(&st->train, t, d->train_path, d->T + 1, err)) return -1;
    int rc = d->val_path ? lm_sft_load(&st->val, t, d->val_path, d->T + 1, err)
                         : lm_sft_holdout(&st->train, &st->val, err);
    if (rc) return -1;
    lm_batch *vb = NULL;
    int nvb = 0;   /* fixed validation batches spread over the whole held-out set */
    if (st->val.n > 0 &&
        lm_sft_val_batches(&st->val, st->use_mask, d->B, d->T, d->val_batches, &vb, &nvb, err))
        return -1;
    if (lm_objective_setup(o, d, 1, vb, nvb, err)) return -1;
    o->n_train = st->train.n;
    snprintf(o->desc, sizeof o->desc,
             "%d training conversations (%d cut to %d tokens) from %.200s, validation: %s (%d batches), "
             "loss on %s",
             st->train.n, st->train.n_cut, d->T + 1, d->train_path,
             d->val_path ? "the --val file" : nvb ? "the last 5%" : "none", nvb,
             st->use_mask ? "assistant tokens" : "every token");
    snprintf(o->meta, sizeof o->meta, "mask=%s\nexamples=%d\n", st->use_mask ? "assistant" : "off",
             st->train.n);
    return 0;
}

static int next_batch(lm_objective *o, int step, lm_err *err) {
    (void)step;
    sft_state *st = o->state;
    return lm_sft_sample(&st->train, &o->rng, st->use_mask, &o->batch, err);
}

static int step(lm_objective *o, lm_model *m, const lm_train_opts *opts, lm_figures *out,
                lm_err *err) {
    lm_step_record r;
    if (lm_objective_need_causal(m, err)) return -1;
    int rc = lm_sft_step(m, &o->batch, opts, &r, err);
    if (rc == 0) lm_figures_from_step(&r, out);
    return rc;
}

static void free_state(void *p) {
    sft_state *st = p;
    if (!st) return;
    lm_sft_free(&st->train);
    lm_sft_free(&st->val);
    free(st);
}

static const lm_objective_ops sft_ops = {
    .name = "sft",
    .default_data = "data/gen/sft_train.jsonl",
    .default_val = "data/gen/sft_val.jsonl",
    .prepare = prepare,
    .next_batch = next_batch,
    .step = step,
    .validate = lm_objective_val_loss,
    .free_state = free_state,
};

lm_objective *lm_obj_sft_new(int use_mask, lm_err *err) {
    sft_state *st = calloc(1, sizeof *st);
    if (!st) {
        lm_fail(err, "out of memory");
        return NULL;
    }
    st->use_mask = use_mask;
    return lm_objective_new(&sft_ops, st, err);
}
