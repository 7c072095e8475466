/* cmd_scaling.c - `llmlab scaling`: scaling-law runs. `run` trains every
 * size on every token budget with the pretraining objective (one row per
 * finished run in a results file, resumable, Ctrl-C keeps the finished
 * rows); `plot` shows a results file's table, fitted power laws and log-log
 * plots (cli/scaling_show.c). The sweep's parts are in core/scaling/. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "cli/progress.h"
#include "cli/sandbox.h"
#include "cli/scaling_show.h"
#include "cli/show.h"
#include "cli/stopsig.h"
#include "cli/trainloop.h"
#include "scaling/results.h"
#include "scaling/sweep.h"

/* the sweep that made data/scaling/sweep.tsv (data/scaling/README.md), and
 * the short one of --quick */
#define FULL_SIZES "1x16,1x32,2x48,2x64,3x96,4x128"
#define FULL_TOKENS "250k,1M,4M"
#define QUICK_SIZES "1x16,1x32,2x48,2x64,3x96"
#define QUICK_TOKENS "125k,500k"

static const char *usage =
    "usage: llmlab scaling run [--sizes LIST] [--tokens LIST] [--quick] [options] -o RESULTS.tsv\n"
    "       llmlab scaling plot [RESULTS.tsv] [--svg FILE] [--width W]\n"
    "Scaling laws (Kaplan et al. 2020): the validation loss L of a language model falls\n"
    "as a power law in its parameters N, the tokens D it trains on and the compute\n"
    "C = 6 N D spent, L = a * N^-alpha. A sweep trains small transformers of several\n"
    "sizes for several token budgets and fits the law.\n"
    "\n"
    "run: trains every size on every budget (cheapest first, the same seed and the same\n"
    "batches for every run) and adds one row per finished run to RESULTS (rewritten\n"
    "safely after each run). Runs already in RESULTS are skipped: the same command\n"
    "again resumes a sweep. Ctrl-C stops during a run; the finished rows stay (exit\n"
    "status 130).\n"
    "  --sizes LIST       model sizes LxC or LxCxH: L layers, width C, heads (default\n"
    "                     C/32, at least 1); MLP 4C, context = --seq\n"
    "                     (default " FULL_SIZES ")\n"
    "  --tokens LIST      token budgets D, e.g. 250k,1M (default " FULL_TOKENS "),\n"
    "                     rounded up to whole steps of batch x seq tokens\n"
    "  --quick            a short sweep, about 1-3 minutes on 2 cores:\n"
    "                     --sizes " QUICK_SIZES " --tokens " QUICK_TOKENS "\n"
    "  --batch B          sequences per step (default 16)\n"
    "  --seq T            tokens per sequence and the models' context (default 64)\n"
    "  --lr LR            peak learning rate (default 3e-3; warm-up, cosine to LR/10)\n"
    "  --seed S           initialisation and batch order of every run (default 1234)\n"
    "  -t, --tokenizer T  char (default: one id per byte) or any -t of `llmlab tokenize`\n"
    "  --data FILE        training text (default data/corpus/train.txt)\n"
    "  --val FILE         held-out text (default data/corpus/val.txt)\n"
    "  --max-bytes N      read only the first N bytes of each (a small live demo)\n"
    "  --val-batches N    fixed validation batches of batch x seq (default 16)\n"
    "  (a model under 200k parameters trains on one thread: its matrices are too small\n"
    "  to share, as in the KV decoder)\n"
    "  -o RESULTS         the results file (TSV; its format is in src/core/scaling/results.h)\n"
    "\n"
    "plot: prints the runs of RESULTS (default: data/scaling/sweep.tsv, the shipped\n"
    "sweep), the power laws fitted by least squares in log space, and both log-log\n"
    "plots: loss against N (each size at its largest budget) and loss against C (the\n"
    "line fitted to the compute frontier, the runs no cheaper run beats).\n"
    "  --svg FILE         also write the plots as an SVG picture\n"
    "  --width W          columns of the plots (default 78)\n";

typedef struct {
    const char *sizes, *tokens, *tokspec, *data, *val, *out;
    int batch, seq, val_batches;
    long max_bytes;
    float lr;
    long long seed;
} run_args;

/* -1 to go on, else the exit status */
static int parse_run(cli_ctx *ctx, int argc, char **argv, run_args *a) {
    static const struct option longopts[] = {
        {"help", no_argument, 0, 'h'},          {"sizes", required_argument, 0, 1},
        {"tokens", required_argument, 0, 2},     {"quick", no_argument, 0, 3},
        {"batch", required_argument, 0, 4},      {"seq", required_argument, 0, 5},
        {"lr", required_argument, 0, 6},         {"seed", required_argument, 0, 7},
        {"tokenizer", required_argument, 0, 't'}, {"data", required_argument, 0, 8},
        {"val", required_argument, 0, 9},        {"max-bytes", required_argument, 0, 10},
        {"val-batches", required_argument, 0, 11}, {"out", required_argument, 0, 'o'},
        {0, 0, 0, 0}};
    const char *cmd = "scaling run";
    int quick = 0, c, mb;
    cli_getopt_reset();
    while ((c = getopt_long(argc, argv, "ht:o:", longopts, NULL)) != -1) {
        switch (c) {
        case 'h': fputs(usage, ctx->out); return 0;
        case 1: a->sizes = optarg; break;
        case 2: a->tokens = optarg; break;
        case 3: quick = 1; break;
        case 4: if (cli_parse_int(ctx, cmd, "--batch", optarg, 1, 1024, &a->batch)) return 2; break;
        case 5: if (cli_parse_int(ctx, cmd, "--seq", optarg, 2, 1024, &a->seq)) return 2; break;
        case 6: if (cli_parse_float(ctx, cmd, "--lr", optarg, 1e-6, 1, &a->lr)) return 2; break;
        case 7: {
            uint64_t v;
            if (cli_parse_u64(ctx, cmd, "--seed", optarg, &v)) return 2;
            a->seed = (long long)(v & 0x7fffffffffffffffULL);
            break;
        }
        case 't': a->tokspec = optarg; break;
        case 8: a->data = optarg; break;
        case 9: a->val = optarg; break;
        case 10:
            if (cli_parse_int(ctx, cmd, "--max-bytes", optarg, 1024, 1 << 30, &mb)) return 2;
            a->max_bytes = mb;
            break;
        case 11: if (cli_parse_int(ctx, cmd, "--val-batches", optarg, 1, 1000, &a->val_batches)) return 2; break;
        case 'o': a->out = optarg; break;
        default: return cli_bad_option(ctx, cmd, argc, argv, "ht:o:", longopts);
        }
    }
    if (optind < argc) return cli_usage_error(ctx, cmd, "unexpected argument");
    if (!a->out) return cli_usage_error(ctx, cmd, "-o RESULTS.tsv is required");
    if (!a->sizes) a->sizes = quick ? QUICK_SIZES : FULL_SIZES;
    if (!a->tokens) a->tokens = quick ? QUICK_TOKENS : FULL_TOKENS;
    return -1;
}

/* the planned runs: every size x every budget, cheapest (C = 6 N D) first */
static int plan_runs(cli_ctx *ctx, const run_args *a, const lm_scaling_plan *p, lm_scaling_row *runs, int *n_runs,
                     int *n_sizes, int *n_budgets) {
    lm_scaling_size sizes[LM_SCALING_MAX_LIST];
    long long budgets[LM_SCALING_MAX_LIST];
    lm_err err = {{0}};
    int ns = lm_scaling_sizes_parse(a->sizes, sizes, LM_SCALING_MAX_LIST, &err), nb = 0;
    if (ns > 0) nb = lm_scaling_tokens_list_parse(a->tokens, budgets, LM_SCALING_MAX_LIST, &err);
    if (ns < 0 || nb < 0) {
        fprintf(ctx->err, "llmlab scaling run: %s\n", err.msg);
        return 2;
    }
    int n = 0;
    for (int i = 0; i < ns; i++)
        for (int j = 0; j < nb; j++) {
            if (lm_scaling_row_plan(&runs[n], &sizes[i], budgets[j], p, &err)) {
                fprintf(ctx->err, "llmlab scaling run: %s\n", err.msg);
                return 2;
            }
            n++;
        }
    for (int i = 1; i < n; i++) {   /* insertion sort by compute, ties by N */
        lm_scaling_row v = runs[i];
        int j = i;
        for (; j > 0 && (lm_scaling_compute(&runs[j - 1]) > lm_scaling_compute(&v) ||
                         (lm_scaling_compute(&runs[j - 1]) == lm_scaling_compute(&v) &&
                          runs[j - 1].params_nonembed > v.params_nonembed)); j--)
            runs[j] = runs[j - 1];
        runs[j] = v;
    }
    *n_runs = n;
    *n_sizes = ns;
    *n_budgets = nb;
    return 0;
}

/* RESULTS as it is: empty when it does not exist yet; a file that is there
 * but not a results file of this sweep is never overwritten */
static int load_existing(cli_ctx *ctx, const char *path, const char *shown, const char *source, lm_scaling_table *t) {
    struct stat st;
    lm_err err = {{0}};
    if (stat(path, &st) != 0 && errno == ENOENT) {
        snprintf(t->source, sizeof t->source, "%s", source);
        return 0;
    }
    if (lm_scaling_tsv_load(t, path, &err)) {
        fprintf(ctx->err, "llmlab scaling run: %s\nllmlab scaling run: not overwriting %s: fix it, or give another -o\n",
                err.msg, shown);
        return 1;
    }
    if (t->n > 0 && strcmp(t->source, source) != 0) {
        fprintf(ctx->err, "llmlab scaling run: %s holds runs of another sweep (source: ", shown);
        show_str(ctx->err, t->source[0] ? t->source : "none");
        fprintf(ctx->err, "), this one's is: ");
        show_str(ctx->err, source);
        fprintf(ctx->err, "; give another -o\n");
        lm_scaling_table_free(t);
        return 1;
    }
    snprintf(t->source, sizeof t->source, "%s", source);
    return 0;
}

/* the training data, prepared once for every run */
static lm_objective *prepare_data(cli_ctx *ctx, const run_args *a, const lm_tokenizer *tok, const char *data,
                                  const char *val) {
    lm_err err = {{0}};
    lm_objective *obj = lm_obj_pretrain_new(&err);
    lm_data_opts d = {.train_path = data, .val_path = val, .max_bytes = (size_t)a->max_bytes, .B = a->batch,
                      .T = a->seq, .val_batches = a->val_batches, .seed = (uint64_t)a->seed};
    if (obj && obj->ops->prepare(obj, tok, &d, &err) == 0 && obj->n_val > 0) return obj;
    if (obj && !err.msg[0]) snprintf(err.msg, sizeof err.msg, "%s is shorter than one sequence of %d tokens: no "
                                     "validation loss", val, a->seq + 1);
    fprintf(ctx->err, "llmlab scaling run: %s\n", err.msg);
    lm_objective_free(obj);
    return NULL;
}

/* One run, step by step with a progress bar. 0 done (row added and saved),
 * 1 failed, CLI_EXIT_INTERRUPTED stopped by a signal (the run is lost). */
static int one_run(cli_ctx *ctx, lm_objective *obj, const lm_scaling_row *plan, const char *lead,
                   lm_scaling_table *t, const char *out, const char *shown) {
    lm_err err = {{0}};
    lm_scaling_run run;
    if (lm_scaling_run_begin(&run, obj, plan, &err)) {
        fprintf(ctx->err, "llmlab scaling run: %s\n", err.msg);
        return 1;
    }
    /* the KV decoder's rule (model.h): under 200k weights the matrices are
     * too small to share, and a second thread only waits for the first */
    int threads = lm_get_threads();
    if (plan->params < 200000) lm_set_threads(1);
    cli_progress pr;
    cli_progress_init(&pr, ctx->out, lead, 0, plan->steps, plan->steps);
    char size[32], d[16];
    lm_scaling_size_format(&plan->size, size, sizeof size);
    lm_scaling_tokens_format(plan->tokens, d, sizeof d);
    int rc = 0;
    while (!lm_scaling_run_done(&run) && rc == 0) {
        if (cli_stop_requested()) {
            rc = CLI_EXIT_INTERRUPTED;
            break;
        }
        lm_figures f;
        int st = lm_scaling_run_step(&run, &f, &err);
        if (st) {
            if (st == LM_TRAIN_NONFINITE)   /* the run diverged: the rows before it stay */
                snprintf(err.msg + strlen(err.msg), sizeof err.msg - strlen(err.msg), "; try a lower --lr");
            rc = 1;
            break;
        }
        if (pr.tty) {
            char extra[128];
            snprintf(extra, sizeof extra, "%s D %s loss %.3f", size, d, lm_figures_get(&f, "loss"));
            cli_progress_update(&pr, run.step, extra, 0);
        }
    }
    if (rc == 0 && lm_scaling_run_finish(&run, &err)) rc = 1;
    if (rc) cli_progress_finish(&pr);
    if (rc == 1) fprintf(ctx->err, "llmlab scaling run: %s D %s: %s\n", size, d, err.msg);
    if (rc == 0 && (lm_scaling_table_add(t, &run.row, &err) || lm_scaling_tsv_save(t, out, &err))) {
        fprintf(ctx->err, "llmlab scaling run: cannot save %s: %s\n", shown, err.msg);
        rc = 1;
    }
    if (rc == 0) {   /* the row replaces the progress bar */
        char line[256];
        cli_progress_note(&pr, "%s", cli_scaling_row_text(line, sizeof line, lead, &run.row));
    }
    lm_scaling_run_free(&run);
    lm_set_threads(threads);
    return rc;
}

/* every planned run not in t yet, in order; the finished rows go to t and out */
static int sweep(cli_ctx *ctx, lm_objective *obj, const lm_scaling_row *runs, int n_runs, int todo,
                 lm_scaling_table *t, const char *out, const char *shown) {
    cli_scaling_header(ctx->out, "run");
    cli_stop_watch_state stop;
    cli_stop_watch(&stop);
    int k = 0, rc = 0;
    for (int i = 0; i < n_runs && rc == 0; i++) {
        if (lm_scaling_table_find(t, &runs[i]) >= 0) continue;
        char lead[32];
        snprintf(lead, sizeof lead, "%d/%d", ++k, todo);
        rc = one_run(ctx, obj, &runs[i], lead, t, out, shown);
    }
    cli_stop_unwatch(&stop);
    if (rc == CLI_EXIT_INTERRUPTED)
        fprintf(ctx->out, "interrupted during run %d of %d; kept the %d finished rows in %s (the same command "
                          "again continues)\n", k, todo, t->n, shown);
    else if (rc == 0)
        fprintf(ctx->out, "scaling run: %d runs in %s; see them with `llmlab scaling plot %s`\n", t->n, shown, shown);
    return rc;
}

static int cmd_run(cli_ctx *ctx, int argc, char **argv) {
    run_args a = {.batch = 16, .seq = 64, .val_batches = 16, .lr = 3e-3f, .seed = 1234, .tokspec = "char"};
    int rc = parse_run(ctx, argc, argv, &a);
    if (rc >= 0) return rc;
    /* the data as given is the sweep's source (so that a resume matches it);
     * the default files are the shipped ones, found here or next to the binary */
    char source[LM_SCALING_SOURCE_MAX], data_buf[LM_PATH_MAX], val_buf[LM_PATH_MAX];
    snprintf(source, sizeof source, "tokenizer=%.40s data=%.150s val=%.150s max_bytes=%ld val_batches=%d", a.tokspec,
             a.data ? a.data : "data/corpus/train.txt", a.val ? a.val : "data/corpus/val.txt", a.max_bytes,
             a.val_batches);
    if (!a.data) cli_find_shipped("data/corpus/train.txt", data_buf, sizeof data_buf), a.data = data_buf;
    if (!a.val) cli_find_shipped("data/corpus/val.txt", val_buf, sizeof val_buf), a.val = val_buf;
    lm_err err = {{0}};
    lm_tokenizer *tok = cli_open_tokenizer(ctx, a.tokspec, &err);
    if (!tok) {
        fprintf(ctx->err, "llmlab scaling run: -t %s: %s\n", a.tokspec, err.msg);
        return 1;
    }
    lm_scaling_plan plan = {.batch = a.batch, .seq = a.seq, .lr = a.lr, .seed = (uint64_t)a.seed,
                            .vocab_size = lm_tok_vocab_size(tok)};
    lm_scaling_row *runs = malloc(sizeof *runs * LM_SCALING_MAX_LIST * LM_SCALING_MAX_LIST);
    int n_runs = 0, n_sizes = 0, n_budgets = 0;
    rc = runs ? plan_runs(ctx, &a, &plan, runs, &n_runs, &n_sizes, &n_budgets) : 1;
    const char *data = rc ? NULL : cli_path_for_read(ctx, "scaling run", a.data);   /* a lesson's policy */
    const char *val = data ? cli_path_for_read(ctx, "scaling run", a.val) : NULL;
    const char *out = val ? cli_path_for_write(ctx, "scaling run", a.out) : NULL;
    if (rc == 0 && !out) rc = 1;
    lm_scaling_table t = {0};
    if (rc == 0) rc = load_existing(ctx, out, a.out, source, &t);
    int todo = 0;
    for (int i = 0; rc == 0 && i < n_runs; i++) todo += lm_scaling_table_find(&t, &runs[i]) < 0;
    lm_objective *obj = NULL;
    if (rc == 0 && todo == 0) {
        fprintf(ctx->out, "scaling run: nothing to do: all %d runs are in %s\n", n_runs, a.out);
    } else if (rc == 0 && lm_atomic_probe(out, 0, &err)) {
        fprintf(ctx->err, "llmlab scaling run: cannot write %s: %s\n", a.out, err.msg);
        rc = 1;
    } else if (rc == 0 && !(obj = prepare_data(ctx, &a, tok, data, val))) {
        rc = 1;
    } else if (rc == 0) {
        fprintf(ctx->out, "scaling run: %d size%s x %d budget%s = %d run%s, %d to do (%d already in %s); batch %d x %d, "
                          "lr %g, seed %lld\n", n_sizes, n_sizes == 1 ? "" : "s", n_budgets, n_budgets == 1 ? "" : "s",
                n_runs, n_runs == 1 ? "" : "s", todo, n_runs - todo, a.out, a.batch, a.seq, (double)a.lr, a.seed);
        fprintf(ctx->out, "data: %s\n", obj->desc);
        rc = sweep(ctx, obj, runs, n_runs, todo, &t, out, a.out);
    }
    lm_objective_free(obj);
    lm_scaling_table_free(&t);
    free(runs);
    lm_tok_free(tok);
    return rc;
}

int cmd_scaling(cli_ctx *ctx, int argc, char **argv) {
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        if (argc < 2) {
            fputs(usage, ctx->err);
            return 2;
        }
        fputs(usage, ctx->out);
        return 0;
    }
    if (strcmp(argv[1], "run") == 0) return cmd_run(ctx, argc - 1, argv + 1);
    if (strcmp(argv[1], "plot") == 0) return cli_scaling_plot(ctx, argc - 1, argv + 1, usage);
    fprintf(ctx->err, "llmlab scaling: unknown sub-command '");
    show_str(ctx->err, argv[1]);
    fprintf(ctx->err, "' (run or plot; see 'llmlab scaling --help')\n");
    return 2;
}
