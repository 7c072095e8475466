/* bpe_train.h - learning a byte-level BPE vocabulary, merge by merge.
 *
 * Contract
 * - Input: any bytes (pointer + length; NUL and invalid UTF-8 included).
 * - Ids 0..255 are the single bytes in byte order. Merge k (k = 0, 1, ...)
 *   creates id 256 + k whose bytes are bytes(left) ++ bytes(right). Reserved
 *   special tokens (chat markers such as "<|endoftext|>") get the ids after the
 *   merges, in the order the caller gives them.
 * - opts.vocab_size is the TOTAL size: 256 + merges + specials. Training stops
 *   early (fewer merges, not an error) when no pair occurs any more.
 * - A pair's count is the number of adjacent (left, right) positions in the
 *   pre-tokenised pieces, overlaps included ("aaa" holds (a,a) twice), weighted
 *   by how often each piece occurs. Each merge takes the pair with the highest
 *   count; ties go to the lowest (left, right). Occurrences of the chosen pair
 *   are merged left to right inside each piece, as an encoder replaying the
 *   merges in order would. A merge whose bytes already name a token (possible
 *   only through two different splits of the same string) is skipped, so every
 *   token's bytes are unique (tiktoken's rank == id == merge order).
 * - Merges never cross piece boundaries: the text is first cut at every
 *   occurrence of a special token's text (those bytes are not learned), then
 *   each segment is split by the pre-tokenisation pattern (lm_pretok_split,
 *   pretok.h: bytes that are not valid UTF-8 become pieces of their own). With no pattern
 *   each segment is one piece.
 * - Incremental algorithm: unique pieces with counts, per-pair counts and
 *   occurrence lists, a max-heap of pairs with lazy deletion; a merge touches
 *   only the positions where the pair occurs. A few MB train in seconds.
 * - Nothing here prints or exits; failures return -1 with an lm_err.
 */
#ifndef LM_BPE_TRAIN_H
#define LM_BPE_TRAIN_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "tok/tokenizer.h"

/* Pre-tokenisation by name: "none" (or NULL) -> NULL, "gpt2"/"r50k_base" ->
 * LM_PAT_R50K, "gpt4"/"cl100k_base" -> LM_PAT_CL100K, "o200k_base" ->
 * LM_PAT_O200K, "digits" -> LM_PAT_DIGITS (pretok.h); -1 for an unknown name. Any PCRE2 pattern works
 * as opts.pattern. */
int lm_bpe_pattern_by_name(const char *name, const char **pattern, lm_err *err);

/* Called every progress_every merges and once at the end with done/total
 * merges. Returning nonzero cancels training. */
typedef int (*lm_bpe_progress_fn)(void *user, int done, int total);

typedef struct {
    int vocab_size;                  /* total ids wanted, >= 256 + n_specials */
    const char *pattern;             /* pre-tokenisation regex, NULL = none */
    const char *const *specials;     /* NUL-terminated texts, may be NULL */
    int n_specials;
    lm_bpe_progress_fn progress;     /* may be NULL */
    void *progress_user;
    int progress_every;              /* merges between calls; <= 0 means 64 */
} lm_bpe_train_opts;

/* One step of the merge trace. */
typedef struct {
    int32_t left, right;   /* the ids that were merged */
    int32_t id;            /* the new id (= 256 + index in the trace) */
    int64_t count;         /* the pair's count when it was chosen */
} lm_bpe_merge;

/* The result: merge trace, bytes of every id, specials. */
typedef struct {
    lm_bpe_merge *merges;  /* [n_merges] */
    int n_merges;
    uint8_t *bytes;        /* all token bytes, back to back */
    size_t *offs;          /* [256 + n_merges + 1]: id i is bytes[offs[i] .. offs[i+1]) */
    char **specials;       /* [n_specials] copies; id = 256 + n_merges + k */
    int n_specials;
    char *pattern;         /* copy of opts.pattern or NULL */
    int cancelled;         /* 1 if the progress callback stopped training */
    size_t n_pieces;       /* pieces after pre-tokenisation (statistics) */
    size_t n_unique;       /* distinct pieces */
} lm_bpe_merges;

/* Trains on text[0..len). On success returns 0. On cancellation returns -1
 * with out->cancelled = 1 and out holding the merges done so far (valid; free
 * it). On any other failure returns -1 with out emptied. */
int lm_bpe_train(const uint8_t *text, size_t len, const lm_bpe_train_opts *opts,
                 lm_bpe_merges *out, lm_err *err);

/* 256 + n_merges + n_specials */
int lm_bpe_merges_vocab_size(const lm_bpe_merges *m);
/* bytes of a non-special id (0 .. 255 + n_merges), NULL otherwise */
const uint8_t *lm_bpe_merges_piece(const lm_bpe_merges *m, int32_t id, size_t *len);

/* A BPE tokeniser (rank == id == merge order) with the merges' pattern and
 * specials, built through lm_tok_bpe_new. name may be NULL ("bpe"). */
lm_tokenizer *lm_bpe_merges_to_tokenizer(const lm_bpe_merges *m, const char *name, lm_err *err);

void lm_bpe_merges_free(lm_bpe_merges *m);

#endif
