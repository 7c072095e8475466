/* vocab.h - the words word2vec learns vectors for: how text becomes words,
 * the vocabulary (the most frequent words of a corpus), and a text as a
 * stream of word ids.
 *
 * Contract
 * - The word rule (lm_w2v_normalize): ASCII letters are lowercased; a word
 *   is a maximal run of ASCII letters and digits and of non-ASCII characters
 *   that are not punctuation (UTF-8 letters such as o-umlaut stay inside a
 *   word; U+0080..U+00BF, U+00D7, U+00F7 and U+2000..U+206F - curly quotes,
 *   dashes, the degree sign - separate words like every other ASCII byte).
 *   The document separator "<|endoftext|>" is no word. Normalising replaces
 *   every separating byte by a space, so the result has the same length and
 *   the word tokeniser (tok/tokenizer.h) then splits it at spaces.
 *   "The King's men." -> "the king s men ".
 * - The vocabulary: the words of the text that occur at least min_count
 *   times, the max_words most frequent of them, ordered by count (highest
 *   first; equal counts by their bytes, so the order never depends on the
 *   machine). Id i = the i-th word; the word tokeniser built from them maps
 *   every other word to <unk> = n.
 * - A text as ids (lm_w2v_encode): normalised, split, words outside the
 *   vocabulary dropped (as word2vec does: they are no one's context).
 * - Nothing prints; failures return -1 with lm_err.
 */
#ifndef LM_W2V_VOCAB_H
#define LM_W2V_VOCAB_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "tok/tokenizer.h"

/* text[0..len) normalised into out[0..len) (out may be text itself) */
void lm_w2v_normalize(const uint8_t *text, size_t len, uint8_t *out);

typedef struct {
    lm_tokenizer *words;   /* word tokeniser: id i = word i, <unk> = n */
    int n;                 /* words kept */
    int64_t *count;        /* [n] occurrences in the text, highest first */
    int64_t total;         /* occurrences of every word of the text (kept or not) */
    int distinct;          /* distinct words of the text */
} lm_w2v_vocab;

int  lm_w2v_vocab_build(const uint8_t *text, size_t len, int min_count, int max_words, lm_w2v_vocab *out,
                        lm_err *err);
void lm_w2v_vocab_free(lm_w2v_vocab *v);

/* The text as ids of `words` (a word tokeniser of n words), unknown words
 * dropped: *ids (malloc'd) [*n_ids]. count (may be NULL) [n] receives each
 * word's occurrences; *n_dropped (may be NULL) the words dropped. */
int  lm_w2v_encode(const lm_tokenizer *words, const uint8_t *text, size_t len, int32_t **ids, size_t *n_ids,
                   int64_t *count, size_t *n_dropped, lm_err *err);

#endif
