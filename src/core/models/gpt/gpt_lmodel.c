/* gpt_lmodel.c - the transformer behind the any-kind language-model
 * interface (models/lmodel.h): next-token logits through the one prompt
 * path (decode/prefill.h), and a window's loss through one full forward. */
#include "models/lmodel.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode/prefill.h"

static int gpt_next_logits(lm_lmodel *lm, const int32_t *ids, size_t n, float *logits, lm_err *err) {
    lm_model *m = lm->self;
    size_t off = 0;
    if (lm_prefill_window(m, ids, n, &off, err) != 0) return -1;
    const int V = m->cfg.vocab_size;
    memcpy(logits, lm_logits(m, 0) + (n - off - 1) * (size_t)V, (size_t)V * sizeof *logits);
    return 0;
}

/* One forward over ids with targets ids shifted by one: m->loss is the mean
 * over the n - 1 scored positions. */
static int gpt_nll(lm_lmodel *lm, const int32_t *ids, size_t n, double *sum_nats, lm_err *err) {
    lm_model *m = lm->self;
    if (n < 2) { *sum_nats = 0; return 0; }
    if (n > (size_t)m->cfg.n_ctx) return lm_fail(err, "a %zu-token window is longer than the context %d", n, m->cfg.n_ctx);
    int32_t *tg = malloc(n * sizeof *tg);
    if (!tg) return lm_fail(err, "out of memory");
    for (size_t i = 0; i + 1 < n; i++) tg[i] = ids[i + 1];
    tg[n - 1] = -1;
    int rc = lm_forward(m, ids, tg, NULL, 1, (int)n, err);
    free(tg);
    if (rc != 0) return -1;
    *sum_nats = (double)m->loss * (double)(n - 1);
    return 0;
}

static void gpt_free(void *self) {
    lm_model_free(self);
    free(self);
}

static const lm_lmodel_ops GPT_OPS = {"gpt", gpt_next_logits, gpt_nll, gpt_free};
static const lm_lmodel_ops GPT_VIEW_OPS = {"gpt", gpt_next_logits, gpt_nll, NULL};   /* borrows */

/* what an opened transformer and a view share */
static void describe(lm_lmodel *lm, const lm_model *m) {
    lm->vocab = m->cfg.vocab_size;
    lm->n_ctx = m->cfg.n_ctx;
    lm->n_params = m->n_params;
    snprintf(lm->desc, sizeof lm->desc, "transformer: %d layers, %d heads, d_model %d, context %d", m->cfg.n_layer,
             m->cfg.n_head, m->cfg.d_model, m->cfg.n_ctx);
}

void lm_gpt_lmodel_view(lm_lmodel *lm, lm_model *m, lm_tokenizer *tok) {
    static char no_metadata[] = "";
    memset(lm, 0, sizeof *lm);
    lm->ops = &GPT_VIEW_OPS;
    lm->self = m;
    lm->tok = tok;
    lm->metadata = no_metadata;
    snprintf(lm->kind, sizeof lm->kind, "gpt");
    describe(lm, m);
}

int lm_gpt_lmodel_open(lm_lmodel *lm, lm_file_parts *parts, lm_err *err) {
    lm_model *m = calloc(1, sizeof *m);
    if (!m) return lm_fail(err, "out of memory");
    if (lm_model_from_parts(m, parts, err) != 0) {
        free(m);
        return -1;
    }
    lm->ops = &GPT_OPS;
    lm->self = m;
    describe(lm, m);
    return 0;
}
