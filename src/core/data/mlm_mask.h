/* mlm_mask.h - BERT's masking rule: how a window of text becomes a
 * masked-language-modelling example ("The [MASK] sat on the mat." with the
 * answer "cat").
 *
 * Contract
 * - lm_mlm_mask rewrites a batch of text windows in place (b->tokens hold the
 *   text, as lm_stream_sample / lm_stream_val_batches fill them; whatever is
 *   in b->targets is overwritten):
 *     each position whose token is ordinary (id < n_ordinary: special tokens
 *     such as <|endoftext|> are never chosen) is chosen with probability
 *     rule->choose (BERT: 15%), independently;
 *     a chosen position keeps its token as the target, and its input becomes
 *       the mask token with probability rule->to_mask (80%),
 *       a random ordinary token, uniform in [0, n_ordinary), with
 *       rule->to_random (10%; it may happen to be the same token),
 *       or stays the token it was (the remaining 10%);
 *     every position not chosen gets target -1, which lm_forward leaves out
 *     of the loss: the loss is the mean cross-entropy over chosen positions.
 *   b->mask, when the batch has one, is set to 1 everywhere.
 * - Why the 10% random and 10% unchanged: the model never sees [MASK] when
 *   it is used, so it must also predict tokens at positions that look normal.
 * - Randomness from rng only, in a fixed order (position by position: one
 *   uniform to choose, then one to pick the replacement, then one id when
 *   random), so a seeded run replays exactly.
 * - Returns how many positions were chosen (>= 0), or -1 on bad arguments
 *   (message in err). Nothing prints.
 */
#ifndef LM_MLM_MASK_H
#define LM_MLM_MASK_H

#include <stdint.h>

#include "base/err.h"
#include "base/rng.h"
#include "data/dataset.h"

/* The mask token's text: BERT writes it [MASK]; here it is a special token
 * of the BPE like the chat markers, added to a trained tokeniser with
 * lm_tok_bpe_add_special (so it is never produced from plain text). */
#define LM_MLM_MASK "<|mask|>"

typedef struct {
    float choose;      /* share of ordinary positions that carry loss (0.15) */
    float to_mask;     /* of those: input replaced by the mask token (0.8) */
    float to_random;   /* ... by a random ordinary token (0.1); the rest unchanged */
} lm_mlm_rule;

/* BERT's numbers: 0.15, 0.8, 0.1 (so 0.1 unchanged). */
lm_mlm_rule lm_mlm_rule_bert(void);

/* What one call did (tests check the rule with it):
 * chosen positions, and how many of them became mask / random / unchanged. */
typedef struct {
    long positions;    /* ordinary positions looked at */
    long chosen, masked, randomised, unchanged;
} lm_mlm_counts;

/* counts may be NULL. */
long lm_mlm_mask(lm_batch *b, const lm_mlm_rule *rule, int32_t mask_id, int32_t n_ordinary, lm_rng *rng,
                 lm_mlm_counts *counts, lm_err *err);

#endif
