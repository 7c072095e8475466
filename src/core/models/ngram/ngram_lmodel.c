/* ngram_lmodel.c - the n-gram model behind the any-kind language-model
 * interface (models/lmodel.h): next-token logits are ln p of the smoothed
 * distribution, and a window's nll the sum of -ln p(token | the N-1
 * before it). n_ctx is 0: the model reads the last N-1 ids of whatever it
 * is given itself, so a scoring window of any length is scored as one. */
#include "models/lmodel.h"
#include "models/ngram/ngram.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int ngram_next_logits(lm_lmodel *lm, const int32_t *ids, size_t n, float *logits, lm_err *err) {
    lm_ngram *g = lm->self;
    double *p = malloc((size_t)lm->vocab * sizeof *p);
    if (!p) return lm_fail(err, "out of memory");
    lm_ngram_dist(g, ids, n, p);
    for (int i = 0; i < lm->vocab; i++) logits[i] = (float)log(p[i]);
    free(p);
    return 0;
}

static int ngram_nll(lm_lmodel *lm, const int32_t *ids, size_t n, double *sum_nats, lm_err *err) {
    (void)err;
    *sum_nats = n < 2 ? 0 : lm_ngram_nll(lm->self, ids, n);
    return 0;
}

static void ngram_free(void *self) { lm_ngram_free(self); }

static const lm_lmodel_ops NGRAM_OPS = {LM_KIND_NGRAM, ngram_next_logits, ngram_nll, ngram_free};

int lm_ngram_lmodel_open(lm_lmodel *lm, lm_file_parts *parts, lm_err *err) {
    lm_ngram *g = lm_ngram_from_parts(parts, err);
    if (!g) return -1;
    lm->ops = &NGRAM_OPS;
    lm->self = g;
    lm->vocab = lm_ngram_vocab(g);
    lm->n_ctx = 0;
    lm->n_params = (size_t)lm_ngram_total_rows(g);   /* its counts: one number per distinct n-gram */
    lm_ngram_describe(g, lm->desc, sizeof lm->desc);
    return 0;
}

lm_lmodel *lm_ngram_lmodel_wrap(lm_ngram *g, lm_tokenizer *tok, const char *metadata, lm_err *err) {
    lm_lmodel *lm = calloc(1, sizeof *lm);
    char *meta = strdup(metadata ? metadata : "");
    if (!lm || !meta) {
        free(lm);
        free(meta);
        lm_ngram_free(g);
        lm_tok_free(tok);
        lm_fail(err, "out of memory");
        return NULL;
    }
    lm->ops = &NGRAM_OPS;
    lm->self = g;
    lm->tok = tok;
    lm->vocab = lm_ngram_vocab(g);
    lm->n_ctx = 0;
    lm->n_params = (size_t)lm_ngram_total_rows(g);
    snprintf(lm->kind, sizeof lm->kind, "%s", LM_KIND_NGRAM);
    lm->metadata = meta;
    lm_ngram_describe(g, lm->desc, sizeof lm->desc);
    return lm;
}

char *lm_ngram_describe(const lm_ngram *g, char *buf, size_t cap) {
    char sm[96];
    snprintf(buf, cap, "%d-gram, %s, %u tokens counted, %llu n-grams", lm_ngram_query_order(g),
             lm_ngram_describe_smoothing(g, sm, sizeof sm), lm_ngram_tokens(g),
             (unsigned long long)lm_ngram_total_rows(g));
    return buf;
}

lm_ngram *lm_ngram_of(lm_lmodel *lm) {
    return lm && lm->ops == &NGRAM_OPS ? lm->self : NULL;
}
