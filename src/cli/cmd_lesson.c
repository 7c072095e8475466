/* cmd_lesson.c - `llmlab lesson`: run a lesson file step by step, or check it
 * headless (every command must succeed and every expectation hold). A lesson
 * is someone else's file: its commands run under the policy of sandbox.h and
 * everything it shows goes through show_text (show.h). */
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/lesson.h"
#include "cli/opts.h"
#include "cli/sandbox.h"
#include "cli/show.h"

static const char *usage =
    "usage: llmlab lesson [--headless] [--allow-read] [--allow-write] [--keep] FILE\n"
    "Runs a lesson: Markdown prose with ```llmlab blocks of commands.\n"
    "Interactively, each command runs when you press Enter (q quits).\n"
    "A lesson's commands read only the lesson's folder, data/, models/ and a\n"
    "scratch folder of its own, and write only into that scratch folder (a\n"
    "relative -o PATH lands there); anything else is asked on a terminal and\n"
    "refused headless. Lessons may run lessons, at most 4 deep, never a cycle.\n"
    "  --headless     run every command without stopping and check the lesson's\n"
    "                 expectations (\"#> TEXT\" lines); exit 1 if any fails\n"
    "  --allow-read   let the lesson read any file you can\n"
    "  --allow-write  let the lesson write (and overwrite) any file you can\n"
    "  --keep         keep the scratch folder ($TMPDIR/llmlab-lesson-*) and say where\n";

/* printf into f through the escaping of show.h (lesson text is not ours) */
static void say(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(FILE *f, const char *fmt, ...) {
    char *s = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n >= 0) show_text(f, s, (size_t)n);
    free(s);
}

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
    say(out, "$ %s\n", st->command);
    show_reset(out, color);
    show_text(out, buf ? buf : "", len);
    int fails = 0;
    if ((rc != 0) != (st->expect_fail != 0)) {
        say(err, "%s:%d: '%s' %s (status %d)\n", file, st->line, st->command,
            st->expect_fail ? "was expected to fail but succeeded" : "failed", rc);
        fails++;
    }
    for (int x = 0; x < st->n_expects; x++) {
        const lm_expect *e = &st->expects[x];
        int found = buf && strstr(buf, e->text) != NULL;
        if (found != (e->kind == LM_EXPECT_CONTAINS)) {
            say(err, "%s:%d: expected the output of '%s' %s \"%s\"\n", file, st->line, st->command,
                e->kind == LM_EXPECT_CONTAINS ? "to contain" : "not to contain", e->text);
            fails++;
        }
    }
    free(buf);
    return fails;
}

/* Shows the sections and runs their steps (asking for Enter unless
 * headless). Counts steps and failed checks; 1 when the user quit. */
static int run_sections(cli_ctx *ctx, const lm_lesson *l, const char *file, int headless, int *steps, int *fails) {
    for (int s = 0; s < l->n_sections; s++) {
        show_str(ctx->out, l->sections[s].prose);
        for (int k = 0; k < l->sections[s].n_steps; k++) {
            if (!headless) {
                say(ctx->out, "[Enter] run: %s   (q quits) ", l->sections[s].steps[k].command);
                fflush(ctx->out);
                int ch = getchar();
                if (ch == 'q' || ch == EOF) return 1;
                while (ch != '\n' && ch != EOF) ch = getchar();
            }
            *fails += run_step(ctx, &l->sections[s].steps[k], file);
            (*steps)++;
        }
    }
    return 0;
}

/* Parses the options; -1 to go on, else the exit status. */
static int parse_args(cli_ctx *ctx, int argc, char **argv, int *headless, cli_sandbox_opts *so) {
    static const struct option longopts[] = {
        {"help", no_argument, 0, 'h'},         {"headless", no_argument, 0, 'H'},
        {"allow-read", no_argument, 0, 'r'},   {"allow-write", no_argument, 0, 'w'},
        {"keep", no_argument, 0, 'k'},         {0, 0, 0, 0}};
    cli_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'h': fputs(usage, ctx->out); return 0;
        case 'H': *headless = 1; break;
        case 'r': so->allow_read = 1; break;
        case 'w': so->allow_write = 1; break;
        case 'k': so->keep = 1; break;
        default: return cli_bad_option(ctx, "lesson", argc, argv, "h", longopts);
        }
    }
    if (optind != argc - 1) return cli_usage_error(ctx, "lesson", "wants exactly one FILE");
    return -1;
}

int cmd_lesson(cli_ctx *ctx, int argc, char **argv) {
    int headless = 0;
    cli_sandbox_opts so = {0};
    int rc = parse_args(ctx, argc, argv, &headless, &so);
    if (rc >= 0) return rc;
    const char *file = argv[optind];
    uint8_t *text;
    size_t len;
    if (cli_read_file(ctx, file, &text, &len)) return 1;   /* a nested lesson: under its parent's policy */
    lm_lesson l;
    lm_err err = {{0}};
    rc = lm_lesson_parse((const char *)text, len, &l, &err);
    free(text);
    if (rc) {
        say(ctx->err, "llmlab lesson: %s: %s\n", file, err.msg);
        return 1;
    }
    /* a lesson run by a lesson shows no prompts of its own: its output is its parent's */
    if (ctx->sandbox || !isatty(STDIN_FILENO)) headless = 1;
    so.ask = !headless;
    if (cli_sandbox_enter(ctx, file, &so, &err)) {
        say(ctx->err, "llmlab lesson: %s\n", err.msg);
        lm_lesson_free(&l);
        return 1;
    }
    int fails = 0, steps = 0;
    int was_interactive = ctx->interactive;
    ctx->interactive = 1;
    int quit = run_sections(ctx, &l, file, headless, &steps, &fails);
    if (!quit) show_str(ctx->out, l.tail);
    ctx->interactive = was_interactive;
    if (headless)
        say(ctx->out, "lesson %s: %d commands, %d failed checks\n", l.title[0] ? l.title : file, steps, fails);
    cli_sandbox_leave(ctx);
    lm_lesson_free(&l);
    return fails ? 1 : 0;
}
