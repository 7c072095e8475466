/* prefill.c - prompt into the model: KV cache or one full window (see prefill.h). */
#include "decode/prefill.h"

int lm_prefill(const lm_model *m, lm_kv *kv, const int32_t *prompt, size_t n, float *logits,
               lm_err *err) {
    if (n == 0) return lm_fail(err, "the prompt is empty (at least one token is needed)");
    if (n > (size_t)m->cfg.n_ctx)
        return lm_fail(err, "the prompt has %zu tokens, more than the context of %d", n, m->cfg.n_ctx);
    lm_kv_reset(kv);
    for (size_t i = 0; i < n; i++)
        if (lm_forward_next(m, kv, prompt[i], logits, err)) return -1;
    return 0;
}

int lm_prefill_window(lm_model *m, const int32_t *ids, size_t n, size_t *off, lm_err *err) {
    if (n == 0) return lm_fail(err, "the prompt is empty (at least one token is needed)");
    size_t T = n, o = 0;
    if (T > (size_t)m->cfg.n_ctx) {
        o = T - (size_t)m->cfg.n_ctx;
        T = (size_t)m->cfg.n_ctx;
    }
    if (lm_forward(m, ids + o, NULL, NULL, 1, (int)T, err)) return -1;   /* tokens [1, T] */
    if (off) *off = o;
    return 0;
}
