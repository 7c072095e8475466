/* ngram.h - the n-gram language model: count every n-gram of a token stream
 * up to order N, then turn the counts into next-token probabilities with
 * add-k or interpolated Kneser-Ney smoothing. The lecture's model: "the
 * probability of w after a context is how often the context was followed by
 * w, over how often the context was seen", with the Markov assumption (only
 * the last N-1 tokens matter) and smoothing for the counts that are zero.
 *
 * Contract
 * - Counting. lm_ngram_count(g, ids, n) reads ids as the continuation of
 *   the stream counted so far (so counting a stream in chunks gives exactly
 *   the counts of counting it whole) and, at each token t_i, adds one to the
 *   count of every n-gram ending there: (t_i), (t_i-1 t_i), ...,
 *   (t_i-N+1 .. t_i), as far as the stream reaches back. c(h w) below is
 *   such a count. The stream is whatever the caller counts: the pretraining
 *   stream (data/dataset.h) puts <|endoftext|> before every document, so
 *   "<|endoftext|> The" is counted as a document's start.
 * - Exactness. At most LM_NGRAM_MAX_TOKENS (2^24 - 1) tokens are counted
 *   and ids are below LM_NGRAM_MAX_VOCAB (2^24): every count, id and row
 *   index is then an integer below 2^24, exact in f32, which is how a model
 *   file stores them (below). Counting past the limit is refused.
 * - Context. For a text t_0 .. t_{m-1}, the next token is predicted from
 *   h = the last min(m, N-1) tokens (the Markov assumption). "order" below
 *   is the model's N, or a smaller order chosen at query time
 *   (lm_ngram_set_query): the probabilities are then exactly those of a
 *   model counted with -n order on the same text.
 * - S(h) = sum over w of c(h w): how often h was followed by something.
 * - add-k (Laplace when k = 1): p(w | h) = (c(h w) + k) / (S(h) + k V),
 *   with h of length order-1 (shorter at the start of a text). An unseen
 *   context gives 1/V for every token: add-k does not back off.
 * - Kneser-Ney, interpolated (Chen & Goodman 1998). Level n (1..order)
 *   holds the n-grams; its counts a(g) are the raw counts c(g) at the top
 *   level n = order, and the continuation counts N1+(. g) (how many
 *   different tokens came just before g) at every lower level. For
 *   h_n = the last n-1 tokens of h (h_1 empty):
 *       p_0(w) = 1 / V
 *       p_n(w) = max(a(h_n w) - D_n(a(h_n w)), 0) / A(h_n)
 *                + gamma(h_n) p_{n-1}(w),
 *       gamma(h_n) = (D_n1 N1(h_n) + D_n2 N2(h_n) + D_n3 N3+(h_n)) / A(h_n)
 *   where A(h_n) = sum over w of a(h_n w), Nj(h_n) = how many w have
 *   a(h_n w) = j (N3+: >= 3), D_n(0) = 0, D_n(1) = D_n1, D_n(2) = D_n2,
 *   D_n(>=3) = D_n3. When A(h_n) = 0 (h_n never seen, or only at the end of
 *   the text) p_n = p_{n-1}. p(w | h) = p_m(w) with m = 1 + the length of
 *   h. Every p is > 0 and they sum to 1 over the vocabulary.
 * - Discounts per level n, from the level's count-of-counts nj = how many
 *   n-grams have a(g) = j: Y = n1 / (n1 + 2 n2) (0.5 when n1 = 0);
 *     plain ("kn"):     D_n1 = D_n2 = D_n3 = Y;
 *     modified ("mkn"): D_n1 = Y, D_n2 = 2 - 3 Y n3 / n2,
 *                       D_n3 = 3 - 4 Y n4 / n3, each replaced by Y when its
 *                       denominator is 0 or it is not > 0;
 *     fixed (discount d > 0 given): every D = d.
 *   So 0 < D_nj <= j, which keeps every probability above 0.
 * - A model file of kind "ngram" (io/modelfile.h) stores the counts as its
 *   parameters, f32, level by level (n = 1 .. N), each level's rows sorted
 *   by (context row, token id), each row three numbers:
 *       context row  the index of the row of its first n-1 tokens in level
 *                    n-1 (0 at level 1: the empty context),
 *       token id     its last token,
 *       count        c(g) >= 1.
 *   The config (LM_NGRAM_CONFIG_BYTES, little-endian): i32 N (1..8), i32
 *   smoothing (0 add-k, 1 kn, 2 mkn), f32 k, f32 discount (0 = estimated),
 *   i32 vocab, u32 tokens counted, u32 rows[8] (rows of level 1..8; 0 above
 *   N), i32 tail_len, i32 tail[7] (the last tail_len ids counted, oldest
 *   first, so more text can be counted as the stream's continuation).
 *   Loading checks every field, every row (integers in range, sorted,
 *   every n-gram's last n-1 tokens present one level down, the level-1
 *   counts adding up to the tokens counted, the tail present) and refuses
 *   anything else with a message naming the row.
 * - Nothing prints; failures return -1 with lm_err. Queries only read the
 *   model (several threads may query one model at once; counting and
 *   lm_ngram_set_query need it alone).
 */
#ifndef LM_NGRAM_H
#define LM_NGRAM_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "io/modelfile.h"
#include "tok/tokenizer.h"

#define LM_KIND_NGRAM "ngram"
#define LM_NGRAM_MAX_ORDER 8
#define LM_NGRAM_MAX_TOKENS ((1u << 24) - 1)
#define LM_NGRAM_MAX_VOCAB (1 << 24)
#define LM_NGRAM_MAX_K 100.0f
#define LM_NGRAM_CONFIG_BYTES 88u

typedef enum { LM_NGRAM_ADDK = 0, LM_NGRAM_KN = 1, LM_NGRAM_MKN = 2 } lm_ngram_smoothing;

typedef struct {
    int order;                     /* N: 1 .. LM_NGRAM_MAX_ORDER */
    lm_ngram_smoothing smoothing;
    float k;                       /* add-k: (0, LM_NGRAM_MAX_K] */
    float discount;                /* Kneser-Ney: 0 = estimated, else (0, 1] for every level */
} lm_ngram_config;

typedef struct lm_ngram lm_ngram;

/* "addk", "kn", "mkn" <-> the enum; -1 for an unknown name. */
int lm_ngram_smoothing_parse(const char *name);
const char *lm_ngram_smoothing_name(lm_ngram_smoothing s);
/* "add-k (k = 1, Laplace)", "Kneser-Ney (interpolated, plain discount)", ...
 * for the query settings in force; returns buf. */
char *lm_ngram_describe_smoothing(const lm_ngram *g, char *buf, size_t cap);
/* The config's fields checked, with a message naming the bad one. */
int lm_ngram_config_check(const lm_ngram_config *c, lm_err *err);

/* A model with no counts yet, over ids 0 .. vocab-1. */
lm_ngram *lm_ngram_new(const lm_ngram_config *c, int vocab, lm_err *err);
void lm_ngram_free(lm_ngram *g);

/* ---- counting (ngram_table.c) ---- */
/* Counts ids as the continuation of the stream counted so far. Fails (and
 * counts nothing) on an id outside the vocabulary or when the tokens
 * counted would pass LM_NGRAM_MAX_TOKENS. Out of memory, it fails having
 * counted a prefix of ids (whole slices of 65,536): the counts stay those
 * of a shorter stream, never half a token's. */
int lm_ngram_count(lm_ngram *g, const int32_t *ids, size_t n, lm_err *err);

/* What was counted. */
const lm_ngram_config *lm_ngram_config_of(const lm_ngram *g);
int      lm_ngram_vocab(const lm_ngram *g);
uint32_t lm_ngram_tokens(const lm_ngram *g);
/* distinct n-grams of level n (1..N); 0 outside */
uint32_t lm_ngram_rows(const lm_ngram *g, int n);
/* the sum of lm_ngram_rows over every level */
uint64_t lm_ngram_total_rows(const lm_ngram *g);

/* ---- the counts of a context (what `llmlab ngram counts` shows) ---- */
typedef struct {
    int found;             /* the context was counted as an n-gram */
    uint32_t count;        /* c(h): times the context itself was counted */
    uint32_t followed;     /* S(h): times it was followed by a token */
    uint32_t distinct;     /* different tokens that followed it */
} lm_ngram_context;
/* The context h = ctx[0..n) (n <= N-1; n = 0 is the empty context, counted
 * as often as there are tokens). With next_ids (may be NULL) and cap > 0,
 * the continuations are listed, most frequent first (ties: lower id first),
 * up to cap of them: next_ids[i], next_counts[i] = c(h w); *n_next receives
 * how many were written. */
int lm_ngram_context_counts(const lm_ngram *g, const int32_t *ctx, size_t n, lm_ngram_context *out,
                            int32_t *next_ids, uint32_t *next_counts, int cap, int *n_next, lm_err *err);
/* c(g) for the n-gram ids[0..n) (1 <= n <= N); 0 when never seen. */
uint32_t lm_ngram_count_of(const lm_ngram *g, const int32_t *ids, size_t n);

/* ---- probabilities (ngram_prob.c) ---- */
/* The smoothing used by the queries below: the file's unless changed here.
 * order 1..N (0 = N); smoothing; k for add-k (> 0); discount 0 = estimated
 * or a fixed (0, 1]. Checked like the config. */
int lm_ngram_set_query(lm_ngram *g, int order, lm_ngram_smoothing smoothing, float k, float discount,
                       lm_err *err);
/* the order queries use now (N unless lowered) */
int lm_ngram_query_order(const lm_ngram *g);
/* the query settings in force (any pointer may be NULL) */
void lm_ngram_get_query(const lm_ngram *g, int *order, lm_ngram_smoothing *smoothing, float *k, float *discount);
/* D_n1, D_n2, D_n3 of level n (1..order) under the query settings. */
void lm_ngram_discounts(const lm_ngram *g, int n, double d[3]);

/* p(w | the last order-1 ids of ids[0..n)); n may be 0 (the empty context). */
double lm_ngram_prob(const lm_ngram *g, const int32_t *ids, size_t n, int32_t w);
/* The whole distribution p[0..V) after ids[0..n). */
void lm_ngram_dist(const lm_ngram *g, const int32_t *ids, size_t n, double *p);
/* Summed -ln p of ids[1..n), each given the ids before it in ids[0..n). */
double lm_ngram_nll(const lm_ngram *g, const int32_t *ids, size_t n);

/* How p(w | h) was built, one level at a time (the slide): for add-k one
 * step (the top level); for Kneser-Ney every level 1..m, lowest first. */
typedef struct {
    int n;               /* level: an n-gram model's n */
    int ctx_len;         /* n - 1: tokens of context at this level */
    int seen;            /* the context has continuations at this level (A > 0) */
    double a;            /* the count of (context w) used: raw at the top, continuation below */
    uint32_t raw;        /* the raw count c(context w) */
    double total;        /* A(context) (add-k: S(context)) */
    double discount;     /* D(a) (0 for add-k) */
    double gamma;        /* the weight of the level below (0 for add-k) */
    double p;            /* p_n(w) */
} lm_ngram_step;
/* Fills steps[0..*n_steps) (at most LM_NGRAM_MAX_ORDER). */
void lm_ngram_explain(const lm_ngram *g, const int32_t *ids, size_t n, int32_t w, lm_ngram_step *steps,
                      int *n_steps);
/* The longest context (0..order-1 tokens) after which w was counted
 * (c(h w) > 0, raw), and that count; -1 when w was never counted at all. */
int lm_ngram_seen_after(const lm_ngram *g, const int32_t *ids, size_t n, int32_t w, uint32_t *count);

/* ---- model files (ngram_file.c) ---- */
/* The modelfile KINDS check (io/modelfile.c): the config's fields and the
 * parameter count it implies (3 per row). */
int lm_ngram_check_config(const uint8_t *config, uint32_t config_bytes, uint64_t n_params, lm_err *err);
/* The model's config bytes and its rows as f32 in the file's order:
 * *params is malloc'd (3 * lm_ngram_total_rows floats; NULL when there are
 * none). */
int lm_ngram_serialize(const lm_ngram *g, uint8_t config[LM_NGRAM_CONFIG_BYTES], float **params,
                       uint64_t *n_params, lm_err *err);
/* A model from a file's parts (kind ngram), every row checked. */
lm_ngram *lm_ngram_from_parts(const lm_file_parts *p, lm_err *err);
/* Saves g with the tokeniser blob and metadata (atomic, io/modelfile.h). */
int lm_ngram_save(const lm_ngram *g, const uint8_t *tok_blob, size_t tok_len, const char *metadata,
                  int steps, const char *path, lm_err *err);

/* ---- the language-model interface (ngram_lmodel.c) ---- */
struct lm_lmodel;
/* kind ngram's opener (models/lmodels.c) */
int lm_ngram_lmodel_open(struct lm_lmodel *lm, lm_file_parts *parts, lm_err *err);
/* A language model over g counted in memory (not from a file): g and tok
 * are taken (freed with lm, or at once on failure); metadata is copied. */
struct lm_lmodel *lm_ngram_lmodel_wrap(lm_ngram *g, lm_tokenizer *tok, const char *metadata, lm_err *err);
/* the n-gram inside an opened model of kind ngram, else NULL */
lm_ngram *lm_ngram_of(struct lm_lmodel *lm);
/* "4-gram, interpolated Kneser-Ney (plain discounts), 2736531 tokens
 * counted, 3922959 n-grams" under the query settings in force; returns buf
 * (the opener writes it into the lm_lmodel's desc). */
char *lm_ngram_describe(const lm_ngram *g, char *buf, size_t cap);

#endif
