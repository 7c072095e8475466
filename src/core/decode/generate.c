/* generate.c - prompt + KV cache + sampler (see generate.h). */
#include "decode/generate.h"

#include "decode/prefill.h"

#include <stdlib.h>
#include <string.h>

int lm_decode(const lm_model *m, lm_kv *kv, const float *first_logits, const lm_gen_opts *o,
              lm_rng *rng, lm_ids *out, lm_gen_result *res, lm_err *err) {
    const int V = m->cfg.vocab_size, n_ctx = m->cfg.n_ctx;
    lm_gen_result r = {LM_GEN_MAX, -1, 0};
    int rc = -1;
    float *logits = malloc((size_t)V * sizeof *logits);   /* [V] */
    lm_sample_result sr;
    int32_t out_last = -1;
    int sr_ok = lm_sample_result_init(&sr, V, err) == 0;
    if (!logits || !sr_ok) {
        if (!logits) lm_fail(err, "out of memory");
        goto done;
    }
    memcpy(logits, first_logits, (size_t)V * sizeof *logits);
    for (int k = 0; k < o->max_new; k++) {
        if (kv->len + (k > 0) >= n_ctx) {   /* the window is full */
            r.reason = LM_GEN_CONTEXT;
            break;
        }
        if (k > 0 && lm_forward_next(m, kv, out_last, logits, err)) goto done;
        if (lm_sample(logits, V, &o->sampling, rng, &sr, err)) goto done;
        int32_t tok = sr.token;
        int is_stop = 0;
        for (int s = 0; s < o->n_stop; s++) is_stop |= o->stop_ids[s] == tok;
        if (is_stop) {
            r.reason = LM_GEN_STOP;
            r.stop_token = tok;
            break;
        }
        if (out && lm_ids_push(out, tok)) {
            lm_fail(err, "out of memory");
            goto done;
        }
        r.n_new++;
        out_last = tok;
        if (o->on_token && o->on_token(o->user, tok, &sr)) {
            r.reason = LM_GEN_CALLBACK;
            break;
        }
    }
    rc = 0;
    if (res) *res = r;
done:
    if (sr_ok) lm_sample_result_free(&sr);
    free(logits);
    return rc;
}

int lm_generate(const lm_model *m, lm_kv *kv_in, const int32_t *prompt, size_t n_prompt,
                const lm_gen_opts *o, lm_rng *rng, lm_ids *out, lm_gen_result *res, lm_err *err) {
    lm_kv own, *kv = kv_in;
    if (!kv) {
        if (lm_kv_init(&own, m, err)) return -1;
        kv = &own;
    }
    float *logits = malloc((size_t)m->cfg.vocab_size * sizeof *logits);   /* [V] */
    int rc = -1;
    if (!logits) lm_fail(err, "out of memory");
    else if (lm_prefill(m, kv, prompt, n_prompt, logits, err) == 0)
        rc = lm_decode(m, kv, logits, o, rng, out, res, err);
    free(logits);
    if (!kv_in) lm_kv_free(&own);
    return rc;
}

int lm_generate_text(const lm_model *m, const lm_tokenizer *t, const int32_t *prompt,
                     size_t n_prompt, int max_new, const int32_t *stop_ids, int n_stop, char **text,
                     lm_err *err) {
    lm_gen_opts o = {0};
    o.max_new = max_new;
    o.sampling = lm_sampling_default();
    o.sampling.greedy = 1;
    o.stop_ids = stop_ids;
    o.n_stop = n_stop;
    lm_rng rng;
    lm_rng_seed(&rng, 1);
    lm_ids out = {0};
    if (lm_generate(m, NULL, prompt, n_prompt, &o, &rng, &out, NULL, err)) {
        lm_ids_free(&out);
        return -1;
    }
    int rc = lm_tok_decode_cstr(t, out.ids, out.n, text, err);
    lm_ids_free(&out);
    return rc;
}
