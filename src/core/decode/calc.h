/* calc.h - the calculator a chat model calls (chat.h, tool use): integer
 * arithmetic on an expression the model wrote.
 *
 * Contract
 * - Grammar (whitespace = space, tab, CR, LF, VT, FF anywhere between tokens):
 *     expr  := term (('+' | '-') term)*
 *     term  := unary (('*' | '/') unary)*
 *     unary := '-' unary | '(' expr ')' | NUMBER       NUMBER := [0-9]+
 *   Left-associative; '*' and '/' bind tighter than '+' and '-'.
 * - Values are int64_t. '/' is integer division truncated toward zero (as C:
 *   -7 / 2 = -3). Every step is checked: a result outside int64_t, a number
 *   too large for it, and INT64_MIN / -1 give "error: overflow"; x / 0 gives
 *   "error: division by zero".
 * - Bounded: at most LM_CALC_MAX_LEN bytes and LM_CALC_MAX_DEPTH nested
 *   parentheses or unary minuses (the recursion is bounded by it).
 * - Anything else is an error with a short reason: "error: unexpected 'x'"
 *   (a byte outside printable ASCII is named as 0xNN), "error: unexpected
 *   end", "error: empty expression", "error: missing ')'", "error: expression
 *   longer than 256 bytes", "error: nested deeper than 64".
 * - r->text is always filled, NUL-terminated, printable ASCII: the decimal
 *   value, or the error message. It is the VALUE the generate loop feeds back
 *   to the model (decode/tools.h). Any bytes are accepted (NUL included).
 * - Pure: no allocation, no globals, nothing printed.
 */
#ifndef LM_CALC_H
#define LM_CALC_H

#include <stddef.h>
#include <stdint.h>

#define LM_CALC_MAX_LEN   256
#define LM_CALC_MAX_DEPTH 64
#define LM_CALC_TEXT_MAX  64   /* bytes of r->text with its NUL */

typedef struct {
    int     ok;                       /* 1: value holds the result */
    int64_t value;
    char    text[LM_CALC_TEXT_MAX];   /* the decimal value or "error: ..." */
} lm_calc_result;

/* Evaluates expr[0..len). Returns 0 when r->ok, else -1 (r->text says why). */
int lm_calc_eval(const char *expr, size_t len, lm_calc_result *r);

#endif
