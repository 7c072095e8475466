/* nlm_lmodel.c - the feed-forward and recurrent LMs behind the any-kind
 * language-model interface (models/lmodel.h): one opener for both kinds;
 * next_logits is the family's, nll one forward over the window (nlm.h).
 * n_ctx is 0 for both, as for the n-gram: the RNN conditions on the whole
 * text, and the feed-forward LM reads the last `context` ids of whatever it
 * is given itself, so a scoring window of any length is scored as one
 * (each token after its own window of the tokens before it), generation
 * can run past its window, and its own window stays in its desc. */
#include "models/lmodel.h"

#include <stdio.h>
#include <string.h>

#include "models/nlm/nlm.h"

static int nlm_next_logits(lm_lmodel *lm, const int32_t *ids, size_t n, float *logits, lm_err *err) {
    lm_nlm *m = lm->self;
    return m->ops->next_logits(m, ids, n, logits, err);
}

static int nlm_nll(lm_lmodel *lm, const int32_t *ids, size_t n, double *sum_nats, lm_err *err) {
    return lm_nlm_nll(lm->self, ids, n, sum_nats, err);
}

static void nlm_free_self(void *self) { lm_nlm_free(self); }

static const lm_lmodel_ops FFLM_LM_OPS = {"fflm", nlm_next_logits, nlm_nll, nlm_free_self};
static const lm_lmodel_ops RNN_LM_OPS = {"rnn", nlm_next_logits, nlm_nll, nlm_free_self};

int lm_nlm_lmodel_open(lm_lmodel *lm, lm_file_parts *parts, lm_err *err) {
    lm_nlm *m = NULL;
    if (lm_nlm_from_parts(&m, parts, err)) return -1;
    lm->ops = strcmp(m->kind, "rnn") == 0 ? &RNN_LM_OPS : &FFLM_LM_OPS;
    lm->self = m;
    lm->vocab = m->vocab;
    lm->n_ctx = 0;   /* not m->n_ctx: see the top of this file */
    lm->n_params = m->ps.n;
    snprintf(lm->desc, sizeof lm->desc, "%s", m->desc);
    return 0;
}
