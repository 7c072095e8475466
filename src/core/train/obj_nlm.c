/* obj_nlm.c - training a feed-forward or recurrent LM on a text file: the
 * objective both obj_fflm.c and obj_rnn.c are (see obj_nlm.h). */
#include "train/obj_nlm.h"

#include <stdlib.h>

#include "train/textdata.h"

typedef struct {
    lm_text_data data;     /* the corpus, as pretraining's */
    lm_nlm *m;             /* the model trained */
    int own;               /* made by prepare (freed with the objective) */
    lm_nlm_maker make;
    lm_kind_ckpt ck;       /* what the trainee saves */
} nlm_state;

lm_objective *lm_obj_nlm_new(const lm_objective_ops *ops, lm_nlm *m, lm_nlm_maker make, lm_err *err) {
    nlm_state *st = calloc(1, sizeof *st);
    if (!st) {
        lm_fail(err, "out of memory");
        return NULL;
    }
    st->m = m;
    st->make = make;
    return lm_objective_new(ops, st, err);
}

lm_nlm *lm_obj_nlm_model(const lm_objective *o) { return ((const nlm_state *)o->state)->m; }

int lm_obj_nlm_prepare(lm_objective *o, const lm_tokenizer *t, const lm_data_opts *d, lm_err *err) {
    nlm_state *st = o->state;
    int V = lm_tok_vocab_size(t);
    if (!st->m) {   /* the family's default model for this tokeniser */
        if (st->make(&st->m, V, d->seed, err)) return -1;
        st->own = 1;
        if (lm_nlm_set_tokenizer(st->m, t, err)) return -1;
    }
    if (st->m->vocab != V)
        return lm_fail(err, "the model predicts %d ids but the tokeniser has %d", st->m->vocab, V);
    return lm_text_data_prepare(&st->data, o, t, d, err);
}

int lm_obj_nlm_next_batch(lm_objective *o, int step, lm_err *err) {
    (void)step;
    nlm_state *st = o->state;
    return lm_text_data_next_batch(&st->data, o, err);
}

int lm_obj_nlm_step(lm_objective *o, lm_model *unused, const lm_train_opts *opts, lm_figures *out, lm_err *err) {
    (void)unused;
    nlm_state *st = o->state;
    if (!st->m) return lm_fail(err, "no model to train: prepare the objective first");
    lm_step_record r;
    int rc = lm_nlm_train_step(st->m, &o->batch, opts, &r, err);
    if (rc == 0) lm_figures_from_step(&r, out);
    return rc;
}

int lm_obj_nlm_validate(lm_objective *o, lm_model *unused, lm_figures *out, lm_err *err) {
    (void)unused;
    nlm_state *st = o->state;
    if (o->n_val == 0 || !st->m) return 0;
    float loss;
    int rc = lm_nlm_eval_loss(st->m, o->val, o->n_val, &loss, err);
    if (rc == 0) lm_figures_set(out, "val_loss", loss);
    return rc;
}

int lm_obj_nlm_trainee(lm_objective *o, lm_trainee *out, lm_err *err) {
    nlm_state *st = o->state;
    if (!st->m) return lm_fail(err, "no model to save yet: prepare the objective first");
    st->ck = lm_nlm_ckpt(st->m);
    *out = lm_trainee_kind(&st->ck);
    return 0;
}

void lm_obj_nlm_free_state(void *p) {
    nlm_state *st = p;
    if (!st) return;
    lm_text_data_free(&st->data);
    if (st->own) lm_nlm_free(st->m);
    free(st);
}
