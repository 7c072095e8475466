/* words.c - shell-like word splitting (see words.h). */
#include "cli/words.h"

#include <string.h>

static int is_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

int lm_split_words(const char *line, size_t len, char *buf, size_t cap, char **words,
                   int max_words, lm_err *err) {
    if (len && !line) return lm_fail(err, "no line to split");
    const char *nul = len ? memchr(line, '\0', len) : NULL;
    if (nul) return lm_fail(err, "NUL byte at offset %zu of the line", (size_t)(nul - line));
    int n = 0;
    size_t i = 0, o = 0;   /* i reads line, o writes buf */
    while (i < len) {
        while (i < len && is_blank(line[i])) i++;
        if (i == len) break;
        if (n >= max_words) return lm_fail(err, "too many words (at most %d)", max_words < 0 ? 0 : max_words);
        size_t start = i;
        words[n++] = buf + o;
        char quote = 0;
        size_t quote_at = 0;
        while (i < len && (quote || !is_blank(line[i]))) {
            char c = line[i];
            if (quote == '\'') {
                i++;
                if (c == '\'') { quote = 0; continue; }
            } else if (quote == '"') {
                i++;
                if (c == '"') { quote = 0; continue; }
                if (c == '\\' && i < len && (line[i] == '"' || line[i] == '\\')) c = line[i++];
            } else if (c == '\'' || c == '"') {
                quote = c;
                quote_at = i++;
                continue;
            } else if (c == '\\' && i + 1 < len) {
                c = line[i + 1];
                i += 2;
            } else {
                i++;
            }
            if (o + 1 >= cap) goto small;   /* keep room for the word's NUL */
            buf[o++] = c;
        }
        if (quote)
            return lm_fail(err, "unclosed %s quote (opened at byte %zu, in the word starting at byte %zu)",
                           quote == '"' ? "double" : "single", quote_at, start);
        if (o >= cap) goto small;
        buf[o++] = '\0';
    }
    return n;
small:
    return lm_fail(err, "word buffer too small (%zu bytes for a %zu-byte line)", cap, len);
}
