/* words.h - splitting a command line into words, the way a shell would
 * (lessons and the command line both run "llmlab ..." lines through this).
 *
 * Contract
 * - Words are separated by runs of blanks (space, tab, \n, \r).
 * - '...' is literal: every byte up to the next ' belongs to the word.
 * - "..." is literal except \" and \\, which give " and \ (any other
 *   backslash stays a backslash).
 * - Outside quotes a backslash makes the next byte ordinary (so "\ " is a
 *   space inside a word); a backslash at the very end stays a backslash.
 * - Quotes may sit inside a word (a'b c'd is the one word "ab cd"), and ''
 *   or "" is an empty word.
 * - The line is pointer + length. A NUL byte in it is refused (the words are
 *   NUL-terminated strings).
 * - The words are written NUL-terminated into buf (cap bytes); cap >= len + 1
 *   is always enough. words[0 .. count-1] point into buf; nothing is written
 *   past words[max_words - 1] (a caller wanting an argv-style NULL end passes
 *   one slot less than it has).
 * - Returns the number of words (0 for an empty or all-blank line), or -1
 *   with a message naming the problem: "unclosed single quote", "unclosed
 *   double quote", "too many words", "NUL byte", or a buffer too small.
 */
#ifndef LM_WORDS_H
#define LM_WORDS_H

#include <stddef.h>

#include "base/err.h"

int lm_split_words(const char *line, size_t len, char *buf, size_t cap, char **words,
                   int max_words, lm_err *err);

#endif
