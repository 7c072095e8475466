/* tokenizer.h - text <-> token ids, with the step traces a lecture shows.
 *
 * Contract
 * - Kinds: byte ("char": one id per byte, ids 0..255), word (a dictionary built
 *   from a text, id 0 reserved for <unk>... see tok_word.c), and byte-level BPE
 *   (rank-based, the tiktoken algorithm) which serves both BPE trained here and
 *   OpenAI's .tiktoken encodings (r50k_base = gpt2, cl100k_base, o200k_base)
 *   with their exact PCRE2 pre-tokenisation patterns.
 * - Every API takes pointer + length: any bytes, NUL and invalid UTF-8 included.
 *   For byte and BPE tokenisers decode(encode(x)) == x for every x.
 * - Special tokens (chat template markers such as "<|user|>") are never
 *   produced from plain text unless allow_special is set.
 * - A tokeniser serialises to a blob that a model file carries (modelfile.h).
 * - Nothing here prints or exits; failures return -1 with an lm_err.
 */
#ifndef LM_TOKENIZER_H
#define LM_TOKENIZER_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

typedef enum { LM_TOK_BYTE = 0, LM_TOK_WORD = 1, LM_TOK_BPE = 2 } lm_tok_kind;

typedef struct lm_tokenizer lm_tokenizer;   /* opaque */

/* a growable id list; free with lm_ids_free */
typedef struct {
    int32_t *ids;
    size_t   n, cap;
} lm_ids;
void lm_ids_free(lm_ids *v);

lm_tokenizer *lm_tok_byte_new(void);
void          lm_tok_free(lm_tokenizer *t);
lm_tok_kind   lm_tok_kind_of(const lm_tokenizer *t);
const char   *lm_tok_name(const lm_tokenizer *t);       /* "char", "o200k_base", "bpe", ... */
int           lm_tok_vocab_size(const lm_tokenizer *t);  /* ids are 0 .. size-1 */

/* Appends ids to out. */
int lm_tok_encode(const lm_tokenizer *t, const uint8_t *text, size_t len,
                  int allow_special, lm_ids *out, lm_err *err);
/* Appends the bytes of ids to *buf (malloc'd/realloc'd, length in *len). */
int lm_tok_decode(const lm_tokenizer *t, const int32_t *ids, size_t n,
                  uint8_t **buf, size_t *len, lm_err *err);
/* The bytes of one token (not NUL-terminated), NULL for an invalid id. */
const uint8_t *lm_tok_piece(const lm_tokenizer *t, int32_t id, size_t *len);
/* id of a special token by its text ("<|user|>"), -1 if absent */
int32_t lm_tok_special_id(const lm_tokenizer *t, const char *text);
int     lm_tok_is_special(const lm_tokenizer *t, int32_t id);

/* Resolves a -t argument: "char", "gpt2", "r50k_base", "cl100k_base",
 * "o200k_base" (looked up in LLMLAB_DATA or data/tiktoken/), or a path to a
 * .tiktoken file. ("bpe" = the model's own is resolved by the caller.) */
lm_tokenizer *lm_tok_open(const char *spec, lm_err *err);

int lm_tok_serialize(const lm_tokenizer *t, uint8_t **blob, size_t *len, lm_err *err);
lm_tokenizer *lm_tok_deserialize(const uint8_t *blob, size_t len, lm_err *err);

#endif
