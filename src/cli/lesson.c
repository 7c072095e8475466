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

/* where the parser is: the lesson so far and the prose not yet given to a section */
typedef struct {
    lm_lesson *out;
    sbuf prose;
    int in_block;          /* inside a ```llmlab block */
    int in_other_fence;    /* inside any other ``` fence (its lines are prose) */
    int line_no, block_line, total_steps;
    lm_lesson_section *sec;   /* the section of the open block */
    lm_lesson_step *last;     /* the command expectations attach to */
} parser;

/* A line inside an llmlab block (trimmed: t, tn): the closing fence, a
 * comment, an expectation (#> text, #! text, #fails) or a command.
 * 0 ok, -1 failed (err set). */
static int block_line(parser *ps, const char *t, size_t tn, lm_err *err) {
    if (starts(t, tn, "```")) { ps->in_block = 0; ps->last = NULL; return 0; }
    if (tn == 0 || starts(t, tn, "# ") || (tn == 1 && t[0] == '#')) return 0;
    if (starts(t, tn, "#>") || starts(t, tn, "#!") || starts(t, tn, "#fails")) {
        if (!ps->last) return lm_fail(err, "line %d: an expectation with no command before it", ps->line_no);
        if (starts(t, tn, "#fails")) { ps->last->expect_fail = 1; return 0; }
        const char *x = t + 2;
        size_t xn = tn - 2;
        trim(&x, &xn);
        if (add_expect(ps->last, t[1] == '>' ? LM_EXPECT_CONTAINS : LM_EXPECT_ABSENT, x, xn))
            return lm_fail(err, "out of memory");
        return 0;
    }
    if (++ps->total_steps > MAX_STEPS) return lm_fail(err, "more than %d commands", MAX_STEPS);
    ps->last = new_step(ps->sec, t, tn, ps->line_no);
    return ps->last ? 0 : lm_fail(err, "out of memory");
}

/* A line outside llmlab blocks (p, n as written; t, tn trimmed): an opening
 * ```llmlab fence starts a section, anything else is prose; the first
 * "# " heading outside fences is the title. 0 ok, -1 failed (err set). */
static int prose_line(parser *ps, const char *p, size_t n, const char *t, size_t tn, lm_err *err) {
    if (!ps->in_other_fence && starts(t, tn, "```llmlab")) {
        ps->in_block = 1;
        ps->block_line = ps->line_no;
        ps->sec = new_section(ps->out, &ps->prose);
        return ps->sec ? 0 : lm_fail(err, "out of memory");
    }
    if (starts(t, tn, "```")) ps->in_other_fence = !ps->in_other_fence;
    if (!ps->out->title && !ps->in_other_fence && starts(p, n, "# ")) {
        const char *h = p + 2;
        size_t hn = n - 2;
        trim(&h, &hn);
        ps->out->title = dup_n(h, hn);
        if (!ps->out->title) return lm_fail(err, "out of memory");
    }
    if (sb_add(&ps->prose, p, n) || sb_add(&ps->prose, "\n", 1)) return lm_fail(err, "out of memory");
    return 0;
}

/* every line of text in turn; 0 ok, -1 failed (err set) */
static int parse_lines(parser *ps, const char *text, size_t len, lm_err *err) {
    size_t i = 0;
    while (i < len) {
        size_t e = i;
        while (e < len && text[e] != '\n') e++;
        const char *p = text + i;
        size_t n = e - i;
        ps->line_no++;
        i = e < len ? e + 1 : e;
        if (n > MAX_LINE) return lm_fail(err, "line %d is longer than %d bytes", ps->line_no, MAX_LINE);
        if (memchr(p, '\0', n)) return lm_fail(err, "line %d contains a NUL byte", ps->line_no);
        const char *t = p;
        size_t tn = n;
        trim(&t, &tn);
        if (ps->in_block ? block_line(ps, t, tn, err) : prose_line(ps, p, n, t, tn, err)) return -1;
    }
    if (ps->in_block)
        return lm_fail(err, "the llmlab block opened on line %d is never closed", ps->block_line);
    return 0;
}

int lm_lesson_parse(const char *text, size_t len, lm_lesson *out, lm_err *err) {
    memset(out, 0, sizeof *out);
    parser ps = {.out = out};
    if (parse_lines(&ps, text, len, err)) goto fail;
    out->tail = sb_take(&ps.prose);
    if (!out->title) out->title = calloc(1, 1);
    if (!out->tail || !out->title) {
        lm_fail(err, "out of memory");
        goto fail;
    }
    return 0;
fail:
    lm_lesson_free(out);
    free(ps.prose.buf);
    return -1;
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
