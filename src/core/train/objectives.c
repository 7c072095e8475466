/* objectives.c - the table of objectives a front end can pick by name (the
 * TUI's mode key cycles through it). One line per objective. */
#include "train/objective.h"

#include <string.h>

static lm_objective *sft_default(lm_err *err) { return lm_obj_sft_new(1, err); }

static const struct {
    const char *name;
    lm_objective *(*create)(lm_err *err);
} table[] = {
    {"pretrain", lm_obj_pretrain_new},
    {"sft", sft_default},
    {"mlm", lm_obj_mlm_new},
};
enum { N_OBJECTIVES = sizeof table / sizeof table[0] };

int lm_objective_count(void) { return N_OBJECTIVES; }

const char *lm_objective_name(int i) {
    return i >= 0 && i < N_OBJECTIVES ? table[i].name : NULL;
}

lm_objective *lm_objective_create(const char *name, lm_err *err) {
    for (int i = 0; i < N_OBJECTIVES; i++)
        if (strcmp(table[i].name, name) == 0) return table[i].create(err);
    lm_fail(err, "no objective named %s", name);
    return NULL;
}
