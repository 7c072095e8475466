/* nlm_train.h - what `llmlab fflm train` and `llmlab rnn train` share: the
 * options every training command takes (cli/trainloop.h: --steps --batch
 * --seq --lr ... -o --resume), --data/--val/-t, a resumed checkpoint of the
 * command's kind (lm_load_parts + lm_checkpoint_load_moments), and the run
 * through THE training loop (progress, validation, checkpoints, Ctrl-C).
 * Each command adds its own model options and makes its new model.
 *
 * Data: --data FILE (with --val FILE, or the last 5% held out); without
 * --data the shipped data/corpus/train.txt validated on data/corpus/val.txt.
 * A new model's tokeniser: -t SPEC (cli_open_tokenizer: a model file, a
 * tokeniser file, char, ...), by default models/base.llm's, the transformer's.
 */
#ifndef LM_CLI_NLM_TRAIN_H
#define LM_CLI_NLM_TRAIN_H

#include <getopt.h>

#include "cli/trainloop.h"
#include "models/nlm/nlm.h"

typedef struct {
    cli_train_run r;        /* options, data, val, the resumed metadata (r.m unused) */
    const char *tokspec;    /* -t */
    const char *model_opt;  /* the first model option given (refused with --resume) */
    lm_nlm *m;              /* the model trained (owned) */
    char data_buf[LM_PATH_MAX], val_buf[LM_PATH_MAX];
} cli_nlm_train;

#define CLI_NLM_TRAIN_LONGOPTS                                                                       \
    {"help", no_argument, 0, 'h'}, {"data", required_argument, 0, 'd'},                              \
    {"val", required_argument, 0, 'v'}, {"tokenizer", required_argument, 0, 't'}, CLI_RUN_LONGOPTS
#define CLI_NLM_TRAIN_SHORTOPTS "ht:o:"
#define CLI_NLM_TRAIN_HELP                                                                           \
    "data:\n"                                                                                        \
    "  --data FILE        training text (default data/corpus/train.txt, validated on\n"              \
    "                     data/corpus/val.txt); with --data and no --val the last 5%\n"              \
    "                     is held out\n"                                                             \
    "  --val FILE         held-out text for the validation loss\n"                                   \
    "  -t SPEC            a new model's tokeniser (default models/base.llm's BPE)\n" CLI_RUN_HELP

void cli_nlm_train_init(cli_nlm_train *t, const char *cmd);
/* 1 if c was a shared option (applied), 0 if not, -1 on a bad value
 * (message printed). 'h' is the caller's (its own usage). */
int  cli_nlm_train_option(cli_ctx *ctx, cli_nlm_train *t, int c, const char *arg);
/* After parsing: -o is required; --resume loads OUT (which must be of
 * kind) into t->m, takes --data/--val from its metadata, and refuses model
 * options. Then fills the run options (resumed values, else the defaults
 * given). 0 ok, or an exit status (message printed). */
int  cli_nlm_train_load(cli_ctx *ctx, cli_nlm_train *t, const char *kind, int def_steps, int def_batch, int def_seq,
                        float def_lr);
/* The tokeniser of a new model (-t, or models/base.llm's); NULL on failure
 * (message printed). */
lm_tokenizer *cli_nlm_train_tokenizer(cli_ctx *ctx, cli_nlm_train *t);
/* Prepares obj (made on t->m) on the data, writes the run's metadata (the
 * options, kind, data, val, the objective's lines, then extra), prints the
 * header and runs the loop. 0 done, 1 failure, 2 usage, CLI_EXIT_INTERRUPTED. */
int  cli_nlm_train_run(cli_ctx *ctx, cli_nlm_train *t, lm_objective *obj, const char *extra);
void cli_nlm_train_free(cli_nlm_train *t);

/* What a training command says of its kind for cli_nlm_train_main: the
 * rest (parsing the shared options, --resume, data, the new model's
 * tokeniser, the run) is the same for every kind. cfg is the command's
 * config struct, passed back to its own callbacks untouched. */
typedef struct {
    const char *kind;                 /* LM_KIND_*: what --resume must find in OUT */
    const char *usage;                /* printed by --help */
    const struct option *longopts;    /* CLI_NLM_TRAIN_LONGOPTS, then its own; {0} ended */
    int def_steps, def_batch, def_seq;
    float def_lr;
    /* Its own option c: 1 applied (t->model_opt set), 0 not its own, -1 a
     * bad value (message printed; exit 2). */
    int (*option)(cli_ctx *ctx, cli_nlm_train *t, int c, const char *arg, void *cfg);
    /* A new model of cfg with vocab tokens from seed into *m; nonzero with err. */
    int (*new_model)(lm_nlm **m, void *cfg, int vocab, uint64_t seed, lm_err *err);
    /* The objective that trains m (NULL with err). */
    lm_objective *(*objective)(lm_nlm *m, lm_err *err);
    /* The run metadata's kind lines for m ("name=value\n" each) into buf. */
    void (*extra)(const lm_nlm *m, char *buf, size_t cap);
} cli_nlm_kind;

/* `llmlab CMD` (argv[0] the action) for kind k: parses argv (--help prints
 * k->usage and returns 0; a usage error 2), loads or makes the model
 * (cli_nlm_train_load, then k->new_model with cli_nlm_train_tokenizer's
 * tokeniser), and runs k->objective through cli_nlm_train_run with
 * k->extra. Returns the exit status. */
int cli_nlm_train_main(cli_ctx *ctx, const char *cmd, const cli_nlm_kind *k, void *cfg, int argc, char **argv);

#endif
