/* cmd_lms.c - `llmlab lms`: language models of every kind side by side on
 * one number (validation loss in bits per byte on the same text), with
 * their sizes and training times, a uniform guess as the baseline, and each
 * one's continuation of the same prompt (eval/lmtable.h). */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "cli/progress.h"
#include "cli/sandbox.h"
#include "cli/show.h"
#include "eval/lmtable.h"
#include "io/modelfile.h"
#include "models/lmodel.h"
#include "models/ngram/ngram.h"

static const char *usage =
    "usage: llmlab lms [--val FILE] [--windows N] [--window T] [--ngrams LIST] [--train FILE]\n"
    "                  [--save TSV] [--prompt TEXT] [-n N] [sampling options] [MODEL...]\n"
    "       llmlab lms --table TSV\n"
    "Language models of every kind on one number: the loss on the same held-out\n"
    "text in bits per byte (bits per byte, not per token, because kinds may split\n"
    "text differently), beside each model's parameters and training time on two\n"
    "cores and a uniform guess over the vocabulary. Then each continues PROMPT.\n"
    "Without MODELs: n-grams counted now (--ngrams 1,2,3) and the shipped models of\n"
    "every kind found in models/ (feed-forward, Elman RNN, GRU, the transformer).\n"
    "  --val FILE         the text scored (default data/corpus/val.txt)\n"
    "  --windows N        score N windows spread evenly over it (default 100; 0 = all)\n"
    "  --window T         tokens per window (default 128; a kind with a shorter\n"
    "                     context scores windows of its own context)\n"
    "  --ngrams LIST      also count n-grams of these orders now (Kneser-Ney, the\n"
    "                     transformer's tokeniser), e.g. 1,2,4; \"\" for none\n"
    "  --train FILE       the text the n-grams count (default data/corpus/train.txt)\n"
    "  --save TSV         also write the table (what the UI's table view draws)\n"
    "  --table TSV        print a saved table instead of measuring\n"
    "  --prompt TEXT      the prompt every model continues (default \"The king said\")\n"
    "  -n N               tokens each model adds (default 16; 0 = no generations)\n" CLI_SAMPLING_HELP;

/* the shipped language models, simplest first (those present are used) */
static const char *const SHIPPED[] = {"models/fflm.llm", "models/rnn.llm", "models/gru.llm", "models/base.llm"};

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
static void print_generation(cli_ctx *ctx, lm_lmodel *lm, const char *name, const char *prompt, int n) {
    lm_err err = {{0}};
    lm_ids ids = {0};
    int rc = lm_tok_encode(lm->tok, (const uint8_t *)prompt, strlen(prompt), 0, &ids, &err);
    if (rc == 0 && ids.n == 0) rc = lm_fail(&err, "the prompt is empty");
    if (rc == 0 && lm->n_ctx > 0 && ids.n + (size_t)n > (size_t)lm->n_ctx)
        rc = lm_fail(&err, "the prompt's %zu tokens and %d new ones do not fit its context of %d", ids.n, n,
                     lm->n_ctx);
    size_t n_prompt = ids.n;
    int32_t eot = lm_tok_special_id(lm->tok, "<|endoftext|>");
    lm_gen_opts o = {.max_new = n, .sampling = ctx->sampling, .stop_ids = &eot, .n_stop = eot >= 0};
    lm_rng rng;
    lm_rng_seed(&rng, ctx->seed);   /* every model draws from the same seed */
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
}

typedef struct {
    const char *val, *save, *table, *prompt, *train, *ngrams;
    int windows, window, n_new;
} lms_opts;

enum { MAX_NGRAMS = 8 };

/* "1,2,4" -> orders[]; the count, or -1 (message printed) */
static int parse_orders(cli_ctx *ctx, const char *s, int *orders) {
    int n = 0;
    for (const char *p = s; *p;) {
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p || v < 1 || v > LM_NGRAM_MAX_ORDER || n == MAX_NGRAMS || (*end && *end != ',')) {
            fprintf(ctx->err, "llmlab lms: --ngrams takes orders 1..%d separated by commas (at most %d), not \"%s\"\n",
                    LM_NGRAM_MAX_ORDER, MAX_NGRAMS, s);
            return -1;
        }
        orders[n++] = (int)v;
        p = *end ? end + 1 : end;
    }
    return n;
}

static void ngram_name(int n, char *out, size_t cap) {
    static const char *names[] = {"", "unigram", "bigram", "trigram"};
    if (n <= 3) snprintf(out, cap, "%s", names[n]);
    else snprintf(out, cap, "%d-gram", n);
}

static double seconds_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* An n-gram of order n counted now over the training text's ids, in memory,
 * with tok (copied) as its tokeniser; its row's training time is the count's. */
static lm_lmodel *count_ngram(const lm_ids *ids, const lm_tokenizer *tok, int n, double *secs, lm_err *err) {
    lm_ngram_config c = {.order = n, .smoothing = LM_NGRAM_KN, .k = 1, .discount = 0};
    double t0 = seconds_now();
    lm_ngram *g = lm_ngram_new(&c, lm_tok_vocab_size(tok), err);
    if (!g) return NULL;
    if (lm_ngram_count(g, ids->ids, ids->n, err)) {
        lm_ngram_free(g);
        return NULL;
    }
    *secs = seconds_now() - t0;
    uint8_t *blob = NULL;
    size_t len = 0;
    lm_tokenizer *copy = NULL;
    if (lm_tok_serialize(tok, &blob, &len, err) == 0) copy = lm_tok_deserialize(blob, len, err);
    free(blob);
    if (!copy) {
        lm_ngram_free(g);
        return NULL;
    }
    return lm_ngram_lmodel_wrap(g, copy, "", err);
}

/* the n-gram rows: count each order on the training text, score it */
static int measure_ngrams(cli_ctx *ctx, const lms_opts *o, const char *tok_model, const int *orders, int n_orders,
                          const uint8_t *val, size_t val_len, lm_lmtable *t, lm_lmodel **keep) {
    lm_err err = {{0}};
    const char *train = cli_path_for_read(ctx, "lms", o->train);
    if (!train) return 1;
    lm_tokenizer *tok = cli_open_tokenizer(ctx, tok_model, &err);
    if (!tok) {
        fprintf(ctx->err, "llmlab lms: the n-grams' tokeniser (%s): %s\n", tok_model, err.msg);
        return 1;
    }
    uint8_t *text;
    size_t len;
    lm_ids ids = {0};
    int rc = cli_read_file(ctx, train, &text, &len) ? 1 : 0;
    if (rc == 0) {
        if (lm_tok_encode(tok, text, len, 1, &ids, &err)) {
            fprintf(ctx->err, "llmlab lms: %s: %s\n", o->train, err.msg);
            rc = 1;
        }
        free(text);
    }
    for (int i = 0; i < n_orders && rc == 0; i++) {
        double secs = 0;
        lm_lmodel *lm = count_ngram(&ids, tok, orders[i], &secs, &err);
        char name[32];
        ngram_name(orders[i], name, sizeof name);
        lm_lmtable_row *row = &t->rows[t->n + 1];
        if (!lm || lm_lmtable_measure_lm(lm, name, val, val_len, o->window, (size_t)o->windows, row, &err)) {
            fprintf(ctx->err, "llmlab lms: the %s: %s\n", name, err.msg);
            lm_lmodel_free(lm);
            rc = 1;
            break;
        }
        row->train_seconds = secs;
        keep[t->n] = lm;   /* for its generation */
        t->n++;
    }
    lm_ids_free(&ids);
    lm_tok_free(tok);
    return rc;
}

/* The table: the uniform guess, the n-grams counted now, then every model
 * file; keep[i] holds row i + 1's model, open, for its generation. */
static int measure(cli_ctx *ctx, const lms_opts *o, char **paths, int n_paths, const int *orders, int n_orders,
                   lm_lmtable *t, lm_lmodel **keep) {
    const char *val = cli_path_for_read(ctx, "lms", o->val);
    if (!val) return 1;
    uint8_t *text;
    size_t len;
    if (cli_read_file(ctx, val, &text, &len)) return 1;
    if (o->windows) snprintf(t->text_desc, sizeof t->text_desc, "%s, %d windows of up to %d tokens", o->val,
                             o->windows, o->window);
    else snprintf(t->text_desc, sizeof t->text_desc, "%s, all of it in windows of up to %d tokens", o->val, o->window);
    /* the n-grams split text as the transformer does: its tokeniser */
    const char *tok_model = "models/base.llm";
    char base[LM_PATH_MAX];
    if (cli_find_shipped(tok_model, base, sizeof base) == 0) tok_model = base;
    for (int i = n_paths - 1; i >= 0; i--) {   /* (a lesson's policy first: this reads the file's head) */
        lm_file_header h;
        const char *p = cli_path_for_read(ctx, "lms", paths[i]);
        if (!p) { free(text); return 1; }
        if (lm_file_peek(&h, p, NULL) == 0 && strcmp(h.kind, LM_KIND_GPT) == 0) tok_model = p;
    }
    int rc = n_orders ? measure_ngrams(ctx, o, tok_model, orders, n_orders, text, len, t, keep) : 0;
    cli_progress pr;
    cli_progress_init(&pr, ctx->err, "model", 0, n_paths, 0);
    for (int i = 0; i < n_paths && rc == 0; i++) {
        lm_err err = {{0}};
        const char *p = cli_path_for_read(ctx, "lms", paths[i]);
        if (!p) { rc = 1; break; }
        lm_lmodel *lm = lm_lmodel_open(p, &err);
        char name[64];
        lm_lmtable_name_of(paths[i], name, sizeof name);
        lm_err inner = {{0}};
        if (!lm || lm_lmtable_measure_lm(lm, name, text, len, o->window, (size_t)o->windows, &t->rows[t->n + 1],
                                         &inner)) {
            cli_progress_finish(&pr);
            if (lm) fprintf(ctx->err, "llmlab lms: %s: %s\n", p, inner.msg);
            else fprintf(ctx->err, "llmlab lms: %s\n", err.msg);
            lm_lmodel_free(lm);
            rc = 1;
            break;
        }
        keep[t->n] = lm;
        t->n++;
        cli_progress_update(&pr, i + 1, name, 0);
    }
    cli_progress_finish(&pr);
    free(text);
    if (rc || t->n == 0) return rc ? rc : 1;
    /* the baseline first: a uniform guess over the transformer's vocabulary
     * (else the first model's), on that model's tokens */
    int like = 1;
    for (int i = 1; i <= t->n; i++)
        if (strcmp(t->rows[i].kind, LM_KIND_GPT) == 0) like = i;
    lm_lmtable_uniform(&t->rows[like], t->rows[like].vocab, &t->rows[0]);
    t->n++;
    return 0;
}

/* --table: print a saved table */
static int print_saved(cli_ctx *ctx, const char *path, lm_lmtable *t) {
    lm_err err = {{0}};
    const char *p = cli_path_for_read(ctx, "lms", path);
    if (!p) return 1;
    if (lm_lmtable_load(t, p, &err)) {
        fprintf(ctx->err, "llmlab lms: %s\n", err.msg);
        return 1;
    }
    print_table(ctx, t);
    return 0;
}

int cmd_lms(cli_ctx *ctx, int argc, char **argv) {
    static const struct option longopts[] = {
        {"help", no_argument, 0, 'h'},           {"val", required_argument, 0, 1},
        {"windows", required_argument, 0, 2},    {"window", required_argument, 0, 3},
        {"save", required_argument, 0, 4},       {"table", required_argument, 0, 5},
        {"prompt", required_argument, 0, 6},     {"ngrams", required_argument, 0, 7},
        {"train", required_argument, 0, 8},      CLI_SAMPLING_LONGOPTS,
        {0, 0, 0, 0}};
    lms_opts o = {.val = "data/corpus/val.txt", .train = "data/corpus/train.txt", .prompt = "The king said",
                  .windows = 100, .window = 128, .n_new = 16};
    char valbuf[LM_PATH_MAX], trainbuf[LM_PATH_MAX];
    if (cli_find_shipped(o.val, valbuf, sizeof valbuf) == 0) o.val = valbuf;
    if (cli_find_shipped(o.train, trainbuf, sizeof trainbuf) == 0) o.train = trainbuf;
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
        case 7: o.ngrams = optarg; break;
        case 8: o.train = optarg; break;
        case 'n': if (cli_parse_int(ctx, "lms", "-n", optarg, 0, 1000, &o.n_new)) return 2; break;
        default: return cli_bad_option(ctx, "lms", argc, argv, "hn:", longopts);
        }
    }
    lm_lmtable *t = calloc(1, sizeof *t);
    if (!t) return 1;
    if (o.table) {
        int rc = print_saved(ctx, o.table, t);
        free(t);
        return rc;
    }
    /* the models: the ones named, else the shipped ones and n-grams of orders 1, 2, 3 */
    char found[sizeof SHIPPED / sizeof SHIPPED[0]][LM_PATH_MAX];
    char *paths[LM_LMTABLE_MAX_ROWS];
    int n_paths = 0, orders[MAX_NGRAMS], n_orders = 0;
    if (!o.ngrams && optind == argc) o.ngrams = "1,2,3";
    if (o.ngrams && (n_orders = parse_orders(ctx, o.ngrams, orders)) < 0) {
        free(t);
        return 2;
    }
    if (argc - optind + n_orders > LM_LMTABLE_MAX_ROWS - 1) {
        fprintf(ctx->err, "llmlab lms: at most %d models at once\n", LM_LMTABLE_MAX_ROWS - 1);
        free(t);
        return 2;
    }
    if (optind < argc) {
        for (int i = optind; i < argc; i++) paths[n_paths++] = argv[i];
    } else {
        for (size_t i = 0; i < sizeof SHIPPED / sizeof SHIPPED[0]; i++)
            if (cli_find_shipped(SHIPPED[i], found[i], sizeof found[i]) == 0) paths[n_paths++] = found[i];
    }
    if (n_paths + n_orders == 0) {
        fprintf(ctx->err, "llmlab lms: no models given and none shipped in models/\n");
        free(t);
        return 1;
    }
    lm_lmodel *keep[LM_LMTABLE_MAX_ROWS] = {0};   /* row i + 1's model */
    int rc = measure(ctx, &o, paths, n_paths, orders, n_orders, t, keep);
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
        for (int i = 0; i + 1 < t->n; i++) print_generation(ctx, keep[i], t->rows[i + 1].name, o.prompt, o.n_new);
    }
    for (int i = 0; i < LM_LMTABLE_MAX_ROWS; i++) lm_lmodel_free(keep[i]);
    free(t);
    return rc;
}
