/* mlm_mask.c - BERT's masking rule over a batch of text windows (see
 * mlm_mask.h). */
#include "data/mlm_mask.h"

#include <string.h>

lm_mlm_rule lm_mlm_rule_bert(void) {
    lm_mlm_rule r = {0.15f, 0.8f, 0.1f};
    return r;
}

long lm_mlm_mask(lm_batch *b, const lm_mlm_rule *rule, int32_t mask_id, int32_t n_ordinary, lm_rng *rng,
                 lm_mlm_counts *counts, lm_err *err) {
    if (!b || !b->tokens || !b->targets || !rule || !rng) return lm_fail(err, "mlm mask: missing batch, rule or rng");
    if (n_ordinary < 1) return lm_fail(err, "mlm mask: no ordinary tokens to draw from");
    if (mask_id < 0) return lm_fail(err, "mlm mask: no mask token");
    if (!(rule->choose >= 0 && rule->choose <= 1 && rule->to_mask >= 0 && rule->to_random >= 0 &&
          rule->to_mask + rule->to_random <= 1))
        return lm_fail(err, "mlm mask: the rule's shares must be in [0, 1] (mask + random <= 1)");
    lm_mlm_counts c;
    memset(&c, 0, sizeof c);
    const long N = (long)b->B * b->T;
    for (long i = 0; i < N; i++) {
        int32_t tok = b->tokens[i];   /* tokens [B, T], targets [B, T] */
        b->targets[i] = -1;
        if (b->mask) b->mask[i] = 1.0f;
        if (tok < 0 || tok >= n_ordinary) continue;   /* specials are never chosen */
        c.positions++;
        if (lm_rng_uniform(rng) >= rule->choose) continue;
        c.chosen++;
        b->targets[i] = tok;   /* the loss asks for the original token */
        float u = lm_rng_uniform(rng);
        if (u < rule->to_mask) {
            b->tokens[i] = mask_id;
            c.masked++;
        } else if (u < rule->to_mask + rule->to_random) {
            b->tokens[i] = (int32_t)lm_rng_below(rng, (uint32_t)n_ordinary);
            c.randomised++;
        } else {
            c.unchanged++;
        }
    }
    if (counts) *counts = c;
    return c.chosen;
}
