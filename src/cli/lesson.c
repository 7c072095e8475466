/* lesson.c - parsing lesson Markdown into sections and steps (see lesson.h). */
#include "cli/lesson.h"

#include <stdlib.h>
#include <string.h>

#define MAX_LINE 4096
#define MAX_STEPS 10000

typedef struct {
    char *buf;
    size_t n, cap;
} sbuf;

static int sb_add(sbuf *s, const char *p, size_t n) {
    if (s->n + n + 1 > s->cap) {
        size_t cap = s->cap ? s->cap : 256;
        while (cap < s->n + n + 1) cap *= 2;
        char *nb = realloc(s->buf, cap);
        if (!nb) return -1;
        s->buf = nb;
        s->cap = cap;
    }
    memcpy(s->buf + s->n, p, n);
    s->n += n;
    s->buf[s->n] = '\0';
    return 0;
}

static char *sb_take(sbuf *s) {
    char *r = s->buf ? s->buf : calloc(1, 1);
    s->buf = NULL;
    s->n = s->cap = 0;
    return r;
}

static char *dup_n(const char *p, size_t n) {
    char *r = malloc(n + 1);
    if (r) {
        memcpy(r, p, n);
        r[n] = '\0';
    }
    return r;
}

/* trims spaces and a trailing '\r' */
static void trim(const char **p, size_t *n) {
    while (*n && (**p == ' ' || **p == '\t')) { (*p)++; (*n)--; }
    while (*n && ((*p)[*n - 1] == ' ' || (*p)[*n - 1] == '\t' || (*p)[*n - 1] == '\r')) (*n)--;
}

static int starts(const char *p, size_t n, const char *prefix) {
    size_t k = strlen(prefix);
    return n >= k && memcmp(p, prefix, k) == 0;
}

static lm_lesson_section *new_section(lm_lesson *l, sbuf *prose) {
    lm_lesson_section *ns = realloc(l->sections, (size_t)(l->n_sections + 1) * sizeof *ns);
    if (!ns) return NULL;
    l->sections = ns;
    lm_lesson_section *s = &ns[l->n_sections++];
    memset(s, 0, sizeof *s);
    s->prose = sb_take(prose);
    return s->prose ? s : NULL;
}

static lm_lesson_step *new_step(lm_lesson_section *s, const char *cmd, size_t n, int line) {
    lm_lesson_step *ns = realloc(s->steps, (size_t)(s->n_steps + 1) * sizeof *ns);
    if (!ns) return NULL;
    s->steps = ns;
    lm_lesson_step *st = &ns[s->n_steps];
    memset(st, 0, sizeof *st);
    st->command = dup_n(cmd, n);
    st->line = line;
    if (!st->command) return NULL;
    s->n_steps++;
    return st;
}

static int add_expect(lm_lesson_step *st, lm_expect_kind kind, const char *t, size_t n) {
    lm_expect *ne = realloc(st->expects, (size_t)(st->n_expects + 1) * sizeof *ne);
    if (!ne) return -1;
    st->expects = ne;
    ne[st->n_expects].kind = kind;
    ne[st->n_expects].text = dup_n(t, n);
    if (!ne[st->n_expects].text) return -1;
    st->n_expects++;
    return 0;
}

int lm_lesson_parse(const char *text, size_t len, lm_lesson *out, lm_err *err) {
    memset(out, 0, sizeof *out);
    sbuf prose = {0};
    int in_block = 0, in_other_fence = 0, line_no = 0, block_line = 0, total_steps = 0;
    lm_lesson_section *sec = NULL;
    lm_lesson_step *last = NULL;
    size_t i = 0;
    while (i < len) {
        size_t e = i;
        while (e < len && text[e] != '\n') e++;
        const char *p = text + i;
        size_t n = e - i;
        line_no++;
        i = e < len ? e + 1 : e;
        if (n > MAX_LINE) {
            lm_lesson_free(out);
            free(prose.buf);
            return lm_fail(err, "line %d is longer than %d bytes", line_no, MAX_LINE);
        }
        if (memchr(p, '\0', n)) {
            lm_lesson_free(out);
            free(prose.buf);
            return lm_fail(err, "line %d contains a NUL byte", line_no);
        }
        const char *t = p;
        size_t tn = n;
        trim(&t, &tn);
        if (in_block) {
            if (starts(t, tn, "```")) { in_block = 0; last = NULL; continue; }
            if (tn == 0 || starts(t, tn, "# ") || (tn == 1 && t[0] == '#')) continue;
            if (starts(t, tn, "#>") || starts(t, tn, "#!") || starts(t, tn, "#fails")) {
                if (!last) {
                    lm_lesson_free(out);
                    free(prose.buf);
                    return lm_fail(err, "line %d: an expectation with no command before it", line_no);
                }
                int rc = 0;
                if (starts(t, tn, "#fails")) last->expect_fail = 1;
                else {
                    const char *x = t + 2;
                    size_t xn = tn - 2;
                    trim(&x, &xn);
                    rc = add_expect(last, t[1] == '>' ? LM_EXPECT_CONTAINS : LM_EXPECT_ABSENT, x, xn);
                }
                if (rc) goto oom;
                continue;
            }
            if (++total_steps > MAX_STEPS) {
                lm_lesson_free(out);
                free(prose.buf);
                return lm_fail(err, "more than %d commands", MAX_STEPS);
            }
            last = new_step(sec, t, tn, line_no);
            if (!last) goto oom;
            continue;
        }
        if (!in_other_fence && starts(t, tn, "```llmlab")) {
            in_block = 1;
            block_line = line_no;
            sec = new_section(out, &prose);
            if (!sec) goto oom;
            continue;
        }
        if (starts(t, tn, "```")) in_other_fence = !in_other_fence;
        if (!out->title && !in_other_fence && starts(p, n, "# ")) {
            const char *h = p + 2;
            size_t hn = n - 2;
            trim(&h, &hn);
            out->title = dup_n(h, hn);
            if (!out->title) goto oom;
        }
        if (sb_add(&prose, p, n) || sb_add(&prose, "\n", 1)) goto oom;
    }
    if (in_block) {
        lm_lesson_free(out);
        free(prose.buf);
        return lm_fail(err, "the llmlab block opened on line %d is never closed", block_line);
    }
    out->tail = sb_take(&prose);
    if (!out->title) out->title = calloc(1, 1);
    if (!out->tail || !out->title) goto oom;
    return 0;
oom:
    lm_lesson_free(out);
    free(prose.buf);
    return lm_fail(err, "out of memory");
}

void lm_lesson_free(lm_lesson *l) {
    for (int s = 0; s < l->n_sections; s++) {
        lm_lesson_section *sec = &l->sections[s];
        for (int k = 0; k < sec->n_steps; k++) {
            lm_lesson_step *st = &sec->steps[k];
            for (int x = 0; x < st->n_expects; x++) free(st->expects[x].text);
            free(st->expects);
            free(st->command);
        }
        free(sec->steps);
        free(sec->prose);
    }
    free(l->sections);
    free(l->title);
    free(l->tail);
    memset(l, 0, sizeof *l);
}
