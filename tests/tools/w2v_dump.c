/* w2v_dump.c - what tests/word2vec_torch_test.py checks against PyTorch and
 * Python, written by the C core (models/word2vec/).
 *
 *   w2v_dump sgns SEED V D N K OUT
 *     random tables W_in, W_out [V, D] (N(0, s^2) with s^2 = 4 / sqrt(D): dot
 *     products of about +-4, so sigma is far from 1/2 and saturates on some), N random (center, context) pairs with K
 *     negatives each (ids uniform; some negatives repeat or equal the context
 *     on purpose), then lm_sgns_loss with its gradient. Writes i32 V D N K,
 *     f32 W_in, f32 W_out, i32 pairs [N, 2], i32 neg [N, K], f64 loss,
 *     f32 g_in, f32 g_out.
 *   w2v_dump vocab TEXT MIN_COUNT MAX_WORDS T OUT
 *     the vocabulary of the text file (vocab.h), the text's ids, the noise
 *     distribution (sgns.h) and the subsampling keep probabilities at t = T
 *     (total = the in-vocabulary words). Writes i32 n, i64 total, then per
 *     word: i32 len, bytes, i64 count, f64 noise probability (cdf[i] -
 *     cdf[i-1]), f32 keep; then 100000 noise draws (i32) from seed 7.
 * Exit 0, or 1 with a message on stderr. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/infile.h"
#include "base/rng.h"
#include "models/word2vec/sgns.h"
#include "models/word2vec/vocab.h"

static void w32(FILE *f, int32_t v) { fwrite(&v, 4, 1, f); }
static void w64(FILE *f, int64_t v) { fwrite(&v, 8, 1, f); }

static int sgns(char **argv) {
    uint64_t seed = strtoull(argv[2], NULL, 10);
    int V = atoi(argv[3]), D = atoi(argv[4]), N = atoi(argv[5]), K = atoi(argv[6]);
    if (V < 2 || D < 1 || D > LM_SGNS_MAX_DIM || N < 1 || K < 1) { fprintf(stderr, "bad sizes\n"); return 1; }
    lm_rng rng;
    lm_rng_seed(&rng, seed);
    size_t n = (size_t)V * D;
    float *W_in = malloc(4 * n), *W_out = malloc(4 * n), *g_in = calloc(n, 4), *g_out = calloc(n, 4);
    lm_sgns_pair *pairs = malloc(sizeof *pairs * (size_t)N);
    int32_t *neg = malloc(4 * (size_t)N * K);
    float s = sqrtf(4.0f / sqrtf((float)D));
    for (size_t i = 0; i < n; i++) W_in[i] = s * lm_rng_normal(&rng);
    for (size_t i = 0; i < n; i++) W_out[i] = s * lm_rng_normal(&rng);
    for (int i = 0; i < N; i++) {
        pairs[i].center = (int32_t)lm_rng_below(&rng, (uint32_t)V);
        pairs[i].context = (int32_t)lm_rng_below(&rng, (uint32_t)V);
        for (int k = 0; k < K; k++) neg[(size_t)i * K + k] = (int32_t)lm_rng_below(&rng, (uint32_t)V);
    }
    double loss = lm_sgns_loss(W_in, W_out, D, pairs, neg, N, K, g_in, g_out);
    FILE *f = fopen(argv[7], "wb");
    if (!f) { perror(argv[7]); return 1; }
    w32(f, V); w32(f, D); w32(f, N); w32(f, K);
    fwrite(W_in, 4, n, f);
    fwrite(W_out, 4, n, f);
    for (int i = 0; i < N; i++) { w32(f, pairs[i].center); w32(f, pairs[i].context); }
    fwrite(neg, 4, (size_t)N * K, f);
    fwrite(&loss, 8, 1, f);
    fwrite(g_in, 4, n, f);
    fwrite(g_out, 4, n, f);
    fclose(f);
    free(W_in); free(W_out); free(g_in); free(g_out); free(pairs); free(neg);
    return 0;
}

static int vocab(char **argv) {
    uint8_t *text;
    size_t len;
    lm_err err = {{0}};
    if (lm_infile_read_all(argv[2], "a text", 0, &text, &len, &err)) { fprintf(stderr, "%s\n", err.msg); return 1; }
    lm_w2v_vocab v;
    if (lm_w2v_vocab_build(text, len, atoi(argv[3]), atoi(argv[4]), &v, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    int32_t *ids;
    size_t n_ids;
    int64_t *count = malloc(8 * (size_t)v.n);
    double *cdf = malloc(8 * (size_t)v.n);
    float *keep = malloc(4 * (size_t)v.n);
    if (lm_w2v_encode(v.words, text, len, &ids, &n_ids, count, NULL, &err) ||
        lm_sgns_noise_cdf(count, v.n, LM_SGNS_NOISE_POWER, cdf, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    lm_sgns_keep_probs(count, v.n, (int64_t)n_ids, atof(argv[5]), keep);
    FILE *f = fopen(argv[6], "wb");
    if (!f) { perror(argv[6]); return 1; }
    w32(f, v.n);
    w64(f, (int64_t)n_ids);
    for (int i = 0; i < v.n; i++) {
        size_t wl;
        const uint8_t *w = lm_tok_piece(v.words, i, &wl);
        w32(f, (int32_t)wl);
        fwrite(w, 1, wl, f);
        w64(f, count[i]);
        double p = cdf[i] - (i ? cdf[i - 1] : 0);
        fwrite(&p, 8, 1, f);
        fwrite(&keep[i], 4, 1, f);
    }
    lm_rng rng;
    lm_rng_seed(&rng, 7);
    for (int i = 0; i < 100000; i++) w32(f, lm_sgns_noise_draw(cdf, v.n, &rng));
    fclose(f);
    free(text); free(ids); free(count); free(cdf); free(keep);
    lm_w2v_vocab_free(&v);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 8 && strcmp(argv[1], "sgns") == 0) return sgns(argv);
    if (argc == 7 && strcmp(argv[1], "vocab") == 0) return vocab(argv);
    fprintf(stderr, "usage: w2v_dump sgns SEED V D N K OUT | vocab TEXT MIN_COUNT MAX_WORDS T OUT\n");
    return 2;
}
