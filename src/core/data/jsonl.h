/* jsonl.h - what every JSONL reader of llmlab shares (SFT conversations,
 * evaluation items): one JSON value per line, blank lines skipped, and the
 * limits and checks for files from outside.
 *
 * Contract
 * - A file is at most LM_JSONL_MAX_BYTES; a line at most LM_JSONL_MAX_LINE
 *   bytes (without its "\n" or "\r\n"): a longer line fails with its number
 *   before it is parsed.
 * - lm_jsonl_each calls fn on every non-blank line (blank = only spaces,
 *   tabs and CR) in order and stops at the first failure, with the message
 *   "NAME:LINE: reason" (NAME = the file's path, or any label for a buffer).
 * - lm_jsonl_check_text refuses a line that would lose bytes when its strings
 *   become C strings: a raw NUL byte, or a \u0000 escape inside a string
 *   ("a NUL character (\u0000) inside a string"). Both parsers call it.
 * - Nothing prints; failures return -1 with lm_err.
 */
#ifndef LM_JSONL_H
#define LM_JSONL_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define LM_JSONL_MAX_LINE ((size_t)1 << 20)
#define LM_JSONL_MAX_BYTES ((uint64_t)512 << 20)

/* One line: text[0..len), its 1-based number. 0 ok, -1 failed (err set,
 * without the file name or line number: lm_jsonl_each adds them). */
typedef int (*lm_jsonl_fn)(void *user, const char *text, size_t len, int line, lm_err *err);

int lm_jsonl_each(const uint8_t *buf, size_t len, const char *name, lm_jsonl_fn fn, void *user,
                  lm_err *err);
int lm_jsonl_check_text(const char *text, size_t len, lm_err *err);

#endif
