/* verdicts.c - the text rules the evaluations judge replies by: answers
 * and wrong substrings, "I don't know", numbers, tool calls, how a bare
 * continuation goes on (see evals.h). */
#include "eval/evals.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tok/chat.h"

int lm_eval_contains_answer(const char *text, char *const *list, int n) {
    for (int i = 0; i < n; i++)
        if (list[i][0] && strcasestr(text, list[i])) return 1;
    return 0;
}

/* ---- "I don't know" ---- */

/* reply lowercased, curly and back-quote apostrophes as "'", every run of
 * white space as one space; malloc'd */
static char *normalise(const char *s) {
    char *out = malloc(strlen(s) + 1), *o = out;
    if (!out) return NULL;
    while (*s) {
        if ((unsigned char)s[0] == 0xe2 && (unsigned char)s[1] == 0x80 &&
            ((unsigned char)s[2] == 0x98 || (unsigned char)s[2] == 0x99)) {   /* ‘ ’ */
            *o++ = '\'';
            s += 3;
        } else if (*s == '`') {
            *o++ = '\'';
            s++;
        } else if (isspace((unsigned char)*s)) {
            *o++ = ' ';
            while (isspace((unsigned char)*s)) s++;
        } else {
            *o++ = (char)tolower((unsigned char)*s++);
        }
    }
    *o = 0;
    return out;
}

int lm_eval_says_idk(const char *reply) {
    /* each one a refusal on its own; "know" alone (as in "I know") is none */
    static const char *const phrases[] = {
        "don't know", "do not know", "dont know", "not sure", "not certain", "no idea",
        "no information", "don't have information", "do not have information", "not familiar",
        "never heard", "haven't heard", "have not heard", "not heard of", "not aware", "cannot say",
        "can't say", "cannot tell", "can't tell", "unable to say", "unable to tell", "no record",
        "unknown to me", "don't recogni", "do not recogni", NULL,
    };
    char *r = normalise(reply);
    if (!r) return 0;
    int hit = 0;
    for (int i = 0; phrases[i] && !hit; i++) hit = strstr(r, phrases[i]) != NULL;
    free(r);
    return hit;
}

int lm_eval_has_tool_call(const char *reply) {
    const char *t = strstr(reply, LM_CHAT_TOOL);
    if (!t) return 0;
    t += strlen(LM_CHAT_TOOL);
    const char *r = strstr(t, LM_CHAT_RESULT);
    return r && r > t;
}

/* ---- numbers ---- */

/* The number that starts at p (p[0] is a digit, or "-" then a digit), its
 * end in *end. A decimal part needs a digit after the '.', so "12." is 12. */
static double digits_at(const char *p, const char **end) {
    const char *q = p;
    if (*q == '-') q++;
    while (isdigit((unsigned char)*q)) q++;
    if (*q == '.' && isdigit((unsigned char)q[1])) {
        q++;
        while (isdigit((unsigned char)*q)) q++;
    }
    char buf[64];
    size_t n = (size_t)(q - p);
    *end = q;
    if (n >= sizeof buf) return p[0] == '-' ? -1e300 : 1e300;   /* no expected number is that long */
    memcpy(buf, p, n);
    buf[n] = 0;
    return strtod(buf, NULL);
}

/* Calls back every number of text in order until fn returns non-zero. */
static void each_number(const char *text, int (*fn)(void *u, double v), void *u) {
    static const char *const words[] = {"zero", "one", "two", "three", "four", "five", "six",
                                        "seven", "eight", "nine", "ten", "eleven", "twelve",
                                        "thirteen", "fourteen", "fifteen", "sixteen",
                                        "seventeen", "eighteen", "nineteen", "twenty"};
    const char *p = text;
    while (*p) {
        int after_word = p > text && isalnum((unsigned char)p[-1]);
        if (isdigit((unsigned char)*p) || (*p == '-' && isdigit((unsigned char)p[1]) && !after_word)) {
            const char *end;
            double v = digits_at(p, &end);
            if (fn(u, v)) return;
            p = end;
            continue;
        }
        if (isalpha((unsigned char)*p) && !after_word) {
            size_t wl = 0;
            while (isalpha((unsigned char)p[wl])) wl++;
            for (int i = 20; i >= 0; i--)
                if (strlen(words[i]) == wl && strncasecmp(p, words[i], wl) == 0) {
                    if (fn(u, i)) return;
                    break;
                }
            p += wl;
            continue;
        }
        p++;
    }
}

typedef struct {
    double v;
    int found, stop_at_first;
} number_pick;

static int pick(void *u, double v) {
    number_pick *np = u;
    np->v = v;
    np->found = 1;
    return np->stop_at_first;
}

int lm_eval_first_number(const char *text, double *v) {
    number_pick np = {0, 0, 1};
    each_number(text, pick, &np);
    if (np.found) *v = np.v;
    return np.found;
}

int lm_eval_last_number(const char *text, double *v) {
    number_pick np = {0, 0, 0};
    each_number(text, pick, &np);
    if (np.found) *v = np.v;
    return np.found;
}

/* ---- lines and bare continuations ---- */

char *lm_eval_first_line(const char *s) {
    for (;;) {
        while (*s == ' ' || *s == '\t' || *s == '\r') s++;
        if (*s == '\n') {
            s++;
            continue;
        }
        break;
    }
    size_t n = strcspn(s, "\n");
    while (n > 0 && isspace((unsigned char)s[n - 1])) n--;
    char *l = malloc(n + 1);
    if (l) {
        memcpy(l, s, n);
        l[n] = '\0';
    }
    return l;
}

static int looks_like_list(const char *p) {
    if ((p[0] == '-' || p[0] == '*' || p[0] == '+') && p[1] == ' ') return 1;
    if (strncmp(p, "\xe2\x80\xa2", 3) == 0) return 1;   /* bullet */
    if (!isdigit((unsigned char)p[0])) return 0;
    while (isdigit((unsigned char)*p)) p++;
    return (*p == '.' || *p == ')') && (p[1] == ' ' || p[1] == '\0');
}

static int looks_like_heading(const char *l, size_t len) {
    int upper = 0, lower = 0;
    for (const char *q = l; *q; q++) {
        upper += isupper((unsigned char)*q) != 0;
        lower += islower((unsigned char)*q) != 0;
    }
    char lastc = l[len - 1];
    int ends = lastc == '.' || lastc == '!' || lastc == ',' || lastc == ';' || lastc == ':';
    return l[0] == '#' || (upper > 0 && lower == 0) ||
           (len <= 40 && !ends && isupper((unsigned char)l[0]) && !strchr(l, '.'));
}

lm_bare_class lm_eval_classify_bare(const char *cont, char *const *answers, int n) {
    char *l = lm_eval_first_line(cont);
    if (!l) return LM_BARE_EMPTY;
    lm_bare_class c;
    size_t len = strlen(l);
    if (len == 0) c = LM_BARE_EMPTY;
    else if (lm_eval_contains_answer(l, answers, n) || strncasecmp(l, "answer:", 7) == 0 ||
             strncasecmp(l, "your answer:", 12) == 0 || strncmp(l, "A:", 2) == 0)
        c = LM_BARE_ANSWERS;
    else if (strchr(l, '?')) c = LM_BARE_QUESTION;
    else if (looks_like_list(l)) c = LM_BARE_LIST;
    else if (looks_like_heading(l, len)) c = LM_BARE_HEADING;
    else c = LM_BARE_PROSE;
    free(l);
    return c;
}

const char *lm_bare_class_name(lm_bare_class c) {
    static const char *const names[] = {"answers", "question", "list", "heading", "prose", "empty"};
    return c >= 0 && c <= LM_BARE_EMPTY ? names[c] : "?";
}
