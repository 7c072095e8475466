/* obj_fflm.c - the objective "fflm": Bengio's feed-forward LM trained on
 * the corpus, every position's next-token loss (train/obj_nlm.h). Without
 * a model it trains one of lm_fflm_config_default. */
#include "train/obj_nlm.h"

#include "models/fflm/fflm.h"

static int make_default(lm_nlm **out, int vocab, uint64_t seed, lm_err *err) {
    lm_fflm_config c = lm_fflm_config_default(vocab);
    return lm_fflm_new(out, &c, seed, err);
}

static const lm_objective_ops fflm_ops = LM_OBJ_NLM_OPS("fflm");

lm_objective *lm_obj_fflm_new(struct lm_nlm *m, lm_err *err) { return lm_obj_nlm_new(&fflm_ops, m, make_default, err); }
