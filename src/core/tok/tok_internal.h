/* tok_internal.h - the inside of lm_tokenizer, shared by tokenizer.c,
 * tok_serial.c, tok_bpe.c, tok_tiktoken.c and tok_word.c. Not part of the
 * public contract. */
#ifndef LM_TOK_INTERNAL_H
#define LM_TOK_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "tok/pretok.h"
#include "tok/tokenizer.h"

#define LM_TOK_NO_PIECE UINT32_MAX   /* tok_len of an id with no bytes (a gap) */

/* Open-addressing map from byte strings (stored in the tokenizer's arena) to
 * ids. Each slot holds id+1 (0 = empty) and 32 bits of the key's hash. */
typedef struct {
    uint32_t *slot_id;     /* [cap] id + 1, 0 = empty */
    uint32_t *slot_hash;   /* [cap] */
    size_t cap, n;         /* cap is a power of two, n <= cap / 2 */
} lm_tok_map;

typedef struct {
    uint8_t *text;         /* the marker's bytes, e.g. "<|endoftext|>" */
    size_t len;
    int32_t id;
} lm_tok_special;

struct lm_tokenizer {
    lm_tok_kind kind;
    char name[64];
    int vocab_size;                 /* ids 0 .. vocab_size-1 (there may be gaps) */

    /* decode table: the bytes of every id */
    uint8_t *arena;                 /* all pieces back to back */
    size_t arena_len, arena_cap;
    uint64_t *tok_off;              /* [vocab_size] */
    uint32_t *tok_len;              /* [vocab_size], LM_TOK_NO_PIECE for gaps */

    /* the n_pieces ordinary tokens (ids 0 .. n_pieces-1; BPE rank == id) */
    int n_pieces;
    lm_tok_map map;                 /* bytes -> id over the ordinary tokens */

    lm_tok_special *specials;       /* sorted by length, longest first */
    int n_specials;

    /* BPE */
    int32_t byte_id[256];           /* id of each single byte */
    lm_pretok *pretok;              /* NULL = no pre-tokenisation */

    /* word */
    int32_t unk_id;                 /* -1 unless a word tokenizer */
};

uint32_t lm_tok_hash(const uint8_t *p, size_t n);
/* id of the ordinary token with these bytes, -1 if none */
int32_t  lm_tok_map_get(const lm_tokenizer *t, const uint8_t *p, size_t n);

/* Builds a tokenizer's tables from n ordinary pieces (id = index) and the
 * specials; vocab_size = 1 + the largest id (plus extra_ids after the pieces,
 * e.g. <unk>). Refuses duplicates. Fills name/kind; pretok is left NULL. */
lm_tokenizer *lm_tok_build(lm_tok_kind kind, const char *name,
                           const uint8_t *const *pieces, const size_t *lens, int n,
                           const char *const *specials, const size_t *special_lens,
                           const int32_t *special_ids, int n_specials, lm_err *err);
/* Adds bytes for an id beyond the pieces (used for <unk>); 0 or -1. */
int lm_tok_set_extra(lm_tokenizer *t, int32_t id, const uint8_t *p, size_t n, lm_err *err);

/* per-kind encoders of ordinary text (no special markers) */
int lm_tok_bpe_encode_ordinary(const lm_tokenizer *t, const uint8_t *text, size_t len,
                               lm_ids *out, lm_err *err);
int lm_tok_word_encode(const lm_tokenizer *t, const uint8_t *text, size_t len,
                       lm_ids *out, lm_err *err);
int lm_tok_word_decode(const lm_tokenizer *t, const int32_t *ids, size_t n,
                       uint8_t **buf, size_t *len, lm_err *err);

int lm_ids_reserve(lm_ids *v, size_t extra);

#endif
