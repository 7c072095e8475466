/* obj_pretrain.c - the pretraining objective: next-token loss on every
 * position of random windows of T+1 ids of a text file (objective.h); the
 * corpus side (hold-out, batches) is train/textdata.h. */
#include "train/objective.h"

#include <stdlib.h>

#include "train/textdata.h"

/* the corpus, its hold-out and batches: train/textdata.h */
static int prepare(lm_objective *o, const lm_tokenizer *t, const lm_data_opts *d, lm_err *err) {
    return lm_text_data_prepare(o->state, o, t, d, err);
}

static int next_batch(lm_objective *o, int step, lm_err *err) {
    (void)step;
    return lm_text_data_next_batch(o->state, o, err);
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
    lm_text_data *td = p;
    if (!td) return;
    lm_text_data_free(td);
    free(td);
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
    lm_text_data *td = calloc(1, sizeof *td);
    if (!td) {
        lm_fail(err, "out of memory");
        return NULL;
    }
    return lm_objective_new(&pretrain_ops, td, err);
}
