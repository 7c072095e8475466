/* rng.c - PCG32 generator (see rng.h). */
#include "base/rng.h"

#include <math.h>

void lm_rng_seed(lm_rng *r, uint64_t seed) {
    r->state = 0;
    r->inc = (seed << 1u) | 1u;
    r->has_spare = 0;
    r->spare = 0.0f;
    lm_rng_u32(r);
    r->state += 0x853c49e6748fea9bULL ^ seed;
    lm_rng_u32(r);
}

uint32_t lm_rng_u32(lm_rng *r) {
    uint64_t old = r->state;
    r->state = old * 6364136223846793005ULL + r->inc;
    uint32_t xorshifted = (uint32_t)(((old >> 18u) ^ old) >> 27u);
    uint32_t rot = (uint32_t)(old >> 59u);
    return (xorshifted >> rot) | (xorshifted << ((-rot) & 31));
}

float lm_rng_uniform(lm_rng *r) {
    return (float)(lm_rng_u32(r) >> 8) * (1.0f / 16777216.0f);
}

uint32_t lm_rng_below(lm_rng *r, uint32_t n) {
    uint32_t threshold = (uint32_t)(-n) % n;
    for (;;) {
        uint32_t x = lm_rng_u32(r);
        if (x >= threshold) return x % n;
    }
}

float lm_rng_normal(lm_rng *r) {
    if (r->has_spare) {
        r->has_spare = 0;
        return r->spare;
    }
    float u1 = lm_rng_uniform(r), u2 = lm_rng_uniform(r);
    if (u1 < 1e-12f) u1 = 1e-12f;
    float mag = sqrtf(-2.0f * logf(u1));
    r->spare = mag * sinf(6.283185307179586f * u2);
    r->has_spare = 1;
    return mag * cosf(6.283185307179586f * u2);
}
