/* fflm.h - the feed-forward neural language model of Bengio et al. (2003):
 * a fixed window of the previous n tokens, each looked up in ONE embedding
 * table E (the same rows at every position of the window), the n
 * embeddings concatenated, one hidden layer of tanh units, and a softmax
 * over the vocabulary:
 *
 *   e = [E w_{t-n+1}; ...; E w_{t-1}; E w_t]      [n*Emb]  (oldest first)
 *   h = tanh(W e + b)                             [H]
 *   y = softmax(U h + c  (+ D e))                 [V]      p(w_{t+1} | window)
 *
 * Kind "fflm"; its parameter table (names as the lecture's letters):
 *   emb.E     [V, Emb]      the embedding table
 *   hidden.W  [H, n*Emb]    hidden.b [H]
 *   out.U     [V, H]        out.b    [V]     (c above)
 *   direct.D  [V, n*Emb]    only with direct = 1
 * Direct connections: Bengio's optional D e term (embeddings straight to
 * the output, a linear model beside the hidden layer). Off by default
 * (`--direct` turns it on): it costs V*n*Emb numbers, more than the rest of
 * the model at these sizes, and the lecture's model has no such path.
 *
 * What it can and cannot see: the prediction depends on the last n tokens
 * and on nothing before them. At the start of a text (fewer than n tokens
 * so far) the missing slots are zero vectors (no learned padding token), so
 * training windows and scoring windows treat a window's first tokens alike.
 *
 * Config in the model file: 5 x i32 (vocab, context, embed, hidden, direct),
 * little-endian. Initialisation as PyTorch's defaults: E ~ N(0, 1) (as
 * nn.Embedding), every nn.Linear weight and bias ~ U(-1/sqrt(fan_in),
 * 1/sqrt(fan_in)).
 */
#ifndef LM_FFLM_H
#define LM_FFLM_H

#include "models/nlm/nlm.h"

#define LM_KIND_FFLM "fflm"
#define LM_FFLM_CONFIG_BYTES 20u
#define LM_FFLM_MAX_CONTEXT 64

typedef struct {
    int vocab;     /* V */
    int context;   /* n: how many previous tokens it reads */
    int embed;     /* Emb: the width of one token's embedding */
    int hidden;    /* H: tanh units */
    int direct;    /* 1: Bengio's direct connections D */
} lm_fflm_config;

/* The default model (the CLI's and the TUI's): context 5, embedding 64,
 * hidden 128, no direct connections. */
lm_fflm_config lm_fflm_config_default(int vocab);
int    lm_fflm_config_check(const lm_fflm_config *cfg, lm_err *err);
size_t lm_fflm_param_count(const lm_fflm_config *cfg);
/* A new model of cfg, initialised from seed. */
int    lm_fflm_new(lm_nlm **out, const lm_fflm_config *cfg, uint64_t seed, lm_err *err);
/* The model of a stored config, parameters zero (nlm.c's family table). */
int    lm_fflm_create(lm_nlm **out, const uint8_t *config, uint32_t config_bytes, lm_err *err);
/* The model file's check of an fflm config and its parameter count
 * (io/modelfile.c's KINDS table). */
int    lm_fflm_check(const uint8_t *config, uint32_t config_bytes, uint64_t n_params, lm_err *err);
/* m's config (m must be of kind fflm). */
lm_fflm_config lm_fflm_config_of(const lm_nlm *m);
/* The window the model reads to predict the token after ids[0..n):
 * window[0..context), oldest first, -1 where it is padding. */
void   lm_fflm_window(const lm_nlm *m, const int32_t *ids, size_t n, int32_t *window);

#endif
