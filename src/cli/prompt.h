/* prompt.h - turning a command's PROMPT argument into the model's token ids:
 * plain, or wrapped in the chat template (--chat); for the commands that
 * read a prompt (next, attention, ...) clipped to the context, saying so;
 * whole for generate, whose context policy decides (decode/generate.h). */
#ifndef LM_CLI_PROMPT_H
#define LM_CLI_PROMPT_H

#include "cli/cli.h"

typedef struct {
    uint8_t *text;  size_t len;   /* the prompt as given */
    lm_ids ids;                   /* what the model sees */
    int clipped;                  /* tokens dropped from the front to fit n_ctx */
    lm_model *ablated;            /* the model --ablate changed (cli_prompt_ablate), or NULL */
} cli_prompt;

/* Reads argv[first..] (or stdin for "-"), encodes it with ctx->tok (the model
 * must be loaded), applying the chat template when chat is set; with escapes
 * set, \n, \t and \\ in the text are read as escapes (-e of generate,
 * next and attention, for prompts written on one line). An empty
 * plain prompt becomes <|endoftext|> when the tokeniser has it. Keeps the
 * last n_ctx tokens (cli_prompt_fit). 0 ok, -1 failed (message shown). */
int  cli_prompt_read(cli_ctx *ctx, const char *cmd, int argc, char **argv, int first, int chat,
                     int escapes, cli_prompt *p);
/* The same, every token kept (generate: the context policy decides). */
int  cli_prompt_read_whole(cli_ctx *ctx, const char *cmd, int argc, char **argv, int first, int chat,
                           int escapes, cli_prompt *p);
/* Encoding only, from bytes already in memory (the TUI prompt editor): every
 * token kept, the caller decides what fits. */
int  cli_prompt_encode(cli_ctx *ctx, const char *cmd, const uint8_t *text, size_t len, int chat,
                       cli_prompt *p);
/* Keeps the last n_ctx tokens of a longer prompt (p->clipped = how many were
 * dropped), saying on ctx->err: "llmlab CMD: the prompt has 300 tokens, more
 * than the context of 128: keeping the last 128 (the first 172 are dropped)". */
void cli_prompt_fit(cli_ctx *ctx, const char *cmd, cli_prompt *p);
void cli_prompt_free(cli_prompt *p);

/* The options every command that reads a prompt (generate, next, attention)
 * shares: -m/--model FILE, --chat, -e/--escapes. The command puts
 * CLI_PROMPT_LONGOPTS among its long options and "em:" among its short ones;
 * cli_prompt_option returns 1 when getopt's opt was one of them (recorded in
 * po), 0 when it is the command's own. */
typedef struct {
    const char *model;   /* NULL: the session's model */
    int chat, escapes;
    const char *ablate;  /* --ablate L.H,...: NULL = none */
} cli_prompt_opts;
#define CLI_PROMPT_LONGOPTS                                                     \
    {"model", required_argument, 0, 'm'}, {"chat", no_argument, 0, 1020},      \
    {"escapes", no_argument, 0, 'e'}, {"ablate", required_argument, 0, 1021}
int cli_prompt_option(int opt, const char *arg, cli_prompt_opts *po);

/* --ablate: after cli_prompt_read, knocks out po->ablate's heads of the
 * loaded model (lm_ablation_parse) for as long as p lives: cli_prompt_free
 * restores every head, so the REPL's next command sees the whole model.
 * Nothing when po->ablate is NULL. On a bad spec prints a message naming
 * it, frees p and returns 2 (the command returns that). */
int cli_prompt_ablate(cli_ctx *ctx, const char *cmd, const cli_prompt_opts *po, cli_prompt *p);
#define CLI_ABLATE_HELP \
    "  --ablate L.H,...   knock out attention heads (layer.head from 0; L.* = a layer)\n"

#endif
