/* soft_inputs.c - setting the soft inputs of a model (model.h, "soft
 * inputs"): the vectors that prompt tuning puts in place of the first
 * tokens' embeddings. The forward and backward hooks themselves are in the
 * embedding step of model.c (lm_embed_row and the end of lm_backward). */
#include "models/gpt/model.h"

int lm_model_set_soft_inputs(lm_model *m, const float *soft_in, float *soft_grad, int n_soft, lm_err *err) {
    if (!m) return lm_fail(err, "soft inputs: missing model");
    if (!soft_in) {
        m->soft_in = NULL;
        m->soft_grad = NULL;
        m->n_soft = 0;
        return 0;
    }
    if (n_soft < 1 || n_soft > m->cfg.n_ctx)
        return lm_fail(err, "soft inputs: %d vectors do not fit the context of %d (1..%d)", n_soft,
                       m->cfg.n_ctx, m->cfg.n_ctx);
    m->soft_in = soft_in;
    m->soft_grad = soft_grad;
    m->n_soft = n_soft;
    return 0;
}
