/* lmodel.h - any language model, whatever its kind: the one interface the
 * views and commands that only need "p(next token | tokens so far)" use, so
 * an n-gram, a feed-forward LM, an RNN and the transformer show their
 * next-token bars, generate, and are compared in bits per byte the same way.
 *
 * Contract
 * - An lm_lmodel is a loaded model of some kind (its file's kind: "gpt",
 *   "ngram", "fflm", "rnn", ...), with its own tokeniser, vocabulary size,
 *   context (the most tokens it conditions on; 0 = unbounded, as an RNN) and
 *   parameter count. It is opened from a model file by lm_lmodel_open, which
 *   picks the kind's opener from the table in lmodels.c (a new kind adds one
 *   line there).
 * - next_logits(ids[0..n)) writes logits[V] for the token after ids[n-1];
 *   n >= 1 (callers start a text with the tokeniser's own start, or a
 *   document separator). A kind with a bounded context looks at the last
 *   n_ctx ids only.
 * - nll(ids[0..n)) returns the summed negative log-likelihood (nats) of
 *   ids[1..n) given the ids before each one (inside the window, which the
 *   caller keeps within n_ctx when n_ctx > 0). It is what perplexity and
 *   bits per byte are made of; it equals summing -log softmax(next_logits)
 *   position by position (each kind's test checks it; tests/test_lmodel.c for gpt).
 * - Opening a file of a kind this build does not know, or a damaged file,
 *   fails with a message naming the file; nothing prints or exits.
 */
#ifndef LM_LMODEL_H
#define LM_LMODEL_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/rng.h"
#include "decode/generate.h"
#include "decode/sampler.h"
#include "io/modelfile.h"
#include "tok/tokenizer.h"

typedef struct lm_lmodel lm_lmodel;

typedef struct {
    const char *kind;   /* the model file's kind name */
    int  (*next_logits)(lm_lmodel *lm, const int32_t *ids, size_t n, float *logits, lm_err *err);
    int  (*nll)(lm_lmodel *lm, const int32_t *ids, size_t n, double *sum_nats, lm_err *err);
    void (*free_self)(void *self);
} lm_lmodel_ops;

struct lm_lmodel {
    const lm_lmodel_ops *ops;
    void *self;              /* the kind's own model */
    lm_tokenizer *tok;       /* owned */
    int vocab;               /* V */
    int n_ctx;               /* tokens it conditions on; 0 = unbounded */
    size_t n_params;         /* trainable numbers (an n-gram: its stored counts) */
    char kind[16];
    char *metadata;          /* the file's "key=value\n" text (owned, never NULL) */
    char desc[160];          /* one line: "4-gram, Kneser-Ney, 312k contexts" */
};

/* Opens any known kind from a model file. */
lm_lmodel *lm_lmodel_open(const char *path, lm_err *err);
void lm_lmodel_free(lm_lmodel *lm);

/* A kind's opener (one line of lmodels.c's table): builds lm from the
 * file's parts (io/modelfile.h), taking (and zeroing) what it keeps. It
 * fills ops, self, vocab, n_ctx, n_params and desc; lm_lmodel_open has set
 * tok, kind and metadata already, and checks vocab against the tokeniser. */
typedef int (*lm_lmodel_opener)(lm_lmodel *lm, lm_file_parts *parts, lm_err *err);
/* The openers this build has, by kind (lmodels.c); NULL for an unknown kind. */
lm_lmodel_opener lm_lmodel_opener_for(const char *kind);
/* The kinds with an opener, comma-separated ("gpt, ngram, ..."), for
 * messages; returns buf. */
char *lm_lmodel_kinds(char *buf, size_t cap);
/* gpt's opener (models/gpt/gpt_lmodel.c). */
int lm_gpt_lmodel_open(lm_lmodel *lm, lm_file_parts *parts, lm_err *err);
/* A transformer the caller already holds, seen through the interface (for
 * lm_lmodel_text_loss on an open model): fills *lm, which borrows m and tok
 * (both stay the caller's, and must outlive the view). Never pass a view to
 * lm_lmodel_free; there is nothing to free. */
void lm_gpt_lmodel_view(lm_lmodel *lm, lm_model *m, lm_tokenizer *tok);
/* the feed-forward and recurrent LMs' opener, kinds fflm and rnn (models/nlm/nlm_lmodel.c). */
int lm_nlm_lmodel_open(lm_lmodel *lm, lm_file_parts *parts, lm_err *err);

/* ---- what every kind gets from the interface ---- */

/* The next-token distribution after ids, through the sampler (so the
 * temperature, top-k and top-p cuts show as for the transformer). */
int lm_lmodel_next(lm_lmodel *lm, const int32_t *ids, size_t n, const lm_sampling *s, lm_rng *rng,
                   lm_sample_result *r, lm_err *err);

/* Generation with the options and rules of decode/generate.h (max_new,
 * sampling, stop ids reported and not appended, on_token, and for a
 * context-bounded kind the context policy: stop at n_ctx tokens, or o->slide
 * the window by lm_slide_start, next_logits reading only the window; the
 * slides counted in res): the new tokens are appended to *ids, which holds
 * the prompt. The same seed gives the same tokens. */
int lm_lmodel_generate(lm_lmodel *lm, lm_ids *ids, const lm_gen_opts *o, lm_rng *rng, lm_gen_result *res,
                       lm_err *err);

/* Loss on a text, in the units a comparison across kinds and tokenisers
 * needs: the text is encoded with the model's tokeniser and cut into
 * windows of `window` tokens (clipped to n_ctx when bounded); every token
 * but each window's first is scored. max_windows > 0 scores that many
 * windows spread evenly over the text (window k * total / max_windows), so
 * a quick figure still samples all of it; 0 scores every window. The same
 * text, window and max_windows give every kind the same tokens to predict
 * when they share a tokeniser; across tokenisers, bits per byte is the
 * figure to compare. */
typedef struct {
    double nats;        /* summed -ln p */
    long   tokens;      /* tokens scored */
    double bytes;       /* bytes of the scored tokens */
    double bits_per_byte;     /* nats / ln 2 / bytes */
    double nats_per_token;    /* nats / tokens (perplexity = exp of it) */
} lm_text_loss;

int lm_lmodel_text_loss(lm_lmodel *lm, const uint8_t *text, size_t len, int window, size_t max_windows,
                        lm_text_loss *out, lm_err *err);

#endif
