/* cmd_session.c - commands about the session itself: help, set, show, load.
 * They matter most in the REPL, the TUI's ':' line and lessons, where the
 * settings they change carry over to the next command. */
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "models/lmodel.h"
#include "cli/opts.h"

int cmd_help(cli_ctx *ctx, int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "--help") != 0 && strcmp(argv[1], "-h") != 0) {
        const cli_command *c = cli_find(argv[1]);
        if (!c) {
            fprintf(ctx->err, "llmlab help: no command '%s'\n", argv[1]);
            return 2;
        }
        char *sub[] = {(char *)c->name, "--help", NULL};
        return c->run(ctx, 2, sub);
    }
    fputs("usage: llmlab [COMMAND [OPTIONS] [ARGS]]\n"
          "Without a command, llmlab opens the text UI on the shipped base model.\n"
          "Every command answers --help. Commands:\n", ctx->out);
    for (const cli_command *c = cli_commands; c->name; c++)
        fprintf(ctx->out, "  %-11s %s\n", c->name, c->summary);
    return 0;
}

static const char *set_usage =
    "usage: set NAME VALUE\n"
    "Changes a setting for the commands that follow (REPL, TUI, lessons):\n"
    "  set temperature T   (0 = greedy)      set top-k K   (0 = off)\n"
    "  set top-p P         (1 = off)          set greedy on|off\n"
    "  set seed S                             set threads N\n"
    "  set context stop|slide   when a text outgrows the model's context: stop\n"
    "                           (refuse), or slide the window over it\n";

int cmd_set(cli_ctx *ctx, int argc, char **argv) {
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(set_usage, ctx->out);
        return 0;
    }
    if (argc != 3) return cli_usage_error(ctx, "set", "wants NAME VALUE");
    const char *name = argv[1], *val = argv[2];
    lm_sampling *s = &ctx->sampling;
    int bad;
    if (strcmp(name, "temperature") == 0) {
        bad = cli_parse_float(ctx, "set", name, val, 0, 100, &s->temperature);
        if (!bad) s->greedy = 0;
    } else if (strcmp(name, "top-k") == 0 || strcmp(name, "top_k") == 0) {
        bad = cli_parse_int(ctx, "set", name, val, 0, 10000000, &s->top_k);
    } else if (strcmp(name, "top-p") == 0 || strcmp(name, "top_p") == 0) {
        bad = cli_parse_float(ctx, "set", name, val, 0, 1, &s->top_p);
    } else if (strcmp(name, "greedy") == 0) {
        bad = !(strcmp(val, "on") == 0 || strcmp(val, "off") == 0);
        if (bad) fprintf(ctx->err, "llmlab set: greedy is on or off\n");
        else s->greedy = strcmp(val, "on") == 0;
    } else if (strcmp(name, "seed") == 0) {
        bad = cli_parse_u64(ctx, "set", name, val, &ctx->seed);
    } else if (strcmp(name, "context") == 0) {
        bad = cli_parse_context(ctx, "set", name, val, &ctx->slide);
    } else if (strcmp(name, "threads") == 0) {
        bad = cli_parse_int(ctx, "set", name, val, 1, 256, &ctx->threads);
        if (!bad) lm_set_threads(ctx->threads);
    } else {
        return cli_usage_error(ctx, "set", "unknown setting");
    }
    return bad ? 2 : 0;
}

int cmd_show(cli_ctx *ctx, int argc, char **argv) {
    if (argc > 1) {
        fputs("usage: show\nPrints the current model and decoding settings.\n", ctx->out);
        return strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ? 0 : 2;
    }
    const lm_sampling *s = &ctx->sampling;
    fprintf(ctx->out, "model        %s%s\n", ctx->model_path, ctx->model_loaded ? "" : " (not loaded yet)");
    if (ctx->model_loaded)
        fprintf(ctx->out, "tokeniser    %s, %d ids\n", lm_tok_name(ctx->tok), lm_tok_vocab_size(ctx->tok));
    fprintf(ctx->out, "decoding     %s\n", s->greedy || s->temperature <= 0 ? "greedy" : "sampled");
    fprintf(ctx->out, "temperature  %.3g\ntop-k        %d%s\ntop-p        %.3g%s\nseed         %llu\nthreads      %d\n",
            s->temperature, s->top_k, s->top_k ? "" : " (off)", s->top_p, s->top_p >= 1 ? " (off)" : "",
            (unsigned long long)ctx->seed, ctx->threads);
    fprintf(ctx->out, "context      %s\n", ctx->slide ? "slide (the window slides over a text that outgrows it)"
                                                      : "stop (refuse a text that outgrows the window)");
    return 0;
}

int cmd_load(cli_ctx *ctx, int argc, char **argv) {
    if (argc != 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs("usage: load MODEL\nMakes MODEL the current model for the commands that follow.\n", ctx->out);
        return argc == 2 ? 0 : 2;
    }
    if (cli_ensure_any_model(ctx, argv[1])) return 1;
    if (ctx->lmodel)
        fprintf(ctx->out, "loaded %s: a %s model (%s), %zu parameters, %s tokeniser\n", ctx->model_path,
                ctx->lmodel->kind, ctx->lmodel->desc, ctx->lmodel->n_params, lm_tok_name(ctx->tok));
    else
        fprintf(ctx->out, "loaded %s: %zu parameters, %s tokeniser\n", ctx->model_path, ctx->model.n_params,
                lm_tok_name(ctx->tok));
    return 0;
}
