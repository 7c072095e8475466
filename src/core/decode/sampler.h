/* sampler.h - from next-token logits to one token: greedy, temperature,
 * top-k and top-p in any combination.
 *
 * Contract
 * - The order of the cuts is: temperature (logits / T), softmax, top-k, top-p
 *   (smallest set of the most likely tokens whose mass >= p), renormalise, draw.
 * - temperature <= 0 or greedy = 1 means argmax (ties: lowest id).
 * - top_k <= 0 or >= V means no top-k cut; top_p >= 1 means no top-p cut.
 * - lm_sample returns the distribution before and after the cuts and the drawn
 *   token, so the UI and CLI can draw where each cut falls.
 * - Randomness comes only from the lm_rng passed in: same seed, same tokens.
 */
#ifndef LM_SAMPLER_H
#define LM_SAMPLER_H

#include <stdint.h>

#include "base/err.h"
#include "base/rng.h"

typedef struct {
    int   greedy;
    float temperature;   /* default 1.0 */
    int   top_k;         /* default 0 (off) */
    float top_p;         /* default 1.0 (off) */
} lm_sampling;

lm_sampling lm_sampling_default(void);

typedef struct {
    int    V;
    float *probs_before;  /* [V] softmax(logits / T) before any cut (T=1 when greedy) */
    float *probs_after;   /* [V] renormalised after top-k and top-p; one-hot when greedy */
    int    n_kept;        /* tokens with probs_after > 0 */
    int    kept_by_top_k; /* how many survived top-k (V when off) */
    int    kept_by_top_p; /* how many survived top-p after top-k */
    int32_t token;        /* the drawn token */
    int32_t *order;       /* [V] ids sorted by probs_before, descending (private scratch too) */
} lm_sample_result;

int  lm_sample_result_init(lm_sample_result *r, int V, lm_err *err);
void lm_sample_result_free(lm_sample_result *r);

/* logits[V] -> r (r must be initialised for the same V). */
int  lm_sample(const float *logits, int V, const lm_sampling *s, lm_rng *rng,
               lm_sample_result *r, lm_err *err);

#endif
