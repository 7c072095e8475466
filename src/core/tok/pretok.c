/* pretok.c - regex pre-tokenisation with PCRE2 (see pretok.h). */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "tok/pretok.h"

#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#define WS LM_WS
#define NOT_WS "[^" WS "]"

const char LM_PAT_R50K[] =
    "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^" WS "\\p{L}\\p{N}]+"
    "|[" WS "]+(?!" NOT_WS ")|[" WS "]+";

const char LM_PAT_CL100K[] =
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
    "| ?[^" WS "\\p{L}\\p{N}]+[\\r\\n]*|[" WS "]*[\\r\\n]+|[" WS "]+(?!" NOT_WS ")|[" WS "]+";

/* cl100k_base with every digit a piece of its own (\\p{N} instead of
 * \\p{N}{1,3}), as Llama and DeepSeek split numbers: a model sees 347 as
 * 3|4|7, so column arithmetic is a sequence of one-digit steps. */
const char LM_PAT_DIGITS[] =
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}"
    "| ?[^" WS "\\p{L}\\p{N}]+[\\r\\n]*|[" WS "]*[\\r\\n]+|[" WS "]+(?!" NOT_WS ")|[" WS "]+";

const char LM_PAT_O200K[] =
    "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+"
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
    "|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*"
    "(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
    "|\\p{N}{1,3}| ?[^" WS "\\p{L}\\p{N}]+[\\r\\n/]*|[" WS "]*[\\r\\n]+"
    "|[" WS "]+(?!" NOT_WS ")|[" WS "]+";

struct lm_pretok {
    pcre2_code *re;
    int jit;          /* 1 when JIT-compiled */
    char *pattern;
};

lm_pretok *lm_pretok_new(const char *pattern, lm_err *err) {
    if (!pattern) { lm_fail(err, "pre-tokeniser: no pattern"); return NULL; }
    int ec = 0;
    PCRE2_SIZE eoff = 0;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                                   PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF,
                                   &ec, &eoff, NULL);
    if (!re) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(ec, msg, sizeof msg);
        lm_fail(err, "pre-tokeniser: bad pattern at offset %zu: %s", (size_t)eoff, (char *)msg);
        return NULL;
    }
    lm_pretok *p = calloc(1, sizeof *p);
    size_t n = strlen(pattern);
    char *copy = malloc(n + 1);
    if (!p || !copy) {
        free(p); free(copy); pcre2_code_free(re);
        lm_fail(err, "pre-tokeniser: out of memory");
        return NULL;
    }
    memcpy(copy, pattern, n + 1);
    p->re = re;
    p->pattern = copy;
    p->jit = pcre2_jit_compile(re, PCRE2_JIT_COMPLETE) == 0;
    return p;
}

void lm_pretok_free(lm_pretok *p) {
    if (!p) return;
    pcre2_code_free(p->re);
    free(p->pattern);
    free(p);
}

const char *lm_pretok_pattern(const lm_pretok *p) { return p ? p->pattern : NULL; }

int lm_pretok_split(const lm_pretok *p, const uint8_t *text, size_t len,
                    lm_pretok_fn fn, void *ctx, lm_err *err) {
    if (len == 0) return 0;
    pcre2_match_data *md = pcre2_match_data_create(1, NULL);
    pcre2_match_context *mc = NULL;
    pcre2_jit_stack *js = NULL;
    if (!md) return lm_fail(err, "pre-tokeniser: out of memory");
    int rc = 0;
    size_t pos = 0;      /* first byte not yet reported */
    size_t start = 0;    /* where the next search starts */
    while (start < len) {
        int m = pcre2_match(p->re, (PCRE2_SPTR)text, len, start, 0, md, mc);
        if (m == PCRE2_ERROR_JIT_STACKLIMIT && !js) {
            /* the lookahead alternatives backtrack over long whitespace runs:
             * retry with a larger JIT stack (made only when needed) */
            mc = pcre2_match_context_create(NULL);
            js = pcre2_jit_stack_create(64 * 1024, 64 * 1024 * 1024, NULL);
            if (!mc || !js) { rc = lm_fail(err, "pre-tokeniser: out of memory"); goto done; }
            pcre2_jit_stack_assign(mc, NULL, js);
            continue;
        }
        if (m == PCRE2_ERROR_NOMATCH) break;
        if (m < 0) {
            PCRE2_UCHAR msg[256];
            pcre2_get_error_message(m, msg, sizeof msg);
            rc = lm_fail(err, "pre-tokeniser: regex error at byte %zu: %s", start, (char *)msg);
            goto done;
        }
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        size_t s = ov[0], e = ov[1];
        if (e == s) {           /* empty match: cannot happen with our patterns; step on */
            start = s + 1;
            continue;
        }
        if (s > pos && (rc = fn(ctx, text + pos, s - pos)) != 0) goto done;  /* skipped bytes */
        if ((rc = fn(ctx, text + s, e - s)) != 0) goto done;
        pos = start = e;
    }
    if (pos < len) rc = fn(ctx, text + pos, len - pos);
done:
    pcre2_match_data_free(md);
    if (js) pcre2_jit_stack_free(js);
    if (mc) pcre2_match_context_free(mc);
    return rc;
}
