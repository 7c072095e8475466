/* lmtable.c - language models of every kind on one number (see lmtable.h). */
#include "eval/lmtable.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/infile.h"
#include "io/atomic.h"

static const char HEADER[] = "# llmlab lms table 1";
#define MAX_LINE 1024
#define MAX_FILE (64u * 1024u)

/* the value of key in "key=value\n" metadata as a number, or -1 */
static double meta_number(const char *meta, const char *key) {
    size_t kl = strlen(key);
    for (const char *p = meta; p && *p;) {
        if (strncmp(p, key, kl) == 0 && p[kl] == '=') {
            char *end;
            double v = strtod(p + kl + 1, &end);
            return end != p + kl + 1 && isfinite(v) && v >= 0 ? v : -1;
        }
        p = strchr(p, '\n');
        if (p) p++;
    }
    return -1;
}

void lm_lmtable_name_of(const char *path, char *out, size_t cap) {
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    size_t n = strlen(b);
    if (n > 4 && strcmp(b + n - 4, ".llm") == 0) n -= 4;
    if (n >= cap) n = cap - 1;
    memcpy(out, b, n);
    out[n] = 0;
}

int lm_lmtable_measure_lm(lm_lmodel *lm, const char *name, const uint8_t *text, size_t len, int window,
                          size_t max_windows, lm_lmtable_row *row, lm_err *err) {
    memset(row, 0, sizeof *row);
    lm_text_loss tl;
    int rc = lm_lmodel_text_loss(lm, text, len, window, max_windows, &tl, err);
    if (rc == 0) {
        snprintf(row->name, sizeof row->name, "%s", name);
        snprintf(row->kind, sizeof row->kind, "%s", lm->kind);
        snprintf(row->desc, sizeof row->desc, "%s", lm->desc);
        row->n_params = (double)lm->n_params;
        row->vocab = lm->vocab;
        row->train_seconds = meta_number(lm->metadata, "train_seconds");
        if (row->train_seconds < 0) row->train_seconds = meta_number(lm->metadata, "wall_seconds");
        row->tokens = (double)tl.tokens;
        row->bytes = tl.bytes;
        row->nats = tl.nats;
        row->bits_per_byte = tl.bits_per_byte;
    }
    return rc;
}

void lm_lmtable_uniform(const lm_lmtable_row *like, int vocab, lm_lmtable_row *row) {
    memset(row, 0, sizeof *row);
    snprintf(row->name, sizeof row->name, "uniform");
    snprintf(row->kind, sizeof row->kind, "-");
    snprintf(row->desc, sizeof row->desc, "a uniform guess over %d tokens", vocab);
    row->train_seconds = -1;   /* nothing to train */
    row->tokens = like->tokens;
    row->bytes = like->bytes;
    row->nats = like->tokens * log((double)vocab);
    row->bits_per_byte = like->bytes > 0 ? row->nats / log(2.0) / like->bytes : 0;
}

char *lm_lmtable_fmt_count(double v, char *out, size_t cap) {
    if (v >= 1e6) snprintf(out, cap, "%.2fM", v / 1e6);
    else if (v >= 1e3) snprintf(out, cap, "%.1fk", v / 1e3);
    else snprintf(out, cap, "%.0f", v);
    return out;
}

char *lm_lmtable_fmt_seconds(double s, char *out, size_t cap) {
    if (s < 0) snprintf(out, cap, "-");
    else if (s < 60) snprintf(out, cap, "%.1f s", s);
    else if (s < 3600) snprintf(out, cap, "%.1f min", s / 60);
    else snprintf(out, cap, "%.1f h", s / 3600);
    return out;
}

/* ---- the table as text ---- */

/* a field may hold no tab or newline: they become spaces */
static void put_field(FILE *f, const char *s) {
    for (; *s; s++) fputc(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s, f);
}

static int write_table(FILE *f, void *user, lm_err *err) {
    (void)err;
    const lm_lmtable *t = user;
    fprintf(f, "%s\n# scored: ", HEADER);
    put_field(f, t->text_desc);
    fputs("\n# name\tkind\tparams\ttrain_seconds\ttokens\tbytes\tnats\tbits_per_byte\tdesc\n", f);
    for (int i = 0; i < t->n; i++) {
        const lm_lmtable_row *r = &t->rows[i];
        put_field(f, r->name);
        fputc('\t', f);
        put_field(f, r->kind);
        fprintf(f, "\t%.0f\t%.1f\t%.0f\t%.0f\t%.6f\t%.6f\t", r->n_params, r->train_seconds, r->tokens, r->bytes,
                r->nats, r->bits_per_byte);
        put_field(f, r->desc);
        fputc('\n', f);
    }
    return ferror(f) ? -1 : 0;
}

int lm_lmtable_save(const lm_lmtable *t, const char *path, lm_err *err) {
    return lm_atomic_write(path, write_table, (void *)t, err);
}

/* one numeric field: finite, >= lo */
static int number(const char *s, double lo, double *out) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno || !isfinite(v) || v < lo) return -1;
    *out = v;
    return 0;
}

static int copy_field(char *dst, size_t cap, const char *src) {
    size_t n = strlen(src);
    if (n >= cap) return -1;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)src[i] < 0x20 || src[i] == 0x7f) return -1;   /* no control bytes reach a screen */
    memcpy(dst, src, n + 1);
    return 0;
}

/* a data line: 9 tab-separated fields */
static int parse_row(char *line, lm_lmtable_row *r, int lineno, lm_err *err) {
    char *f[9];
    int n = 0;
    for (char *p = line; n < 9;) {
        f[n++] = p;
        char *tab = strchr(p, '\t');
        if (!tab) break;
        *tab = 0;
        p = tab + 1;
    }
    if (n != 9 || strchr(f[8], '\t')) return lm_fail(err, "line %d: expected 9 tab-separated fields", lineno);
    memset(r, 0, sizeof *r);
    if (copy_field(r->name, sizeof r->name, f[0]) || !r->name[0])
        return lm_fail(err, "line %d: the name is empty, too long or holds control bytes", lineno);
    if (copy_field(r->kind, sizeof r->kind, f[1]) || !r->kind[0])
        return lm_fail(err, "line %d: the kind is empty, too long or holds control bytes", lineno);
    if (copy_field(r->desc, sizeof r->desc, f[8]))
        return lm_fail(err, "line %d: the description is too long or holds control bytes", lineno);
    const char *names[6] = {"params", "train_seconds", "tokens", "bytes", "nats", "bits_per_byte"};
    double *vals[6] = {&r->n_params, &r->train_seconds, &r->tokens, &r->bytes, &r->nats, &r->bits_per_byte};
    for (int i = 0; i < 6; i++)
        if (number(f[2 + i], i == 1 ? -1 : 0, vals[i]))
            return lm_fail(err, "line %d: %s is not a number >= %d: \"%.40s\"", lineno, names[i], i == 1 ? -1 : 0,
                           f[2 + i]);
    return 0;
}

int lm_lmtable_parse(lm_lmtable *t, const char *text, size_t len, lm_err *err) {
    memset(t, 0, sizeof *t);
    if (len > MAX_FILE) return lm_fail(err, "a table of %zu bytes is too long (at most %u)", len, MAX_FILE);
    if (len < sizeof HEADER - 1 || memcmp(text, HEADER, sizeof HEADER - 1) != 0)
        return lm_fail(err, "not an llmlab lms table (its first line is not \"%s\")", HEADER);
    char line[MAX_LINE + 1];
    int lineno = 0;
    for (size_t at = 0; at < len;) {
        const char *nl = memchr(text + at, '\n', len - at);
        size_t ll = nl ? (size_t)(nl - (text + at)) : len - at;
        lineno++;
        if (ll > MAX_LINE) return lm_fail(err, "line %d is longer than %d bytes", lineno, MAX_LINE);
        memcpy(line, text + at, ll);
        line[ll] = 0;
        at += ll + (nl ? 1 : 0);
        if (memchr(line, 0, ll)) return lm_fail(err, "line %d holds a NUL byte", lineno);
        if (strncmp(line, "# scored: ", 10) == 0) {
            if (copy_field(t->text_desc, sizeof t->text_desc, line + 10))
                return lm_fail(err, "line %d: the description of the text is too long or holds control bytes",
                               lineno);
            continue;
        }
        if (line[0] == '#' || line[0] == 0) continue;
        if (t->n == LM_LMTABLE_MAX_ROWS) return lm_fail(err, "more than %d rows", LM_LMTABLE_MAX_ROWS);
        if (parse_row(line, &t->rows[t->n], lineno, err)) return -1;
        t->n++;
    }
    if (t->n == 0) return lm_fail(err, "the table has no rows");
    return 0;
}

int lm_lmtable_load(lm_lmtable *t, const char *path, lm_err *err) {
    uint8_t *buf;
    size_t len;
    if (lm_infile_read_all(path, "lms table", MAX_FILE, &buf, &len, err)) return -1;
    lm_err inner = {{0}};
    int rc = lm_lmtable_parse(t, (const char *)buf, len, &inner) ? lm_fail(err, "%s: %s", path, inner.msg) : 0;
    free(buf);
    return rc;
}
