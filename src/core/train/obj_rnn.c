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

static const lm_objective_ops rnn_ops = {
    .name = "rnn",
    .default_data = "data/corpus/train.txt",
    .default_val = "data/corpus/val.txt",
    .prepare = lm_obj_nlm_prepare,
    .next_batch = lm_obj_nlm_next_batch,
    .step = lm_obj_nlm_step,
    .validate = lm_obj_nlm_validate,
    .free_state = lm_obj_nlm_free_state,
    .trainee = lm_obj_nlm_trainee,
};

lm_objective *lm_obj_rnn_new(struct lm_nlm *m, lm_err *err) { return lm_obj_nlm_new(&rnn_ops, m, make_default, err); }
