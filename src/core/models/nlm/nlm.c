/* nlm.c - what the feed-forward and recurrent LMs share (see nlm.h): the
 * embedding lookup, the softmax output layer, files and the loss of a
 * window. */
#include "models/nlm/nlm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/fflm/fflm.h"
#include "models/rnn/rnn.h"
#include "nn/ops.h"

/* ---- the families: a model of a config, uninitialised ---- */
static const struct {
    const char *kind;
    int (*create)(lm_nlm **out, const uint8_t *config, uint32_t config_bytes, lm_err *err);
} FAMILIES[] = {
    {LM_KIND_FFLM, lm_fflm_create},
    {LM_KIND_RNN, lm_rnn_create},
};
enum { N_FAMILIES = sizeof FAMILIES / sizeof FAMILIES[0] };

int lm_nlm_is_kind(const char *kind) {
    for (int i = 0; i < N_FAMILIES; i++)
        if (strcmp(FAMILIES[i].kind, kind) == 0) return 1;
    return 0;
}

/* ---- embedding ---- */

void lm_nlm_embed_forward(float *x, const float *E_tab, const int32_t *ids, int N, int E) {
    for (int n = 0; n < N; n++) {
        float *row = x + (size_t)n * E;
        if (ids[n] < 0) memset(row, 0, sizeof(float) * (size_t)E);
        else memcpy(row, E_tab + (size_t)ids[n] * E, sizeof(float) * (size_t)E);
    }
}

void lm_nlm_embed_backward(float *dE_tab, const float *dx, const int32_t *ids, int N, int E) {
    for (int n = 0; n < N; n++) {
        if (ids[n] < 0) continue;
        float *d = dE_tab + (size_t)ids[n] * E;
        const float *g = dx + (size_t)n * E;
        for (int i = 0; i < E; i++) d[i] += g[i];
    }
}

/* ---- the softmax output layer ---- */

/* frees the output buffers' arrays (the struct itself is the caller's) */
static void out_free(lm_nlm_out *o) {
    free(o->logits);
    free(o->dlogits);
    free(o->lse);
    free(o->losses);
    free(o->weight);
    free(o->targets);
}

static int out_reserve(lm_nlm *m, int N, lm_err *err) {
    lm_nlm_out *o = &m->out;
    if (N <= o->cap) return 0;
    size_t V = (size_t)m->vocab;
    out_free(o);
    memset(o, 0, sizeof *o);
    o->logits = malloc((size_t)N * V * sizeof(float));
    o->lse = malloc((size_t)N * sizeof(float));
    o->losses = malloc((size_t)N * sizeof(float));
    o->weight = malloc((size_t)N * sizeof(float));
    o->targets = malloc((size_t)N * sizeof(int32_t));
    if (!o->logits || !o->lse || !o->losses || !o->weight || !o->targets) {
        free(o->logits);
        free(o->lse);
        free(o->losses);
        free(o->weight);
        free(o->targets);
        memset(o, 0, sizeof *o);
        return lm_fail(err, "out of memory for the logits of %d positions", N);
    }
    o->cap = N;
    return 0;
}

int lm_nlm_softmax_logits(lm_nlm *m, const float *h, const float *U, const float *c, const int32_t *targets,
                          int N, int H, lm_err *err) {
    if (out_reserve(m, N, err)) return -1;
    m->out.N = N;
    for (int n = 0; n < N; n++) m->out.targets[n] = targets ? targets[n] : -1;
    linear_forward(m->out.logits, h, U, c, N, H, m->vocab);   /* [N, V] = h [N, H] U^T + c */
    return 0;
}

float lm_nlm_softmax_loss(lm_nlm *m) {
    lm_nlm_out *o = &m->out;
    return crossentropy_forward(o->losses, o->lse, o->weight, o->logits, o->targets, NULL, o->N, m->vocab);
}

int lm_nlm_softmax_dlogits(lm_nlm *m, lm_err *err) {
    lm_nlm_out *o = &m->out;
    if (!o->dlogits) {
        o->dlogits = malloc((size_t)o->cap * (size_t)m->vocab * sizeof(float));
        if (!o->dlogits) return lm_fail(err, "out of memory for the logits' gradients");
    }
    crossentropy_backward(o->dlogits, o->logits, o->lse, o->targets, o->weight, o->N, m->vocab);
    return 0;
}

void lm_nlm_softmax_backward(lm_nlm *m, float *dh, float *dU, float *dc, const float *h, const float *U, int H) {
    linear_backward(dh, dU, dc, m->out.dlogits, h, U, m->out.N, H, m->vocab);
}

int lm_nlm_check_ids(const lm_nlm *m, const int32_t *tokens, const int32_t *targets, int B, int T, lm_err *err) {
    if (B < 1 || T < 1 || (long)B * T > LM_NLM_MAX_WINDOW * 16L)
        return lm_fail(err, "a batch of %d x %d tokens is not possible here", B, T);
    for (long i = 0; i < (long)B * T; i++) {
        if (tokens[i] < 0 || tokens[i] >= m->vocab)
            return lm_fail(err, "token id %d at position %ld is outside the vocabulary (0..%d)", tokens[i], i,
                           m->vocab - 1);
        if (targets && targets[i] >= m->vocab)
            return lm_fail(err, "target id %d at position %ld is outside the vocabulary (0..%d)", targets[i], i,
                           m->vocab - 1);
    }
    return 0;
}

void lm_nlm_put_i32s(uint8_t *b, const int32_t *v, int n) {
    for (int i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, &v[i], 4);
        for (int k = 0; k < 4; k++) b[4 * i + k] = (uint8_t)(u >> (8 * k));
    }
}

void lm_nlm_get_i32s(int32_t *v, const uint8_t *b, int n) {
    for (int i = 0; i < n; i++) {
        uint32_t u = 0;
        for (int k = 0; k < 4; k++) u |= (uint32_t)b[4 * i + k] << (8 * k);
        memcpy(&v[i], &u, 4);   /* two's complement, without implementation-defined casts */
    }
}

/* ---- parameters ---- */

float *lm_nlm_param(lm_nlm *m, const char *name) {
    const lm_param_range *r = lm_paramset_find(&m->ps, name);
    return r ? m->ps.params + r->offset : NULL;
}

float *lm_nlm_grad(lm_nlm *m, const char *name) {
    const lm_param_range *r = lm_paramset_find(&m->ps, name);
    return r ? m->ps.grads + r->offset : NULL;
}

void lm_nlm_init_range(lm_nlm *m, const char *name, float bound, lm_rng *rng) {
    const lm_param_range *r = lm_paramset_find(&m->ps, name);
    if (!r) return;
    float *p = m->ps.params + r->offset;
    for (size_t i = 0; i < r->numel; i++)
        p[i] = bound > 0 ? bound * (2.0f * lm_rng_uniform(rng) - 1.0f) : lm_rng_normal(rng);
}

int lm_nlm_base_init(lm_nlm *m, const lm_nlm_ops *ops, const char *kind, const uint8_t *config,
                     uint32_t config_bytes, int vocab, const lm_param_range *ranges, int n_ranges, lm_err *err) {
    if (config_bytes > LM_NLM_CONFIG_MAX) return lm_fail(err, "a %s config of %u bytes is too long", kind, config_bytes);
    m->ops = ops;
    snprintf(m->kind, sizeof m->kind, "%s", kind);
    memcpy(m->config, config, config_bytes);
    m->config_bytes = config_bytes;
    m->vocab = vocab;
    return lm_paramset_alloc(&m->ps, ranges, n_ranges, err);
}

void lm_nlm_free(lm_nlm *m) {
    if (!m) return;
    if (m->ops && m->ops->free_family) m->ops->free_family(m);
    lm_paramset_free(&m->ps);
    free(m->tokenizer);
    lm_nlm_out *o = &m->out;
    out_free(o);
    free(m);
}

/* ---- files ---- */

int lm_nlm_from_parts(lm_nlm **out, lm_file_parts *parts, lm_err *err) {
    *out = NULL;
    int k = 0;
    while (k < N_FAMILIES && strcmp(FAMILIES[k].kind, parts->kind) != 0) k++;
    if (k == N_FAMILIES)
        return lm_fail(err, "a %s model is not a feed-forward or recurrent LM (fflm, rnn)", parts->kind);
    lm_nlm *m = NULL;
    if (FAMILIES[k].create(&m, parts->config, parts->config_bytes, err)) return -1;
    if (parts->n_params != (uint64_t)m->ps.n) {   /* the file's check made sure; never trust twice-read sizes */
        lm_nlm_free(m);
        return lm_fail(err, "it holds %llu parameters but its config needs %zu", (unsigned long long)parts->n_params,
                       m->ps.n);
    }
    memcpy(m->ps.params, parts->params, m->ps.n * sizeof(float));
    m->ps.adam_t = parts->adam_t;
    m->tokenizer = parts->tokenizer;
    m->tokenizer_len = parts->tokenizer_len;
    parts->tokenizer = NULL;
    parts->tokenizer_len = 0;
    *out = m;
    return 0;
}

int lm_nlm_load(lm_nlm **out, char **meta, const char *path, lm_err *err) {
    *out = NULL;
    if (meta) *meta = NULL;
    lm_file_parts parts;
    if (lm_load_parts(&parts, path, err)) return -1;
    lm_err inner = {{0}};
    int rc = lm_nlm_from_parts(out, &parts, &inner);
    if (rc) lm_fail(err, "%s: %s", path, inner.msg);
    if (rc == 0 && meta) {
        *meta = parts.metadata;
        parts.metadata = NULL;
    }
    lm_file_parts_free(&parts);
    return rc;
}

int lm_nlm_set_tokenizer(lm_nlm *m, const lm_tokenizer *t, lm_err *err) {
    uint8_t *blob = NULL;
    size_t len = 0;
    if (lm_tok_serialize(t, &blob, &len, err)) return -1;
    free(m->tokenizer);
    m->tokenizer = blob;
    m->tokenizer_len = len;
    return 0;
}

/* ---- scoring ---- */

int lm_nlm_nll(lm_nlm *m, const int32_t *ids, size_t n, double *sum_nats, lm_err *err) {
    *sum_nats = 0;
    if (n < 2) return 0;
    if (n > LM_NLM_MAX_WINDOW) return lm_fail(err, "a %zu-token window is longer than %d", n, LM_NLM_MAX_WINDOW);
    /* the row ids[0..n-1) with targets ids[1..n): position t predicts ids[t+1] */
    float loss;
    if (m->ops->forward(m, ids, ids + 1, 1, (int)n - 1, &loss, err)) return -1;
    double sum = 0;   /* each position's -ln p, summed in double */
    for (int i = 0; i < m->out.N; i++) sum += m->out.losses[i];
    *sum_nats = sum;
    return 0;
}
