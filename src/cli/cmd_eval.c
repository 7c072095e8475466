/* cmd_eval.c - `llmlab eval MODEL [NAMES...]`: the named evaluations of a
 * model as a table, every row beside its trivial baseline. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/infile.h"
#include "cli/cli.h"
#include "cli/opts.h"
#include "cli/progress.h"
#include "cli/sandbox.h"
#include "cli/show.h"
#include "data/dataset.h"
#include "eval/evals.h"

static const char *usage =
    "usage: llmlab eval [options] MODEL [NAMES...]   or   llmlab eval -m MODEL [options] [NAMES...]\n"
    "Runs named evaluations on MODEL and prints one row per line:\n"
    "  NAME VALUE N [skipped=K] baseline=B baseline_kind=WHO [baseline2=B2 baseline2_kind=WHO2]\n"
    "N = items judged; skipped = items whose prompt and reply would not fit the\n"
    "model's context (never cut); the baseline is what a trivial replier scores on\n"
    "the same items by the same rule (most_common_answer, always_refuse, ...).\n"
    "NAMES (default: all whose data exists), also as --only NAME,NAME,...:\n"
    "  val            val_loss, perplexity, bits_per_byte on held-out text (--val)\n"
    "  fact_qa        chat: facts answered (fact_qa); replies saying \"I don't know\"\n"
    "                 (known_refused: lower is better, the aim is at most 5%)\n"
    "  unknown        chat, unknown entities: says it does not know (idk_rate), and\n"
    "                 names the entity doing so (idk_names)\n"
    "  unknown_attr   chat, an attribute the data never gives: idk_attr\n"
    "  everyday       chat, small talk: a keyword and no refusal (everyday)\n"
    "  rag            chat, a passage then a question about it (rag)\n"
    "  letters        chat, spell then tally: the last number is the count\n"
    "  letters_direct chat, just the number: the first number is the count\n"
    "  arith_cot      chat, step by step: the last number is the answer\n"
    "  arith_direct   chat, just the number: the first number is the answer\n"
    "  tool           chat, sums for the calculator: tool, tool_calls\n"
    "  few_shot       base mode: QA with 0 and 3 solved examples (few_shot_0/_3)\n"
    "  bare_question  base mode: bare questions continued like a document\n"
    "                 (bare_continues; also: bare)\n"
    "A row name (idk_rate, few_shot_3, ...) picks its evaluation too.\n"
    "Base-mode evaluations are meant for a base model, chat-mode ones for an\n"
    "instruct model; running both on both compares them. Replies are greedy.\n"
    "  -m MODEL           the model (instead of the first argument)\n"
    "  --data FILE        evaluation items (also --evalset; default\n"
    "                     data/gen/eval.jsonl, in the current folder or next to\n"
    "                     the llmlab binary)\n"
    "  --val FILE         held-out text (default data/corpus/val.txt, likewise)\n"
    "  --only NAMES       a comma list of the NAMES above\n"
    "  --limit N          at most N items per evaluation\n"
    "  --max-new N        tokens per reply (default: per evaluation, 24 to 96)\n"
    "  --val-batches N    validation batches (default 8), of --batch x --seq\n"
    "  --batch B --seq T  validation batch shape (default 8 x the model's context)\n"
    "  --by-format        also the few-shot rows per example format\n"
    "  --show             print every question, reply and verdict (and the\n"
    "                     per-format rows)\n";

/* what can be asked for: 0 = val, 1 + k = lm_eval_kind k */
#define N_SEL (1 + LM_EVAL_N_KINDS)
/* the order evaluations run and print in */
static const int run_order[LM_EVAL_N_KINDS] = {
    LM_EVAL_FACT_QA, LM_EVAL_UNKNOWN, LM_EVAL_UNKNOWN_ATTR, LM_EVAL_EVERYDAY, LM_EVAL_RAG,
    LM_EVAL_LETTERS, LM_EVAL_LETTERS_DIRECT, LM_EVAL_ARITH_COT, LM_EVAL_ARITH_DIRECT, LM_EVAL_TOOL,
    LM_EVAL_FEW_SHOT, LM_EVAL_BARE};
/* names besides the kinds' own */
static const struct { const char *name; int sel; } aliases[] = {
    {"val", 0}, {"val_loss", 0}, {"perplexity", 0}, {"bits_per_byte", 0},
    {"bare", 1 + LM_EVAL_BARE}, {"bare_continues", 1 + LM_EVAL_BARE},
    {"known_refused", 1 + LM_EVAL_FACT_QA}, {"idk_rate", 1 + LM_EVAL_UNKNOWN},
    {"idk_names", 1 + LM_EVAL_UNKNOWN}, {"idk_attr", 1 + LM_EVAL_UNKNOWN_ATTR},
    {"tool_calls", 1 + LM_EVAL_TOOL}, {"few_shot_0", 1 + LM_EVAL_FEW_SHOT},
    {"few_shot_3", 1 + LM_EVAL_FEW_SHOT}};

/* what the command line asked for */
typedef struct {
    const char *model, *evalset, *valp;
    char evalbuf[4096], valbuf[4096];   /* the shipped files' paths, when not given */
    int limit, max_new, val_batches, batch, seq, show, by_format;
    int want[N_SEL];   /* 0 skip, 1 run if its data exists, 2 asked for by name */
} eval_args;

static int sel_of(const char *name) {
    int k = lm_eval_kind_parse(name);
    if (k >= 0) return 1 + k;
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (strcmp(name, aliases[i].name) == 0) return aliases[i].sel;
    return -1;
}

/* one name asked for; 0 ok, 2 usage error */
static int ask(cli_ctx *ctx, eval_args *a, const char *name) {
    int s = sel_of(name);
    if (s < 0) {
        fputs("llmlab eval: unknown evaluation \"", ctx->err);
        show_str(ctx->err, name);
        fputs("\" (val", ctx->err);
        for (int i = 0; i < LM_EVAL_N_KINDS; i++) fprintf(ctx->err, ", %s", lm_eval_kind_name(run_order[i]));
        fputs(")\n", ctx->err);
        return 2;
    }
    a->want[s] = 2;   /* asked for by name: missing data is an error */
    return 0;
}

/* --only a,b,c */
static int ask_list(cli_ctx *ctx, eval_args *a, const char *list) {
    char *copy = strdup(list);
    if (!copy) return 2;
    int rc = 0, any = 0;
    for (char *save = NULL, *tok = strtok_r(copy, ",", &save); tok && !rc; tok = strtok_r(NULL, ",", &save)) {
        rc = ask(ctx, a, tok);
        any = 1;
    }
    free(copy);
    if (!rc && !any) rc = cli_usage_error(ctx, "eval", "--only needs a comma list of evaluations");
    return rc;
}

static void show_trace(void *user, const char *row, const char *q, const char *reply, int ok) {
    cli_ctx *ctx = user;
    fprintf(ctx->out, "%-15s %s  ", row, ok < 0 ? "skip" : ok ? "ok  " : "miss");
    show_str(ctx->out, q);
    fputs("\n                      -> ", ctx->out);
    for (const char *p = reply; *p;) {   /* on one line: newlines as \n */
        size_t k = strcspn(p, "\n");
        show_text(ctx->out, p, k);
        p += k;
        if (*p == '\n') {
            fputs("\\n", ctx->out);
            p++;
        }
    }
    fputc('\n', ctx->out);
}

/* Options, MODEL and NAMES into a. Returns -1 to go on, else the command's
 * exit code (0 after --help, 2 for a usage error). */
static int parse_args(cli_ctx *ctx, int argc, char **argv, eval_args *a) {
    static const struct option longopts[] = {
        {"help", no_argument, 0, 'h'},          {"evalset", required_argument, 0, 'e'},
        {"data", required_argument, 0, 'e'},    {"model", required_argument, 0, 'm'},
        {"val", required_argument, 0, 'v'},     {"limit", required_argument, 0, 'l'},
        {"val-batches", required_argument, 0, 'n'}, {"batch", required_argument, 0, 'b'},
        {"seq", required_argument, 0, 's'},     {"show", no_argument, 0, 'S'},
        {"only", required_argument, 0, 'o'},    {"max-new", required_argument, 0, 'x'},
        {"by-format", no_argument, 0, 'F'},     {0, 0, 0, 0}};
    memset(a, 0, sizeof *a);   /* before getopt: -m sets a->model */
    a->val_batches = 8;
    a->batch = 8;
    int any = 0;
    cli_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, "hm:", longopts, NULL)) != -1) {
        switch (c) {
        case 'h': fputs(usage, ctx->out); return 0;
        case 'e': a->evalset = optarg; break;
        case 'm': a->model = optarg; break;
        case 'v': a->valp = optarg; break;
        case 'l': if (cli_parse_int(ctx, "eval", "--limit", optarg, 0, 1000000, &a->limit)) return 2; break;
        case 'x': if (cli_parse_int(ctx, "eval", "--max-new", optarg, 1, 65536, &a->max_new)) return 2; break;
        case 'n': if (cli_parse_int(ctx, "eval", "--val-batches", optarg, 1, 100000, &a->val_batches)) return 2; break;
        case 'b': if (cli_parse_int(ctx, "eval", "--batch", optarg, 1, 4096, &a->batch)) return 2; break;
        case 's': if (cli_parse_int(ctx, "eval", "--seq", optarg, 2, 65536, &a->seq)) return 2; break;
        case 'S': a->show = 1; break;
        case 'F': a->by_format = 1; break;
        case 'o': if (ask_list(ctx, a, optarg)) return 2; any = 1; break;
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
    for (int i = optind; i < argc; i++, any = 1)
        if (ask(ctx, a, argv[i])) return 2;
    if (!any)
        for (int j = 0; j < N_SEL; j++) a->want[j] = 1;
    return -1;
}

/* val_loss, perplexity and bits_per_byte on the held-out text, appended to
 * rows. 0 ok (also when the text is absent and val was not asked for by
 * name), 1 failed. */
static int run_val(cli_ctx *ctx, const eval_args *a, lm_eval_rows *rows) {
    if (!a->want[0]) return 0;
    const char *valp = cli_path_for_read(ctx, "eval", a->valp);   /* a lesson's policy (sandbox.h) */
    if (!valp) return 1;
    if (access(valp, R_OK) != 0) {
        if (a->want[0] != 2) return 0;
        fprintf(ctx->err, "llmlab eval: cannot read %s: %s (give --val FILE)\n", a->valp, strerror(errno));
        return 1;
    }
    lm_err err = {{0}};
    uint8_t *text = NULL;
    size_t len = 0;
    int seq = a->seq > 0 ? a->seq : ctx->model.cfg.n_ctx;
    int rc = lm_infile_read_all(valp, "text", LM_TEXT_MAX_BYTES, &text, &len, &err);
    if (rc == 0) rc = lm_eval_val(&ctx->model, ctx->tok, text, len, a->batch, seq, a->val_batches, rows, &err);
    free(text);
    if (rc) fprintf(ctx->err, "llmlab eval: val: %s\n", err.msg);
    return rc ? 1 : 0;
}

/* the progress line on stderr, one update per reply */
typedef struct {
    cli_progress bar;
    long done;
    const char *kind;
    cli_ctx *ctx;
    int on;
} eval_progress;

static void progress_step(void *user) {
    eval_progress *p = user;
    p->done++;
    if (!p->on) return;
    char extra[48];
    snprintf(extra, sizeof extra, "%s", p->kind);
    cli_progress_update(&p->bar, p->done, extra, 0);
}

static void progress_trace(void *user, const char *row, const char *q, const char *reply, int ok) {
    eval_progress *p = user;
    show_trace(p->ctx, row, q, reply, ok);
}

/* The evaluations on the evaluation set, appended to rows. Returns -1 when
 * the set cannot be read (the command stops), else 0, or 1 when an
 * evaluation failed (the rows before it are still printed). */
static int run_evalset(cli_ctx *ctx, const eval_args *a, lm_eval_rows *rows) {
    int need_set = 0, asked = 0;
    for (int j = 1; j < N_SEL; j++) {
        need_set |= a->want[j];
        asked |= a->want[j] == 2;
    }
    if (!need_set) return 0;
    const char *evalset = cli_path_for_read(ctx, "eval", a->evalset);   /* a lesson's policy (sandbox.h) */
    if (!evalset) return -1;
    if (access(evalset, R_OK) != 0) {
        if (!asked) return 0;
        fprintf(ctx->err, "llmlab eval: cannot read %s: %s (give --data FILE)\n", a->evalset, strerror(errno));
        return -1;
    }
    lm_err err = {{0}};
    lm_eval_set set = {0};
    if (lm_eval_set_load(&set, evalset, &err)) {
        fputs("llmlab eval: ", ctx->err);
        show_str(ctx->err, err.msg);   /* it may quote the file's bytes */
        fputc('\n', ctx->err);
        return -1;
    }
    /* progress for runs long enough to wait on (and not under --show, whose lines are the progress) */
    long total = 0;
    for (int j = 0; j < LM_EVAL_N_KINDS; j++)
        if (a->want[1 + run_order[j]]) total += lm_eval_n_replies(&set, run_order[j], a->limit);
    eval_progress prog = {.ctx = ctx, .on = !a->show && total >= 50};
    if (prog.on) cli_progress_init(&prog.bar, ctx->err, "reply", 0, total, 0);
    lm_eval_opts o = {.max_items = a->limit, .max_new = a->max_new, .trace = a->show ? progress_trace : NULL,
                      .progress = progress_step, .user = &prog};
    int rc = 0;
    for (int j = 0; j < LM_EVAL_N_KINDS; j++) {
        lm_eval_kind k = run_order[j];
        if (!a->want[1 + k]) continue;
        prog.kind = lm_eval_kind_name(k);
        int n = lm_eval_run(&ctx->model, ctx->tok, &set, k, &o, rows, &err);
        if (n < 0) {
            if (prog.on) cli_progress_finish(&prog.bar);
            prog.on = 0;
            fprintf(ctx->err, "llmlab eval: %s: %s\n", lm_eval_kind_name(k), err.msg);
            rc = 1;
            break;
        }
        if (n == 0 && a->want[1 + k] == 2)
            fprintf(ctx->err, "llmlab eval: %s has no %s items\n", a->evalset, lm_eval_kind_name(k));
    }
    if (prog.on) cli_progress_finish(&prog.bar);
    lm_eval_set_free(&set);
    return rc;
}

static void print_value(FILE *out, const char *key, double v, int percent) {
    if (key) fprintf(out, " %s=", key);
    if (isnan(v)) fputs(key ? "n/a" : "         -", out);
    else if (percent) fprintf(out, key ? "%.1f%%" : "%9.1f%%", v * 100);
    else fprintf(out, key ? "%.4f" : "%10.4f", v);
}

static void print_table(FILE *out, const lm_eval_rows *rows, int details) {
    fprintf(out, "%-20s %10s %6s  %s\n", "name", "value", "n", "baseline");
    for (int i = 0; i < rows->n; i++) {
        const lm_eval_row *r = &rows->rows[i];
        if (r->detail && !details) continue;
        show_str(out, r->name);   /* a per-format row carries the file's label */
        fprintf(out, "%*s ", strlen(r->name) < 20 ? (int)(20 - strlen(r->name)) : 0, "");
        print_value(out, NULL, r->value, r->percent);
        fprintf(out, " %6d ", r->n);
        if (r->skipped >= 0) fprintf(out, " skipped=%d", r->skipped);
        print_value(out, "baseline", r->baseline, r->percent);
        fprintf(out, " baseline_kind=%s", r->baseline_kind);
        if (r->baseline2_kind[0]) {
            print_value(out, "baseline2", r->baseline2, r->percent);
            fprintf(out, " baseline2_kind=%s", r->baseline2_kind);
        }
        fputc('\n', out);
    }
}

int cmd_eval(cli_ctx *ctx, int argc, char **argv) {
    eval_args a;
    int rc = parse_args(ctx, argc, argv, &a);
    if (rc >= 0) return rc;
    if (cli_ensure_model(ctx, a.model)) return 1;
    lm_eval_rows rows = {0};
    if (run_val(ctx, &a, &rows)) {
        lm_eval_rows_free(&rows);
        return 1;
    }
    rc = run_evalset(ctx, &a, &rows);
    if (rc < 0) {
        lm_eval_rows_free(&rows);
        return 1;
    }
    if (rows.n == 0 && rc == 0) {   /* say only what is really missing */
        int no_val = access(a.valp, R_OK) != 0, no_set = access(a.evalset, R_OK) != 0;
        if (no_val || no_set)
            fprintf(ctx->err, "llmlab eval: nothing to evaluate (%s%s%s%s)\n", no_val ? "cannot read " : "",
                    no_val ? a.valp : "", no_val && no_set ? ", cannot read " : no_set ? "cannot read " : "",
                    no_set ? a.evalset : "");
        else
            fprintf(ctx->err, "llmlab eval: nothing to evaluate: %s has no items of the evaluations asked for\n",
                    a.evalset);
        lm_eval_rows_free(&rows);
        return 1;
    }
    print_table(ctx->out, &rows, a.show || a.by_format);
    lm_eval_rows_free(&rows);
    return rc;
}
