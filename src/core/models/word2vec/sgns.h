/* sgns.h - skip-gram with negative sampling (SGNS, Mikolov et al. 2013), the
 * maths only: the noise distribution negatives are drawn from, subsampling of
 * frequent words, the (center, context) pairs a window over text makes, and
 * the SGNS loss with its hand-written gradient. models/word2vec/w2v.h owns
 * the tables; train/obj_word2vec.c drives the training.
 *
 * Contract
 * - Words are ids 0..V-1 with their counts in the training text.
 * - Noise distribution: P_n(w) = count(w)^0.75 / sum_v count(v)^0.75 (the
 *   paper's unigram distribution raised to 3/4, which gives rare words more
 *   chances than their counts would). Kept as its cumulative sum cdf[V]
 *   (double; cdf[V-1] = 1 exactly); a draw takes u uniform in [0, 1) and
 *   returns the first w with u < cdf[w] (so a word of count 0 is never drawn).
 * - Subsampling (word2vec.c's formula, which the paper's 1 - sqrt(t/f)
 *   approximates): with f = count(w) / total, an occurrence of w is kept with
 *   probability keep(w) = min(1, (sqrt(f / t) + 1) * t / f). t = 0 keeps every
 *   word. Frequent words ("the", "of") are mostly dropped, which both speeds
 *   training and lets rarer words see more informative neighbours.
 * - Pairs: a center word and one context word at most `window` positions away
 *   in the subsampled text; as in word2vec.c each center draws its own
 *   window b uniform in 1..window (nearer words count more often).
 * - SGNS loss of one pair (center c, context o, negatives n_1..n_K), with
 *   v = W_in[c] the center's input vector and u_w = W_out[w] an output vector:
 *       loss = -log sigma(u_o . v) - sum_k log sigma(-u_{n_k} . v)
 *   "o really is a neighbour of c, the n_k are not". Gradients:
 *       g_w = sigma(u_w . v) - y_w        (y_o = 1, y_{n_k} = 0)
 *       dL/dv   = sum_w g_w u_w           (over o and every n_k)
 *       dL/du_w = g_w v
 *   A word drawn twice as a negative counts twice. lm_sgns_loss returns the
 *   loss summed over the n pairs and adds the gradient of that sum into the
 *   gradient tables (same layout as the tables; NULL = loss only). The dots
 *   and updates go through cblas (fp32); sigma and the loss in double.
 * - Nothing prints; failures return -1 with lm_err.
 */
#ifndef LM_W2V_SGNS_H
#define LM_W2V_SGNS_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/rng.h"

#define LM_SGNS_NOISE_POWER 0.75
/* the largest vector size lm_sgns_loss takes (a word2vec config's bound) */
#define LM_SGNS_MAX_DIM 1024

/* cdf[V]: the cumulative noise distribution count^power / sum (power 0.75 in
 * training; 1 = plain unigram). Fails when every count is 0. */
int     lm_sgns_noise_cdf(const int64_t *count, int V, double power, double *cdf, lm_err *err);
/* one draw from the noise distribution */
int32_t lm_sgns_noise_draw(const double *cdf, int V, lm_rng *rng);

/* keep[V]: the probability an occurrence of each word survives subsampling
 * at threshold t (total = the number of words of the text, sum of counts). */
void    lm_sgns_keep_probs(const int64_t *count, int V, int64_t total, double t, float *keep);

typedef struct {
    int32_t center, context;
} lm_sgns_pair;

/* Up to n pairs from the word stream ids[0..n_ids) read as a circle, starting
 * at a random position: words are subsampled by keep (NULL = keep all), each
 * center takes the kept words within its window b (1..window) on both sides.
 * Centers start `window` kept words into the chunk so each has its left side.
 * scratch must hold n + 2 * window + 1 ids. Returns the pairs made (n, or
 * fewer when the whole stream gives fewer: a tiny text); 0 when nothing is
 * kept. */
int     lm_sgns_pairs(const int32_t *ids, size_t n_ids, const float *keep, int window, lm_rng *rng,
                      lm_sgns_pair *pairs, int n, int32_t *scratch);
/* neg[n, K]: K noise draws per pair, a draw equal to the pair's context word
 * drawn again (at most 8 times). */
void    lm_sgns_negatives(const double *cdf, int V, const lm_sgns_pair *pairs, int n, int K, lm_rng *rng,
                          int32_t *neg);

/* The SGNS loss summed over pairs[0..n) with negatives neg[n, K]; W_in and
 * W_out are [V, D] row-major. When g_in and g_out are not NULL, the gradient
 * of the sum is added into them ([V, D] each). Ids must be in 0..V-1 (the
 * caller made them), and 1 <= D <= LM_SGNS_MAX_DIM. */
double  lm_sgns_loss(const float *W_in, const float *W_out, int D, const lm_sgns_pair *pairs,
                     const int32_t *neg, int n, int K, float *g_in, float *g_out);

#endif
