/* tokenizer.h - text <-> token ids, with the step traces a lecture shows.
 *
 * Contract
 * - Kinds: byte ("char": one id per byte, ids 0..255), word (a dictionary of
 *   whole words, id = index, <unk> = the id after the last word; word
 *   tokenisation is lossy: whitespace is dropped and decode joins words with
 *   single spaces), and byte-level BPE
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

#include "base/err.h"

typedef enum { LM_TOK_BYTE = 0, LM_TOK_WORD = 1, LM_TOK_BPE = 2 } lm_tok_kind;

typedef struct lm_tokenizer lm_tokenizer;   /* opaque */

/* a growable id list; free with lm_ids_free */
typedef struct {
    int32_t *ids;
    size_t   n, cap;
} lm_ids;
void lm_ids_free(lm_ids *v);
/* appends id (the list grows as needed); 0 ok, -1 out of memory */
int  lm_ids_push(lm_ids *v, int32_t id);

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
/* The text of ids as a malloc'd NUL-terminated string (special tokens'
 * text kept; "" for n = 0). */
int lm_tok_decode_cstr(const lm_tokenizer *t, const int32_t *ids, size_t n, char **text, lm_err *err);
/* The bytes of one token (not NUL-terminated), NULL for an invalid id. */
const uint8_t *lm_tok_piece(const lm_tokenizer *t, int32_t id, size_t *len);
/* id of a special token by its text ("<|user|>"), -1 if absent */
int32_t lm_tok_special_id(const lm_tokenizer *t, const char *text);
int     lm_tok_is_special(const lm_tokenizer *t, int32_t id);

/* Resolves a -t argument: "char", "gpt2", "r50k_base", "cl100k_base",
 * "o200k_base" (looked up in LLMLAB_DATA or data/tiktoken/), or a path to a
 * .tiktoken file. ("bpe" = the model's own is resolved by the caller.) */
lm_tokenizer *lm_tok_open(const char *spec, lm_err *err);

/* ---- byte-level BPE (tok_bpe.c) ----
 * n ordinary pieces with rank == id == index (the tiktoken algorithm: inside
 * each pre-tokenised piece, repeatedly merge the adjacent pair whose
 * concatenation has the lowest rank; a piece that is itself a token is
 * emitted at once). All 256 single bytes must be among the pieces. pattern
 * NULL = no pre-tokenisation (the whole text is one piece). specials (NUL-
 * terminated marker texts) get the given ids, which must not collide with
 * 0..n-1. The BPE trainer produces its tokenizer through this.
 * Bytes that are not valid UTF-8 (with a pattern): as OpenAI's
 * CoreBPE::encode_bytes, the valid prefix is encoded as usual, then the
 * tokens of its last piece (and all-whitespace tokens just before, when that
 * piece starts with one) go back to bytes and, with everything from the first
 * invalid byte on, form one last piece. So any bytes round-trip exactly. */
lm_tokenizer *lm_tok_bpe_new(const char *name, const uint8_t *const *pieces, const size_t *lens,
                             int n, const char *pattern_or_NULL,
                             const char *const *specials, const int32_t *special_ids,
                             int n_specials, lm_err *err);
/* A new BPE tokeniser: t's pieces, pattern, name and special tokens, plus
 * one more special token `text` with the id after t's last (its vocabulary
 * grows by one; every id of t keeps its meaning). This is how an encoder
 * gets its [MASK] ("<|mask|>", train/objective.h "mlm") on top of a trained
 * BPE. Refused: a byte or word tokeniser, an empty text, a text t already
 * has as a special token. */
lm_tokenizer *lm_tok_bpe_add_special(const lm_tokenizer *t, const char *text, lm_err *err);
/* the pre-tokenisation pattern (PCRE2 syntax), NULL if none */
const char *lm_tok_pattern(const lm_tokenizer *t);
/* number of ordinary (mergeable) tokens: ids 0 .. n-1 */
int lm_tok_n_pieces(const lm_tokenizer *t);

/* Encoding trace for the UI stepper: the pre-tokenised pieces, the byte ids
 * before any merge, and every merge step with the token list of the whole
 * text after it. Plain text only (special markers are text here). Texts
 * longer than LM_TRACE_MAX_BYTES are refused. For byte and word tokenizers
 * the trace has the final ids as `initial` and no steps. If a piece is a
 * token but merging does not reach it (possible in a hand-made vocabulary),
 * a last step with left = right = -1 records the whole-piece lookup, so the
 * trace always ends in what lm_tok_encode gives. Text that is not valid
 * UTF-8 follows tiktoken's rule for bytes (see below): a step -1 -1 -> -1
 * marks the last piece's tokens going back to bytes, and one more piece
 * (overlapping the earlier ones) covers them and the invalid tail. */
#define LM_TRACE_MAX_BYTES 4096
typedef struct {
    int32_t piece;          /* index of the pre-tokenised piece merged in */
    int32_t left, right;    /* the pair merged (ids), -1 -1 = whole-piece lookup */
    int32_t merged;         /* the new id */
    int32_t *tokens;        /* token list of the whole text after this step */
    size_t n_tokens;
} lm_bpe_step;
typedef struct {
    size_t n_pieces;
    size_t *piece_off, *piece_len;   /* [n_pieces] byte ranges of the pieces */
    int32_t *initial;                /* [n_initial] ids before any merge */
    size_t n_initial;
    lm_bpe_step *steps;              /* [n_steps] */
    size_t n_steps;
    int32_t *store_;                 /* owns the token lists */
} lm_bpe_trace;
int  lm_tok_encode_trace(const lm_tokenizer *t, const uint8_t *text, size_t len,
                         lm_bpe_trace *out, lm_err *err);
void lm_bpe_trace_free(lm_bpe_trace *tr);

/* ---- OpenAI .tiktoken files (tok_tiktoken.c) ----
 * A file is lines "BASE64 RANK\n" with ranks 0, 1, 2, ... in order. The
 * encoding (pattern + special tokens) is chosen by `encoding` ("r50k_base",
 * "gpt2", "p50k_base", "cl100k_base", "o200k_base"); NULL = by the file's
 * name if it starts with one of those, else o200k_base's pattern and no
 * special tokens. Lines may end in "\n" or "\r\n".
 * _load: the path must be a regular file of at most LM_TIKTOKEN_MAX_BYTES
 * (base/infile.h); its first line is checked before the rest is read, so a
 * file that is not a .tiktoken costs one 4 KB read. Messages name the path
 * once: "PATH: line 3: bad base64 token". _parse's messages: "line 3: ...". */
#define LM_TIKTOKEN_MAX_BYTES ((uint64_t)256 << 20)
lm_tokenizer *lm_tok_tiktoken_load(const char *path, const char *encoding, lm_err *err);
lm_tokenizer *lm_tok_tiktoken_parse(const uint8_t *buf, size_t len, const char *encoding,
                                    lm_err *err);

/* ---- word dictionary (tok_word.c) ----
 * Words are maximal runs of non-whitespace bytes (ASCII whitespace). */
lm_tokenizer *lm_tok_word_new(const char *const *words, int n, lm_err *err);
/* the distinct words of a text, in order of first appearance */
lm_tokenizer *lm_tok_word_from_text(const uint8_t *text, size_t len, lm_err *err);
/* <unk>'s id for a word tokenizer, -1 otherwise */
int32_t lm_tok_unk_id(const lm_tokenizer *t);

/* ---- serialisation (tok_serial.c) ----
 * Any tokenizer to a self-contained blob (malloc'd) and back. Format
 * (little-endian): "LMTOK" + u8 0, u16 version, u32 kind, then strings
 * (u32 length + bytes): name, pattern; u32 n pieces, each string; u32 n
 * specials, each string + i32 id; and last a u32 CRC32 (lm_crc32, IEEE) of what precedes.
 * Deserialise checks everything and is safe on arbitrary bytes. */
int lm_tok_serialize(const lm_tokenizer *t, uint8_t **blob, size_t *len, lm_err *err);
lm_tokenizer *lm_tok_deserialize(const uint8_t *blob, size_t len, lm_err *err);

#endif
