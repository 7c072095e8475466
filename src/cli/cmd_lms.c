/* cmd_lms.c - `llmlab lms`: language models of every kind side by side on
 * one number (validation loss in bits per byte on the same text), with
 * their sizes and training times, a uniform guess as the baseline, and each
 * one's continuation of the same prompt (eval/lmtable.h). */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "cli/progress.h"
#include "cli/sandbox.h"
#include "cli/show.h"
#include "eval/lmtable.h"
#include "models/lmodel.h"

static const char *usage =
    "usage: llmlab lms [--val FILE] [--windows N] [--window T] [--save TSV] [--prompt TEXT]\n"
    "                  [-n N] [sampling options] [MODEL...]\n"
    "       llmlab lms --table TSV\n"
    "Language models of every kind on one number: the loss on the same held-out\n"
    "text in bits per byte (bits per byte, not per token, because kinds may split\n"
    "text differently), beside each model's parameters and training time on two\n"
    "cores and a uniform guess over the vocabulary. Then each continues PROMPT.\n"
    "Without MODELs: the shipped models of every kind found in models/.\n"
    "  --val FILE         the text scored (default data/corpus/val.txt)\n"
    "  --windows N        score N windows spread evenly over it (default 100; 0 = all)\n"
    "  --window T         tokens per window (default 128; a kind with a shorter\n"
    "                     context scores windows of its own context)\n"
    "  --save TSV         also write the table (what the UI's table view draws)\n"
    "  --table TSV        print a saved table instead of measuring\n"
    "  --prompt TEXT      the prompt every model continues (default \"The king said\")\n"
    "  -n N               tokens each model adds (default 16; 0 = no generations)\n" CLI_SAMPLING_HELP;

/* the shipped language models, simplest first (those present are used) */
static const char *const SHIPPED[] = {"models/unigram.llm", "models/bigram.llm", "models/trigram.llm",
                                      "models/ngram.llm",   "models/fflm.llm",   "models/rnn.llm",
                                      "models/gru.llm",     "models/base.llm"};

static void print_table(cli_ctx *ctx, const lm_lmtable *t) {
    double worst = 0;
    for (int i = 0; i < t->n; i++) worst = fmax(worst, t->rows[i].bits_per_byte);
    fprintf(ctx->out, "scored: ");
    show_str(ctx->out, t->text_desc);
    fprintf(ctx->out, "\n%-12s %-6s %10s %10s %10s  %s\n", "model", "kind", "parameters", "training", "bits/byte",
            "(shorter is better)");
    for (int i = 0; i < t->n; i++) {
        const lm_lmtable_row *r = &t->rows[i];
        char params[32], secs[32], bar[160];
        lm_lmtable_fmt_count(r->n_params, params, sizeof params);
        lm_lmtable_fmt_seconds(r->train_seconds, secs, sizeof secs);
        show_bar(worst > 0 ? r->bits_per_byte / worst : 0, 30, !show_unicode_ok(), bar, sizeof bar);
        fprintf(ctx->out, "%-12.12s %-6.6s %10s %10s %10.3f  ", r->name, r->kind, params, secs, r->bits_per_byte);
        show_color(ctx->out, ctx->color, strcmp(r->kind, "-") == 0 ? "2" : "32");
        fputs(bar, ctx->out);
        show_reset(ctx->out, ctx->color);
        fputc('\n', ctx->out);
    }
    for (int i = 0; i < t->n; i++) {
        fprintf(ctx->out, "  %-12.12s ", t->rows[i].name);
        show_str(ctx->out, t->rows[i].desc);
        fputc('\n', ctx->out);
    }
}

/* one model's continuation of the prompt, on one line */
static void print_generation(cli_ctx *ctx, const char *path, const char *name, const char *prompt, int n) {
    lm_err err = {{0}};
    lm_lmodel *lm = lm_lmodel_open(path, &err);
    lm_ids ids = {0};
    int rc = lm ? lm_tok_encode(lm->tok, (const uint8_t *)prompt, strlen(prompt), 0, &ids, &err) : -1;
    if (rc == 0 && ids.n == 0) rc = lm_fail(&err, "the prompt is empty");
    if (rc == 0 && lm->n_ctx > 0 && ids.n + (size_t)n > (size_t)lm->n_ctx)
        rc = lm_fail(&err, "the prompt and %d new tokens do not fit its context of %d", n, lm->n_ctx);
    size_t n_prompt = ids.n;
    lm_gen_opts o = {.max_new = n, .sampling = ctx->sampling};
    int32_t eot = lm ? lm_tok_special_id(lm->tok, "<|endoftext|>") : -1;
    if (eot >= 0) {
        o.stop_ids = &eot;
        o.n_stop = 1;
    }
    lm_rng rng;
    lm_rng_seed(&rng, ctx->seed);
    lm_gen_result res;
    if (rc == 0) rc = lm_lmodel_generate(lm, &ids, &o, &rng, &res, &err);
    fprintf(ctx->out, "%-12.12s ", name);
    if (rc) {
        fprintf(ctx->out, "(%s)\n", err.msg);
    } else {
        show_str(ctx->out, prompt);
        show_color(ctx->out, ctx->color, "1;36");
        uint8_t *text = NULL;
        size_t len = 0;
        if (lm_tok_decode(lm->tok, ids.ids + n_prompt, ids.n - n_prompt, &text, &len, &err) == 0) {
            for (size_t i = 0; i < len; i++)
                if (text[i] == '\n') text[i] = ' ';   /* one line per model */
            show_text(ctx->out, text, len);
        }
        free(text);
        show_reset(ctx->out, ctx->color);
        fputc('\n', ctx->out);
    }
    lm_ids_free(&ids);
    lm_lmodel_free(lm);
}

typedef struct {
    const char *val, *save, *table, *prompt;
    int windows, window, n_new;
} lms_opts;

static int measure(cli_ctx *ctx, const lms_opts *o, char **paths, int n_paths, lm_lmtable *t) {
    const char *val = cli_path_for_read(ctx, "lms", o->val);
    if (!val) return 1;
    uint8_t *text;
    size_t len;
    if (cli_read_file(ctx, val, &text, &len)) return 1;
    if (o->windows) snprintf(t->text_desc, sizeof t->text_desc, "%s, %d windows of up to %d tokens", o->val,
                             o->windows, o->window);
    else snprintf(t->text_desc, sizeof t->text_desc, "%s, all of it in windows of up to %d tokens", o->val, o->window);
    cli_progress pr;
    cli_progress_init(&pr, ctx->err, "model", 0, n_paths, 0);
    int rc = 0;
    for (int i = 0; i < n_paths && rc == 0; i++) {
        lm_err err = {{0}};
        const char *p = cli_path_for_read(ctx, "lms", paths[i]);
        if (!p) { rc = 1; break; }
        if (lm_lmtable_measure(p, text, len, o->window, (size_t)o->windows, &t->rows[t->n + 1], &err)) {
            cli_progress_finish(&pr);
            fprintf(ctx->err, "llmlab lms: %s\n", err.msg);
            rc = 1;
            break;
        }
        t->n++;
        cli_progress_update(&pr, i + 1, t->rows[t->n].name, 0);
    }
    cli_progress_finish(&pr);
    free(text);
    if (rc) return rc;
    /* the baseline first: a uniform guess over the transformer's vocabulary
     * (else the first model's), on that model's tokens */
    int like = 1;
    for (int i = 1; i <= t->n; i++)
        if (strcmp(t->rows[i].kind, "gpt") == 0) like = i;
    lm_lmtable_uniform(&t->rows[like], t->rows[like].vocab, &t->rows[0]);
    t->n++;
    return 0;
}

int cmd_lms(cli_ctx *ctx, int argc, char **argv) {
    static const struct option longopts[] = {
        {"help", no_argument, 0, 'h'},           {"val", required_argument, 0, 1},
        {"windows", required_argument, 0, 2},    {"window", required_argument, 0, 3},
        {"save", required_argument, 0, 4},       {"table", required_argument, 0, 5},
        {"prompt", required_argument, 0, 6},     CLI_SAMPLING_LONGOPTS,
        {0, 0, 0, 0}};
    lms_opts o = {.val = "data/corpus/val.txt", .prompt = "The king said", .windows = 100, .window = 128,
                  .n_new = 16};
    char valbuf[LM_PATH_MAX];
    if (cli_find_shipped(o.val, valbuf, sizeof valbuf) == 0) o.val = valbuf;
    cli_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, "hn:", longopts, NULL)) != -1) {
        int s = cli_sampling_option(ctx, "lms", c, optarg);
        if (s < 0) return 2;
        if (s > 0) continue;
        switch (c) {
        case 'h': fputs(usage, ctx->out); return 0;
        case 1: o.val = optarg; break;
        case 2: if (cli_parse_int(ctx, "lms", "--windows", optarg, 0, 1000000, &o.windows)) return 2; break;
        case 3: if (cli_parse_int(ctx, "lms", "--window", optarg, 2, 65536, &o.window)) return 2; break;
        case 4: o.save = optarg; break;
        case 5: o.table = optarg; break;
        case 6: o.prompt = optarg; break;
        case 'n': if (cli_parse_int(ctx, "lms", "-n", optarg, 0, 1000, &o.n_new)) return 2; break;
        default: return cli_bad_option(ctx, "lms", argc, argv, "hn:", longopts);
        }
    }
    lm_lmtable *t = calloc(1, sizeof *t);
    if (!t) return 1;
    int rc = 0;
    if (o.table) {
        lm_err err = {{0}};
        const char *p = cli_path_for_read(ctx, "lms", o.table);
        if (!p) rc = 1;
        else if (lm_lmtable_load(t, p, &err)) {
            fprintf(ctx->err, "llmlab lms: %s\n", err.msg);
            rc = 1;
        }
        if (rc == 0) print_table(ctx, t);
        free(t);
        return rc;
    }
    char found[sizeof SHIPPED / sizeof SHIPPED[0]][LM_PATH_MAX];
    char *paths[LM_LMTABLE_MAX_ROWS - 1];
    int n_paths = 0;
    if (optind < argc) {
        if (argc - optind > LM_LMTABLE_MAX_ROWS - 1) {
            fprintf(ctx->err, "llmlab lms: at most %d models at once\n", LM_LMTABLE_MAX_ROWS - 1);
            free(t);
            return 2;
        }
        for (int i = optind; i < argc; i++) paths[n_paths++] = argv[i];
    } else {
        for (size_t i = 0; i < sizeof SHIPPED / sizeof SHIPPED[0]; i++)
            if (cli_find_shipped(SHIPPED[i], found[i], sizeof found[i]) == 0) paths[n_paths++] = found[i];
    }
    if (n_paths == 0) {
        fprintf(ctx->err, "llmlab lms: no models given and none shipped in models/\n");
        free(t);
        return 1;
    }
    rc = measure(ctx, &o, paths, n_paths, t);
    if (rc == 0) print_table(ctx, t);
    if (rc == 0 && o.save) {
        lm_err err = {{0}};
        const char *p = cli_path_for_write(ctx, "lms", o.save);
        if (!p || lm_lmtable_save(t, p, &err)) {
            if (p) fprintf(ctx->err, "llmlab lms: %s\n", err.msg);
            rc = 1;
        } else {
            fprintf(ctx->out, "wrote %s\n", o.save);
        }
    }
    if (rc == 0 && o.n_new > 0) {
        fprintf(ctx->out, "\neach model continues the same prompt (%s, seed %llu):\n",
                ctx->sampling.greedy || ctx->sampling.temperature <= 0 ? "greedy" : "sampled",
                (unsigned long long)ctx->seed);
        for (int i = 0; i < n_paths; i++) print_generation(ctx, paths[i], t->rows[i + 1].name, o.prompt, o.n_new);
    }
    free(t);
    return rc;
}
