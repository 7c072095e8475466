/* results.c - the results table of a scaling sweep and its TSV file
 * (see results.h). */
#include "scaling/results.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/infile.h"
#include "io/atomic.h"

#define N_COLS 16
enum { COL_LAYERS, COL_WIDTH, COL_HEADS, COL_CTX, COL_VOCAB, COL_PARAMS, COL_NONEMBED, COL_TOKENS, COL_STEPS,
       COL_BATCH, COL_SEQ, COL_LR, COL_SEED, COL_TRAIN, COL_VAL, COL_SECONDS };
static const char *const col_names[N_COLS] = {"layers", "width", "heads", "ctx", "vocab", "params",
                                              "params_nonembed", "tokens", "steps", "batch", "seq", "lr",
                                              "seed", "train_loss", "val_loss", "seconds"};
/* the ranges of the whole-number columns (seed: any 64-bit value) */
static const long long col_max[N_COLS] = {LM_SCALING_MAX_LAYERS, LM_SCALING_MAX_WIDTH, LM_SCALING_MAX_WIDTH, 65536,
                                          1000000, 1000000000000LL, 1000000000000LL, LM_SCALING_MAX_TOKENS,
                                          100000000, 4096, 65536};
static const long long col_min[N_COLS] = {1, 1, 1, 2, 1, 1, 0, 1, 1, 1, 2};

/* ---- the table ---- */

void lm_scaling_table_free(lm_scaling_table *t) {
    free(t->rows);
    memset(t, 0, sizeof *t);
}

int lm_scaling_table_add(lm_scaling_table *t, const lm_scaling_row *r, lm_err *err) {
    if (t->n >= LM_SCALING_MAX_ROWS) return lm_fail(err, "a results table holds at most %d rows", LM_SCALING_MAX_ROWS);
    if (t->n == t->cap) {
        int cap = t->cap ? 2 * t->cap : 16;
        lm_scaling_row *rows = realloc(t->rows, (size_t)cap * sizeof *rows);
        if (!rows) return lm_fail(err, "out of memory for %d result rows", cap);
        t->rows = rows;
        t->cap = cap;
    }
    t->rows[t->n++] = *r;
    return 0;
}

int lm_scaling_table_find(const lm_scaling_table *t, const lm_scaling_row *plan) {
    for (int i = 0; i < t->n; i++)
        if (lm_scaling_same_run(&t->rows[i], plan)) return i;
    return -1;
}

/* ---- reading ---- */

/* field text for a message: at most 24 bytes, anything unprintable as '?' */
static const char *shown(const char *s, char *buf) {
    size_t i = 0;
    for (; s[i] && i < 24; i++) buf[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
    buf[i] = '\0';
    if (s[i]) memcpy(buf + i, "...", 4);
    return buf;
}

static int parse_whole(const char *s, unsigned long long *v) {
    if (*s < '0' || *s > '9') return -1;   /* no sign, no space */
    errno = 0;
    char *end;
    *v = strtoull(s, &end, 10);
    return (*end || errno) ? -1 : 0;
}

static int parse_real(const char *s, double *v) {
    if (!((*s >= '0' && *s <= '9') || *s == '.' || *s == '-')) return -1;
    char *end;
    *v = strtod(s, &end);
    return (*end || !isfinite(*v)) ? -1 : 0;
}

/* one data line (NUL-terminated, no newline) into r */
static int parse_row(char *line, lm_scaling_row *r, const char *name, int ln, lm_err *err) {
    char *f[N_COLS];
    int n = 0;
    for (char *p = line;; n++) {
        char *tab = strchr(p, '\t');
        if (n < N_COLS) f[n] = p;
        if (!tab) { n++; break; }
        *tab = '\0';
        p = tab + 1;
    }
    if (n != N_COLS)
        return lm_fail(err, "%s:%d: %d fields, the header has %d (fields are separated by tabs)", name, ln, n, N_COLS);
    char buf[32];
    long long iv[N_COLS] = {0};
    for (int c = 0; c <= COL_SEQ; c++) {
        unsigned long long v;
        if (parse_whole(f[c], &v) || v > (unsigned long long)col_max[c] || (long long)v < col_min[c])
            return lm_fail(err, "%s:%d: %s '%s' is not a whole number in %lld..%lld", name, ln, col_names[c],
                           shown(f[c], buf), col_min[c], col_max[c]);
        iv[c] = (long long)v;
    }
    unsigned long long seed;
    if (parse_whole(f[COL_SEED], &seed))
        return lm_fail(err, "%s:%d: seed '%s' is not a whole number in 0..2^64-1", name, ln, shown(f[COL_SEED], buf));
    double dv[N_COLS] = {0};
    for (int c = COL_LR; c <= COL_SECONDS; c++) {
        if (c == COL_SEED) continue;
        int ok = parse_real(f[c], &dv[c]) == 0;
        if (c == COL_LR) ok = ok && dv[c] > 0 && dv[c] <= 10 && (float)dv[c] > 0;
        else if (c == COL_SECONDS) ok = ok && dv[c] >= 0;
        else ok = ok && dv[c] >= 1e-6 && dv[c] < 1000;   /* written with 6 decimals */
        if (!ok)
            return lm_fail(err, "%s:%d: %s '%s' is not a %s", name, ln, col_names[c], shown(f[c], buf),
                           c == COL_LR ? "learning rate in (0, 10]"
                           : c == COL_SECONDS ? "finite number of seconds >= 0"
                                              : "loss (a number from 0.000001 up to 1000)");
    }
    if (iv[COL_SEQ] > iv[COL_CTX])
        return lm_fail(err, "%s:%d: seq %lld is longer than the context %lld", name, ln, iv[COL_SEQ], iv[COL_CTX]);
    memset(r, 0, sizeof *r);
    r->size = (lm_scaling_size){.n_layer = (int)iv[COL_LAYERS], .d_model = (int)iv[COL_WIDTH],
                                .n_head = (int)iv[COL_HEADS]};
    lm_scaling_plan p = {.seq = (int)iv[COL_CTX], .vocab_size = (int)iv[COL_VOCAB]};
    lm_config cfg;
    lm_err why = {{0}};
    if (lm_scaling_config(&r->size, &p, &cfg, &why)) return lm_fail(err, "%s:%d: not a model: %s", name, ln, why.msg);
    long long params = (long long)lm_param_count(&cfg), nonembed = (long long)lm_param_count_nonembed(&cfg);
    if (iv[COL_PARAMS] != params || iv[COL_NONEMBED] != nonembed)
        return lm_fail(err, "%s:%d: params %lld and params_nonembed %lld are not the counts of %d layers x width %d "
                            "(ctx %d, vocab %d): %lld and %lld", name, ln, iv[COL_PARAMS], iv[COL_NONEMBED],
                       cfg.n_layer, cfg.d_model, cfg.n_ctx, cfg.vocab_size, params, nonembed);
    if (iv[COL_TOKENS] != iv[COL_STEPS] * iv[COL_BATCH] * iv[COL_SEQ])
        return lm_fail(err, "%s:%d: tokens %lld is not steps x batch x seq = %lld x %lld x %lld", name, ln,
                       iv[COL_TOKENS], iv[COL_STEPS], iv[COL_BATCH], iv[COL_SEQ]);
    r->n_ctx = cfg.n_ctx;
    r->vocab_size = cfg.vocab_size;
    r->params = params;
    r->params_nonembed = nonembed;
    r->tokens = iv[COL_TOKENS];
    r->steps = (int)iv[COL_STEPS];
    r->batch = (int)iv[COL_BATCH];
    r->seq = (int)iv[COL_SEQ];
    r->lr = (float)dv[COL_LR];
    r->seed = seed;
    r->train_loss = dv[COL_TRAIN];
    r->val_loss = dv[COL_VAL];
    r->seconds = dv[COL_SECONDS];
    return 0;
}

/* the header line must be exactly the columns; says where it differs */
static int check_header(char *line, const char *name, int ln, lm_err *err) {
    if (strcmp(line, LM_SCALING_COLUMNS) == 0) return 0;
    char *p = line, buf[32];
    for (int c = 0; c < N_COLS; c++) {
        char *tab = strchr(p, '\t');
        if (tab) *tab = '\0';
        if (strcmp(p, col_names[c]) != 0)
            return lm_fail(err, "%s:%d: the header's column %d is '%s', expected '%s' (the header is the %d "
                                "columns layers, width, ... seconds, tab-separated)",
                           name, ln, c + 1, shown(p, buf), col_names[c], N_COLS);
        if (!tab) return lm_fail(err, "%s:%d: the header ends after column %d (%s); it has %d columns", name, ln,
                                 c + 1, col_names[c], N_COLS);
        p = tab + 1;
    }
    return lm_fail(err, "%s:%d: the header has more than the %d columns layers ... seconds", name, ln, N_COLS);
}

static const char source_tag[] = "# source: ";

static int parse_lines(lm_scaling_table *t, const char *text, size_t len, const char *name, lm_err *err) {
    const char *nul = memchr(text, '\0', len);
    if (nul) {
        int ln = 1;
        for (const char *p = text; p < nul; p++) ln += *p == '\n';
        return lm_fail(err, "%s:%d: a NUL byte: not a text file", name, ln);
    }
    int header = 0, ln = 0;
    char line[LM_SCALING_LINE_MAX + 1];
    for (size_t pos = 0; pos < len;) {
        ln++;
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t ll = nl ? (size_t)(nl - (text + pos)) : len - pos;
        if (ll > LM_SCALING_LINE_MAX)
            return lm_fail(err, "%s:%d: a line longer than %d bytes", name, ln, LM_SCALING_LINE_MAX);
        memcpy(line, text + pos, ll);
        line[ll] = '\0';
        pos += ll + (nl ? 1 : 0);
        if (ll && line[ll - 1] == '\r') line[--ll] = '\0';
        if (ll == 0) continue;
        if (line[0] == '#') {
            if (strncmp(line, source_tag, sizeof source_tag - 1) == 0) {
                if (ll - (sizeof source_tag - 1) >= sizeof t->source)
                    return lm_fail(err, "%s:%d: the source line is longer than %d bytes", name, ln,
                                   (int)sizeof t->source - 1);
                memcpy(t->source, line + sizeof source_tag - 1, ll - (sizeof source_tag - 1) + 1);
            }
            continue;
        }
        if (!header) {
            if (check_header(line, name, ln, err)) return -1;
            header = 1;
            continue;
        }
        lm_scaling_row r;
        if (parse_row(line, &r, name, ln, err)) return -1;
        if (t->n >= LM_SCALING_MAX_ROWS)
            return lm_fail(err, "%s:%d: more than %d rows", name, ln, LM_SCALING_MAX_ROWS);
        if (lm_scaling_table_add(t, &r, err)) return -1;
    }
    if (!header) return lm_fail(err, "%s: no header line (%s ..., tab-separated): not a results file", name, "layers\twidth");
    return 0;
}

int lm_scaling_tsv_parse(lm_scaling_table *t, const char *text, size_t len, const char *name, lm_err *err) {
    lm_scaling_table_free(t);
    if (parse_lines(t, text, len, name, err) == 0) return 0;
    lm_scaling_table_free(t);
    return -1;
}

int lm_scaling_tsv_load(lm_scaling_table *t, const char *path, lm_err *err) {
    uint8_t *data;
    size_t len;
    lm_scaling_table_free(t);
    if (lm_infile_read_all(path, "a scaling results file", LM_SCALING_TSV_MAX_BYTES, &data, &len, err)) return -1;
    int rc = lm_scaling_tsv_parse(t, (const char *)data, len, path, err);
    free(data);
    return rc;
}

/* ---- writing ---- */

char *lm_scaling_tsv_format(const lm_scaling_table *t, size_t *len, lm_err *err) {
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (!f) {
        lm_fail(err, "out of memory");
        return NULL;
    }
    fputs("# llmlab scaling results (`llmlab scaling --help`): one training run a row; N = params_nonembed,\n"
          "# D = tokens, compute C = 6 N D; val_loss on the held-out text after the last step\n", f);
    if (t->source[0]) fprintf(f, "%s%s\n", source_tag, t->source);
    fputs(LM_SCALING_COLUMNS "\n", f);
    for (int i = 0; i < t->n; i++) {
        const lm_scaling_row *r = &t->rows[i];
        fprintf(f, "%d\t%d\t%d\t%d\t%d\t%lld\t%lld\t%lld\t%d\t%d\t%d\t%.9g\t%llu\t%.6f\t%.6f\t%.1f\n", r->size.n_layer,
                r->size.d_model, r->size.n_head, r->n_ctx, r->vocab_size, r->params, r->params_nonembed, r->tokens,
                r->steps, r->batch, r->seq, (double)r->lr, (unsigned long long)r->seed, r->train_loss, r->val_loss,
                r->seconds);
    }
    if (fclose(f) || !buf) {
        free(buf);
        lm_fail(err, "out of memory");
        return NULL;
    }
    return buf;
}

int lm_scaling_tsv_save(const lm_scaling_table *t, const char *path, lm_err *err) {
    size_t len;
    char *text = lm_scaling_tsv_format(t, &len, err);
    if (!text) return -1;
    int rc = lm_atomic_write_bytes(path, text, len, err);
    free(text);
    return rc;
}
