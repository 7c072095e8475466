/* lmtable.h - THE comparison of language models of every kind (n-gram,
 * feed-forward, recurrent, transformer) on one number: validation loss in
 * bits per byte on the same text, beside each model's size and training
 * time, and a uniform guess as the trivial baseline.
 *
 * Contract
 * - lm_lmtable_measure_lm scores the text with lm_lmodel_text_loss for a
 *   model of any language-model kind (models/lmodel.h); the row
 *   carries the file's kind, description, parameter count and training time
 *   (the metadata's "train_seconds", else "wall_seconds", else unknown).
 * - Bits per byte, not per token: kinds may use other tokenisers, and a
 *   byte is the unit they all share.
 * - A table is saved as text (TSV, one row per model) so the UI can draw
 *   the shipped table without running seven models; reading a table treats
 *   the file as untrusted (bounded line length and row count, every number
 *   checked, messages with the line number).
 * - Nothing prints; failures return -1 with lm_err.
 */
#ifndef LM_LMTABLE_H
#define LM_LMTABLE_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "models/lmodel.h"

#define LM_LMTABLE_MAX_ROWS 32

typedef struct {
    char   name[64];        /* the file's name without folder and ".llm", or "uniform" */
    char   kind[16];        /* "gpt", "ngram", ...; "-" for the uniform guess */
    char   desc[160];
    double n_params;
    double train_seconds;   /* < 0: not recorded */
    double tokens, bytes, nats;
    double bits_per_byte;
    int    vocab;           /* the model's vocabulary (measured rows only; not saved) */
} lm_lmtable_row;

typedef struct {
    int n;
    lm_lmtable_row rows[LM_LMTABLE_MAX_ROWS];
    char text_desc[160];    /* what was scored: "data/corpus/val.txt, 200 windows of 128 tokens" */
} lm_lmtable;

/* The row name of a model file: "models/rnn.llm" -> "rnn". */
void lm_lmtable_name_of(const char *path, char *out, size_t cap);
/* One open model's row, named name, on text[len] (windows and max_windows as
 * lm_lmodel_text_loss). */
int lm_lmtable_measure_lm(lm_lmodel *lm, const char *name, const uint8_t *text, size_t len, int window,
                          size_t max_windows, lm_lmtable_row *row, lm_err *err);
/* The uniform guess over V ids on the tokens and bytes of a measured row:
 * log2 V bits per token. */
void lm_lmtable_uniform(const lm_lmtable_row *like, int vocab, lm_lmtable_row *row);

/* A row's numbers as the table shows them: "4.24M" parameters, "32.0 min"
 * (or "-" when not recorded). Return out. */
char *lm_lmtable_fmt_count(double v, char *out, size_t cap);
char *lm_lmtable_fmt_seconds(double s, char *out, size_t cap);

int lm_lmtable_save(const lm_lmtable *t, const char *path, lm_err *err);
int lm_lmtable_parse(lm_lmtable *t, const char *text, size_t len, lm_err *err);
int lm_lmtable_load(lm_lmtable *t, const char *path, lm_err *err);

#endif
