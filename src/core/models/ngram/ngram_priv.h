/* ngram_priv.h - the n-gram model's count table, shared by the files of
 * models/ngram/ (not part of the contract: see ngram.h).
 *
 * The counts form a trie of levels: level n holds one row per distinct
 * n-gram, keyed by (its context: the row of its first n-1 tokens in level
 * n-1, its last token). Level 0 is the empty context, one row. A hash
 * table per level finds a row from its key; each row of a level below the
 * top also lists its children (the rows one level up that extend it) and
 * keeps what smoothing needs about them, updated as counting goes, so a
 * probability costs a few lookups and never a scan:
 *   raw_sum / raw_n[j]    sum of the children's raw counts, and how many
 *                         children have raw count 1, 2, >= 3;
 *   cont_sum / cont_n[j]  the same over the children's continuation counts.
 * A row's continuation count (cont) is how many different tokens were seen
 * just before its n-gram: the number of rows one level up whose last n
 * tokens are this n-gram. raw_hist / cont_hist count a level's rows with
 * count 1..4, for the discounts. */
#ifndef LM_NGRAM_PRIV_H
#define LM_NGRAM_PRIV_H

#include "models/ngram/ngram.h"

#define NG_NONE UINT32_MAX

typedef struct {
    uint32_t n, cap;                 /* rows */
    uint32_t *parent, *id;           /* the key */
    uint32_t *count;                 /* raw count c(g) */
    uint32_t *next_sib;              /* the next child of the same context row, or NG_NONE */
    uint32_t *cont;                  /* continuation count (levels 1 .. N-1) */
    /* as a context (levels 0 .. N-1) */
    uint32_t *first_child;
    uint32_t *raw_sum, *raw_n[3];
    uint32_t *cont_sum, *cont_n[3];
    uint32_t *slots;                 /* hash: 0 = empty, else row + 1 (levels >= 1) */
    uint32_t n_slots;                /* a power of two, or 0 */
} ng_level;

struct lm_ngram {
    lm_ngram_config cfg;
    int vocab;
    uint32_t tokens;
    ng_level lv[LM_NGRAM_MAX_ORDER + 1];
    uint32_t raw_hist[LM_NGRAM_MAX_ORDER + 1][5];    /* [n][j]: rows of level n with raw count j (1..4) */
    uint32_t cont_hist[LM_NGRAM_MAX_ORDER + 1][5];   /* ... with continuation count j */
    /* the stream so far: prev[j] = the row of the j-gram ending at the last
     * token counted (j = 1 .. have), tail = the last `have` ids */
    uint32_t prev[LM_NGRAM_MAX_ORDER];
    int32_t tail[LM_NGRAM_MAX_ORDER];
    int have;
    /* query settings (lm_ngram_set_query) */
    int q_order;
    lm_ngram_smoothing q_smoothing;
    float q_k, q_discount;
};

/* the row of (parent, id) in level n (>= 1), or NG_NONE */
uint32_t ng_find(const ng_level *L, uint32_t parent, uint32_t id);
/* the row of the n-gram ids[0..len) in level len (0: the root), or NG_NONE */
uint32_t ng_node(const lm_ngram *g, const int32_t *ids, size_t len);
/* room for `more` new rows in level n (arrays and hash) */
int ng_reserve(lm_ngram *g, int n, uint32_t more, lm_err *err);
/* a new row (parent, id) with count 0 at level n (room reserved), linked to
 * its context row; returns its index */
uint32_t ng_add_row(lm_ngram *g, int n, uint32_t parent, uint32_t id);
/* raw count of row r at level n goes up by `by`: its context's raw stats and
 * the level's raw_hist follow */
void ng_add_raw(lm_ngram *g, int n, uint32_t r, uint32_t by);
/* continuation count of row r at level n (1 .. N-1) goes up by one */
void ng_add_cont(lm_ngram *g, int n, uint32_t r);

#endif
