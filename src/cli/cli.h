/* cli.h - the command language: one table of commands shared by the shell
 * (llmlab CMD ...), the REPL, the TUI's ':' line and lessons.
 *
 * Contract
 * - A command is a function run(ctx, argc, argv) with argv[0] = its name. It
 *   parses its own options (cli_opts.h helpers), prints results to ctx->out and
 *   messages to ctx->err, and returns 0 on success, 1 on a runtime failure,
 *   2 on a usage error. It never calls exit(): main.c turns the code into the
 *   process exit status, the REPL and the TUI just show the output.
 * - Every command answers --help (and -h) on ctx->out with its usage text.
 * - State that outlives one command (the loaded model, decoding settings, the
 *   seed, the context policy) lives in cli_ctx, so `set temperature 0.7` in
 *   the REPL affects the next `generate`. On the shell, each invocation
 *   starts from defaults.
 * - Output meant for pipes has no colour: ctx->color is 0 when ctx->out is not
 *   a terminal or NO_COLOR is set.
 */
#ifndef LM_CLI_H
#define LM_CLI_H

#include <stdio.h>
#include <stdint.h>

#include "io/atomic.h"
#include "models/gpt/model.h"
#include "decode/sampler.h"
#include "tok/tokenizer.h"

/* what a running lesson may read and write (cli/sandbox.h); NULL outside lessons */
typedef struct cli_sandbox cli_sandbox;

typedef struct cli_ctx {
    FILE *out, *err;
    int color;              /* ANSI colour allowed on out */
    int interactive;        /* REPL or TUI: commands keep state between calls */
    /* the current model (loaded lazily from model_path on first use) */
    char model_path[LM_PATH_MAX];   /* set with cli_set_model_path: never cut */
    lm_model model;
    int model_loaded;
    long long model_stamp;  /* mtime (ns) + size of the file when loaded */
    lm_tokenizer *tok;      /* the model's own tokeniser (owned) */
    /* the current model when it is another kind than the transformer (an
     * n-gram, an RNN, ...; models/lmodel.h), loaded by cli_ensure_any_model;
     * ctx->model is then empty. NULL for a transformer. */
    struct lm_lmodel *lmodel;
    /* decoding settings shared by generate/next and the UI */
    lm_sampling sampling;
    uint64_t seed;
    int slide;              /* the context policy when a text outgrows the window
                             * (decode/generate.h): 0 stop (refuse), 1 slide it */
    int threads;
    /* set while a lesson runs: every command opens files through
     * cli_path_for_read / cli_path_for_write (cli/sandbox.h) */
    cli_sandbox *sandbox;
} cli_ctx;

typedef struct {
    const char *name;
    const char *summary;    /* one line for `llmlab --help` */
    int (*run)(cli_ctx *ctx, int argc, char **argv);
} cli_command;

/* the table, NULL-terminated (commands.c) */
extern const cli_command cli_commands[];
const cli_command *cli_find(const char *name);
/* the `ui` command's implementation, set by main.c (src/ui is above cli) */
extern int (*cli_ui_entry)(cli_ctx *ctx, int argc, char **argv);

/* Sets defaults (model path: $LLMLAB_MODEL or models/base.llm next to the
 * binary or in the cwd; sampling defaults; seed 42; threads 2) and decides
 * colour for out. */
void cli_ctx_init(cli_ctx *ctx, FILE *out, FILE *err);
/* Finds a file that ships with llmlab (rel, e.g. "data/corpus/train.txt"):
 * tries the cwd, then the folder of the running binary, and writes the first
 * that is readable into out. 0 found; -1 not found (out = rel). */
int  cli_find_shipped(const char *rel, char *out, size_t cap);
void cli_ctx_free(cli_ctx *ctx);
/* Sets ctx->model_path (unloading the model when it changes). A path of
 * LM_PATH_MAX bytes or more is refused with a message on ctx->err: 1, and
 * model_path is left as it was. 0 set. */
int  cli_set_model_path(cli_ctx *ctx, const char *path);
/* Loads ctx->model_path (path_or_null, checked by the lesson policy of
 * cli/sandbox.h, replaces it) into ctx->model/ctx->tok if not loaded yet, or
 * replaces it when the path differs or the file changed on disk since it was
 * loaded (a `train` in the same session). Prints the error on ctx->err;
 * 0 ok, 1 fail. */
int  cli_ensure_model(cli_ctx *ctx, const char *path_or_null);
/* The same for commands that read any language-model kind (next,
 * generate): a transformer lands in ctx->model, another kind in
 * ctx->lmodel (ctx->tok is its tokeniser either way). cli_ensure_model on a
 * file of another kind fails, saying which commands read it. */
int  cli_ensure_any_model(cli_ctx *ctx, const char *path_or_null);
/* The context of the current model in tokens (0 = unbounded, an RNN). */
int  cli_model_n_ctx(const cli_ctx *ctx);
/* cli_ensure_model for a command whose numbers are next-token predictions
 * (next, score, lens): an encoder (bidirectional attention) is refused, with
 * a pointer to `mlm fill`, which shows what an encoder predicts. 0 or 1. */
int  cli_ensure_decoder(cli_ctx *ctx, const char *cmd, const char *path_or_null);
/* After cli_ensure_any_model: 1 (message printed) when the model loaded is
 * an encoder, else 0. */
int  cli_refuse_encoder(cli_ctx *ctx, const char *cmd);

/* Resolves a -t SPEC: "bpe" (or "model") = the current model's own tokeniser
 * (loading the model if needed); a path to a model file = its tokeniser; a
 * path to a tokeniser file written by `llmlab bpe-train`; otherwise
 * lm_tok_open (char, gpt2, r50k_base, cl100k_base, o200k_base, a .tiktoken
 * path). Paths go through the lesson policy (cli/sandbox.h). The caller owns
 * the result. */
lm_tokenizer *cli_open_tokenizer(cli_ctx *ctx, const char *spec, lm_err *err);

/* Runs one command line (already split into argv). Unknown command: message
 * and 2. */
int  cli_run(cli_ctx *ctx, int argc, char **argv);
/* Splits a line like a shell does (quotes '...' and "...", backslash escapes)
 * and runs it. Empty lines and lines starting with '#' return 0. */
int  cli_run_line(cli_ctx *ctx, const char *line);

#endif
