/* rng.h - the one seeded random generator of llmlab.
 *
 * Contract: all randomness (initialisation, sampling, data shuffling, RL
 * rollouts) comes from an lm_rng passed explicitly, so that a run replays
 * exactly from its seed. PCG32 (O'Neill), with Box-Muller for normals.
 */
#ifndef LM_RNG_H
#define LM_RNG_H

#include <stdint.h>

typedef struct {
    uint64_t state;
    uint64_t inc;
    int has_spare;   /* Box-Muller produces normals in pairs */
    float spare;
} lm_rng;

void     lm_rng_seed(lm_rng *r, uint64_t seed);
uint32_t lm_rng_u32(lm_rng *r);
/* uniform in [0, 1) with 24 bits of resolution */
float    lm_rng_uniform(lm_rng *r);
/* uniform integer in [0, n), n > 0, without modulo bias */
uint32_t lm_rng_below(lm_rng *r, uint32_t n);
/* standard normal N(0, 1) */
float    lm_rng_normal(lm_rng *r);

#endif
