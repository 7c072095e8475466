/* fflm.c - Bengio's feed-forward LM: config, forward and hand-written
 * backward over a batch, the window it reads (see fflm.h). */
#include "models/fflm/fflm.h"

#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/ops.h"

typedef struct {
    lm_nlm base;          /* first: an lm_fflm is an lm_nlm */
    lm_fflm_config cfg;
    /* the last forward: N = B*T positions, row n = b*T + t */
    int N, cap, B, T;
    int32_t *window;      /* [N, n] the ids each position reads, -1 = padding */
    float *e;             /* [N, n*Emb] the concatenated embeddings */
    float *h;             /* [N, H] tanh(W e + b) */
    float *dh;            /* [N, H] */
    float *de;            /* [N, n*Emb] */
} lm_fflm;

static int fflm_forward(lm_nlm *m, const int32_t *tokens, const int32_t *targets, int B, int T, float *loss,
                        lm_err *err);
static int fflm_backward(lm_nlm *m, lm_err *err);
static int fflm_next_logits(lm_nlm *m, const int32_t *ids, size_t n, float *logits, lm_err *err);
static void fflm_free(lm_nlm *m);
static const lm_nlm_ops FFLM_OPS = {fflm_forward, fflm_backward, fflm_next_logits, fflm_free};

/* ---- config ---- */

lm_fflm_config lm_fflm_config_default(int vocab) { return (lm_fflm_config){vocab, 5, 64, 128, 0}; }

int lm_fflm_config_check(const lm_fflm_config *c, lm_err *err) {
    if (c->vocab < 2 || c->vocab > LM_NLM_MAX_VOCAB)
        return lm_fail(err, "fflm: vocabulary %d is outside 2..%d", c->vocab, LM_NLM_MAX_VOCAB);
    if (c->context < 1 || c->context > LM_FFLM_MAX_CONTEXT)
        return lm_fail(err, "fflm: context %d is outside 1..%d tokens", c->context, LM_FFLM_MAX_CONTEXT);
    if (c->embed < 1 || c->embed > 1024) return lm_fail(err, "fflm: embedding width %d is outside 1..1024", c->embed);
    if (c->hidden < 1 || c->hidden > LM_NLM_MAX_WIDTH)
        return lm_fail(err, "fflm: hidden width %d is outside 1..%d", c->hidden, LM_NLM_MAX_WIDTH);
    if (c->direct != 0 && c->direct != 1) return lm_fail(err, "fflm: direct is 0 or 1, not %d", c->direct);
    return 0;
}

/* the parameter table (fflm.h); with the bounds above every count fits easily */
static int ranges_of(const lm_fflm_config *c, lm_param_range r[6]) {
    size_t V = (size_t)c->vocab, nE = (size_t)c->context * c->embed, H = (size_t)c->hidden;
    lm_param_range t[6] = {
        {"emb.E", 0, V * (size_t)c->embed, 1},
        {"hidden.W", 0, H * nE, 1},
        {"hidden.b", 0, H, 0},
        {"out.U", 0, V * H, 1},
        {"out.b", 0, V, 0},
        {"direct.D", 0, V * nE, 1},
    };
    int n = c->direct ? 6 : 5;
    memcpy(r, t, sizeof(lm_param_range) * (size_t)n);
    return n;
}

size_t lm_fflm_param_count(const lm_fflm_config *c) {
    lm_param_range r[6];
    int n = ranges_of(c, r);
    size_t total = 0;
    for (int i = 0; i < n; i++) total += r[i].numel;
    return total;
}

static void encode(const lm_fflm_config *c, uint8_t *b) {
    int32_t v[5] = {c->vocab, c->context, c->embed, c->hidden, c->direct};
    lm_nlm_put_i32s(b, v, 5);
}

static int decode(lm_fflm_config *c, const uint8_t *b, uint32_t bytes, lm_err *err) {
    if (bytes != LM_FFLM_CONFIG_BYTES)
        return lm_fail(err, "an fflm config is %u bytes, not %u", LM_FFLM_CONFIG_BYTES, bytes);
    int32_t v[5];
    lm_nlm_get_i32s(v, b, 5);
    *c = (lm_fflm_config){v[0], v[1], v[2], v[3], v[4]};
    return lm_fflm_config_check(c, err);
}

int lm_fflm_check(const uint8_t *config, uint32_t config_bytes, uint64_t n_params, lm_err *err) {
    lm_fflm_config c;
    lm_err inner = {{0}};
    if (decode(&c, config, config_bytes, &inner)) return lm_fail(err, "bad model file: %s", inner.msg);
    size_t want = lm_fflm_param_count(&c);
    if (n_params != (uint64_t)want)
        return lm_fail(err, "bad model file: it holds %llu parameters but its fflm config needs %zu",
                       (unsigned long long)n_params, want);
    return 0;
}

lm_fflm_config lm_fflm_config_of(const lm_nlm *m) { return ((const lm_fflm *)m)->cfg; }

static int make(lm_nlm **out, const lm_fflm_config *c, lm_err *err) {
    *out = NULL;
    if (lm_fflm_config_check(c, err)) return -1;
    lm_fflm *f = calloc(1, sizeof *f);
    if (!f) return lm_fail(err, "out of memory");
    f->cfg = *c;
    uint8_t cb[LM_FFLM_CONFIG_BYTES];
    encode(c, cb);
    lm_param_range r[6];
    int nr = ranges_of(c, r);
    if (lm_nlm_base_init(&f->base, &FFLM_OPS, LM_KIND_FFLM, cb, sizeof cb, c->vocab, r, nr, err)) {
        lm_nlm_free(&f->base);
        return -1;
    }
    f->base.n_ctx = c->context;
    snprintf(f->base.desc, sizeof f->base.desc, "feed-forward LM: context %d tokens, embedding %d, hidden %d tanh%s",
             c->context, c->embed, c->hidden, c->direct ? ", direct connections" : "");
    *out = &f->base;
    return 0;
}

int lm_fflm_create(lm_nlm **out, const uint8_t *config, uint32_t config_bytes, lm_err *err) {
    lm_fflm_config c;
    if (decode(&c, config, config_bytes, err)) return -1;
    return make(out, &c, err);
}

int lm_fflm_new(lm_nlm **out, const lm_fflm_config *c, uint64_t seed, lm_err *err) {
    if (make(out, c, err)) return -1;
    lm_rng rng;
    lm_rng_seed(&rng, seed);
    float in_h = 1.0f / sqrtf((float)(c->context * c->embed)), in_o = 1.0f / sqrtf((float)c->hidden);
    lm_nlm_init_range(*out, "emb.E", 0, &rng);   /* N(0, 1), as nn.Embedding */
    lm_nlm_init_range(*out, "hidden.W", in_h, &rng);
    lm_nlm_init_range(*out, "hidden.b", in_h, &rng);
    lm_nlm_init_range(*out, "out.U", in_o, &rng);
    lm_nlm_init_range(*out, "out.b", in_o, &rng);
    lm_nlm_init_range(*out, "direct.D", in_h, &rng);
    return 0;
}

/* ---- the window ---- */

/* window[0..n) for the position that has just read row[0..t] (oldest first) */
static void window_at(int32_t *window, const int32_t *row, int t, int n) {
    for (int j = 0; j < n; j++) {
        int at = t - n + 1 + j;
        window[j] = at >= 0 ? row[at] : -1;
    }
}

void lm_fflm_window(const lm_nlm *m, const int32_t *ids, size_t n, int32_t *window) {
    int ctx = ((const lm_fflm *)m)->cfg.context;
    size_t from = n > (size_t)ctx ? n - (size_t)ctx : 0;
    window_at(window, ids + from, (int)(n - from) - 1, ctx);
}

/* ---- forward and backward ---- */

static int reserve(lm_fflm *f, int N, lm_err *err) {
    if (N <= f->cap) return 0;
    size_t nE = (size_t)f->cfg.context * f->cfg.embed, H = (size_t)f->cfg.hidden;
    free(f->window);
    free(f->e);
    free(f->h);
    free(f->dh);
    free(f->de);
    f->window = malloc((size_t)N * f->cfg.context * sizeof(int32_t));
    f->e = malloc((size_t)N * nE * sizeof(float));
    f->h = malloc((size_t)N * H * sizeof(float));
    f->dh = malloc((size_t)N * H * sizeof(float));
    f->de = malloc((size_t)N * nE * sizeof(float));
    f->cap = (f->window && f->e && f->h && f->dh && f->de) ? N : 0;
    return f->cap ? 0 : lm_fail(err, "out of memory for %d positions", N);
}

static int fflm_forward(lm_nlm *m, const int32_t *tokens, const int32_t *targets, int B, int T, float *loss,
                        lm_err *err) {
    lm_fflm *f = (lm_fflm *)m;
    const int n = f->cfg.context, Emb = f->cfg.embed, H = f->cfg.hidden, nE = n * Emb, N = B * T;
    if (lm_nlm_check_ids(m, tokens, targets, B, T, err) || reserve(f, N, err)) return -1;
    f->N = N, f->B = B, f->T = T;
    for (int b = 0; b < B; b++)   /* window [N, n]: each position's last n tokens of its row */
        for (int t = 0; t < T; t++) window_at(f->window + ((size_t)b * T + t) * n, tokens + (size_t)b * T, t, n);
    /* e [N, n*Emb] = the window's embeddings side by side (one table for every slot) */
    lm_nlm_embed_forward(f->e, lm_nlm_param(m, "emb.E"), f->window, N * n, Emb);
    /* h [N, H] = tanh(e W^T + b) */
    linear_forward(f->h, f->e, lm_nlm_param(m, "hidden.W"), lm_nlm_param(m, "hidden.b"), N, nE, H);
    for (size_t i = 0; i < (size_t)N * H; i++) f->h[i] = tanhf(f->h[i]);
    /* logits [N, V] = h U^T + c  (+ e D^T) */
    if (lm_nlm_softmax_logits(m, f->h, lm_nlm_param(m, "out.U"), lm_nlm_param(m, "out.b"), targets, N, H, err))
        return -1;
    if (f->cfg.direct)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, N, m->vocab, nE, 1.0f, f->e, nE,
                    lm_nlm_param(m, "direct.D"), nE, 1.0f, m->out.logits, m->vocab);
    if (loss) *loss = targets ? lm_nlm_softmax_loss(m) : 0.0f;
    return 0;
}

static int fflm_backward(lm_nlm *m, lm_err *err) {
    lm_fflm *f = (lm_fflm *)m;
    const int n = f->cfg.context, Emb = f->cfg.embed, H = f->cfg.hidden, nE = n * Emb, N = f->N, V = m->vocab;
    if (N == 0) return lm_fail(err, "fflm: backward before a forward");
    if (lm_nlm_softmax_dlogits(m, err)) return -1;   /* dlogits [N, V] */
    /* dh [N, H] = dlogits U; dU += dlogits^T h; dc += sum dlogits */
    lm_nlm_softmax_backward(m, f->dh, lm_nlm_grad(m, "out.U"), lm_nlm_grad(m, "out.b"), f->h,
                            lm_nlm_param(m, "out.U"), H);
    /* through tanh: da = dh * (1 - h^2) (in place in dh) */
    for (size_t i = 0; i < (size_t)N * H; i++) f->dh[i] *= 1.0f - f->h[i] * f->h[i];
    /* de [N, nE] = da W (overwritten); dW += da^T e; db += sum da */
    linear_backward(f->de, lm_nlm_grad(m, "hidden.W"), lm_nlm_grad(m, "hidden.b"), f->dh, f->e,
                    lm_nlm_param(m, "hidden.W"), N, nE, H);
    if (f->cfg.direct) {
        const float *dl = m->out.dlogits;
        /* dD [V, nE] += dlogits^T e;  de += dlogits D */
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, V, nE, N, 1.0f, dl, V, f->e, nE, 1.0f,
                    lm_nlm_grad(m, "direct.D"), nE);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, N, nE, V, 1.0f, dl, V, lm_nlm_param(m, "direct.D"),
                    nE, 1.0f, f->de, nE);
    }
    /* each slot's gradient goes to the row of E its token read: one table, n slots */
    lm_nlm_embed_backward(lm_nlm_grad(m, "emb.E"), f->de, f->window, N * n, Emb);
    return 0;
}

/* the window's last position: a row of the last <= n ids */
static int fflm_next_logits(lm_nlm *m, const int32_t *ids, size_t n, float *logits, lm_err *err) {
    lm_fflm *f = (lm_fflm *)m;
    if (n == 0) return lm_fail(err, "the model needs at least one token to predict the next");
    size_t from = n > (size_t)f->cfg.context ? n - (size_t)f->cfg.context : 0;
    int len = (int)(n - from);
    if (fflm_forward(m, ids + from, NULL, 1, len, NULL, err)) return -1;
    memcpy(logits, m->out.logits + (size_t)(len - 1) * m->vocab, sizeof(float) * (size_t)m->vocab);
    return 0;
}

static void fflm_free(lm_nlm *m) {
    lm_fflm *f = (lm_fflm *)m;
    free(f->window);
    free(f->e);
    free(f->h);
    free(f->dh);
    free(f->de);
}
