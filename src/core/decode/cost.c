/* cost.c - measuring training-style forwards against cached and uncached
 * decoding, a unit of work at a time (cost.h). */
#include "decode/cost.h"
#include "nn/ops.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LM_COST_WARMUP_MS 250.0

enum { PH_FWD, PH_ATT, PH_KV, PH_NOCACHE, PH_COUNT };

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

static double fwd_flops(const lm_config *c, double T) {
    double L = c->n_layer, C = c->d_model, M = c->d_mlp, V = c->vocab_size;
    double per_pos = L * 2 * (4 * C * C + 2 * C * M) + 2 * C * V;
    return T * per_pos + L * 4 * T * T * C;
}

void lm_cost_count(const lm_config *c, int T, lm_cost_row *r) {
    double L = c->n_layer, C = c->d_model, M = c->d_mlp, V = c->vocab_size;
    double per_pos = L * 2 * (4 * C * C + 2 * C * M) + 2 * C * V;
    r->T = T;
    r->fwd_calls = 1;
    r->kv_calls = T;
    r->nocache_calls = T;
    r->fwd_tokens = T;
    r->kv_tokens = T;
    r->nocache_tokens = (long long)T * (T + 1) / 2;
    r->fwd_flops = fwd_flops(c, T);
    r->kv_flops = 0;
    r->nocache_flops = 0;
    for (int t = 0; t < T; t++) {
        r->kv_flops += per_pos + L * 4 * (t + 1) * C;
        r->nocache_flops += fwd_flops(c, t + 1);
    }
    r->attn_share_flops = L * 4 * (double)T * T * C / r->fwd_flops;
}

void lm_cost_free(lm_cost *c) {
    if (!c) return;
    lm_kv_free(&c->kv);
    lm_model_free(&c->model);
    free(c->tokens); free(c->logits);
    free(c->att_out); free(c->att_p); free(c->att_qkv);
    memset(c, 0, sizeof *c);
}

int lm_cost_begin(lm_cost *c, const lm_model *m, int max_t, int repeat, lm_err *err) {
    memset(c, 0, sizeof *c);
    if (!m || !m->params) return lm_fail(err, "cost: no model");
    const lm_config *cf = &m->cfg;
    if (max_t < 1 || max_t > cf->n_ctx)
        return lm_fail(err, "cost: T up to %d is outside 1..%d (the context)", max_t, cf->n_ctx);
    if (repeat < 1) return lm_fail(err, "cost: repeat must be >= 1 (got %d)", repeat);
    c->max_t = max_t; c->repeat = repeat;
    for (int T = 8; T < max_t && c->n_rows < LM_COST_MAX_ROWS - 1; T *= 2) c->rows[c->n_rows++].T = T;
    c->rows[c->n_rows++].T = max_t;
    if (lm_model_clone(&c->model, m, err)) { memset(c, 0, sizeof *c); return -1; }
    int C = cf->d_model, H = cf->n_head;
    c->tokens = malloc(sizeof(int32_t) * max_t);
    c->logits = malloc(sizeof(float) * cf->vocab_size);
    c->att_qkv = malloc(sizeof(float) * (size_t)max_t * 3 * C);
    c->att_out = malloc(sizeof(float) * (size_t)max_t * C);
    c->att_p = malloc(sizeof(float) * (size_t)H * max_t * max_t);
    if (!c->tokens || !c->logits || !c->att_qkv || !c->att_out || !c->att_p) {
        lm_cost_free(c);
        return lm_fail(err, "cost: out of memory");
    }
    lm_rng rng;
    lm_rng_seed(&rng, 1234);
    for (int i = 0; i < max_t; i++) c->tokens[i] = (int32_t)lm_rng_below(&rng, (uint32_t)cf->vocab_size);
    for (size_t i = 0; i < (size_t)max_t * 3 * C; i++) c->att_qkv[i] = lm_rng_normal(&rng);
    if (lm_model_reserve(&c->model, 1, max_t, err) || lm_kv_init(&c->kv, &c->model, err)) {
        lm_cost_free(c);
        return -1;
    }
    for (int r = 0; r < c->n_rows; r++) {
        lm_cost_row *row = &c->rows[r];
        lm_cost_count(cf, row->T, row);
        row->fwd_ms = row->kv_ms = row->nocache_ms = row->attn_ms = -1;
        c->units_total += (long long)repeat * (2 + 2 * row->T);
    }
    c->row = -1;   /* first an untimed warm-up of LM_COST_WARMUP_MS */
    return 0;
}

/* one unit of work; returns its milliseconds and whether it ended a run */
static int unit(lm_cost *c, double *ms, int *run_end, lm_err *err) {
    const lm_config *cf = &c->model.cfg;
    lm_cost_row *r = &c->rows[c->row];
    int T = r->T, rc = 0;
    if (c->phase == PH_KV && c->t == 0) lm_kv_reset(&c->kv);
    double t0 = now_ms();
    switch (c->phase) {
    case PH_FWD: rc = lm_forward(&c->model, c->tokens, NULL, NULL, 1, T, err); break;
    case PH_ATT:
        for (int l = 0; l < cf->n_layer; l++)
            attention_forward(c->att_out, c->att_p, c->att_qkv, 1, T, cf->d_model, cf->n_head);
        break;
    case PH_KV: rc = lm_forward_next(&c->model, &c->kv, c->tokens[c->t], c->logits, err); break;
    default: rc = lm_forward(&c->model, c->tokens, NULL, NULL, 1, c->t + 1, err); break;
    }
    *ms = now_ms() - t0;
    if (c->phase == PH_KV || c->phase == PH_NOCACHE) c->t++;
    *run_end = c->phase == PH_FWD || c->phase == PH_ATT || c->t == T;
    return rc;
}

static void finish_run(lm_cost *c) {
    lm_cost_row *r = &c->rows[c->row];
    double *best = c->phase == PH_FWD ? &r->fwd_ms : c->phase == PH_ATT ? &r->attn_ms
                 : c->phase == PH_KV ? &r->kv_ms : &r->nocache_ms;
    if (*best < 0 || c->acc < *best) *best = c->acc;
    if (r->fwd_ms > 0 && r->attn_ms >= 0) r->attn_share_time = r->attn_ms / r->fwd_ms;
    c->acc = 0; c->t = 0;
    if (++c->rep < c->repeat) return;
    c->rep = 0;
    if (++c->phase < PH_COUNT) return;
    c->phase = 0;
    if (++c->row == c->n_rows) c->done = 1;
}

int lm_cost_step(lm_cost *c, double budget_ms, lm_err *err) {
    if (!c || !c->tokens) return lm_fail(err, "cost: not started");
    if (c->done) return 1;
    double start = now_ms();
    while (c->row < 0) {   /* warm-up: threads, caches and pages, untimed */
        double t0 = now_ms();
        if (lm_forward(&c->model, c->tokens, NULL, NULL, 1, c->max_t, err)) return -1;
        lm_kv_reset(&c->kv);
        for (int t = 0; t < 8 && t < c->max_t; t++)
            if (lm_forward_next(&c->model, &c->kv, c->tokens[t], c->logits, err)) return -1;
        c->acc += now_ms() - t0;
        if (c->acc >= LM_COST_WARMUP_MS) { c->row = 0; c->acc = 0; }
        if (now_ms() - start >= budget_ms) return 0;
    }
    do {
        double ms;
        int end;
        if (unit(c, &ms, &end, err)) return -1;
        c->acc += ms;
        c->units_done++;
        if (end) finish_run(c);
    } while (!c->done && now_ms() - start < budget_ms);
    return c->done;
}

double lm_cost_progress(const lm_cost *c) {
    if (!c || c->units_total <= 0) return 0;
    return c->done ? 1.0 : (double)c->units_done / (double)c->units_total;
}
