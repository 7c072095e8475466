/* cmd_eval.c - `llmlab eval MODEL [NAMES...]`: the named evaluations of a
 * model as a table (name, value, n). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "eval/evals.h"
#include "cli/opts.h"
#include "cli/show.h"

static const char *usage =
    "usage: llmlab eval [options] MODEL [NAMES...]\n"
    "Runs named evaluations on MODEL and prints a table: name, value, n.\n"
    "NAMES (default: all whose data exists):\n"
    "  val        val_loss and perplexity on held-out text (--val)\n"
    "  fact_qa    chat mode: share of fact questions answered correctly\n"
    "  bare       base mode: share of bare questions the model continues like a\n"
    "             document instead of answering (bare_continues)\n"
    "  few_shot   base mode: QA accuracy with 0 and with 3 solved examples\n"
    "  unknown    chat mode: share of unknown entities where it says it does not know\n"
    "  letters    chat mode: letter-counting accuracy\n"
    "Every evaluation runs on the model given: base-mode ones are meant for a base\n"
    "model, chat-mode ones for an instruct model; running both on both compares them.\n"
    "Replies are greedy (KV cache).\n"
    "  --evalset FILE     evaluation items (default data/gen/eval.jsonl, in the\n"
    "                     current folder or next to the llmlab binary)\n"
    "  --val FILE         held-out text (default data/corpus/val.txt, likewise)\n"
    "  --limit N          at most N items per evaluation\n"
    "  --val-batches N    validation batches (default 8), of --batch x --seq\n"
    "  --batch B --seq T  validation batch shape (default 8 x the model's context)\n"
    "  --show             print every question, reply and verdict\n";

static const char *const names[] = {"val", "fact_qa", "bare", "few_shot", "unknown", "letters", NULL};
static const lm_eval_kind kinds[] = {0, LM_EVAL_FACT_QA, LM_EVAL_BARE, LM_EVAL_FEW_SHOT,
                                     LM_EVAL_UNKNOWN, LM_EVAL_LETTERS};

static void show_trace(void *user, const char *row, const char *q, const char *reply, int ok) {
    cli_ctx *ctx = user;
    fprintf(ctx->out, "%-15s %s  %s\n", row, ok ? "ok  " : "miss", q);
    fputs("                      -> ", ctx->out);
    for (const char *p = reply; *p; p++) {
        if (*p == '\n') fputs("\\n", ctx->out);
        else fputc(*p, ctx->out);
    }
    fputc('\n', ctx->out);
}

int cmd_eval(cli_ctx *ctx, int argc, char **argv) {
    static const struct option longopts[] = {
        {"help", no_argument, 0, 'h'},          {"evalset", required_argument, 0, 'e'},
        {"val", required_argument, 0, 'v'},     {"limit", required_argument, 0, 'l'},
        {"val-batches", required_argument, 0, 'n'}, {"batch", required_argument, 0, 'b'},
        {"seq", required_argument, 0, 's'},     {"show", no_argument, 0, 'S'},
        {0, 0, 0, 0}};
    const char *evalset = NULL, *valp = NULL;
    int limit = 0, val_batches = 8, batch = 8, seq = 0, show = 0, explicit_files = 0;
    cli_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'h': fputs(usage, ctx->out); return 0;
        case 'e': evalset = optarg; explicit_files = 1; break;
        case 'v': valp = optarg; explicit_files = 1; break;
        case 'l': if (cli_parse_int(ctx, "eval", "--limit", optarg, 0, 1000000, &limit)) return 2; break;
        case 'n': if (cli_parse_int(ctx, "eval", "--val-batches", optarg, 1, 100000, &val_batches)) return 2; break;
        case 'b': if (cli_parse_int(ctx, "eval", "--batch", optarg, 1, 4096, &batch)) return 2; break;
        case 's': if (cli_parse_int(ctx, "eval", "--seq", optarg, 2, 65536, &seq)) return 2; break;
        case 'S': show = 1; break;
        default: return cli_usage_error(ctx, "eval", "unknown option or missing value");
        }
    }
    (void)explicit_files;
    /* the shipped data, like the shipped models: the cwd, else next to the binary */
    char evalbuf[4096], valbuf[4096];
    if (!evalset) {
        cli_find_shipped("data/gen/eval.jsonl", evalbuf, sizeof evalbuf);
        evalset = evalbuf;
    }
    if (!valp) {
        cli_find_shipped("data/corpus/val.txt", valbuf, sizeof valbuf);
        valp = valbuf;
    }
    if (optind >= argc) return cli_usage_error(ctx, "eval", "missing MODEL");
    const char *model = argv[optind++];
    int want[6] = {0}, any = 0;
    for (int i = optind; i < argc; i++) {
        int k = -1;
        for (int j = 0; names[j]; j++)
            if (strcmp(argv[i], names[j]) == 0) k = j;
        if (k < 0) {
            fprintf(ctx->err, "llmlab eval: unknown evaluation \"%s\" (val, fact_qa, bare, few_shot, unknown, letters)\n",
                    argv[i]);
            return 2;
        }
        want[k] = 2;   /* asked for by name: missing data is an error */
        any = 1;
    }
    if (!any)
        for (int j = 0; j < 6; j++) want[j] = 1;
    if (cli_ensure_model(ctx, model)) return 1;
    lm_err err = {{0}};
    lm_eval_row rows[16];
    int n_rows = 0, rc = 0;

    if (want[0]) {
        if (access(valp, R_OK) != 0) {
            if (want[0] == 2) {
                fprintf(ctx->err, "llmlab eval: cannot read %s: %s (give --val FILE)\n", valp, strerror(errno));
                return 1;
            }
        } else {
            lm_token_stream s;
            if (lm_stream_load(&s, ctx->tok, valp, &err) ||
                lm_eval_val(&ctx->model, &s, batch, seq > 0 ? seq : ctx->model.cfg.n_ctx, val_batches,
                            rows + n_rows, &err)) {
                fprintf(ctx->err, "llmlab eval: val: %s\n", err.msg);
                return 1;
            }
            lm_stream_free(&s);
            n_rows += 2;
        }
    }
    int need_set = 0;
    for (int j = 1; j < 6; j++) need_set |= want[j];
    lm_eval_set set = {0};
    if (need_set) {
        if (access(evalset, R_OK) != 0) {
            int asked = 0;
            for (int j = 1; j < 6; j++) asked |= want[j] == 2;
            if (asked) {
                fprintf(ctx->err, "llmlab eval: cannot read %s: %s (give --evalset FILE)\n", evalset,
                        strerror(errno));
                return 1;
            }
            need_set = 0;
        } else if (lm_eval_set_load(&set, evalset, &err)) {
            fprintf(ctx->err, "llmlab eval: %s\n", err.msg);
            return 1;
        }
    }
    lm_eval_opts o = {.max_items = limit, .trace = show ? show_trace : NULL, .user = ctx};
    for (int j = 1; j < 6 && need_set; j++) {
        if (!want[j]) continue;
        int n = lm_eval_run(&ctx->model, ctx->tok, &set, kinds[j], &o, rows + n_rows, &err);
        if (n < 0) {
            fprintf(ctx->err, "llmlab eval: %s: %s\n", names[j], err.msg);
            rc = 1;
            break;
        }
        if (n == 0 && want[j] == 2) fprintf(ctx->err, "llmlab eval: %s has no %s items\n", evalset, names[j]);
        n_rows += n;
    }
    lm_eval_set_free(&set);
    if (n_rows == 0 && rc == 0) {
        fprintf(ctx->err, "llmlab eval: nothing to evaluate (no %s, no %s)\n", valp, evalset);
        return 1;
    }
    fprintf(ctx->out, "%-16s %10s %6s\n", "name", "value", "n");
    for (int i = 0; i < n_rows; i++) {
        int pct = strcmp(rows[i].name, "val_loss") != 0 && strcmp(rows[i].name, "perplexity") != 0;
        if (pct) fprintf(ctx->out, "%-16s %9.1f%% %6d\n", rows[i].name, rows[i].value * 100, rows[i].n);
        else fprintf(ctx->out, "%-16s %10.4f %6d\n", rows[i].name, rows[i].value, rows[i].n);
    }
    return rc;
}
