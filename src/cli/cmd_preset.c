/* cmd_preset.c - `llmlab preset`: save the current settings (and, inside the
 * text UI, its prompt, view and chat setting) as a preset, or show one
 * (cli/preset.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/preset.h"
#include "cli/sandbox.h"
#include "io/atomic.h"

static const char *usage =
    "usage: llmlab preset save NAME|PATH\n"
    "       llmlab preset show NAME|PATH\n"
    "Saves the model, decoding settings and seed (inside the UI also the prompt,\n"
    "the view and the chat setting) as a preset that `llmlab ui --preset NAME`\n"
    "opens; show checks a preset and prints it. A NAME (letters, digits, - _)\n"
    "lives in $XDG_CONFIG_HOME/llmlab/presets/NAME.preset (default ~/.config);\n"
    "an argument with a '/' or ending in .preset is a path. save replaces a preset\n"
    "of the same name.\n";

static int save(cli_ctx *ctx, const char *arg) {
    char path[LM_PATH_MAX];
    lm_err err = {{0}};
    if (cli_preset_path(arg, path, sizeof path, 1, &err)) {
        fprintf(ctx->err, "llmlab preset: %s\n", err.msg);
        return 2;
    }
    const char *dst = cli_path_for_write(ctx, "preset", path);   /* a lesson's policy */
    if (!dst) return 1;
    cli_preset p;
    cli_preset_from_ctx(&p, ctx);
    if (cli_preset_capture) cli_preset_capture(ctx, &p);
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    if (!mem) { fprintf(ctx->err, "llmlab preset: out of memory\n"); return 1; }
    fputs("llmlab-preset 1\n# written by llmlab preset save\n", mem);
    cli_preset_write(mem, &p);
    fclose(mem);
    int rc = lm_atomic_write_bytes(dst, buf, len, &err);
    free(buf);
    if (rc) { fprintf(ctx->err, "llmlab preset: cannot write %s: %s\n", path, err.msg); return 1; }
    fprintf(ctx->out, "saved preset %s\n", path);
    return 0;
}

static int show(cli_ctx *ctx, const char *arg) {
    char path[LM_PATH_MAX];
    lm_err err = {{0}};
    if (cli_preset_path(arg, path, sizeof path, 0, &err)) {
        fprintf(ctx->err, "llmlab preset: %s\n", err.msg);
        return 2;
    }
    const char *src = cli_path_for_read(ctx, "preset", path);
    if (!src) return 1;
    cli_preset p;
    if (cli_preset_load(src, &p, &err)) {
        fprintf(ctx->err, "llmlab preset: %s: %s\n", path, err.msg);
        return 1;
    }
    fprintf(ctx->out, "# %s\n", path);
    cli_preset_write(ctx->out, &p);
    return 0;
}

int cmd_preset(cli_ctx *ctx, int argc, char **argv) {
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(usage, ctx->out);
        return 0;
    }
    if (argc != 3) return fprintf(ctx->err, "llmlab preset: expected save|show NAME\n%s", usage), 2;
    if (strcmp(argv[1], "save") == 0) return save(ctx, argv[2]);
    if (strcmp(argv[1], "show") == 0) return show(ctx, argv[2]);
    fprintf(ctx->err, "llmlab preset: unknown action '%s' (save or show)\n", argv[1]);
    return 2;
}
