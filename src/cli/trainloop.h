/* trainloop.h - the CLI's step loop, shared by every training command
 * (`train`, `sft`, and each later objective's command): it drives any
 * objective (train/objective.h) through its operations, prints the figures
 * each step returns on the progress line, validates every N steps and
 * writes checkpoints (train/checkpoint.h: model + optimizer state) every N
 * steps and at the end. This is THE checkpoint / resume / Ctrl-C path:
 * SIGINT (Ctrl-C), SIGTERM and SIGHUP finish the current step, save and stop
 * (exit status 130, so `train && sft` stops). A NaN/inf loss or gradient
 * skips the update and saves the weights of the last good step to OUT before
 * stopping. A run already at --steps does nothing and leaves OUT untouched.
 * OUT is checked before the first step (cli_check_output: a missing or
 * read-only folder, a path too long, a full disk fail at once). A save that
 * fails anyway (the disk filled up meanwhile) writes the weights to a fresh
 * rescue folder in $TMPDIR (or /tmp), prints that path and stops (status 1).
 * The core does one step; this file is the caller's loop. */
#ifndef LM_CLI_TRAINLOOP_H
#define LM_CLI_TRAINLOOP_H

#include "cli/cli.h"
#include "data/dataset.h"
#include "train/objective.h"
#include "train/train.h"

typedef struct {
    const char *cmd;             /* "train" | "sft" (messages) */
    lm_model   *m;               /* the transformer trained, or NULL when the
                                  * objective trains a model of its own
                                  * (objective.h: ops->trainee) */
    lm_trainee  t;               /* set by the loop: how it saves what it trains */
    lm_objective *obj;           /* prepared (its data loaded) */
    const char *out_path;        /* checkpoint; optimizer state at OUT.opt */
    const char *run_meta;        /* "key=value\n" lines describing the run */
    int         steps;           /* total steps; the loop runs from m->adam_t */
    int         eval_every;      /* 0 = only at the end */
    int         save_every;      /* 0 = only at the end (and on Ctrl-C) */
    lm_train_opts opts;
    /* results */
    float final_train_loss;      /* mean of the last <= 20 "loss" figures */
    float final_val_loss;        /* "val_loss" of the last validation; NAN if never measured */
    double seconds;
    int nothing_to_do;           /* the model was already at `steps`: OUT untouched */
    int interrupted;             /* stopped by a signal after saving */
} cli_trainloop;

/* Before any step: can a checkpoint of m (with meta) be saved at out? The
 * folder must exist and take a new file, out must fit LM_PATH_MAX with its
 * ".opt", and there must be room for both files (train/checkpoint.h). 0 yes;
 * 1 no (message printed). cli_trainloop_run calls it before its first step;
 * a command calls it before loading data. */
int cli_check_output(cli_ctx *ctx, const char *cmd, const lm_model *m, const char *meta, const char *out);
/* The same for any trainee (another kind's model; train/checkpoint.h). */
int cli_check_output_of(cli_ctx *ctx, const char *cmd, const lm_trainee *t, const char *meta, const char *out);

/* exit status of a run stopped by SIGINT/SIGTERM/SIGHUP (128 + SIGINT) */
#define CLI_EXIT_INTERRUPTED 130

/* 0 done, nothing to do, or interrupted and saved (see L->nothing_to_do,
 * L->interrupted); 1 failure (message printed). */
int cli_trainloop_run(cli_ctx *ctx, cli_trainloop *L);

/* The tokeniser of m (the byte tokeniser when m has none); NULL on failure
 * (message printed). */
lm_tokenizer *cli_run_tokenizer(cli_ctx *ctx, const char *cmd, const lm_model *m);

/* Options shared by train and sft (getopt codes 2001..2099). A value of
 * -1 (or NAN) means "not given": resume fills it from the checkpoint's
 * metadata, otherwise the command's default applies. */
typedef struct {
    int steps, batch, seq, warmup, save_every, eval_every, val_batches;
    float lr, min_lr, clip;
    long long seed;
    const char *out;
    int resume;
} cli_run_opts;
void cli_run_opts_init(cli_run_opts *o);
#define CLI_RUN_LONGOPTS                                                                         \
    {"steps", required_argument, 0, 2001}, {"batch", required_argument, 0, 2002},                \
    {"seq", required_argument, 0, 2003}, {"lr", required_argument, 0, 2004},                     \
    {"min-lr", required_argument, 0, 2005}, {"warmup", required_argument, 0, 2006},              \
    {"seed", required_argument, 0, 2007}, {"save-every", required_argument, 0, 2008},            \
    {"eval-every", required_argument, 0, 2009}, {"val-batches", required_argument, 0, 2010},     \
    {"clip", required_argument, 0, 2011}, {"out", required_argument, 0, 'o'},                    \
    {"resume", no_argument, 0, 2012}
#define CLI_RUN_HELP                                                                             \
    "  --steps N          total optimizer steps (a resumed run continues to N)\n"                \
    "  --batch B          sequences per step\n"                                                  \
    "  --seq T            tokens per sequence (<= the model's context)\n"                        \
    "  --lr LR            peak learning rate (linear warmup, cosine decay)\n"                    \
    "  --min-lr LR        learning rate at the end of the cosine\n"                              \
    "  --warmup N         warmup steps\n"                                                        \
    "  --clip X           clip the gradient norm to X (0 = off; default 1)\n"                    \
    "  --seed S           seed of initialisation and batch order\n"                              \
    "  --eval-every N     validation loss every N steps (and at the end)\n"                      \
    "  --val-batches N    fixed validation batches (default 8)\n"                                \
    "  --save-every N     checkpoint every N steps (always at the end and on Ctrl-C)\n"          \
    "  -o OUT             the model file written (atomically); AdamW state goes to OUT.opt\n"    \
    "  --resume           continue OUT from its last checkpoint (step, AdamW moments, options)\n"
/* The config of a new model, shared by the commands that make one (train,
 * mlm train; getopt codes 1101..1107): --layers L --heads H --width C
 * --mlp M --ctx T --pos learned|sinusoidal|rotary --act gelu|relu. Each
 * command states its own defaults in its usage. */
#define CLI_CONFIG_LONGOPTS                                                                      \
    {"layers", required_argument, 0, 1101}, {"heads", required_argument, 0, 1102},               \
    {"width", required_argument, 0, 1103}, {"mlp", required_argument, 0, 1104},                  \
    {"ctx", required_argument, 0, 1105}, {"pos", required_argument, 0, 1106},                    \
    {"act", required_argument, 0, 1107}
/* 1 if c was a config option (applied to cfg; *mlp_given = 1 for --mlp), 0
 * if not, -1 on a bad value (said). */
int cli_config_option(cli_ctx *ctx, const char *cmd, int c, const char *arg, lm_config *cfg, int *mlp_given);

/* 1 if c was a run option (applied), 0 if not, -1 on a bad value. */
int cli_run_option(cli_ctx *ctx, const char *cmd, int c, const char *arg, cli_run_opts *o);
/* Fills options not given from checkpoint metadata (resume), then defaults. */
void cli_run_opts_fill(cli_run_opts *o, const char *meta, int def_steps, int def_batch, int def_seq,
                       float def_lr);
/* The run's options as metadata lines (malloc'd); extra lines appended. */
char *cli_run_opts_meta(const cli_run_opts *o, const char *extra);

/* Takes L's output path, step count, cadence and optimizer settings from o,
 * runs the loop and prints the closing "CMD: step .. saved OUT" line (not
 * when there was nothing to do). 0 done or nothing to do,
 * CLI_EXIT_INTERRUPTED stopped by a signal (saved), 1 failure (message
 * printed). */
int cli_trainloop_run_opts(cli_ctx *ctx, cli_trainloop *L, const cli_run_opts *o);

/* Finds key in "key=value\n" metadata; copies the value into out. 0 found;
 * -1 not there; -2 there but longer than cap - 1 bytes (out is left empty:
 * a value is never cut). */
int cli_meta_get(const char *meta, const char *key, char *out, size_t cap);

/* ---- a training command's run, after its options are parsed ----
 * A command (cmd_train.c, cmd_sft.c, ...) parses its options into a
 * cli_run, calls cli_run_load, fills the options (cli_run_opts_fill with its
 * defaults), makes its objective and calls cli_run_objective. */
typedef struct {
    const char *cmd;             /* "train" | "sft" | ... */
    cli_run_opts ro;
    const char *model;           /* -m MODEL, or NULL */
    const char *data, *val;      /* --data, --val (resume: from the checkpoint) */
    char *meta;                  /* the resumed checkpoint's metadata (malloc'd) */
    lm_model m;
    int have_model;
    char data_buf[LM_PATH_MAX], val_buf[LM_PATH_MAX];
} cli_train_run;

/* Empties r for cmd (options "not given"). */
void cli_run_init(cli_train_run *r, const char *cmd);
/* --resume: loads the checkpoint OUT (train/checkpoint.h; a note when the
 * AdamW moments restart from zero) and takes --data/--val from its metadata
 * when not given. -m MODEL: loads MODEL with a fresh optimizer and schedule.
 * 0 loaded, CLI_RUN_NO_MODEL neither was asked for (r->have_model = 0), or
 * the exit status of a failure (1, or 2 for a usage error; message printed). */
#define CLI_RUN_NO_MODEL (-1)
int  cli_run_load(cli_ctx *ctx, cli_train_run *r);
/* Checks --seq against the model, prepares obj on --data/--val (the hold-out
 * rule of objective.h), writes the run's metadata (kind, data, val, the
 * objective's own lines, then `extra`), prints the header line and runs the
 * loop. Returns 0 done, 1 failure, 2 usage, CLI_EXIT_INTERRUPTED. */
int  cli_run_objective(cli_ctx *ctx, cli_train_run *r, lm_objective *obj, const char *extra);
void cli_run_free(cli_train_run *r);
/* The run's metadata (malloc'd): the options, kind (the objective's name),
 * data, val, the objective's lines, then extra. cli_run_objective writes it;
 * a command whose objective trains a model of its own kind too
 * (cli/nlm_train.c). */
char *cli_run_meta(const cli_train_run *r, const lm_objective *obj, const char *extra);
/* Prepares obj on r's data and run options from step start_step with tok
 * (freed here, whatever happens), then makes the run's metadata
 * (cli_run_meta with extra) into *meta (the caller frees it). 0, or 1 with
 * a message "llmlab CMD: ..." on ctx->err. */
int cli_run_prepare(cli_ctx *ctx, const cli_train_run *r, lm_objective *obj, lm_tokenizer *tok, int start_step,
                    const char *extra, char **meta);

#endif
