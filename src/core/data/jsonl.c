/* jsonl.c - lines, limits and checks shared by the JSONL readers (see jsonl.h). */
#include "data/jsonl.h"

#include <string.h>

static int blank(const uint8_t *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r') return 0;
    return 1;
}

int lm_jsonl_each(const uint8_t *buf, size_t len, const char *name, lm_jsonl_fn fn, void *user,
                  lm_err *err) {
    size_t pos = 0;
    int line = 0;
    if (!name) name = "(buffer)";
    while (pos < len) {
        line++;
        const uint8_t *nl = memchr(buf + pos, '\n', len - pos);
        size_t eol = nl ? (size_t)(nl - buf) : len, n = eol - pos;
        if (n > 0 && buf[pos + n - 1] == '\r') n--;
        if (n > LM_JSONL_MAX_LINE)
            return lm_fail(err, "%s:%d: the line is %zu bytes long; a line is at most %zu", name, line, n,
                           LM_JSONL_MAX_LINE);
        if (!blank(buf + pos, n)) {
            lm_err e2 = {{0}};
            if (fn(user, (const char *)buf + pos, n, line, &e2)) return lm_fail(err, "%s:%d: %s", name, line, e2.msg);
        }
        pos = eol + 1;
    }
    return 0;
}

/* A backslash is only ever an escape in valid JSON (outside strings it is a
 * syntax error), so scanning escapes without tracking strings is exact. */
int lm_jsonl_check_text(const char *text, size_t len, lm_err *err) {
    if (memchr(text, 0, len)) return lm_fail(err, "the line holds a NUL byte");
    for (size_t i = 0; i + 1 < len; i++) {
        if (text[i] != '\\') continue;
        if (text[i + 1] == 'u' && i + 5 < len && memcmp(text + i + 2, "0000", 4) == 0)
            return lm_fail(err, "a NUL character (\\u0000) inside a string: text cannot hold it");
        i++;   /* skip the escaped character (\\ included) */
    }
    return 0;
}
