/* lmodel.c - opening any kind of language model, and what every kind gets
 * from the interface: sampled next-token bars, generation, and loss in bits
 * per byte (see lmodel.h). */
#include "models/lmodel.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

lm_lmodel *lm_lmodel_open(const char *path, lm_err *err) {
    lm_file_parts parts;
    if (lm_load_parts(&parts, path, err) != 0) return NULL;
    lm_lmodel_opener open = lm_lmodel_opener_for(parts.kind);
    if (!open) {
        char kinds[256];
        lm_fail(err, "%s: a %s model; language-model commands read %s", path, parts.kind,
                lm_lmodel_kinds(kinds, sizeof kinds));
        lm_file_parts_free(&parts);
        return NULL;
    }
    lm_lmodel *lm = calloc(1, sizeof *lm);
    if (!lm) {
        lm_file_parts_free(&parts);
        lm_fail(err, "%s: out of memory", path);
        return NULL;
    }
    memcpy(lm->kind, parts.kind, sizeof lm->kind);
    lm->metadata = parts.metadata;
    parts.metadata = NULL;
    lm_err inner = {{0}};
    lm->tok = parts.tokenizer_len ? lm_tok_deserialize(parts.tokenizer, (size_t)parts.tokenizer_len, &inner)
                                  : lm_tok_byte_new();
    if (!lm->tok) {
        if (!inner.msg[0]) snprintf(inner.msg, sizeof inner.msg, "out of memory");
        lm_fail(err, "%s: its tokeniser: %s", path, inner.msg);
        lm_file_parts_free(&parts);
        lm_lmodel_free(lm);
        return NULL;
    }
    int rc = open(lm, &parts, &inner);
    lm_file_parts_free(&parts);
    if (rc == 0 && lm->vocab != lm_tok_vocab_size(lm->tok))
        rc = lm_fail(&inner, "the model has %d outputs but its tokeniser %d ids", lm->vocab,
                     lm_tok_vocab_size(lm->tok));
    if (rc != 0) {
        lm_fail(err, "%s: %s", path, inner.msg);
        lm_lmodel_free(lm);
        return NULL;
    }
    return lm;
}

void lm_lmodel_free(lm_lmodel *lm) {
    if (!lm) return;
    if (lm->ops && lm->ops->free_self) lm->ops->free_self(lm->self);
    lm_tok_free(lm->tok);
    free(lm->metadata);
    free(lm);
}

static int check_ids(const lm_lmodel *lm, const int32_t *ids, size_t n, lm_err *err) {
    if (n == 0 || !ids) return lm_fail(err, "the model needs at least one token to predict the next");
    for (size_t i = 0; i < n; i++)
        if (ids[i] < 0 || ids[i] >= lm->vocab)
            return lm_fail(err, "token id %d at position %zu is outside the vocabulary (0..%d)", ids[i], i,
                           lm->vocab - 1);
    return 0;
}

int lm_lmodel_next(lm_lmodel *lm, const int32_t *ids, size_t n, const lm_sampling *s, lm_rng *rng,
                   lm_sample_result *r, lm_err *err) {
    if (check_ids(lm, ids, n, err)) return -1;
    float *logits = malloc((size_t)lm->vocab * sizeof *logits);
    if (!logits) return lm_fail(err, "out of memory");
    int rc = lm->ops->next_logits(lm, ids, n, logits, err);
    if (rc == 0) rc = lm_sample(logits, lm->vocab, s, rng, r, err);
    free(logits);
    return rc;
}

int lm_lmodel_generate(lm_lmodel *lm, lm_ids *ids, const lm_gen_opts *o, lm_rng *rng, lm_gen_result *res,
                       lm_err *err) {
    *res = (lm_gen_result){LM_GEN_MAX, -1, 0, 0, 0, 0};
    if (check_ids(lm, ids->ids, ids->n, err)) return -1;
    const int n_ctx = lm->n_ctx;   /* 0: unbounded */
    const size_t n_prompt = ids->n;
    if (n_ctx > 0 && o->slide && lm_slide_keep(n_ctx) < 1)
        return lm_fail(err, "a context of %d token cannot slide: the window needs at least 2", n_ctx);
    if (n_ctx > 0 && !o->slide && n_prompt > (size_t)n_ctx)
        return lm_fail(err, "the prompt has %zu tokens, more than the model's context of %d tokens", n_prompt, n_ctx);
    lm_sample_result r;
    if (lm_sample_result_init(&r, lm->vocab, err) != 0) return -1;
    int rc = 0;
    size_t start = 0;   /* the window: ids[start .. ids->n) (generate.h's rule) */
    while (res->n_new < o->max_new) {
        if (n_ctx > 0 && ids->n - start >= (size_t)n_ctx) {
            if (!o->slide) {
                res->reason = LM_GEN_CONTEXT;
                break;
            }
            size_t s = lm_slide_start(n_ctx, n_prompt, ids->n);
            res->n_slides++;
            res->n_dropped = s;
            res->n_prompt_dropped = s < n_prompt ? s : n_prompt;
            start = s;
        }
        if ((rc = lm_lmodel_next(lm, ids->ids + start, ids->n - start, &o->sampling, rng, &r, err)) != 0) break;
        int stop = 0;
        for (int s = 0; s < o->n_stop && !stop; s++) stop = o->stop_ids[s] == r.token;
        if (stop) {
            res->reason = LM_GEN_STOP;
            res->stop_token = r.token;
            break;
        }
        if (lm_ids_push(ids, r.token) != 0) {
            rc = lm_fail(err, "out of memory");
            break;
        }
        res->n_new++;
        if (o->on_token && o->on_token(o->user, r.token, &r) != 0) {
            res->reason = LM_GEN_CALLBACK;
            break;
        }
    }
    lm_sample_result_free(&r);
    return rc;
}

int lm_lmodel_text_loss(lm_lmodel *lm, const uint8_t *text, size_t len, int window, size_t max_windows,
                        lm_text_loss *out, lm_err *err) {
    memset(out, 0, sizeof *out);
    if (window < 2) return lm_fail(err, "a scoring window needs at least 2 tokens, not %d", window);
    if (lm->n_ctx > 0 && window > lm->n_ctx) window = lm->n_ctx;
    lm_ids ids = {0};
    if (lm_tok_encode(lm->tok, text, len, 1, &ids, err) != 0) return -1;
    /* windows [k * window, (k + 1) * window); with max_windows, evenly
     * spread over the text so a sample sees all of it, not its head */
    size_t n_win = (ids.n + (size_t)window - 1) / (size_t)window;
    size_t use = max_windows > 0 && max_windows < n_win ? max_windows : n_win;
    int rc = 0;
    for (size_t w = 0; w < use && rc == 0; w++) {
        size_t at = (use == n_win ? w : w * n_win / use) * (size_t)window;
        size_t n = ids.n - at < (size_t)window ? ids.n - at : (size_t)window;
        if (n < 2) continue;
        double nats = 0;
        rc = lm->ops->nll(lm, ids.ids + at, n, &nats, err);
        if (rc) break;
        out->nats += nats;
        out->tokens += (long)(n - 1);
        for (size_t i = at + 1; i < at + n; i++) {
            size_t plen = 0;
            lm_tok_piece(lm->tok, ids.ids[i], &plen);
            out->bytes += (double)plen;
        }
    }
    lm_ids_free(&ids);
    if (rc) return -1;
    if (out->tokens == 0 || out->bytes == 0) return lm_fail(err, "the text is too short to score");
    out->bits_per_byte = out->nats / log(2.0) / out->bytes;
    out->nats_per_token = out->nats / (double)out->tokens;
    return 0;
}
