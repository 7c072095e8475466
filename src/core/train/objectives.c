/* objectives.c - the table of objectives a front end can pick by name (the
 * TUI's mode key cycles through it). One line per objective. */
#include "train/objective.h"

#include <string.h>

#include "train/obj_ngram.h"

static lm_objective *sft_default(lm_err *err) { return lm_obj_sft_new(1, err); }
/* the TUI's count: a Kneser-Ney 4-gram over the text in 100 chunks, so the
 * held-out perplexity falls chunk by chunk */
static lm_objective *ngram_default(lm_err *err) {
    lm_ngram_config c = {.order = 4, .smoothing = LM_NGRAM_KN, .k = 1, .discount = 0};
    return lm_obj_ngram_new(&c, 100, err);
}
static lm_objective *fflm_default(lm_err *err) { return lm_obj_fflm_new(NULL, err); }
static lm_objective *rnn_default(lm_err *err) { return lm_obj_rnn_new(NULL, err); }

static const struct {
    const char *name;
    lm_objective *(*create)(lm_err *err);
} table[] = {
    {"pretrain", lm_obj_pretrain_new},
    {"sft", sft_default},
    {"ngram", ngram_default},
    {"fflm", fflm_default},
    {"rnn", rnn_default},
    {"mlm", lm_obj_mlm_new},
};
enum { N_OBJECTIVES = sizeof table / sizeof table[0] };

int lm_objective_count(void) { return N_OBJECTIVES; }

const char *lm_objective_name(int i) {
    return i >= 0 && i < N_OBJECTIVES ? table[i].name : NULL;
}

int lm_objective_owns_model(const char *name) {
    lm_objective *o = lm_objective_create(name, NULL);
    int own = o && o->ops->trainee != NULL;
    lm_objective_free(o);
    return own;
}

lm_objective *lm_objective_create(const char *name, lm_err *err) {
    for (int i = 0; i < N_OBJECTIVES; i++)
        if (strcmp(table[i].name, name) == 0) return table[i].create(err);
    lm_fail(err, "no objective named %s", name);
    return NULL;
}
