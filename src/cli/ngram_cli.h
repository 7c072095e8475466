/* ngram_cli.h - what the `llmlab ngram` sub-commands share (cmd_ngram.c):
 * opening an n-gram model file with the query settings of the command line
 * (--order, --smoothing, --k, --discount), reading a prompt into the
 * model's token ids, and writing tokens the way a terminal shows them. The
 * sub-commands: train (cmd_ngram_train.c), next and generate
 * (cmd_ngram_next.c), eval and counts (cmd_ngram.c). */
#ifndef LM_CLI_NGRAM_H
#define LM_CLI_NGRAM_H

#include <getopt.h>

#include "cli/cli.h"
#include "models/lmodel.h"
#include "models/ngram/ngram.h"

typedef struct {
    const char *model;   /* -m FILE (required) */
    int order;           /* 0 = the file's N */
    int smoothing;       /* -1 = the file's */
    float k, discount;   /* NAN = the file's */
    int escapes;         /* -e: \n, \t, \\ in the text */
} ngram_cli_opts;

#define NGRAM_CLI_LONGOPTS                                                                   \
    {"model", required_argument, 0, 'm'}, {"order", required_argument, 0, 3001},            \
    {"smoothing", required_argument, 0, 3002}, {"k", required_argument, 0, 3003},           \
    {"discount", required_argument, 0, 3004}, {"escapes", no_argument, 0, 'e'}
#define NGRAM_CLI_HELP                                                                       \
    "  -m MODEL           an n-gram model file (from `llmlab ngram train`)\n"               \
    "  --order M          use only n-grams up to M (<= the model's N): the model an\n"      \
    "                     M-gram count of the same text would be\n"                         \
    "  --smoothing S      addk | kn | mkn instead of the file's (the counts are the same)\n" \
    "  --k K              add-k's k (1 = Laplace)\n"                                         \
    "  --discount D       Kneser-Ney with one fixed discount D in (0, 1] (e.g. 0.75)\n"     \
    "  -e, --escapes      read \\n, \\t and \\\\ in TEXT as newline, tab, backslash\n"

void ngram_cli_opts_init(ngram_cli_opts *o);
/* 1 if c was one of NGRAM_CLI_LONGOPTS (applied), 0 if not, -1 bad value. */
int ngram_cli_option(cli_ctx *ctx, const char *cmd, int c, const char *arg, ngram_cli_opts *o);
/* Opens o->model (the lesson policy applies), which must be of kind ngram,
 * and applies the query settings. NULL on failure (message printed). */
lm_lmodel *ngram_cli_open(cli_ctx *ctx, const char *cmd, const ngram_cli_opts *o);
/* ngram_cli_open, then argv[first..] (or stdin for "-"; \n etc. read with
 * o->escapes) as the model's ids; empty text is <|endoftext|> (when the
 * tokeniser has it). 0 with *lm and *ids the caller's to free, else the exit
 * status (message printed, nothing to free). */
int ngram_cli_open_text(cli_ctx *ctx, const char *cmd, const ngram_cli_opts *o, int argc, char **argv, int first,
                        lm_lmodel **lm, lm_ids *ids);
/* Tokens as the terminal shows them (show.h: "·the·children·of"), or "(nothing)". */
void ngram_cli_pieces(const lm_tokenizer *t, const int32_t *ids, size_t n, char *out, size_t cap);
/* s, then spaces up to `width` terminal columns (UTF-8 counted by character). */
void ngram_cli_padded(FILE *f, const char *s, int width);

int cmd_ngram_train(cli_ctx *ctx, int argc, char **argv);
int cmd_ngram_next(cli_ctx *ctx, int argc, char **argv);
int cmd_ngram_generate(cli_ctx *ctx, int argc, char **argv);

#endif
