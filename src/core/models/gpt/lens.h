/* lens.h - what each layer "would predict" (the logit lens) and what
 * knocking heads out does to the next token (head ablation), as plain
 * structs for the lens command, the lens panel and lessons.
 *
 * Contract
 * - lm_lens_compute reads the last forward of m (lm_forward or
 *   lm_prefill_window; sequence b) and decodes every row of the residual
 *   stream through the final LayerNorm and the tied head, as lm_logit_lens
 *   does one row: row 0 = the embeddings (+ positions), row l = after block
 *   l, row L = the model's own output (equal to lm_logits, same ops).
 *   Every cell keeps its top-1 token and probability; at position `pos`
 *   (-1 = the last) it also keeps the top k tokens of every row and the
 *   probability and rank of one target token per row (target -1 = the
 *   model's own top-1 at pos, i.e. the final answer).
 * - lm_ablation_next runs two forwards over ids[0..n) (n <= n_ctx): the
 *   model as it is (m->ablate ignored) and with `mask` [L, H] ablated, and
 *   keeps the next-token distribution after the last token of both: the k
 *   tokens most likely under either, ordered by the larger of the two
 *   probabilities. m->ablate is left as it was; m's last forward is the
 *   ablated one.
 * - Results own their arrays (free with the matching _free, which accepts a
 *   zeroed struct). 0 or -1 with a message; nothing prints.
 */
#ifndef LM_LENS_H
#define LM_LENS_H

#include "models/gpt/model.h"

typedef struct {
    int n_rows;          /* L + 1: 0 = embeddings, l = after block l */
    int T;               /* positions of the forward */
    int32_t *top;        /* [n_rows, T] top-1 token of each cell */
    float *top_p;        /* [n_rows, T] its probability */
    int pos;             /* position the columns below are read at */
    int32_t target;      /* the token followed through the layers */
    float *target_p;     /* [n_rows] its probability at pos */
    int *target_rank;    /* [n_rows] its rank there (0 = top-1) */
    int k;
    int32_t *topk;       /* [n_rows, k] the k most likely tokens at pos */
    float *topk_p;       /* [n_rows, k] their probabilities */
} lm_lens;

int  lm_lens_compute(lm_lens *out, const lm_model *m, int b, int pos, int32_t target, int k,
                     lm_err *err);
void lm_lens_free(lm_lens *lz);

typedef struct {
    int k;               /* rows */
    int32_t *id;         /* [k] */
    float *p_base;       /* [k] probability with no head ablated */
    float *p_ablated;    /* [k] with the mask */
    int32_t top_base, top_ablated;   /* argmax of each whole distribution */
    float kl;            /* KL(base || ablated) over the whole vocabulary, nats */
} lm_ablation_diff;

int  lm_ablation_next(lm_model *m, const uint8_t *mask, const int32_t *ids, size_t n, int k,
                      lm_ablation_diff *out, lm_err *err);
void lm_ablation_diff_free(lm_ablation_diff *d);

#endif
