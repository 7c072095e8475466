/* cost.h - the cost of training versus generating, measured on a model:
 * one forward over T tokens at once (what training does), T decoding steps
 * with the KV cache (what generation does), and T decoding steps without a
 * cache (the forward re-run on the growing prefix), for T = 8, 16, 32, ...
 * up to max_t (and max_t itself when it is not a power of two).
 *
 * Contract
 * - lm_cost_begin clones the model (weights only), so measuring never
 *   touches the caller's model or its last forward, and reserves every
 *   buffer before the first measurement. The tokens are fixed ids (the cost
 *   does not depend on them).
 * - Before the first measurement, lm_cost_step runs untimed forwards and
 *   decoding steps for 250 ms (thread pools, caches, pages warm up).
 * - lm_cost_step does one or more units of work until budget_ms has passed
 *   (at least one unit; a unit is one lm_forward, one lm_forward_next, or
 *   the attention kernels of one T) and returns 1 when every row is done, 0
 *   when there is more, -1 on error. A caller with a frame loop calls it
 *   with a small budget; the longest unit is one forward over max_t tokens.
 * - Times are wall-clock milliseconds, the best (smallest) of `repeat` runs.
 *   attn_ms times the attention kernels alone (scores, mask, softmax,
 *   weighted sum: attention_forward of nn/ops.h) for every layer over T
 *   tokens; attn_share_time = attn_ms / fwd_ms.
 * - Counts do not depend on the machine: calls of lm_forward and of
 *   lm_forward_next, positions processed, and multiply-add FLOPs (2 per
 *   multiply-add) of the matrix products as the code computes them:
 *     per position: L * 2 (4 C^2 + 2 C M) + 2 C V (the head)
 *     attention, full forward over T: L * 4 T^2 C (the kernel computes the
 *       whole T x T score matrix, masks it, and multiplies it with v)
 *     attention, one cached step at position t (t + 1 keys): L * 4 (t + 1) C
 *   so fwd_flops(T) = T * per_position + L * 4 T^2 C, kv_flops(T) =
 *   sum_{t<T} (per_position + L * 4 (t+1) C), nocache_flops(T) = sum_{t=1..T}
 *   fwd_flops(t); attn_share_flops = L * 4 T^2 C / fwd_flops(T).
 */
#ifndef LM_COST_H
#define LM_COST_H

#include "models/gpt/model.h"

#define LM_COST_MAX_ROWS 16

typedef struct {
    int T;
    double fwd_ms, kv_ms, nocache_ms, attn_ms;   /* best of repeat; < 0 until measured */
    long long fwd_calls, kv_calls, nocache_calls;        /* model calls per run */
    long long fwd_tokens, kv_tokens, nocache_tokens;     /* positions processed per run */
    double fwd_flops, kv_flops, nocache_flops;           /* counted, per run */
    double attn_share_flops, attn_share_time;            /* attention's share of the forward */
} lm_cost_row;

typedef struct {
    lm_model model;                /* a clone of the caller's */
    lm_kv kv;
    int32_t *tokens;               /* [max_t] */
    float *logits;                 /* [V] */
    float *att_out, *att_p, *att_qkv;   /* attention kernel buffers */
    int n_rows, repeat, max_t;
    lm_cost_row rows[LM_COST_MAX_ROWS];
    /* progress (private) */
    int row, phase, rep, t;
    double acc;
    int done;
    long long units_done, units_total;
} lm_cost;

/* 0 or -1 (max_t outside 1..n_ctx, repeat < 1, memory). */
int  lm_cost_begin(lm_cost *c, const lm_model *m, int max_t, int repeat, lm_err *err);
int  lm_cost_step(lm_cost *c, double budget_ms, lm_err *err);
/* fraction of the work done, 0..1 */
double lm_cost_progress(const lm_cost *c);
void lm_cost_free(lm_cost *c);

/* The counted FLOPs alone (see the contract); no model needed. */
void lm_cost_count(const lm_config *cfg, int T, lm_cost_row *row);

#endif
