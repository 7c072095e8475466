/* record.c - writing and reading a recorded UI session (see record.h). */
#include "ui/record.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void rec_write_start(FILE *f, int cols, int rows, const cli_preset *settings) {
    fprintf(f, "llmlab-record 1\nsize %dx%d\n", cols, rows);
    cli_preset_write(f, settings);
    fflush(f);
}

void rec_write_key(FILE *f, int ch, int is_key) {
    fprintf(f, "key %c %d\n", is_key ? 'k' : 'c', ch);
    fflush(f);
}

static int one_line(rec_session *r, char *s, int lineno, lm_err *err) {
    if (strncmp(s, "key ", 4) == 0) {
        char kind, *end;
        if ((s[4] != 'c' && s[4] != 'k') || s[5] != ' ' || s[6] < '0' || s[6] > '9') {
            lm_fail(err, "line %d: a key is 'key c N' or 'key k N'", lineno);
            return -1;
        }
        kind = s[4];
        errno = 0;
        long v = strtol(s + 6, &end, 10);
        if (errno || *end || v > 0x10FFFF) { lm_fail(err, "line %d: bad key code", lineno); return -1; }
        if (r->n_keys == REC_MAX_KEYS) { lm_fail(err, "line %d: more than %d keys", lineno, REC_MAX_KEYS); return -1; }
        if (r->n_keys % 1024 == 0) {
            rec_key *k = realloc(r->keys, sizeof *k * (size_t)(r->n_keys + 1024));
            if (!k) { lm_fail(err, "out of memory"); return -1; }
            r->keys = k;
        }
        r->keys[r->n_keys++] = (rec_key){(int)v, kind == 'k'};
        return 0;
    }
    if (strncmp(s, "size ", 5) == 0) {
        char tail;
        if (r->cols || sscanf(s + 5, "%dx%d%c", &r->cols, &r->rows, &tail) != 2 || r->cols < 10 || r->rows < 5 ||
            r->cols > 1000 || r->rows > 1000) {
            lm_fail(err, "line %d: size is COLSxROWS (10x5 .. 1000x1000), once", lineno);
            return -1;
        }
        return 0;
    }
    return cli_preset_line(&r->settings, s, lineno, err);
}

int rec_load(const char *path, rec_session *r, lm_err *err) {
    memset(r, 0, sizeof *r);
    FILE *f = fopen(path, "rb");
    if (!f) { lm_fail(err, "%s: %s", path, strerror(errno)); return -1; }
    char line[CLI_PRESET_PROMPT_MAX * 2 + 64];
    int lineno = 0, rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        lineno++;
        size_t l = strlen(line);
        if (l && line[l - 1] == '\n') line[--l] = 0;
        else if (!feof(f)) { lm_fail(err, "line %d: too long", lineno); rc = -1; break; }
        if (l && line[l - 1] == '\r') line[--l] = 0;
        if (memchr(line, 0, l)) { lm_fail(err, "line %d: a NUL byte", lineno); rc = -1; break; }
        if (lineno == 1) {
            if (strcmp(line, "llmlab-record 1") != 0) { lm_fail(err, "line 1: not a recording (expected 'llmlab-record 1')"); rc = -1; }
            continue;
        }
        if (!line[0] || line[0] == '#') continue;
        rc = one_line(r, line, lineno, err);
    }
    if (rc == 0 && lineno == 0) { lm_fail(err, "%s: empty file, not a recording", path); rc = -1; }
    fclose(f);
    if (rc) rec_free(r);
    return rc;
}

void rec_free(rec_session *r) {
    free(r->keys);
    r->keys = NULL;
    r->n_keys = 0;
}
