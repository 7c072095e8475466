/* sweep.h - a scaling-law sweep: small transformers of several sizes, each
 * trained with the pretraining objective for a token budget, and what each
 * run measured (parameters N, tokens D, compute C = 6 N D, the final
 * validation loss L). The lecture's claim is that L falls as a power law in
 * N, D and C (Kaplan et al. 2020); a sweep is how one sees it.
 *
 * Contract
 * - A size is "LxC" (L layers, width C, heads max(1, C/32)) or "LxCxH".
 *   The model of a size under a plan (lm_scaling_config): MLP 4C, context
 *   = the plan's sequence length, learned positions, GELU, the plan's
 *   vocabulary. Sizes and budgets are parsed from text here, with messages
 *   that name the bad item (they come from a command line or a results file).
 * - A token budget D is rounded up to whole steps of B x T tokens: a run takes
 *   ceil(D / (B T)) steps and records the tokens it really trained on.
 * - N, the parameters a scaling law counts: lm_param_count_nonembed leaves
 *   out the token and position embeddings (wte, wpe), as Kaplan et al. do;
 *   the row keeps the total too (Chinchilla counts all parameters).
 *   Compute C = 6 N D FLOPs with N non-embedding (forward 2ND + backward
 *   4ND; attention over the context and the embeddings are left out).
 * - A run is driven step by step (the caller loops, prints and stops): begin
 *   makes the model from the plan's seed and re-seeds the objective's batch
 *   order with it (so every run of a sweep sees the same batches, whatever
 *   ran before it or was resumed), step does one objective step, finish
 *   measures the validation loss on the objective's fixed held-out batches.
 *   The schedule: linear warm-up by THE warm-up rule (train.h), cosine from
 *   lr to lr/10 over the run's own steps, AdamW defaults, clip 1.
 * - The objective is prepared by the caller (train/objective.h, the
 *   pretraining objective on any text) with the plan's B and T, and shared
 *   by the runs of a sweep; a run borrows it.
 * - Nothing prints; failures return -1 with lm_err (LM_TRAIN_NONFINITE from
 *   a step whose loss or gradient was not finite: the run is lost).
 */
#ifndef LM_SCALING_SWEEP_H
#define LM_SCALING_SWEEP_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "models/gpt/model.h"
#include "train/objective.h"
#include "train/train.h"

/* bounds of a sweep (a live demo on a laptop, and a results file's rows) */
#define LM_SCALING_MAX_LAYERS 32
#define LM_SCALING_MAX_WIDTH 2048
#define LM_SCALING_MAX_TOKENS 100000000000LL   /* 1e11 */
#define LM_SCALING_MAX_LIST 32                 /* sizes or budgets in one list */

typedef struct {
    int n_layer, d_model, n_head;
} lm_scaling_size;

/* "2x64" or "2x64x4": 0, or -1 with a message naming s */
int  lm_scaling_size_parse(const char *s, lm_scaling_size *out, lm_err *err);
/* the default heads of a width: max(1, C/32) */
int  lm_scaling_default_heads(int d_model);
/* "2x64" (heads written only when not the default); returns buf */
char *lm_scaling_size_format(const lm_scaling_size *s, char *buf, size_t cap);
/* "1x16,2x64": the count (1..max), or -1 with a message naming the item */
int  lm_scaling_sizes_parse(const char *list, lm_scaling_size *out, int max, lm_err *err);
/* a token count: "250000", "250k", "1.5M", "2G" (a whole number, 1..1e11) */
int  lm_scaling_tokens_parse(const char *s, long long *out, lm_err *err);
/* "250k,1M": the count (1..max), or -1 */
int  lm_scaling_tokens_list_parse(const char *list, long long *out, int max, lm_err *err);
/* "250k", "1.5M", "4096": the short form tokens_parse reads back exactly */
char *lm_scaling_tokens_format(long long n, char *buf, size_t cap);

/* what every run of a sweep shares */
typedef struct {
    int batch, seq;       /* B x T tokens a step; the models' context is T */
    float lr;             /* peak learning rate */
    uint64_t seed;        /* initialisation and batch order, the same for every run */
    int vocab_size;       /* the tokeniser's */
} lm_scaling_plan;

/* the model of a size under a plan (see the contract) */
int    lm_scaling_config(const lm_scaling_size *s, const lm_scaling_plan *p, lm_config *cfg, lm_err *err);
/* parameters without the token and position embeddings; 0 for a bad config */
size_t lm_param_count_nonembed(const lm_config *cfg);

/* one run: what it was (a plan of it) and what it measured */
typedef struct {
    lm_scaling_size size;
    int n_ctx, vocab_size;
    long long params;            /* all parameters */
    long long params_nonembed;   /* N */
    long long tokens;            /* D = steps * batch * seq */
    int steps, batch, seq;
    float lr;
    uint64_t seed;
    double train_loss;           /* mean loss of the last <= 20 steps */
    double val_loss;             /* L: on the held-out batches after the last step */
    double seconds;              /* wall time of the run */
} lm_scaling_row;

/* C = 6 N D (N non-embedding) */
double lm_scaling_compute(const lm_scaling_row *r);
/* D / N with all parameters (the Chinchilla ratio, ~20 at its optimum) */
double lm_scaling_tokens_per_param(const lm_scaling_row *r);
/* The row a run of size s on a budget of `tokens` will fill: everything but
 * the losses and seconds (NAN, 0). 0 or -1 (a size the plan cannot build,
 * or a budget out of range). */
int  lm_scaling_row_plan(lm_scaling_row *r, const lm_scaling_size *s, long long tokens,
                         const lm_scaling_plan *p, lm_err *err);
/* 1 when a and b are the same run: size, context, vocabulary, tokens, batch,
 * sequence, learning rate and seed */
int  lm_scaling_same_run(const lm_scaling_row *a, const lm_scaling_row *b);

/* a run in progress */
typedef struct {
    lm_scaling_row row;          /* the plan; losses and seconds when finished */
    lm_model m;
    lm_objective *obj;           /* borrowed: prepared with the row's batch and seq */
    lm_train_opts opts;
    int step;                    /* steps done */
    float recent[20];            /* the last step losses */
    int n_recent;
    double t0;
} lm_scaling_run;

/* A fresh model for the planned row (seeded by row->seed) and the objective
 * re-seeded for it. obj must have been prepared with B = row->batch and
 * T = row->seq. 0 or -1 (r is then empty: free is harmless). */
int  lm_scaling_run_begin(lm_scaling_run *r, lm_objective *obj, const lm_scaling_row *plan, lm_err *err);
/* One step (batch, update); figures as the objective's step gives them.
 * 0, -1, or LM_TRAIN_NONFINITE. */
int  lm_scaling_run_step(lm_scaling_run *r, lm_figures *f, lm_err *err);
/* 1 when every planned step is done */
int  lm_scaling_run_done(const lm_scaling_run *r);
/* After the last step: validation loss, train loss, seconds into r->row.
 * Fails when the objective has no validation batches. */
int  lm_scaling_run_finish(lm_scaling_run *r, lm_err *err);
void lm_scaling_run_free(lm_scaling_run *r);

#endif
