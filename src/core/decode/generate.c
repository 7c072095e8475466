/* generate.c - prompt + KV cache + sampler, and the context policy: stop
 * at a full window or slide it (see generate.h). */
#include "decode/generate.h"

#include "decode/prefill.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int lm_slide_keep(int n_ctx) {
    if (n_ctx < 2) return 0;
    int d = n_ctx / 4;
    return n_ctx - (d < 1 ? 1 : d);
}

size_t lm_slide_start(int n_ctx, size_t n_prompt, size_t n) {
    if (n_ctx < 2) return n;
    const size_t K = (size_t)lm_slide_keep(n_ctx), d = (size_t)n_ctx - K;
    const size_t n0 = n_prompt > (size_t)n_ctx ? n_prompt : (size_t)n_ctx;   /* the first slide */
    if (n < n0) return 0;
    return n0 - K + d * ((n - n0) / d);   /* then one every d tokens */
}

static int check_slide(const lm_model *m, const lm_gen_opts *o, lm_err *err) {
    if (!o->slide) return 0;
    if (lm_slide_keep(m->cfg.n_ctx) < 1)
        return lm_fail(err, "a context of %d token cannot slide: the window needs at least 2", m->cfg.n_ctx);
    if (m->soft_in)
        return lm_fail(err, "a soft prompt sits at the window's first positions: its window cannot slide");
    return 0;
}

/* one slide: keep drops `drop` tokens from the front of the window; prompt_left
 * = the prompt's tokens still in it */
static void count_slide(lm_gen_result *r, size_t drop, size_t *prompt_left) {
    size_t p = drop < *prompt_left ? drop : *prompt_left;
    r->n_slides++;
    r->n_dropped += drop;
    r->n_prompt_dropped += p;
    *prompt_left -= p;
}

int lm_gen_prefill(const lm_model *m, lm_kv *kv, const int32_t *prompt, size_t n_prompt, const lm_gen_opts *o,
                   float *logits, lm_gen_result *res, lm_err *err) {
    const int n_ctx = m->cfg.n_ctx;
    lm_gen_result r = {LM_GEN_MAX, -1, 0, 0, 0, 0};
    if (check_slide(m, o, err)) return -1;
    if (!o->slide && n_prompt > (size_t)n_ctx)
        return lm_fail(err, "the prompt has %zu tokens, more than the model's context of %d tokens", n_prompt, n_ctx);
    size_t from = 0, left = n_prompt;
    if (o->slide && n_prompt >= (size_t)n_ctx) {   /* it fills the window: start slid */
        from = n_prompt - (size_t)lm_slide_keep(n_ctx);
        count_slide(&r, from, &left);
    }
    if (lm_prefill(m, kv, prompt + from, n_prompt - from, logits, err)) return -1;
    if (res) *res = r;
    return 0;
}

int lm_decode(const lm_model *m, lm_kv *kv, const float *first_logits, const lm_gen_opts *o,
              lm_rng *rng, lm_ids *out, lm_gen_result *res, lm_err *err) {
    const int V = m->cfg.vocab_size, n_ctx = m->cfg.n_ctx, keep = lm_slide_keep(n_ctx);
    lm_gen_result r = {LM_GEN_MAX, -1, 0, 0, 0, 0};
    if (res && o->slide) {   /* carry on lm_gen_prefill's counts */
        r.n_slides = res->n_slides;
        r.n_dropped = res->n_dropped;
        r.n_prompt_dropped = res->n_prompt_dropped;
    }
    if (check_slide(m, o, err)) return -1;
    int rc = -1;
    float *logits = malloc((size_t)V * sizeof *logits);             /* [V] */
    int32_t *win = malloc(((size_t)n_ctx + 1) * sizeof *win);      /* [n_ctx + 1] the window to slide */
    lm_sample_result sr;
    size_t prompt_left = (size_t)kv->len;
    int32_t pending = -1;   /* the last token drawn, not fed yet */
    int sr_ok = lm_sample_result_init(&sr, V, err) == 0;
    if (!logits || !win || !sr_ok) {
        if (!logits || !win) lm_fail(err, "out of memory");
        goto done;
    }
    memcpy(logits, first_logits, (size_t)V * sizeof *logits);
    for (int k = 0; k < o->max_new; k++) {
        int in_window = kv->len + (pending >= 0);
        if (in_window >= n_ctx) {   /* the window is full */
            if (!o->slide) {
                r.reason = LM_GEN_CONTEXT;
                break;
            }
            /* it slides: its last `keep` tokens, from position 0 */
            memcpy(win, kv->ids, (size_t)kv->len * sizeof *win);
            if (pending >= 0) win[kv->len] = pending;
            size_t drop = (size_t)(in_window - keep);
            if (lm_prefill(m, kv, win + drop, (size_t)keep, logits, err)) goto done;
            count_slide(&r, drop, &prompt_left);
            pending = -1;
        } else if (pending >= 0) {
            if (lm_forward_next(m, kv, pending, logits, err)) goto done;
            pending = -1;
        }
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
        pending = tok;
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
    free(win);
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
    lm_gen_result r;
    int rc = -1;
    if (!logits) lm_fail(err, "out of memory");
    else if (lm_gen_prefill(m, kv, prompt, n_prompt, o, logits, &r, err) == 0)
        rc = lm_decode(m, kv, logits, o, rng, out, &r, err);
    if (rc == 0 && res) *res = r;
    free(logits);
    if (!kv_in) lm_kv_free(&own);
    return rc;
}

int lm_gen_note(const lm_gen_result *r, size_t n_prompt, int n_ctx, char *buf, size_t cap) {
    if (!cap) return 0;
    buf[0] = '\0';
    if (r->n_slides > 0) {
        char times[32];
        if (r->n_slides == 1) snprintf(times, sizeof times, "once");
        else snprintf(times, sizeof times, "%d times", r->n_slides);
        snprintf(buf, cap, "the window (%d tokens) slid %s: the first %zu token%s dropped (%zu of the "
                 "prompt's %zu)", n_ctx, times, r->n_dropped, r->n_dropped == 1 ? " was" : "s were", r->n_prompt_dropped,
                 n_prompt);
        return 1;
    }
    if (r->reason == LM_GEN_CONTEXT) {
        snprintf(buf, cap, "context full: %zu tokens (prompt %zu + %d generated)", n_prompt + (size_t)r->n_new,
                 n_prompt, r->n_new);
        return 1;
    }
    return 0;
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
