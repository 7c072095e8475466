/* rnn.c - the recurrent LMs (Elman, GRU): config, forward and
 * backpropagation through time over a batch of windows, the gradient norms
 * per time step, and next-token logits that keep their state (see rnn.h).
 * The cells' equations are in rnn_cell.c. */
#include "models/rnn/rnn.h"

#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/ops.h"

typedef struct {
    lm_nlm base;           /* first: an lm_rnn is an lm_nlm */
    lm_rnn_config cfg;
    int G;                 /* rows of W per hidden unit: 1 (Elman), 3 (GRU: r, z, n) */
    /* the last forward, time-major (row t*B + b) for the recurrence */
    int B, T, cap;         /* cap: positions allocated */
    int32_t *tok;          /* [T, B] */
    float *x;              /* [T, B, Emb]  x_t = E w_t */
    float *xw;             /* [T, B, G*H]  W x_t + b_W */
    float *hu;             /* [T, B, G*H]  U h_{t-1} + b_U */
    float *gates;          /* [T, B, G*H]  GRU: r, z, n */
    float *hs;             /* [T+1, B, H]  hs[0] = h_0 = 0, hs[t+1] = h_t */
    float *h_out, *dh_out; /* [B, T, H]    the hidden states in batch order (the softmax's input) */
    float *dxw, *dhu;      /* [T, B, G*H] */
    float *dx;             /* [T, B, Emb] */
    float *dh, *dhprev;    /* [B, H] */
    float *norms;          /* when set (grad norms): |dL/dh_t| of row 0 for t = 0..T-1 */
    /* next_logits: the state after kept_ids, for the weights of step kept_step */
    int32_t *kept_ids;
    size_t kept_n, kept_cap;
    int kept_step, kept_valid;
    float *kept_h;                                   /* [H] */
    float *s_x, *s_xw, *s_hu, *s_gates, *s_h;        /* one row's step buffers */
} lm_rnn;

static int rnn_forward(lm_nlm *m, const int32_t *tokens, const int32_t *targets, int B, int T, float *loss,
                       lm_err *err);
static int rnn_backward(lm_nlm *m, lm_err *err);
static int rnn_next_logits(lm_nlm *m, const int32_t *ids, size_t n, float *logits, lm_err *err);
static void rnn_free(lm_nlm *m);
static const lm_nlm_ops RNN_OPS = {rnn_forward, rnn_backward, rnn_next_logits, rnn_free};

/* ---- config ---- */

const char *lm_rnn_cell_name(lm_rnn_cell c) { return c == LM_RNN_GRU ? "gru" : "elman"; }

int lm_rnn_cell_parse(const char *s, lm_rnn_cell *out) {
    if (strcmp(s, "elman") == 0) *out = LM_RNN_ELMAN;
    else if (strcmp(s, "gru") == 0) *out = LM_RNN_GRU;
    else return -1;
    return 0;
}

lm_rnn_config lm_rnn_config_default(int vocab, lm_rnn_cell cell) { return (lm_rnn_config){vocab, 64, 128, cell}; }

int lm_rnn_config_check(const lm_rnn_config *c, lm_err *err) {
    if (c->vocab < 2 || c->vocab > LM_NLM_MAX_VOCAB)
        return lm_fail(err, "rnn: vocabulary %d is outside 2..%d", c->vocab, LM_NLM_MAX_VOCAB);
    if (c->embed < 1 || c->embed > LM_NLM_MAX_WIDTH)
        return lm_fail(err, "rnn: embedding width %d is outside 1..%d", c->embed, LM_NLM_MAX_WIDTH);
    if (c->hidden < 1 || c->hidden > LM_NLM_MAX_WIDTH)
        return lm_fail(err, "rnn: hidden width %d is outside 1..%d", c->hidden, LM_NLM_MAX_WIDTH);
    if (c->cell != LM_RNN_ELMAN && c->cell != LM_RNN_GRU)
        return lm_fail(err, "rnn: cell %d is neither 0 (elman) nor 1 (gru)", (int)c->cell);
    return 0;
}

static int ranges_of(const lm_rnn_config *c, lm_param_range r[7]) {
    size_t V = (size_t)c->vocab, E = (size_t)c->embed, H = (size_t)c->hidden;
    size_t GH = (c->cell == LM_RNN_GRU ? 3 : 1) * H;
    lm_param_range t[7] = {
        {"emb.E", 0, V * E, 1}, {"rnn.W", 0, GH * E, 1}, {"rnn.U", 0, GH * H, 1}, {"rnn.b_W", 0, GH, 0},
        {"rnn.b_U", 0, GH, 0},  {"out.V", 0, V * H, 1},  {"out.b", 0, V, 0},
    };
    memcpy(r, t, sizeof t);
    return 7;
}

size_t lm_rnn_param_count(const lm_rnn_config *c) {
    lm_param_range r[7];
    size_t total = 0;
    for (int i = 0, n = ranges_of(c, r); i < n; i++) total += r[i].numel;
    return total;
}

static void encode(const lm_rnn_config *c, uint8_t *b) {
    int32_t v[4] = {c->vocab, c->embed, c->hidden, (int32_t)c->cell};
    lm_nlm_put_i32s(b, v, 4);
}

static int decode(lm_rnn_config *c, const uint8_t *b, uint32_t bytes, lm_err *err) {
    if (bytes != LM_RNN_CONFIG_BYTES) return lm_fail(err, "an rnn config is %u bytes, not %u", LM_RNN_CONFIG_BYTES, bytes);
    int32_t v[4];
    lm_nlm_get_i32s(v, b, 4);
    if (v[3] != LM_RNN_ELMAN && v[3] != LM_RNN_GRU)
        return lm_fail(err, "rnn: cell %d is neither 0 (elman) nor 1 (gru)", (int)v[3]);
    *c = (lm_rnn_config){v[0], v[1], v[2], (lm_rnn_cell)v[3]};
    return lm_rnn_config_check(c, err);
}

int lm_rnn_check(const uint8_t *config, uint32_t config_bytes, uint64_t n_params, lm_err *err) {
    lm_rnn_config c;
    lm_err inner = {{0}};
    if (decode(&c, config, config_bytes, &inner)) return lm_fail(err, "bad model file: %s", inner.msg);
    size_t want = lm_rnn_param_count(&c);
    if (n_params != (uint64_t)want)
        return lm_fail(err, "bad model file: it holds %llu parameters but its rnn config needs %zu",
                       (unsigned long long)n_params, want);
    return 0;
}

lm_rnn_config lm_rnn_config_of(const lm_nlm *m) { return ((const lm_rnn *)m)->cfg; }

static int make(lm_nlm **out, const lm_rnn_config *c, lm_err *err) {
    *out = NULL;
    if (lm_rnn_config_check(c, err)) return -1;
    lm_rnn *r = calloc(1, sizeof *r);
    if (!r) return lm_fail(err, "out of memory");
    r->cfg = *c;
    r->G = c->cell == LM_RNN_GRU ? 3 : 1;
    uint8_t cb[LM_RNN_CONFIG_BYTES];
    encode(c, cb);
    lm_param_range rg[7];
    int nr = ranges_of(c, rg);
    size_t H = (size_t)c->hidden, GH = (size_t)r->G * H;
    if (lm_nlm_base_init(&r->base, &RNN_OPS, LM_KIND_RNN, cb, sizeof cb, c->vocab, rg, nr, err)) {
        lm_nlm_free(&r->base);
        return -1;
    }
    r->kept_h = calloc(H, sizeof(float));
    r->s_x = calloc((size_t)c->embed, sizeof(float));
    r->s_xw = calloc(GH, sizeof(float));
    r->s_hu = calloc(GH, sizeof(float));
    r->s_gates = calloc(GH, sizeof(float));
    r->s_h = calloc(H, sizeof(float));
    if (!r->kept_h || !r->s_x || !r->s_xw || !r->s_hu || !r->s_gates || !r->s_h) {
        lm_nlm_free(&r->base);
        return lm_fail(err, "out of memory");
    }
    r->base.n_ctx = 0;   /* unbounded: h_t summarises everything read so far */
    snprintf(r->base.desc, sizeof r->base.desc, "recurrent LM (%s): embedding %d, hidden %d",
             c->cell == LM_RNN_GRU ? "GRU" : "Elman", c->embed, c->hidden);
    *out = &r->base;
    return 0;
}

int lm_rnn_create(lm_nlm **out, const uint8_t *config, uint32_t config_bytes, lm_err *err) {
    lm_rnn_config c;
    if (decode(&c, config, config_bytes, err)) return -1;
    return make(out, &c, err);
}

int lm_rnn_new(lm_nlm **out, const lm_rnn_config *c, uint64_t seed, lm_err *err) {
    if (make(out, c, err)) return -1;
    lm_rng rng;
    lm_rng_seed(&rng, seed);
    float k = 1.0f / sqrtf((float)c->hidden);   /* PyTorch: every RNN/GRU weight and bias, and nn.Linear(H, V) */
    lm_nlm_init_range(*out, "emb.E", 0, &rng);
    const char *names[] = {"rnn.W", "rnn.U", "rnn.b_W", "rnn.b_U", "out.V", "out.b"};
    for (int i = 0; i < 6; i++) lm_nlm_init_range(*out, names[i], k, &rng);
    return 0;
}

/* ---- forward and backpropagation through time ---- */

static int reserve(lm_rnn *r, int B, int T, lm_err *err) {
    int N = B * T;
    if (N <= r->cap) return 0;   /* B <= N: the [B, H] buffers fit too */
    size_t E = (size_t)r->cfg.embed, H = (size_t)r->cfg.hidden, GH = (size_t)r->G * H;
    float **bufs[] = {&r->x, &r->xw, &r->hu, &r->gates, &r->hs, &r->h_out, &r->dh_out, &r->dxw, &r->dhu, &r->dx,
                      &r->dh, &r->dhprev};
    size_t sizes[] = {E, GH, GH, GH, H, H, H, GH, GH, E, H, H};   /* per position */
    free(r->tok);
    r->tok = malloc((size_t)N * sizeof(int32_t));
    int ok = r->tok != NULL;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        free(*bufs[i]);
        /* hs holds h_0 too: (T+1) B <= 2N rows whatever the shape */
        *bufs[i] = malloc((size_t)N * (bufs[i] == &r->hs ? 2 : 1) * sizes[i] * sizeof(float));
        ok = ok && *bufs[i];
    }
    r->cap = ok ? N : 0;
    return ok ? 0 : lm_fail(err, "out of memory for %d positions", N);
}

static int rnn_forward(lm_nlm *m, const int32_t *tokens, const int32_t *targets, int B, int T, float *loss,
                       lm_err *err) {
    lm_rnn *r = (lm_rnn *)m;
    const int E = r->cfg.embed, H = r->cfg.hidden, GH = r->G * H, N = B * T;
    if (lm_nlm_check_ids(m, tokens, targets, B, T, err) || reserve(r, B, T, err)) return -1;
    r->B = B, r->T = T;
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++) r->tok[(size_t)t * B + b] = tokens[(size_t)b * T + t];
    /* x [T*B, E] = E w_t;  xw [T*B, GH] = x W^T + b_W, every step at once */
    lm_nlm_embed_forward(r->x, lm_nlm_param(m, "emb.E"), r->tok, N, E);
    linear_forward(r->xw, r->x, lm_nlm_param(m, "rnn.W"), lm_nlm_param(m, "rnn.b_W"), N, E, GH);
    /* the recurrence, one step after the other: h_t from x_t and h_{t-1} */
    memset(r->hs, 0, sizeof(float) * (size_t)B * H);   /* h_0 = 0 */
    const float *U = lm_nlm_param(m, "rnn.U"), *bU = lm_nlm_param(m, "rnn.b_U");
    for (int t = 0; t < T; t++) {
        const float *hprev = r->hs + (size_t)t * B * H;
        float *hu = r->hu + (size_t)t * B * GH;
        linear_forward(hu, hprev, U, bU, B, H, GH);   /* hu [B, GH] = h_{t-1} U^T + b_U */
        lm_rnn_cell_forward(r->cfg.cell, B, H, r->xw + (size_t)t * B * GH, hu, hprev, r->hs + (size_t)(t + 1) * B * H,
                            r->gates + (size_t)t * B * GH);
    }
    for (int b = 0; b < B; b++)   /* h_out [B, T, H]: the softmax reads the batch in order */
        for (int t = 0; t < T; t++)
            memcpy(r->h_out + ((size_t)b * T + t) * H, r->hs + ((size_t)(t + 1) * B + b) * H, sizeof(float) * H);
    /* logits [B*T, V] = h_t V^T + c */
    if (lm_nlm_softmax_logits(m, r->h_out, lm_nlm_param(m, "out.V"), lm_nlm_param(m, "out.b"), targets, N, H, err))
        return -1;
    if (loss) *loss = targets ? lm_nlm_softmax_loss(m) : 0.0f;
    return 0;
}

static int rnn_backward(lm_nlm *m, lm_err *err) {
    lm_rnn *r = (lm_rnn *)m;
    const int E = r->cfg.embed, H = r->cfg.hidden, GH = r->G * H, B = r->B, T = r->T, N = B * T;
    if (N == 0) return lm_fail(err, "rnn: backward before a forward");
    if (lm_nlm_softmax_dlogits(m, err)) return -1;
    /* dh_out [B, T, H] = dlogits V: what each position's own loss asks of h_t */
    lm_nlm_softmax_backward(m, r->dh_out, lm_nlm_grad(m, "out.V"), lm_nlm_grad(m, "out.b"), r->h_out,
                            lm_nlm_param(m, "out.V"), H);
    const float *U = lm_nlm_param(m, "rnn.U");
    /* dh = dL/dh_{T-1}: only the last position's own loss */
    for (int b = 0; b < B; b++)
        memcpy(r->dh + (size_t)b * H, r->dh_out + ((size_t)b * T + T - 1) * H, sizeof(float) * H);
    /* back through time: dL/dh_{t-1} = (the cell's shortcut) + dhu_t U + (position t-1's own loss) */
    for (int t = T - 1; t >= 0; t--) {
        if (r->norms) r->norms[t] = cblas_snrm2(H, r->dh, 1);   /* row 0: |dL/dh_t| */
        size_t at = (size_t)t * B;
        float *dhu = r->dhu + at * GH;
        lm_rnn_cell_backward(r->cfg.cell, B, H, r->dh, r->hs + at * H, r->hs + (at + B) * H, r->hu + at * GH,
                             r->gates + at * GH, r->dxw + at * GH, dhu, r->dhprev);
        if (t == 0) break;   /* h_0 = 0 is no parameter */
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, H, GH, 1.0f, dhu, GH, U, H, 1.0f, r->dhprev, H);
        for (int b = 0; b < B; b++) {
            const float *own = r->dh_out + ((size_t)b * T + t - 1) * H;
            float *d = r->dh + (size_t)b * H, *p = r->dhprev + (size_t)b * H;
            for (int i = 0; i < H; i++) d[i] = p[i] + own[i];
        }
    }
    /* the weights were used at every step: their gradients sum over t, one product each */
    linear_backward(r->dx, lm_nlm_grad(m, "rnn.W"), lm_nlm_grad(m, "rnn.b_W"), r->dxw, r->x,
                    lm_nlm_param(m, "rnn.W"), N, E, GH);   /* dW += dxw^T x; dx = dxw W */
    linear_backward(NULL, lm_nlm_grad(m, "rnn.U"), lm_nlm_grad(m, "rnn.b_U"), r->dhu, r->hs, U, N, H,
                    GH);                                    /* dU += dhu^T h_{t-1} (hs[0..T)) */
    lm_nlm_embed_backward(lm_nlm_grad(m, "emb.E"), r->dx, r->tok, N, E);
    return 0;
}

int lm_rnn_grad_norms(lm_nlm *m, const int32_t *ids, size_t n, float *norms, lm_err *err) {
    if (strcmp(m->kind, LM_KIND_RNN) != 0) return lm_fail(err, "a %s model has no recurrence", m->kind);
    if (n < 2 || n > LM_NLM_MAX_WINDOW)
        return lm_fail(err, "the text needs 2..%d tokens for a gradient through time, not %zu", LM_NLM_MAX_WINDOW, n);
    lm_rnn *r = (lm_rnn *)m;
    int T = (int)n - 1;
    int32_t *tg = malloc((size_t)T * sizeof *tg);
    if (!tg) return lm_fail(err, "out of memory");
    for (int t = 0; t < T; t++) tg[t] = t == T - 1 ? ids[n - 1] : -1;   /* the loss at the last position only */
    float loss;
    int rc = rnn_forward(m, ids, tg, 1, T, &loss, err);
    free(tg);
    if (rc) return -1;
    lm_paramset_zero_grad(&m->ps);
    r->norms = norms;
    rc = rnn_backward(m, err);
    r->norms = NULL;
    return rc;
}

/* ---- next-token logits, keeping the state ---- */

static int rnn_next_logits(lm_nlm *m, const int32_t *ids, size_t n, float *logits, lm_err *err) {
    lm_rnn *r = (lm_rnn *)m;
    const int E = r->cfg.embed, H = r->cfg.hidden, GH = r->G * H;
    if (n == 0) return lm_fail(err, "the model needs at least one token to predict the next");
    for (size_t i = 0; i < n; i++)
        if (ids[i] < 0 || ids[i] >= m->vocab)
            return lm_fail(err, "token id %d at position %zu is outside the vocabulary (0..%d)", ids[i], i, m->vocab - 1);
    int keep = r->kept_valid && r->kept_step == m->ps.adam_t && n >= r->kept_n &&
               memcmp(ids, r->kept_ids, r->kept_n * sizeof *ids) == 0;
    if (!keep) {   /* a new text (or new weights): from h_0 = 0 */
        r->kept_n = 0;
        memset(r->kept_h, 0, sizeof(float) * H);
    }
    r->kept_valid = 0;
    if (n > r->kept_cap) {
        int32_t *k = realloc(r->kept_ids, n * 2 * sizeof *k);
        if (!k) return lm_fail(err, "out of memory");
        r->kept_ids = k;
        r->kept_cap = n * 2;
    }
    const float *Et = lm_nlm_param(m, "emb.E"), *W = lm_nlm_param(m, "rnn.W"), *bW = lm_nlm_param(m, "rnn.b_W");
    const float *U = lm_nlm_param(m, "rnn.U"), *bU = lm_nlm_param(m, "rnn.b_U");
    for (size_t i = r->kept_n; i < n; i++) {   /* one step per new token */
        lm_nlm_embed_forward(r->s_x, Et, ids + i, 1, E);
        linear_forward(r->s_xw, r->s_x, W, bW, 1, E, GH);
        linear_forward(r->s_hu, r->kept_h, U, bU, 1, H, GH);
        lm_rnn_cell_forward(r->cfg.cell, 1, H, r->s_xw, r->s_hu, r->kept_h, r->s_h, r->s_gates);
        memcpy(r->kept_h, r->s_h, sizeof(float) * H);
        r->kept_ids[i] = ids[i];
    }
    r->kept_n = n;
    r->kept_step = m->ps.adam_t;
    r->kept_valid = 1;
    linear_forward(logits, r->kept_h, lm_nlm_param(m, "out.V"), lm_nlm_param(m, "out.b"), 1, H, m->vocab);
    return 0;
}

static void rnn_free(lm_nlm *m) {
    lm_rnn *r = (lm_rnn *)m;
    float *bufs[] = {r->x,  r->xw, r->hu,     r->gates, r->hs,  r->h_out,   r->dh_out, r->dxw,   r->dhu,
                     r->dx, r->dh, r->dhprev, r->kept_h, r->s_x, r->s_xw, r->s_hu,    r->s_gates, r->s_h};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++) free(bufs[i]);
    free(r->tok);
    free(r->kept_ids);
}
