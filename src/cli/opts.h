/* opts.h - small helpers every command uses to read its options and input.
 * All print a clear message to ctx->err on failure and return -1. */
#ifndef LM_CLI_OPTS_H
#define LM_CLI_OPTS_H

#include <stddef.h>
#include <stdint.h>

#include "cli/cli.h"

/* getopt_long must be re-armed for each command (the REPL runs many). */
void cli_getopt_reset(void);

int cli_parse_int(cli_ctx *ctx, const char *cmd, const char *opt, const char *s,
                  long lo, long hi, int *out);
int cli_parse_float(cli_ctx *ctx, const char *cmd, const char *opt, const char *s,
                    double lo, double hi, float *out);
int cli_parse_u64(cli_ctx *ctx, const char *cmd, const char *opt, const char *s, uint64_t *out);
/* The context policy by name: "stop" -> 0, "slide" -> 1 (ctx->slide). */
int cli_parse_context(cli_ctx *ctx, const char *cmd, const char *opt, const char *s, int *slide);

/* The text argument of a command: the remaining words joined by single
 * spaces, or, when it is the single word "-", every byte of stdin unchanged.
 * *text is malloc'd (NUL-terminated for convenience; len excludes it). */
int cli_read_text(cli_ctx *ctx, const char *cmd, int argc, char **argv, int first,
                  uint8_t **text, size_t *len);

/* Turns the escapes \n, \t and \\ in text[0..len) into a newline, a tab
 * and a backslash, in place (for prompts written on one line: lessons, the
 * REPL). Other backslashes stay. Returns the new length. */
size_t cli_unescape(uint8_t *text, size_t len);

/* Reads a whole file ("-" = stdin) into memory, NUL-terminated (len excludes
 * it); at most 1 GiB (EFBIG beyond). A path must be a regular file
 * (base/infile.h): a folder gives EISDIR, a FIFO or device EINVAL, never
 * read. Returns 0 or an errno value; prints nothing. */
int cli_slurp(const char *path, uint8_t **data, size_t *len);
/* The same, printing a message on failure ("/dev/zero is a character
 * device, not a regular file"); 0 or -1. Inside a lesson the path goes
 * through its policy first (cli/sandbox.h: stdin is refused). */
int cli_read_file(cli_ctx *ctx, const char *path, uint8_t **data, size_t *len);

/* Message for an unknown option or a missing argument, pointing at --help. */
int cli_usage_error(cli_ctx *ctx, const char *cmd, const char *what);
/* What the getopt_long loop's default case calls (the '?' it returns): says
 * which option was wrong, from optind/optopt - "unknown option --bogus",
 * "unknown option --top_k; did you mean --top-k?" (the closest long option
 * by edit distance, when it is close: at most 2 edits, or a third of the
 * name's length for names of 6 or more), "option --top-k needs a value",
 * "option --greedy takes no value", "option --t is ambiguous", "unknown
 * option -x", "option -m needs a value". Returns 2 (a usage error). */
struct option;
int cli_bad_option(cli_ctx *ctx, const char *cmd, int argc, char **argv, const char *shortopts,
                   const struct option *longopts);

/* Sampling options shared by generate, next and the UI:
 *   --greedy --temperature T --top-k K --top-p P --seed S
 * Returns 1 if opt was one of them (and applied it), 0 if not, -1 on a bad value. */
int cli_sampling_option(cli_ctx *ctx, const char *cmd, int opt, const char *arg);
/* The line above next-token bars: "after N tokens; greedy" or "; sampled
 * (temperature T, top-k K|off, top-p P|off, seed S)" from ctx->sampling and
 * ctx->seed, then "; kept n_kept of V tokens" and a newline, on ctx->out.
 * Returns 1 if the choice is greedy (--greedy or temperature <= 0), else 0. */
int  cli_sampling_describe(cli_ctx *ctx, size_t n_ids, int n_kept, int V);
#define CLI_SAMPLING_LONGOPTS \
    {"greedy", no_argument, 0, 1001}, {"temperature", required_argument, 0, 1002}, \
    {"top-k", required_argument, 0, 1003}, {"top-p", required_argument, 0, 1004}, \
    {"seed", required_argument, 0, 1005}
#define CLI_SAMPLING_HELP \
    "  --greedy           always take the most likely token (overrides the others)\n" \
    "  --temperature T    divide logits by T before softmax (default 1.0; 0 = greedy)\n" \
    "  --top-k K          keep only the K most likely tokens (0 = off)\n" \
    "  --top-p P          keep the smallest set of tokens with mass >= P (1 = off)\n" \
    "  --seed S           random seed, so a run replays exactly (default 42)\n"

#endif
