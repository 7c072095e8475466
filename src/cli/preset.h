/* preset.h - a preset: the prompt, view and decoding settings of a prepared
 * screen, in a small text file a teacher writes once (`preset save NAME` on
 * the UI's ':' line) and a lesson opens with one command
 * (`llmlab ui --preset NAME`). The same setting lines head a recorded UI
 * session (ui/record.h).
 *
 * The file (UTF-8 text, at most CLI_PRESET_MAX_BYTES):
 *     llmlab-preset 1            the first line, exactly
 *     # a comment                blank lines and '#' lines are skipped
 *     model PATH                 the model (-m)
 *     instruct PATH              the compare view's instruct model
 *     view N                     the view shown first (1 = the first tab)
 *     prompt TEXT                the prompt; \n \t \\ are the only escapes
 *     chat 0|1                   wrap the prompt in the chat template
 *     greedy 0|1
 *     temperature T              0 .. 100
 *     top_k K                    0 (off) .. 1000000
 *     top_p P                    0 < P <= 1
 *     seed S                     0 .. 2^64-1
 *     context stop|slide         the context policy (cli.h ctx->slide)
 * Every line is one known name, one space, a value; each name at most once;
 * anything else (an unknown name, a bad number, a control character, a
 * second header) is an error naming the line. A preset is outside input: it
 * is parsed, never executed, and paths in it go through the same checks as
 * -m (the lesson policy, cli/sandbox.h) when used.
 *
 * Where: a NAME of letters, digits, '-', '_' (up to 64) is
 * $XDG_CONFIG_HOME/llmlab/presets/NAME.preset (default ~/.config/...); any
 * argument with a '/' or ending in ".preset" is a path.
 */
#ifndef LM_CLI_PRESET_H
#define LM_CLI_PRESET_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/err.h"
#include "cli/cli.h"

#define CLI_PRESET_MAX_BYTES 65536
#define CLI_PRESET_PROMPT_MAX 2048

enum {   /* which settings a preset holds (bits of cli_preset.has) */
    PRESET_MODEL = 1, PRESET_INSTRUCT = 2, PRESET_VIEW = 4, PRESET_PROMPT = 8, PRESET_CHAT = 16,
    PRESET_GREEDY = 32, PRESET_TEMP = 64, PRESET_TOPK = 128, PRESET_TOPP = 256, PRESET_SEED = 512,
    PRESET_CONTEXT = 1024,
};

typedef struct {
    unsigned has;
    char model[LM_PATH_MAX], instruct[LM_PATH_MAX];
    int view;                            /* 1-based */
    char prompt[CLI_PRESET_PROMPT_MAX];
    int chat, greedy, top_k, slide;
    float temperature, top_p;
    uint64_t seed;
} cli_preset;

/* One setting line (no newline) into p. 0 ok; -1 with "line N: ..." in err. */
int cli_preset_line(cli_preset *p, const char *line, int lineno, lm_err *err);
/* A whole preset file's text (header first). 0 ok; -1 with the line in err. */
int cli_preset_parse(cli_preset *p, const char *text, size_t len, lm_err *err);
/* Reads and parses a preset file (size-limited). 0 ok; -1 with err. */
int cli_preset_load(const char *path, cli_preset *p, lm_err *err);
/* The setting lines of p (no header), as cli_preset_parse reads them. */
void cli_preset_write(FILE *f, const cli_preset *p);
/* NAME or PATH -> the file's path (see "Where"). mkdir: create the presets
 * folder for a NAME. 0 ok; -1 with err. */
int cli_preset_path(const char *arg, char *out, size_t cap, int mkdir, lm_err *err);
/* p from the command layer's state: model path, decoding settings, seed,
 * context policy. */
void cli_preset_from_ctx(cli_preset *p, const cli_ctx *ctx);

/* Set by the text UI while it runs (NULL elsewhere): adds what only the UI
 * knows (prompt, view, chat, the instruct model) to a preset being saved. */
extern void (*cli_preset_capture)(cli_ctx *ctx, cli_preset *p);

#endif
