/* cmd_lesson.c - `llmlab lesson`: run a lesson file step by step, or check it
 * headless (every command must succeed and every expectation hold). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/lesson.h"
#include "cli/opts.h"
#include "cli/show.h"

static const char *usage =
    "usage: llmlab lesson [--headless] FILE\n"
    "Runs a lesson: Markdown prose with ```llmlab blocks of commands.\n"
    "Interactively, each command runs when you press Enter (q quits).\n"
    "  --headless   run every command without stopping and check the lesson's\n"
    "               expectations (\"#> TEXT\" lines); exit 1 if any fails\n";

/* Runs one step with its output captured, checks its expectations, and
 * prints the output. Returns the number of failed checks. */
static int run_step(cli_ctx *ctx, const lm_lesson_step *st, const char *file) {
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    if (!mem) return 1;
    FILE *out = ctx->out, *err = ctx->err;
    int color = ctx->color;
    ctx->out = ctx->err = mem;
    ctx->color = 0;
    int rc = cli_run_line(ctx, st->command);
    fclose(mem);
    ctx->out = out;
    ctx->err = err;
    ctx->color = color;
    show_color(out, color, "1;33");
    fprintf(out, "$ %s\n", st->command);
    show_reset(out, color);
    fputs(buf ? buf : "", out);
    int fails = 0;
    if ((rc != 0) != (st->expect_fail != 0)) {
        fprintf(err, "%s:%d: '%s' %s (status %d)\n", file, st->line, st->command,
                st->expect_fail ? "was expected to fail but succeeded" : "failed", rc);
        fails++;
    }
    for (int x = 0; x < st->n_expects; x++) {
        const lm_expect *e = &st->expects[x];
        int found = buf && strstr(buf, e->text) != NULL;
        if (found != (e->kind == LM_EXPECT_CONTAINS)) {
            fprintf(err, "%s:%d: expected the output of '%s' %s \"%s\"\n", file, st->line, st->command,
                    e->kind == LM_EXPECT_CONTAINS ? "to contain" : "not to contain", e->text);
            fails++;
        }
    }
    free(buf);
    return fails;
}

int cmd_lesson(cli_ctx *ctx, int argc, char **argv) {
    static const struct option longopts[] = {
        {"help", no_argument, 0, 'h'}, {"headless", no_argument, 0, 'H'}, {0, 0, 0, 0}};
    int headless = 0;
    cli_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'h': fputs(usage, ctx->out); return 0;
        case 'H': headless = 1; break;
        default: return cli_bad_option(ctx, "lesson", argc, argv, "h", longopts);
        }
    }
    if (optind != argc - 1) return cli_usage_error(ctx, "lesson", "wants exactly one FILE");
    const char *file = argv[optind];
    uint8_t *text;
    size_t len;
    if (cli_read_file(ctx, file, &text, &len)) return 1;
    lm_lesson l;
    lm_err err = {{0}};
    int rc = lm_lesson_parse((const char *)text, len, &l, &err);
    free(text);
    if (rc) {
        fprintf(ctx->err, "llmlab lesson: %s: %s\n", file, err.msg);
        return 1;
    }
    if (!headless && !isatty(STDIN_FILENO)) headless = 1;
    int fails = 0, steps = 0, quit = 0;
    int was_interactive = ctx->interactive;
    ctx->interactive = 1;
    for (int s = 0; s < l.n_sections && !quit; s++) {
        fputs(l.sections[s].prose, ctx->out);
        for (int k = 0; k < l.sections[s].n_steps && !quit; k++) {
            if (!headless) {
                fprintf(ctx->out, "[Enter] run: %s   (q quits) ", l.sections[s].steps[k].command);
                fflush(ctx->out);
                int ch = getchar();
                if (ch == 'q' || ch == EOF) { quit = 1; break; }
                while (ch != '\n' && ch != EOF) ch = getchar();
            }
            fails += run_step(ctx, &l.sections[s].steps[k], file);
            steps++;
        }
    }
    if (!quit) fputs(l.tail, ctx->out);
    ctx->interactive = was_interactive;
    if (headless)
        fprintf(ctx->out, "lesson %s: %d commands, %d failed checks\n", l.title[0] ? l.title : file, steps, fails);
    lm_lesson_free(&l);
    return fails ? 1 : 0;
}
