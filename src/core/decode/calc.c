/* calc.c - integer expressions by recursive descent (see calc.h). */
#include "decode/calc.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

typedef struct {
    const char *s;
    size_t n, pos;
    int depth;
    lm_calc_result *r;
} parser;

/* records the first error (later ones are consequences) and returns -1 */
static int fail(parser *p, const char *fmt, ...) {
    if (p->r->ok) {
        va_list ap;
        va_start(ap, fmt);
        p->r->ok = 0;
        int k = snprintf(p->r->text, sizeof p->r->text, "error: ");
        vsnprintf(p->r->text + k, sizeof p->r->text - (size_t)k, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }

/* the next byte that is not whitespace, or -1 at the end */
static int peek(parser *p) {
    while (p->pos < p->n && is_space(p->s[p->pos])) p->pos++;
    return p->pos < p->n ? (unsigned char)p->s[p->pos] : -1;
}

static int unexpected(parser *p) {
    int c = peek(p);
    if (c < 0) return fail(p, "unexpected end");
    if (c >= 0x21 && c <= 0x7e) return fail(p, c == '\'' ? "unexpected \"'\"" : "unexpected '%c'", c);
    return fail(p, "unexpected byte 0x%02x", c);
}

static int expr(parser *p, int64_t *v);

static int number(parser *p, int64_t *v) {
    int64_t x = 0;
    while (p->pos < p->n && p->s[p->pos] >= '0' && p->s[p->pos] <= '9') {
        if (__builtin_mul_overflow(x, 10, &x) || __builtin_add_overflow(x, p->s[p->pos] - '0', &x))
            return fail(p, "overflow");
        p->pos++;
    }
    *v = x;
    return 0;
}

/* unary := '-' unary | '(' expr ')' | NUMBER */
static int unary(parser *p, int64_t *v) {
    int c = peek(p);
    if (c >= '0' && c <= '9') return number(p, v);
    if (c != '-' && c != '(') return unexpected(p);
    if (++p->depth > LM_CALC_MAX_DEPTH) return fail(p, "nested deeper than %d", LM_CALC_MAX_DEPTH);
    p->pos++;
    int rc;
    if (c == '-') {
        int64_t x;
        rc = unary(p, &x);
        if (rc == 0 && __builtin_sub_overflow((int64_t)0, x, v)) rc = fail(p, "overflow");
    } else {
        rc = expr(p, v);
        if (rc == 0 && peek(p) != ')') rc = peek(p) < 0 ? fail(p, "missing ')'") : unexpected(p);
        if (rc == 0) p->pos++;
    }
    p->depth--;
    return rc;
}

/* term := unary (('*' | '/') unary)* */
static int term(parser *p, int64_t *v) {
    if (unary(p, v)) return -1;
    for (int c; (c = peek(p)) == '*' || c == '/';) {
        p->pos++;
        int64_t b;
        if (unary(p, &b)) return -1;
        if (c == '*') {
            if (__builtin_mul_overflow(*v, b, v)) return fail(p, "overflow");
        } else if (b == 0) {
            return fail(p, "division by zero");
        } else if (*v == INT64_MIN && b == -1) {
            return fail(p, "overflow");
        } else {
            *v /= b;
        }
    }
    return 0;
}

/* expr := term (('+' | '-') term)* */
static int expr(parser *p, int64_t *v) {
    if (term(p, v)) return -1;
    for (int c; (c = peek(p)) == '+' || c == '-';) {
        p->pos++;
        int64_t b;
        if (term(p, &b)) return -1;
        if (c == '+' ? __builtin_add_overflow(*v, b, v) : __builtin_sub_overflow(*v, b, v))
            return fail(p, "overflow");
    }
    return 0;
}

int lm_calc_eval(const char *s, size_t len, lm_calc_result *r) {
    parser p = {s, len, 0, 0, r};
    r->ok = 1;
    r->value = 0;
    r->text[0] = '\0';
    if (len > LM_CALC_MAX_LEN) return fail(&p, "expression longer than %d bytes", LM_CALC_MAX_LEN);
    if (peek(&p) < 0) return fail(&p, "empty expression");
    int64_t v;
    if (expr(&p, &v) || (peek(&p) >= 0 && unexpected(&p))) return -1;
    r->value = v;
    snprintf(r->text, sizeof r->text, "%" PRId64, v);
    return 0;
}
