/* embedding.h - the geometry of an embedding table: how similar two rows
 * are (cosine), a row's nearest neighbours, analogies (b - a + c) and a 2-D
 * picture of chosen rows (PCA). For any table of vectors with names: the
 * GPT's token embeddings wte (models/gpt/embed.h makes the space) and, when
 * that issue lands, the word2vec vectors of a pre-transformer model.
 *
 * Contract
 * - An lm_emb_space is a view of a row-major matrix E [V, C] (row i = the
 *   vector of item i; not copied, so it is valid while the owner's buffer
 *   is and shows the owner's current values) plus a label function giving
 *   the bytes of item i's name (a token's piece, a word). lm_emb_open
 *   computes every row's length once; after the owner changes E (training),
 *   open the space again.
 * - cosine(a, b) = a.b / (|a| |b|), in [-1, 1]; a zero vector has cosine 0
 *   with everything. Products with E go through cblas_sgemv (fp32); lengths
 *   and the PCA are in float64.
 * - Rankings are by cosine, highest first; ties go to the lower id. An
 *   item is never its own neighbour. k is clipped to the items left.
 * - Analogy "a is to b as c is to ?" (3CosAdd, Mikolov et al. 2013): the
 *   target is b/|b| - a/|a| + c/|c| (unit vectors, so no word counts for
 *   more because its vector is longer), the answers the items most similar
 *   to it by cosine with a, b and c themselves left out (as is standard:
 *   otherwise b or c usually wins). E.g. a = man, b = men, c = woman: the
 *   vector men - man + woman, answer women.
 * - PCA of n chosen rows (2 <= n <= LM_EMB_PCA_MAX): the rows are centred
 *   (their mean subtracted) and projected on the top two principal
 *   components (the eigenvectors of their covariance with the largest
 *   eigenvalues). Computed from the n x n Gram matrix of the centred rows
 *   with a cyclic Jacobi eigen-solver (no library): if G = X X^T = U L U^T,
 *   the coordinates on component j are U[:, j] sqrt(L[j]). Each axis's sign
 *   is fixed so that the point farthest from 0 along it is positive (the
 *   first such point on a tie); var[j] = L[j] / trace(G) is the share of the
 *   chosen rows' variance that axis shows.
 * - Results own their arrays (free with the matching _free, which accepts a
 *   zeroed struct). 0, or -1 with a message. Nothing prints.
 */
#ifndef LM_NN_EMBEDDING_H
#define LM_NN_EMBEDDING_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

/* the bytes of item id's name (not NUL-terminated), or NULL when it has none */
typedef const uint8_t *(*lm_emb_label_fn)(const void *ctx, int32_t id, size_t *len);

typedef struct {
    const float *E;          /* [V, C], borrowed */
    int V, C;
    lm_emb_label_fn label;   /* may be NULL: items are nameless */
    const void *label_ctx;
    float *norm;             /* [V] |row i|, owned */
} lm_emb_space;

int  lm_emb_open(lm_emb_space *s, const float *E, int V, int C, lm_emb_label_fn label,
                 const void *label_ctx, lm_err *err);
void lm_emb_close(lm_emb_space *s);

/* the name's bytes (NULL when none) */
const uint8_t *lm_emb_label(const lm_emb_space *s, int32_t id, size_t *len);
/* the first item whose name is exactly text[0..len), or -1 */
int32_t lm_emb_find(const lm_emb_space *s, const uint8_t *text, size_t len);
/* cosine similarity of rows a and b (ids must be in range) */
float lm_emb_cosine(const lm_emb_space *s, int32_t a, int32_t b);

typedef struct {
    int k;
    int32_t *id;   /* [k] most similar first */
    float *sim;    /* [k] their cosine with the query */
} lm_emb_hits;

/* the k items most similar to the vector q [C], leaving out exclude[0..n_ex) */
int  lm_emb_nearest(const lm_emb_space *s, const float *q, const int32_t *exclude, int n_ex, int k,
                    lm_emb_hits *out, lm_err *err);
/* the k nearest neighbours of item id (id itself left out) */
int  lm_emb_neighbours(const lm_emb_space *s, int32_t id, int k, lm_emb_hits *out, lm_err *err);
/* "a is to b as c is to ?": the k items nearest to b^ - a^ + c^, a, b, c left out */
int  lm_emb_analogy(const lm_emb_space *s, int32_t a, int32_t b, int32_t c, int k, lm_emb_hits *out,
                    lm_err *err);
void lm_emb_hits_free(lm_emb_hits *h);

#define LM_EMB_PCA_MAX 128
typedef struct {
    int n;
    int32_t *id;     /* [n] the rows, in the order given */
    float *xy;       /* [n, 2] coordinates on the first and second component */
    double var[2];   /* share of the variance each component shows, in [0, 1] */
} lm_emb_pca;

int  lm_emb_pca2(const lm_emb_space *s, const int32_t *ids, int n, lm_emb_pca *out, lm_err *err);
void lm_emb_pca_free(lm_emb_pca *p);

#endif
