/* dataset.h - training data as token ids and batches.
 *
 * Contract
 * - Pretraining text: a file of documents separated by lines that are exactly
 *   "<|endoftext|>". The stream is  EOT doc1 EOT doc2 ... EOT docN  where EOT
 *   is the tokeniser's <|endoftext|> id (omitted if the tokeniser has none),
 *   each document encoded as plain text (never producing specials) without
 *   the newline that precedes the separator line.
 * - A batch is B rows of T inputs and T targets (a window of T+1 stream ids:
 *   targets are the inputs shifted by one), plus an optional loss mask [B, T].
 *   A target < 0 is ignored by the loss (padding).
 * - Random batches draw window starts uniformly from the lm_rng passed in;
 *   validation batches are fixed (lm_stream_val_batches, spread over the whole
 *   stream), so a validation loss is comparable across steps.
 * - SFT: JSONL, one {"messages":[{"role":..,"content":..},...]} per line
 *   (OpenAI's chat fine-tuning format; blank lines skipped), rendered with the
 *   chat template (chat.h). Malformed lines fail with "PATH:LINE: reason".
 *   A line {"text": T} (no "messages") is a plain document mixed in to keep
 *   the model's language: <|endoftext|> then T encoded as plain text, the
 *   loss on every id of T.
 *   Batches pack whole examples into rows (an example longer than T+1 ids is
 *   cut), pad the rest (target -1, mask 0); the loss mask is the template's
 *   assistant mask, or 1 on every real target with use_mask = 0 (--no-mask).
 * - Nothing prints; failures return -1 with lm_err.
 */
#ifndef LM_DATASET_H
#define LM_DATASET_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/rng.h"
#include "tok/tokenizer.h"

typedef struct {
    int32_t *ids;
    size_t   n;
    size_t   n_docs;
} lm_token_stream;

/* The largest text file lm_stream_load reads (a regular file: base/infile.h). */
#define LM_TEXT_MAX_BYTES ((uint64_t)1 << 30)

/* Encodes text (documents separated by "<|endoftext|>" lines) into s. */
int  lm_stream_from_text(lm_token_stream *s, const lm_tokenizer *t, const uint8_t *text,
                         size_t len, lm_err *err);
int  lm_stream_load(lm_token_stream *s, const lm_tokenizer *t, const char *path, lm_err *err);
/* The same over only the first max_bytes of the file (0 = all of it); a
 * document cut there ends where the bytes end. */
int  lm_stream_load_head(lm_token_stream *s, const lm_tokenizer *t, const char *path, size_t max_bytes,
                         lm_err *err);
void lm_stream_free(lm_token_stream *s);

typedef struct {
    int B, T;
    int32_t *tokens;    /* [B, T] */
    int32_t *targets;   /* [B, T], < 0 = ignored */
    float   *mask;      /* [B, T] loss weights, or NULL (all ones) */
} lm_batch;

int  lm_batch_alloc(lm_batch *b, int B, int T, int with_mask, lm_err *err);
void lm_batch_free(lm_batch *b);
/* Counts the targets that carry loss (target >= 0 and mask > 0). */
long lm_batch_tokens(const lm_batch *b);

/* B random windows of T+1 ids. Needs s->n >= T+1. */
int  lm_stream_sample(const lm_token_stream *s, lm_rng *rng, lm_batch *b, lm_err *err);
/* The index-th fixed batch: row r is the window starting at
 * ((index * B + r) * T) mod (n - T - 1). */
int  lm_stream_batch_at(const lm_token_stream *s, size_t index, lm_batch *b, lm_err *err);
/* How many disjoint fixed batches the stream holds (at least 1 if n > T). */
size_t lm_stream_n_batches(const lm_token_stream *s, int B, int T);

/* The fixed validation batches of a stream: n = min(max_batches (<= 0 = no
 * limit), lm_stream_n_batches) batches of B x T whose n*B windows are spread
 * evenly over the whole stream, in order: window w (row r of batch i,
 * w = i*B + r) starts at w * (s->n - T - 1) / (n*B). Deterministic, so the
 * loss is comparable across steps, and representative of all of the text,
 * not just its beginning. *out is malloc'd ([n], free with lm_batches_free). */
int  lm_stream_val_batches(const lm_token_stream *s, int B, int T, int max_batches, lm_batch **out,
                           int *n_out, lm_err *err);
/* Frees n batches and the array. */
void lm_batches_free(lm_batch *b, int n);

/* ---- supervised fine-tuning ---- */
typedef struct {
    int32_t *ids;    /* [n] the rendered conversation */
    uint8_t *mask;   /* [n] 1 on trained ids (chat.h) */
    int      n;
} lm_sft_example;

typedef struct {
    lm_sft_example *ex;
    int n, cap;
    int n_cut;       /* examples longer than max_len, cut */
} lm_sft_set;

/* Parses one JSONL line (text[0..len)) into an example. Message content is
 * text: "<|end|>" written in a message becomes ordinary tokens, never the
 * marker (chat.h). A NUL in the line (raw or \u0000) is refused (jsonl.h). */
int  lm_sft_parse_line(const lm_tokenizer *t, const char *text, size_t len, lm_sft_example *ex,
                       lm_err *err);
/* Every line of JSONL in buf[0..len) (data/jsonl.h: line limit, blank lines
 * skipped, stops at the first bad line with "NAME:LINE: reason"); max_len > 0
 * cuts examples to that many ids. Fails when there is no example. */
int  lm_sft_parse_buf(lm_sft_set *set, const lm_tokenizer *t, const uint8_t *buf, size_t len,
                      int max_len, const char *name, lm_err *err);
/* The same from a regular file of at most LM_JSONL_MAX_BYTES (base/infile.h). */
int  lm_sft_load(lm_sft_set *set, const lm_tokenizer *t, const char *path, int max_len,
                 lm_err *err);
void lm_sft_free(lm_sft_set *set);

/* Packs examples into the B rows of b (b must have a mask): row r starts with
 * example order[k] for the next unused k and takes following examples while
 * they fit; *next (may be NULL) receives the first unused k. Indices wrap
 * around n_order. */
int  lm_sft_pack(const lm_sft_set *set, const int *order, int n_order, int start, int use_mask,
                 lm_batch *b, int *next, lm_err *err);
/* The fixed validation batches of an SFT set (B x T, with masks): the
 * examples packed in order while they all fit in max_batches (> 0) batches;
 * otherwise batch i packs from example i * set->n / max_batches, so the
 * batches sample the whole set rather than its first examples. *out is
 * malloc'd ([*n_out], free with lm_batches_free). */
int  lm_sft_val_batches(const lm_sft_set *set, int use_mask, int B, int T, int max_batches,
                        lm_batch **out, int *n_out, lm_err *err);
/* A random batch: examples drawn uniformly with the rng. */
int  lm_sft_sample(const lm_sft_set *set, lm_rng *rng, int use_mask, lm_batch *b, lm_err *err);

#endif
