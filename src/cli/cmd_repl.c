/* cmd_repl.c - `llmlab repl`: the command language, one line at a time, with
 * line editing and history (libedit). Reads a script when stdin is not a
 * terminal: each line is echoed to stderr after "> " and run; the exit status is that
 * of the first failing line (the script goes on). */
#include <editline/readline.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "cli/sandbox.h"

static const char *usage =
    "usage: llmlab repl [-m MODEL]\n"
    "Runs llmlab commands one line at a time: the same words as on the shell,\n"
    "without the leading 'llmlab' (e.g. `next The cat`, `set temperature 0.7`).\n"
    "Settings carry over between lines. 'help' lists commands, 'quit' leaves.\n"
    "When stdin is not a terminal it runs the lines it reads as a script.\n";

static int is_quit(const char *line) {
    while (*line == ' ') line++;
    return strncmp(line, "quit", 4) == 0 || strncmp(line, "exit", 4) == 0;
}

int cmd_repl(cli_ctx *ctx, int argc, char **argv) {
    static const struct option longopts[] = {
        {"help", no_argument, 0, 'h'}, {"model", required_argument, 0, 'm'}, {0, 0, 0, 0}};
    cli_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, "hm:", longopts, NULL)) != -1) {
        switch (c) {
        case 'h': fputs(usage, ctx->out); return 0;
        case 'm': if (cli_set_model_path(ctx, optarg)) return 2; break;
        default: return cli_bad_option(ctx, "repl", argc, argv, "hm:", longopts);
        }
    }
    if (cli_sandbox_no_terminal(ctx, "repl")) return 1;   /* it would read a lesson's input */
    ctx->interactive = 1;
    int status = 0;
    if (!isatty(STDIN_FILENO)) {
        char *line = NULL;
        size_t cap = 0;
        ssize_t n;
        while ((n = getline(&line, &cap, stdin)) > 0) {
            if (line[n - 1] == '\n') line[n - 1] = '\0';
            if (is_quit(line)) break;
            fprintf(ctx->err, "> %s\n", line);   /* a transcript that keeps stdout clean */
            fflush(ctx->err);
            int rc = cli_run_line(ctx, line);
            if (rc && !status) status = rc;
        }
        free(line);
        return status;
    }
    fprintf(ctx->out, "llmlab repl: type 'help' for commands, 'quit' to leave.\n");
    using_history();
    for (;;) {
        char *line = readline("llmlab> ");
        if (!line) { fputc('\n', ctx->out); break; }
        if (is_quit(line)) { free(line); break; }
        if (line[0]) add_history(line);
        cli_run_line(ctx, line);
        free(line);
    }
    return 0;
}
