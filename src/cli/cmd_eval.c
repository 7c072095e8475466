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
#include "cli/sandbox.h"
#include "cli/show.h"

static const char *usage =
    "usage: llmlab eval [options] MODEL [NAMES...]   or   llmlab eval -m MODEL [options] [NAMES...]\n"
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
    "  -m MODEL           the model (instead of the first argument)\n"
    "  --evalset FILE     evaluation items (default data/gen/eval.jsonl, in the\n"
    "                     current folder or next to the llmlab binary)\n"
    "  --val FILE         held-out text (default data/corpus/val.txt, likewise)\n"
    "  --limit N          at most N items per evaluation\n"
    "  --val-batches N    validation batches (default 8), of --batch x --seq\n"
    "  --batch B --seq T  validation batch shape (default 8 x the model's context)\n"
    "  --show             print every question, reply and verdict\n";

#define N_EVALS 6
static const char *const names[] = {"val", "fact_qa", "bare", "few_shot", "unknown", "letters", NULL};
static const lm_eval_kind kinds[N_EVALS] = {0, LM_EVAL_FACT_QA, LM_EVAL_BARE, LM_EVAL_FEW_SHOT,
                                            LM_EVAL_UNKNOWN, LM_EVAL_LETTERS};

/* what the command line asked for */
typedef struct {
    const char *model, *evalset, *valp;
    char evalbuf[4096], valbuf[4096];   /* the shipped files' paths, when not given */
    int limit, val_batches, batch, seq, show;
    int want[N_EVALS];   /* per names[]: 0 skip, 1 run if its data exists, 2 asked for by name */
} eval_args;

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

/* Options, MODEL and NAMES into a. Returns -1 to go on, else the command's
 * exit code (0 after --help, 2 for a usage error). */
static int parse_args(cli_ctx *ctx, int argc, char **argv, eval_args *a) {
    static const struct option longopts[] = {
        {"help", no_argument, 0, 'h'},          {"evalset", required_argument, 0, 'e'},
        {"model", required_argument, 0, 'm'},
        {"val", required_argument, 0, 'v'},     {"limit", required_argument, 0, 'l'},
        {"val-batches", required_argument, 0, 'n'}, {"batch", required_argument, 0, 'b'},
        {"seq", required_argument, 0, 's'},     {"show", no_argument, 0, 'S'},
        {0, 0, 0, 0}};
    memset(a, 0, sizeof *a);   /* before getopt: -m sets a->model */
    a->val_batches = 8;
    a->batch = 8;
    cli_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, "hm:", longopts, NULL)) != -1) {
        switch (c) {
        case 'h': fputs(usage, ctx->out); return 0;
        case 'e': a->evalset = optarg; break;
        case 'm': a->model = optarg; break;
        case 'v': a->valp = optarg; break;
        case 'l': if (cli_parse_int(ctx, "eval", "--limit", optarg, 0, 1000000, &a->limit)) return 2; break;
        case 'n': if (cli_parse_int(ctx, "eval", "--val-batches", optarg, 1, 100000, &a->val_batches)) return 2; break;
        case 'b': if (cli_parse_int(ctx, "eval", "--batch", optarg, 1, 4096, &a->batch)) return 2; break;
        case 's': if (cli_parse_int(ctx, "eval", "--seq", optarg, 2, 65536, &a->seq)) return 2; break;
        case 'S': a->show = 1; break;
        default: return cli_bad_option(ctx, "eval", argc, argv, "hm:", longopts);
        }
    }
    /* the shipped data, like the shipped models: the cwd, else next to the binary */
    if (!a->evalset) {
        cli_find_shipped("data/gen/eval.jsonl", a->evalbuf, sizeof a->evalbuf);
        a->evalset = a->evalbuf;
    }
    if (!a->valp) {
        cli_find_shipped("data/corpus/val.txt", a->valbuf, sizeof a->valbuf);
        a->valp = a->valbuf;
    }
    if (!a->model && optind >= argc) return cli_usage_error(ctx, "eval", "missing MODEL");
    if (!a->model) a->model = argv[optind++];
    int any = 0;
    for (int i = optind; i < argc; i++) {
        int k = -1;
        for (int j = 0; names[j]; j++)
            if (strcmp(argv[i], names[j]) == 0) k = j;
        if (k < 0) {
            fprintf(ctx->err, "llmlab eval: unknown evaluation \"%s\" (val, fact_qa, bare, few_shot, unknown, letters)\n",
                    argv[i]);
            return 2;
        }
        a->want[k] = 2;   /* asked for by name: missing data is an error */
        any = 1;
    }
    if (!any)
        for (int j = 0; j < N_EVALS; j++) a->want[j] = 1;
    return -1;
}

/* val_loss and perplexity on the held-out text, appended to rows. 0 ok
 * (also when the text is absent and val was not asked for by name), 1 failed. */
static int run_val(cli_ctx *ctx, const eval_args *a, lm_eval_row *rows, int *n_rows) {
    if (!a->want[0]) return 0;
    const char *valp = cli_path_for_read(ctx, "eval", a->valp);   /* a lesson's policy (sandbox.h) */
    if (!valp) return 1;
    if (access(valp, R_OK) != 0) {
        if (a->want[0] != 2) return 0;
        fprintf(ctx->err, "llmlab eval: cannot read %s: %s (give --val FILE)\n", a->valp, strerror(errno));
        return 1;
    }
    lm_err err = {{0}};
    lm_token_stream s;
    int seq = a->seq > 0 ? a->seq : ctx->model.cfg.n_ctx;
    if (lm_stream_load(&s, ctx->tok, valp, &err)) {
        fprintf(ctx->err, "llmlab eval: val: %s\n", err.msg);
        return 1;
    }
    int rc = lm_eval_val(&ctx->model, &s, a->batch, seq, a->val_batches, rows + *n_rows, &err);
    lm_stream_free(&s);
    if (rc) {
        fprintf(ctx->err, "llmlab eval: val: %s\n", err.msg);
        return 1;
    }
    *n_rows += 2;
    return 0;
}

/* The evaluations on the evaluation set, appended to rows. Returns -1 when
 * the set cannot be read (the command stops), else 0, or 1 when an
 * evaluation failed (the rows before it are still printed). */
static int run_evalset(cli_ctx *ctx, const eval_args *a, lm_eval_row *rows, int *n_rows) {
    int need_set = 0, asked = 0;
    for (int j = 1; j < N_EVALS; j++) {
        need_set |= a->want[j];
        asked |= a->want[j] == 2;
    }
    if (!need_set) return 0;
    const char *evalset = cli_path_for_read(ctx, "eval", a->evalset);   /* a lesson's policy (sandbox.h) */
    if (!evalset) return -1;
    if (access(evalset, R_OK) != 0) {
        if (!asked) return 0;
        fprintf(ctx->err, "llmlab eval: cannot read %s: %s (give --evalset FILE)\n", a->evalset,
                strerror(errno));
        return -1;
    }
    lm_err err = {{0}};
    lm_eval_set set = {0};
    if (lm_eval_set_load(&set, evalset, &err)) {
        fprintf(ctx->err, "llmlab eval: %s\n", err.msg);
        return -1;
    }
    lm_eval_opts o = {.max_items = a->limit, .trace = a->show ? show_trace : NULL, .user = ctx};
    int rc = 0;
    for (int j = 1; j < N_EVALS; j++) {
        if (!a->want[j]) continue;
        int n = lm_eval_run(&ctx->model, ctx->tok, &set, kinds[j], &o, rows + *n_rows, &err);
        if (n < 0) {
            fprintf(ctx->err, "llmlab eval: %s: %s\n", names[j], err.msg);
            rc = 1;
            break;
        }
        if (n == 0 && a->want[j] == 2) fprintf(ctx->err, "llmlab eval: %s has no %s items\n", a->evalset, names[j]);
        *n_rows += n;
    }
    lm_eval_set_free(&set);
    return rc;
}

static void print_table(FILE *out, const lm_eval_row *rows, int n_rows) {
    fprintf(out, "%-16s %10s %6s\n", "name", "value", "n");
    for (int i = 0; i < n_rows; i++) {
        int pct = strcmp(rows[i].name, "val_loss") != 0 && strcmp(rows[i].name, "perplexity") != 0;
        if (pct) fprintf(out, "%-16s %9.1f%% %6d\n", rows[i].name, rows[i].value * 100, rows[i].n);
        else fprintf(out, "%-16s %10.4f %6d\n", rows[i].name, rows[i].value, rows[i].n);
    }
}

int cmd_eval(cli_ctx *ctx, int argc, char **argv) {
    eval_args a;
    int rc = parse_args(ctx, argc, argv, &a);
    if (rc >= 0) return rc;
    if (cli_ensure_model(ctx, a.model)) return 1;
    lm_eval_row rows[16];
    int n_rows = 0;
    if (run_val(ctx, &a, rows, &n_rows)) return 1;
    rc = run_evalset(ctx, &a, rows, &n_rows);
    if (rc < 0) return 1;
    if (n_rows == 0 && rc == 0) {   /* say only what is really missing */
        int no_val = access(a.valp, R_OK) != 0, no_set = access(a.evalset, R_OK) != 0;
        if (no_val || no_set)
            fprintf(ctx->err, "llmlab eval: nothing to evaluate (%s%s%s%s)\n", no_val ? "cannot read " : "",
                    no_val ? a.valp : "", no_val && no_set ? ", cannot read " : no_set ? "cannot read " : "",
                    no_set ? a.evalset : "");
        else
            fprintf(ctx->err, "llmlab eval: nothing to evaluate: %s has no items of the evaluations asked for\n",
                    a.evalset);
        return 1;
    }
    print_table(ctx->out, rows, n_rows);
    return rc;
}
