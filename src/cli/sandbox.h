/* sandbox.h - THE policy for what a lesson's commands may read and write.
 * A lesson is a file from someone else (downloaded, shared by a teacher), so
 * while one runs, every command that opens a file asks here first. Outside a
 * lesson (ctx->sandbox == NULL) every function below is a no-op that returns
 * the path unchanged: the shell, the REPL and the TUI act for the user.
 *
 * The policy, inside a lesson
 * - Scratch folder: each run of a lesson (the outermost one) gets a fresh
 *   folder $TMPDIR/llmlab-lesson-NAME-XXXXXX (/tmp without TMPDIR; mode
 *   0700), removed with everything in it when the lesson ends, unless the
 *   user ran `llmlab lesson --keep`, which keeps it and prints where it is.
 * - Writes: a relative path is a name in the scratch folder: `-o build/m.llm`
 *   writes SCRATCH/build/m.llm (its folders are made), and reading
 *   `build/m.llm` later in the lesson finds that file. Everything in the
 *   scratch folder was made by this run, so the lesson may rewrite it (train
 *   -m m.llm -o m.llm). A relative path with a ".." part is refused. Any
 *   other path (absolute, outside the scratch folder) is the user's file:
 *   new or existing, writing it needs the user's consent.
 * - Reads: the lesson's own folder, the project's data/ and models/ (in the
 *   current folder and next to the llmlab binary, where cli_find_shipped
 *   looks) and the scratch folder. Paths are resolved with realpath, so
 *   ".." and symbolic links cannot leave these folders. stdin ("-") is
 *   never read: it belongs to the lesson (its Enter presses, or its script).
 *   Anything else needs the user's consent. A missing file is passed on
 *   unchanged (the command says it cannot read it).
 * - Consent: `llmlab lesson --allow-read` / `--allow-write`, given by the
 *   user for the whole run; or, when the lesson runs interactively on a
 *   terminal, a yes to a question naming the path. A headless run refuses
 *   with a message naming the path and the flag. A lesson cannot consent
 *   for itself: a nested `lesson --allow-...` is refused.
 * - Nesting: lessons may run lessons (they share the sandbox) at most
 *   CLI_LESSON_MAX_DEPTH deep; a lesson already running is refused (a cycle).
 * - repl and ui read the terminal themselves and would take the lesson's
 *   input: they refuse to run inside a lesson (cli_sandbox_no_terminal).
 */
#ifndef LM_CLI_SANDBOX_H
#define LM_CLI_SANDBOX_H

#include "base/err.h"
#include "cli/cli.h"

#define CLI_LESSON_MAX_DEPTH 4

typedef struct {
    int allow_read, allow_write;   /* the user's consent for the whole run */
    int ask;                       /* may ask on the terminal (interactive run) */
    int keep;                      /* keep the scratch folder */
} cli_sandbox_opts;

/* Starts running the lesson file `lesson` (its path as given): the outermost
 * lesson creates the sandbox (scratch folder, readable roots) with opts; a
 * nested one checks depth and cycles and shares it (opts must then be all
 * zero, or it is refused: a lesson cannot consent for itself).
 * 0 ok; -1 refused or failed (reason in err; nothing changed). */
int  cli_sandbox_enter(cli_ctx *ctx, const char *lesson, const cli_sandbox_opts *opts, lm_err *err);
/* Ends the lesson entered last; after the outermost one, removes the scratch
 * folder (unless kept: then says where it is on ctx->out) and frees the
 * sandbox. A model loaded from the removed folder is forgotten. */
void cli_sandbox_leave(cli_ctx *ctx);

/* The path a command should open to read `path` / to write `path`, or NULL
 * when the policy refuses (the reason, naming the path and the flag, in err).
 * The result is `path` itself outside a lesson, else a string that lives
 * until the lesson ends. */
const char *cli_sandbox_read(cli_ctx *ctx, const char *path, lm_err *err);
const char *cli_sandbox_write(cli_ctx *ctx, const char *path, lm_err *err);
/* The same, printing "llmlab CMD: REASON" on ctx->err when refused. */
const char *cli_path_for_read(cli_ctx *ctx, const char *cmd, const char *path);
const char *cli_path_for_write(cli_ctx *ctx, const char *cmd, const char *path);

/* For repl and ui: 0 outside a lesson; inside one prints why CMD cannot run
 * there and returns 1. */
int  cli_sandbox_no_terminal(cli_ctx *ctx, const char *cmd);

#endif
