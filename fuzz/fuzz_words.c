/* fuzz_words.c - libFuzzer target: lm_split_words (core/words.h) on arbitrary
 * bytes. The first byte picks max_words; with cap = len + 1 (documented as
 * always enough) a failure must be one of the named problems, the words must
 * lie inside the buffer, and re-quoting the words with "..." and splitting
 * again must give the same words. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/words.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    int max_words = data[0] % 64;
    const char *line = (const char *)data + 1;
    size_t len = size - 1;
    char *buf = malloc(len + 1);
    char **words = malloc((size_t)(max_words ? max_words : 1) * sizeof *words);
    if (!buf || !words) abort();
    lm_err err = {{0}};
    int n = lm_split_words(line, len, buf, len + 1, words, max_words, &err);
    if (n < 0) {
        if (!strstr(err.msg, "unclosed") && !strstr(err.msg, "too many words") &&
            !strstr(err.msg, "NUL byte"))
            abort();
        if (strstr(err.msg, "NUL byte") && !memchr(line, 0, len)) abort();
        goto done;
    }
    if (n > max_words || memchr(line, 0, len)) abort();
    /* every word is a NUL-terminated string inside buf */
    size_t total = 0;
    for (int i = 0; i < n; i++) {
        if (words[i] < buf || words[i] >= buf + len + 1) abort();
        size_t wl = strnlen(words[i], (size_t)(buf + len + 1 - words[i]));
        if (words[i] + wl >= buf + len + 1) abort();
        total += wl + 1;
    }
    if (total > len + 1) abort();
    /* re-quote: "..." with \" and \\, words separated by one space */
    size_t qcap = 3 * (len + 1) + 1, q = 0;
    char *quoted = malloc(qcap);
    if (!quoted) abort();
    for (int i = 0; i < n; i++) {
        if (i) quoted[q++] = ' ';
        quoted[q++] = '"';
        for (const char *w = words[i]; *w; w++) {
            if (*w == '"' || *w == '\\') quoted[q++] = '\\';
            quoted[q++] = *w;
        }
        quoted[q++] = '"';
        if (q > qcap) abort();
    }
    char *buf2 = malloc(q + 1);
    char **words2 = malloc((size_t)(max_words ? max_words : 1) * sizeof *words2);
    if (!buf2 || !words2) abort();
    int n2 = lm_split_words(quoted, q, buf2, q + 1, words2, max_words, &err);
    if (n2 != n) abort();
    for (int i = 0; i < n; i++)
        if (strcmp(words[i], words2[i]) != 0) abort();
    free(buf2);
    free(words2);
    free(quoted);
done:
    free(buf);
    free(words);
    return 0;
}
