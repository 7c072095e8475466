/* nlm.h - the neural language models before the transformer: Bengio's
 * feed-forward LM (models/fflm/) and the recurrent LMs, Elman RNN and GRU
 * (models/rnn/). What the families share is here, once: the embedding
 * lookup, the softmax output layer with its cross-entropy, the model file
 * and the loss of a window. (Training them: train/nlm_step.h.)
 *
 * Contract
 * - An lm_nlm is one such model: its kind ("fflm", "rnn"), its config as
 *   its model file stores it, its numbers in an nn/paramset.h (parameters,
 *   gradients, AdamW moments, one named range per tensor) and its
 *   tokeniser blob (empty = the byte tokeniser). A family embeds lm_nlm as
 *   the first member of its own struct and fills ops.
 * - Every family reads tokens through an embedding table E [V, E]: the
 *   one-hot vector of a token times E, i.e. row id of E, the same rows at
 *   every position. An id < 0 reads a zero vector: the padding before the
 *   start of a window (lm_nlm_embed_*).
 * - Every family predicts through a softmax output layer: logits = h U^T + c
 *   over the whole vocabulary, and the loss is the cross-entropy averaged
 *   over the targets >= 0 of a batch, computed by nn/ops.h exactly as the
 *   transformer's (lm_nlm_softmax_*).
 * - ops->forward runs tokens [B, T] (targets [B, T] or NULL: logits only)
 *   and keeps what backward needs; m->out.logits then holds [B, T, V] (row
 *   b*T + t predicts the token after tokens[b, t]). ops->backward
 *   ACCUMULATES the gradients of that loss into m->ps.grads.
 * - ops->next_logits is the language-model interface's (models/lmodel.h):
 *   logits[V] for the token after ids[0..n), n >= 1.
 * - lm_nlm_nll(ids[0..n)) is the summed -ln p of ids[1..n), each given the
 *   ids before it in the window (one forward of the row ids[0..n-1) with
 *   targets ids[1..n)); windows of at most LM_NLM_MAX_WINDOW tokens.
 * - Training steps, the validation loss and checkpoints are train/'s, as
 *   for the transformer (train/nlm_step.h).
 * - Matrices decay under AdamW (embeddings included, as the transformer's
 *   wte); biases do not.
 * - Nothing prints; failures return -1 with lm_err.
 */
#ifndef LM_NLM_H
#define LM_NLM_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/rng.h"
#include "io/modelfile.h"
#include "nn/paramset.h"
#include "tok/tokenizer.h"

#define LM_NLM_CONFIG_MAX 32
/* the longest window lm_nlm_nll takes, in tokens */
#define LM_NLM_MAX_WINDOW 65536
/* bounds every family's config check applies (so n_params stays far from
 * overflow: V * H <= 2^30) */
#define LM_NLM_MAX_VOCAB 262144
#define LM_NLM_MAX_WIDTH 4096

typedef struct lm_nlm lm_nlm;

typedef struct {
    int  (*forward)(lm_nlm *m, const int32_t *tokens, const int32_t *targets, int B, int T, float *loss,
                    lm_err *err);
    int  (*backward)(lm_nlm *m, lm_err *err);
    int  (*next_logits)(lm_nlm *m, const int32_t *ids, size_t n, float *logits, lm_err *err);
    void (*free_family)(lm_nlm *m);   /* the family's own buffers (not the struct) */
} lm_nlm_ops;

/* the softmax output layer's buffers for the last forward */
typedef struct {
    int N, cap;                /* rows of the last forward; rows allocated */
    float *logits;             /* [N, V] */
    float *dlogits;            /* [N, V] (allocated by the first backward) */
    float *lse, *losses, *weight;   /* [N] each (nn/ops.h crossentropy_forward) */
    int32_t *targets;          /* [N] a copy of the targets (-1 where none) */
} lm_nlm_out;

struct lm_nlm {
    const lm_nlm_ops *ops;
    char kind[16];                        /* "fflm", "rnn" */
    uint8_t config[LM_NLM_CONFIG_MAX];    /* the family's config as the file stores it */
    uint32_t config_bytes;
    lm_paramset ps;
    uint8_t *tokenizer;                   /* owned blob; NULL = byte tokeniser */
    uint64_t tokenizer_len;
    int vocab;                            /* V */
    int n_ctx;                            /* tokens it conditions on; 0 = unbounded (an RNN) */
    char desc[160];                       /* "feed-forward LM: context 5, embed 64, hidden 128" */
    lm_nlm_out out;
};

/* ---- the layers every family shares ---- */

/* x[N, E] = rows ids[n] of the table E_tab[V, E]; a zero row where ids[n] < 0. */
void lm_nlm_embed_forward(float *x, const float *E_tab, const int32_t *ids, int N, int E);
/* dE_tab[ids[n]] += dx[n] for every n with ids[n] >= 0. */
void lm_nlm_embed_backward(float *dE_tab, const float *dx, const int32_t *ids, int N, int E);
/* m->out.logits[N, V] = h[N, H] U[V, H]^T + c[V]; remembers targets[N]
 * (may be NULL). Grows the buffers as needed. */
int  lm_nlm_softmax_logits(lm_nlm *m, const float *h, const float *U, const float *c, const int32_t *targets,
                           int N, int H, lm_err *err);
/* The mean cross-entropy of m->out.logits against its targets (targets < 0
 * ignored; 0 when there are none). */
float lm_nlm_softmax_loss(lm_nlm *m);
/* m->out.dlogits = d loss / d logits (softmax - one-hot, over the number of
 * targets). Call after lm_nlm_softmax_loss. */
int  lm_nlm_softmax_dlogits(lm_nlm *m, lm_err *err);
/* From m->out.dlogits: dh[N, H] (OVERWRITTEN) = dlogits U; dU += dlogits^T h;
 * dc += the column sums of dlogits. */
void lm_nlm_softmax_backward(lm_nlm *m, float *dh, float *dU, float *dc, const float *h, const float *U, int H);

/* The checks every forward makes on its input: B, T >= 1 (B*T at most
 * 16 * LM_NLM_MAX_WINDOW), tokens in [0, V), targets < V (< 0 = none). */
int  lm_nlm_check_ids(const lm_nlm *m, const int32_t *tokens, const int32_t *targets, int B, int T, lm_err *err);

/* A range's parameters and gradients by name (the family's table names). */
float *lm_nlm_param(lm_nlm *m, const char *name);
float *lm_nlm_grad(lm_nlm *m, const char *name);

/* A config as the file stores it: n little-endian i32 (byte by byte, the
 * same on every machine). */
void lm_nlm_put_i32s(uint8_t *b, const int32_t *v, int n);
void lm_nlm_get_i32s(int32_t *v, const uint8_t *b, int n);

/* ---- what the families make together ---- */

/* Sets up the base: kind, config bytes, the parameter ranges (allocated,
 * zero). A family's constructor calls it first. */
int  lm_nlm_base_init(lm_nlm *m, const lm_nlm_ops *ops, const char *kind, const uint8_t *config,
                      uint32_t config_bytes, int vocab, const lm_param_range *ranges, int n_ranges, lm_err *err);
void lm_nlm_free(lm_nlm *m);
/* Draws every range uniformly in [-bound, bound] (bound > 0) or from
 * N(0, 1) (bound == 0), as PyTorch initialises nn.Linear / nn.RNN / nn.GRU
 * (U(-1/sqrt(fan_in), 1/sqrt(fan_in))) and nn.Embedding (N(0, 1)). */
void lm_nlm_init_range(lm_nlm *m, const char *name, float bound, lm_rng *rng);

/* Any family's model from a file's parts (io/modelfile.h): its config read,
 * its parameters and adam_t copied, the tokeniser blob taken (parts' is
 * zeroed). *out is the new model. */
int  lm_nlm_from_parts(lm_nlm **out, lm_file_parts *parts, lm_err *err);
/* The same from a path; *meta (may be NULL) receives the malloc'd metadata. */
int  lm_nlm_load(lm_nlm **out, char **meta, const char *path, lm_err *err);
/* 1 if kind is one of these families ("fflm", "rnn"). */
int  lm_nlm_is_kind(const char *kind);
/* Takes a copy of the tokeniser t as m's blob (a new model's tokeniser). */
int  lm_nlm_set_tokenizer(lm_nlm *m, const lm_tokenizer *t, lm_err *err);
/* Summed -ln p of ids[1..n) (see above). */
int  lm_nlm_nll(lm_nlm *m, const int32_t *ids, size_t n, double *sum_nats, lm_err *err);

#endif
