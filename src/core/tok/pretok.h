/* pretok.h - pre-tokenisation: cutting text into pieces with a regex (PCRE2).
 *
 * Contract
 * - A pattern is compiled once with PCRE2_UTF | PCRE2_UCP and
 *   PCRE2_MATCH_INVALID_UTF and JIT-compiled when the JIT is available.
 * - lm_pretok_split reports pieces that cover every byte of the text, in
 *   order, with no overlap: the regex matches, and between them the bytes the
 *   regex skips (only invalid UTF-8 can be skipped by the tiktoken patterns)
 *   as pieces of their own. So BPE over the pieces loses nothing and
 *   decode(encode(x)) == x holds for any bytes.
 * - In the tiktoken patterns `\s` means Unicode White_Space, as in the Rust
 *   regex engine OpenAI uses. PCRE2's UCP `\s` differs (it includes U+180E),
 *   so the patterns below spell White_Space out as an explicit class.
 * - A compiled lm_pretok is read-only after creation: several threads may
 *   split with the same one at once.
 */
#ifndef LM_PRETOK_H
#define LM_PRETOK_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

/* Unicode White_Space (Unicode 15), as the body of a character class. */
#define LM_WS "\\t-\\r\\x{20}\\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}"

/* OpenAI's pre-tokenisation patterns (tiktoken_ext/openai_public.py) with
 * \s -> [LM_WS] and \S -> [^LM_WS]. */
extern const char LM_PAT_R50K[];    /* r50k_base = gpt2, also p50k_base */
extern const char LM_PAT_CL100K[];  /* cl100k_base */
extern const char LM_PAT_O200K[];   /* o200k_base */
/* llmlab's own: cl100k_base with single digits (the shipped models' BPE). */
extern const char LM_PAT_DIGITS[];

typedef struct lm_pretok lm_pretok;

lm_pretok  *lm_pretok_new(const char *pattern, lm_err *err);
void        lm_pretok_free(lm_pretok *p);
const char *lm_pretok_pattern(const lm_pretok *p);

/* Called for each piece; a non-zero return stops the split and is returned. */
typedef int (*lm_pretok_fn)(void *ctx, const uint8_t *piece, size_t len);

/* Returns 0, the callback's non-zero value, or -1 on a regex engine error. */
int lm_pretok_split(const lm_pretok *p, const uint8_t *text, size_t len,
                    lm_pretok_fn fn, void *ctx, lm_err *err);

#endif
