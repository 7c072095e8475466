/* sampler.c - next-token logits -> one token (see sampler.h).
 *
 * The pipeline, as a lecture draws it:
 *   probs_before = softmax(logits / T)                    [V]
 *   order        = ids sorted by probs_before, descending (ties: lower id first)
 *   top-k        keeps order[0 .. k-1]
 *   top-p        works on the top-k survivors *renormalised to sum 1* (as Hugging
 *                Face's TopPLogitsWarper does after TopK): it keeps the smallest
 *                prefix of them whose renormalised mass is >= p (up to 1e-6 of
 *                rounding), and always at least one token
 *   probs_after  = probs_before on the kept tokens, renormalised   [V]
 *   token        = a draw from probs_after with one lm_rng_uniform
 * Greedy (greedy = 1 or temperature <= 0) is top-1: token = argmax of the
 * logits (ties: lowest id), probs_before is softmax(logits) (T = 1),
 * probs_after is one-hot and kept_by_top_k = kept_by_top_p = n_kept = 1.
 * Greedy draws nothing from the generator.
 */
#include "decode/sampler.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

lm_sampling lm_sampling_default(void) {
    lm_sampling s = {.greedy = 0, .temperature = 1.0f, .top_k = 0, .top_p = 1.0f};
    return s;
}

int lm_sample_result_init(lm_sample_result *r, int V, lm_err *err) {
    if (!r) return lm_fail(err, "sampler: missing result");
    memset(r, 0, sizeof *r);
    if (V < 1) return lm_fail(err, "sampler: vocabulary size must be >= 1 (got %d)", V);
    r->probs_before = malloc((size_t)V * sizeof(float));
    r->probs_after = malloc((size_t)V * sizeof(float));
    /* order [V] is public; behind it, radix-sort scratch: ids [V], keys [2V] */
    r->order = malloc((size_t)V * 4 * sizeof(int32_t));
    if (!r->probs_before || !r->probs_after || !r->order) {
        lm_sample_result_free(r);
        return lm_fail(err, "sampler: out of memory for a vocabulary of %d", V);
    }
    r->V = V;
    return 0;
}

void lm_sample_result_free(lm_sample_result *r) {
    if (!r) return;
    free(r->probs_before);
    free(r->probs_after);
    free(r->order);
    memset(r, 0, sizeof *r);
}

/* Sorts ids by probability, descending, ties by lower id: a stable LSD radix
 * sort (4 passes of 8 bits) on key = ~bits(p). Probabilities are >= +0, and
 * for non-negative floats the bit pattern grows with the value, so ascending
 * ~bits is descending p; stability keeps equal p in id order. O(V), no
 * comparisons, deterministic. scratch: [V] ids and [2V] keys. */
static void sort_by_prob(const float *p, int32_t *ids, int32_t *tmp_ids, uint32_t *keys,
                         uint32_t *tmp_keys, int n) {
    for (int i = 0; i < n; i++) {
        uint32_t bits;
        memcpy(&bits, &p[i], sizeof bits);
        keys[i] = ~bits;
        ids[i] = i;
    }
    int32_t *src = ids, *dst = tmp_ids;
    uint32_t *ksrc = keys, *kdst = tmp_keys;
    for (int shift = 0; shift < 32; shift += 8) {
        size_t count[257] = {0};
        for (int i = 0; i < n; i++) count[((ksrc[i] >> shift) & 0xffu) + 1]++;
        if (count[((ksrc[0] >> shift) & 0xffu) + 1] == (size_t)n) continue;   /* one bucket */
        for (int b = 0; b < 256; b++) count[b + 1] += count[b];
        for (int i = 0; i < n; i++) {
            size_t at = count[(ksrc[i] >> shift) & 0xffu]++;
            dst[at] = src[i];
            kdst[at] = ksrc[i];
        }
        int32_t *t = src; src = dst; dst = t;
        uint32_t *kt = ksrc; ksrc = kdst; kdst = kt;
    }
    if (src != ids) memcpy(ids, src, (size_t)n * sizeof *ids);
}

/* probs[V] = softmax((logits - max) / temp); max is the largest logit. */
static void softmax_t(const float *logits, int V, float max, float temp, float *probs) {
    double sum = 0.0;
    for (int i = 0; i < V; i++) {
        float e = expf((logits[i] - max) / temp);   /* <= 1, and -inf -> 0 */
        probs[i] = e;
        sum += e;
    }
    float inv = (float)(1.0 / sum);   /* sum >= 1: the max contributes exp(0) */
    for (int i = 0; i < V; i++) probs[i] *= inv;
}

int lm_sample(const float *logits, int V, const lm_sampling *s, lm_rng *rng,
              lm_sample_result *r, lm_err *err) {
    if (!logits || !s || !r) return lm_fail(err, "sampler: missing argument");
    if (V < 1 || V != r->V)
        return lm_fail(err, "sampler: vocabulary size %d does not match the result's %d", V, r->V);
    if (isnan(s->temperature)) return lm_fail(err, "sampler: temperature is NaN");
    if (isnan(s->top_p)) return lm_fail(err, "sampler: top_p is NaN");

    /* the largest logit (ties: lowest id); NaN and +inf have no distribution */
    int32_t argmax = 0;
    for (int i = 0; i < V; i++) {
        if (isnan(logits[i])) return lm_fail(err, "sampler: logit %d is NaN", i);
        if (isinf(logits[i]) && logits[i] > 0) return lm_fail(err, "sampler: logit %d is +inf", i);
        if (logits[i] > logits[argmax]) argmax = i;
    }
    float max = logits[argmax];
    if (isinf(max)) return lm_fail(err, "sampler: every logit is -inf");

    int greedy = s->greedy || s->temperature <= 0.0f;
    softmax_t(logits, V, max, greedy ? 1.0f : s->temperature, r->probs_before);
    sort_by_prob(r->probs_before, r->order, r->order + V, (uint32_t *)(r->order + 2 * (size_t)V),
                 (uint32_t *)(r->order + 3 * (size_t)V), V);

    memset(r->probs_after, 0, (size_t)V * sizeof(float));
    if (greedy) {
        r->probs_after[argmax] = 1.0f;
        r->kept_by_top_k = r->kept_by_top_p = r->n_kept = 1;
        r->token = argmax;
        return 0;
    }
    if (!rng) return lm_fail(err, "sampler: a random generator is needed unless greedy");

    const float *pb = r->probs_before;
    const int32_t *order = r->order;

    /* top-k */
    int k = (s->top_k <= 0 || s->top_k >= V) ? V : s->top_k;
    r->kept_by_top_k = k;

    /* top-p on the top-k survivors renormalised */
    int n = k;
    if (s->top_p < 1.0f) {
        double mass_k = 0.0;
        for (int i = 0; i < k; i++) mass_k += pb[order[i]];
        double target = (double)s->top_p - 1e-6;
        double cum = 0.0;
        n = 1;   /* always keep the most likely token */
        for (int i = 0; i < k; i++) {
            cum += pb[order[i]] / mass_k;
            if (cum >= target) { n = i + 1; break; }
            n = i + 1;
        }
    }
    r->kept_by_top_p = n;

    /* renormalise the kept tokens */
    double mass = 0.0;
    for (int i = 0; i < n; i++) mass += pb[order[i]];
    int n_kept = 0;
    for (int i = 0; i < n; i++) {
        float q = (float)(pb[order[i]] / mass);
        r->probs_after[order[i]] = q;
        if (q > 0.0f) n_kept++;
    }
    r->n_kept = n_kept;

    /* draw: walk the kept tokens from the most likely one */
    float u = lm_rng_uniform(rng);
    double cum = 0.0;
    int32_t token = order[0];
    for (int i = 0; i < n; i++) {
        float q = r->probs_after[order[i]];
        if (q <= 0.0f) continue;
        token = order[i];   /* the last positive one absorbs rounding */
        cum += q;
        if ((double)u < cum) break;
    }
    r->token = token;
    return 0;
}
