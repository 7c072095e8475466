/* obj_rnn.c - the objective "rnn": a recurrent LM (Elman or GRU) trained on
 * the corpus by backpropagation through time over each window of T tokens
 * (train/obj_nlm.h). Without a model it trains one of
 * lm_rnn_config_default (an Elman RNN). */
#include "train/obj_nlm.h"

#include "models/rnn/rnn.h"

static int make_default(lm_nlm **out, int vocab, uint64_t seed, lm_err *err) {
    lm_rnn_config c = lm_rnn_config_default(vocab, LM_RNN_ELMAN);
    return lm_rnn_new(out, &c, seed, err);
}

static const lm_objective_ops rnn_ops = LM_OBJ_NLM_OPS("rnn");

lm_objective *lm_obj_rnn_new(struct lm_nlm *m, lm_err *err) { return lm_obj_nlm_new(&rnn_ops, m, make_default, err); }
