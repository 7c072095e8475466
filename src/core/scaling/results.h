/* results.h - the results of a scaling sweep as a table, and its file: tab-
 * separated values, one run a row, that `llmlab scaling run` writes (and
 * resumes from) and `llmlab scaling plot` reads. A results file may come
 * from anyone (the shipped data/scaling/sweep.tsv, a colleague's sweep), so
 * it is read as untrusted input.
 *
 * The file
 *   # llmlab scaling results ...           comment lines start with '#'
 *   # source: tokenizer=char data=...      the sweep's data (one line, kept)
 *   layers<TAB>width<TAB>heads<TAB>...     the header: exactly LM_SCALING_COLUMNS
 *   2<TAB>64<TAB>2<TAB>...                 one row per run
 * Blank lines are skipped; a line may end in "\r\n".
 *
 * Contract
 * - Reading: at most LM_SCALING_TSV_MAX_BYTES, LM_SCALING_MAX_ROWS rows and
 *   LM_SCALING_LINE_MAX bytes a line; a NUL byte, a missing or different
 *   header, a row with the wrong number of fields, a field that is not a
 *   number of its column's kind or is out of range, a config the model
 *   cannot be (lm_scaling_config), params or params_nonembed that are not the
 *   counts of that config, tokens != steps * batch * seq, or a loss that is
 *   not a finite positive number each fail with "NAME:LINE: reason" naming
 *   the column and the value. Nothing is half-read: on failure the table is
 *   left empty.
 * - Writing goes through io/atomic.h (a reader sees the old file or the new
 *   one): the two comment lines, the header, every row. Numbers are written
 *   so that reading gives back the same row (lr with 9 significant digits).
 * - Nothing prints; failures return -1 with lm_err.
 */
#ifndef LM_SCALING_RESULTS_H
#define LM_SCALING_RESULTS_H

#include <stddef.h>

#include "base/err.h"
#include "scaling/sweep.h"

#define LM_SCALING_TSV_MAX_BYTES (4u << 20)
#define LM_SCALING_MAX_ROWS 4096
#define LM_SCALING_LINE_MAX 1024
#define LM_SCALING_SOURCE_MAX 400

/* the header, tab-separated */
#define LM_SCALING_COLUMNS                                                                          \
    "layers\twidth\theads\tctx\tvocab\tparams\tparams_nonembed\ttokens\tsteps\tbatch\tseq\tlr\tseed\t" \
    "train_loss\tval_loss\tseconds"

typedef struct {
    lm_scaling_row *rows;
    int n, cap;
    char source[LM_SCALING_SOURCE_MAX];   /* the "# source: " line's text; "" when none */
} lm_scaling_table;

void lm_scaling_table_free(lm_scaling_table *t);
/* appends a copy of r; -1 when the table is full or out of memory */
int  lm_scaling_table_add(lm_scaling_table *t, const lm_scaling_row *r, lm_err *err);
/* the index of the row that is the same run as plan (lm_scaling_same_run), or -1 */
int  lm_scaling_table_find(const lm_scaling_table *t, const lm_scaling_row *plan);

/* Parses text[0..len) (name = what messages call it, e.g. the path) into t
 * (emptied first). 0 or -1. */
int  lm_scaling_tsv_parse(lm_scaling_table *t, const char *text, size_t len, const char *name, lm_err *err);
/* Reads the file at path (a regular file, base/infile.h) into t. */
int  lm_scaling_tsv_load(lm_scaling_table *t, const char *path, lm_err *err);
/* The whole table as file text (malloc'd, NUL-terminated, *len without it). */
char *lm_scaling_tsv_format(const lm_scaling_table *t, size_t *len, lm_err *err);
/* Writes the table to path atomically. */
int  lm_scaling_tsv_save(const lm_scaling_table *t, const char *path, lm_err *err);

#endif
