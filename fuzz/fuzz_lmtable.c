/* fuzz_lmtable.c - libFuzzer target: lm_lmtable_parse (the saved table of
 * `llmlab lms`, which the UI draws) on arbitrary bytes. A table that parses
 * has 1..32 rows, every number finite and >= its bound, no control byte in
 * any text field; saving it and parsing the result gives the same rows. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eval/lmtable.h"

static void no_controls(const char *s) {
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    lm_lmtable *t = malloc(sizeof *t), *u = malloc(sizeof *u);
    if (!t || !u) abort();
    if (lm_lmtable_parse(t, (const char *)data, size, NULL) == 0) {
        if (t->n < 1 || t->n > LM_LMTABLE_MAX_ROWS) abort();
        for (int i = 0; i < t->n; i++) {
            const lm_lmtable_row *r = &t->rows[i];
            no_controls(r->name);
            no_controls(r->kind);
            no_controls(r->desc);
            double v[6] = {r->n_params, r->train_seconds, r->tokens, r->bytes, r->nats, r->bits_per_byte};
            for (int k = 0; k < 6; k++)
                if (!isfinite(v[k]) || v[k] < (k == 1 ? -1 : 0)) abort();
        }
        char path[64];
        snprintf(path, sizeof path, "/tmp/fuzz_lmtable_%d.tsv", (int)getpid());
        if (lm_lmtable_save(t, path, NULL) == 0) {
            if (lm_lmtable_load(u, path, NULL) != 0 || u->n != t->n) abort();
            for (int i = 0; i < t->n; i++)
                if (strcmp(u->rows[i].name, t->rows[i].name) || strcmp(u->rows[i].kind, t->rows[i].kind)) abort();
            unlink(path);
        }
    }
    free(t);
    free(u);
    return 0;
}
