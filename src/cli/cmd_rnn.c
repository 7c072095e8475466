/* cmd_rnn.c - `llmlab rnn`: the recurrent LMs. `rnn train` trains an Elman
 * RNN or a GRU on the corpus by backpropagation through time (the shared
 * training loop, cli/nlm_train.h); `rnn grad-norms` shows the vanishing
 * gradient, |dL/dh_t| step by step back from a prediction, for several
 * models side by side; `rnn generate` continues one prompt with each of
 * several models (any kind), the same seed for each. */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/nlm_train.h"
#include "cli/nlm_view.h"
#include "cli/opts.h"
#include "cli/show.h"
#include "models/rnn/rnn.h"
#include "train/objective.h"

static const char *usage =
    "usage: llmlab rnn train --cell elman|gru [options] -o OUT   train a recurrent LM\n"
    "       llmlab rnn grad-norms [-m MODEL]... [--fresh] [TEXT]   the vanishing gradient\n"
    "       llmlab rnn generate [-m MODEL]... [-n N] PROMPT        continue a prompt with each model\n"
    "Recurrent LMs read one token at a time and carry a hidden state h_t:\n"
    "Elman: h_t = tanh(W x_t + U h_{t-1} + b); the GRU adds gates that can keep h.\n"
    "`llmlab rnn ACTION --help` says more.\n";

static const char *train_usage =
    "usage: llmlab rnn train [--cell elman|gru] [--embed E] [--hidden H] [-t SPEC]\n"
    "                        [--data FILE] [--val FILE] -o OUT [options]\n"
    "       llmlab rnn train --resume -o OUT [options]\n"
    "Trains a recurrent LM: x_t = E w_t, the cell's h_t from x_t and h_{t-1} (h_0 = 0),\n"
    "p(next) = softmax(V h_t + c). Backpropagation through time over each window of\n"
    "--seq tokens: every position's next-token loss, its gradient carried back\n"
    "through all the steps of its window. Ctrl-C finishes the step, saves OUT and\n"
    "exits 130.\n"
    "model (a new one; a resumed one keeps its own):\n"
    "  --cell elman|gru   the recurrent cell (default elman)\n"
    "  --embed E          width of a token's embedding (default 64)\n"
    "  --hidden H         hidden state width (default 128)\n"
    "defaults: --steps 1000 --batch 32 --seq 64 --lr 3e-3\n" CLI_NLM_TRAIN_HELP;

static const char *norms_usage =
    "usage: llmlab rnn grad-norms [-m MODEL]... [--fresh [--embed E] [--hidden H] [--seed S]] [TEXT]\n"
    "The vanishing gradient, made visible. For the loss of TEXT's last token\n"
    "(L = -ln p(last | everything before); TEXT is read as the start of a document),\n"
    "prints |dL/dh_t|, the size of the gradient reaching the hidden state of each\n"
    "earlier step t, counted in steps back from the prediction, for each model side\n"
    "by side. Bars are on a log scale: 3 columns per factor of 10.\n"
    "  -m MODEL           a recurrent LM (repeat for up to 4; default models/rnn.llm\n"
    "                     and models/gru.llm)\n"
    "  --fresh            instead: a freshly initialised Elman RNN and GRU (untrained)\n"
    "                     with models/base.llm's tokeniser\n"
    "  --embed E --hidden H --seed S   their size and seed (default 64, 128, 1)\n";

static const char *gen_usage =
    "usage: llmlab rnn generate [-m MODEL]... [-n N] [sampling options] PROMPT\n"
    "Continues PROMPT (read as the start of a document) with each model in turn,\n"
    "N new tokens at most (default 40), each model with the same seed. Any kind of\n"
    "model: put an RNN next to the transformer.\n"
    "  -m MODEL           a model (repeat for up to 4; default models/rnn.llm)\n"
    "  -n N               new tokens at most\n" CLI_SAMPLING_HELP;

/* ---- train ---- */

static const struct option train_longopts[] = {
    CLI_NLM_TRAIN_LONGOPTS,
    {"cell", required_argument, 0, 1401}, {"embed", required_argument, 0, 1402},
    {"hidden", required_argument, 0, 1403}, {0, 0, 0, 0}};

/* rnn's own train options (cli_nlm_kind.option) */
static int train_option(cli_ctx *ctx, cli_nlm_train *t, int c, const char *arg, void *cfgp) {
    lm_rnn_config *cfg = cfgp;
    const char *cmd = t->r.cmd;
    switch (c) {
    case 1401:
        t->model_opt = "--cell";
        if (lm_rnn_cell_parse(arg, &cfg->cell)) {
            cli_usage_error(ctx, cmd, "--cell is elman or gru");
            return -1;
        }
        return 1;
    case 1402:
        t->model_opt = "--embed";
        return cli_parse_int(ctx, cmd, "--embed", arg, 1, LM_NLM_MAX_WIDTH, &cfg->embed) ? -1 : 1;
    case 1403:
        t->model_opt = "--hidden";
        return cli_parse_int(ctx, cmd, "--hidden", arg, 1, LM_NLM_MAX_WIDTH, &cfg->hidden) ? -1 : 1;
    default: return 0;
    }
}

static int train_new(lm_nlm **m, void *cfgp, int vocab, uint64_t seed, lm_err *err) {
    lm_rnn_config *cfg = cfgp;
    cfg->vocab = vocab;
    return lm_rnn_new(m, cfg, seed, err);
}

static void train_extra(const lm_nlm *m, char *buf, size_t cap) {
    lm_rnn_config mc = lm_rnn_config_of(m);
    snprintf(buf, cap, "cell=%s\nembed=%d\nhidden=%d\n", lm_rnn_cell_name(mc.cell), mc.embed, mc.hidden);
}

static int train(cli_ctx *ctx, int argc, char **argv) {
    const cli_nlm_kind k = {
        .kind = LM_KIND_RNN, .usage = train_usage, .longopts = train_longopts,
        .def_steps = 1000, .def_batch = 32, .def_seq = 64, .def_lr = 3e-3f,
        .option = train_option, .new_model = train_new, .objective = lm_obj_rnn_new, .extra = train_extra};
    lm_rnn_config cfg = lm_rnn_config_default(0, LM_RNN_ELMAN);
    return cli_nlm_train_main(ctx, "rnn train", &k, &cfg, argc, argv);
}

/* ---- grad-norms ---- */

#define MAX_MODELS 4
#define BAR_DECADES 8   /* the bars span 8 factors of 10 below the largest value */

static const char *default_text =
    "In the beginning God created the heaven and the earth. And the earth was without form, and void; "
    "and darkness was upon the face of the deep.";

typedef struct {
    char label[96];
    lm_lmodel *lm;      /* opened from a file (owned), or NULL */
    lm_nlm *m;          /* the model (lm->self, or a fresh one, owned) */
    lm_tokenizer *tok;  /* a fresh model's (owned) */
    lm_ids ids;
    float *norms;       /* [ids.n - 1] */
} norm_col;

static const lm_tokenizer *col_tok(const norm_col *c) { return c->lm ? c->lm->tok : c->tok; }

static void col_free(norm_col *c) {
    if (c->lm) lm_lmodel_free(c->lm);
    else lm_nlm_free(c->m);
    lm_tok_free(c->tok);
    lm_ids_free(&c->ids);
    free(c->norms);
}

/* a log-scale bar of v against the largest value top, BAR_DECADES * 3 columns */
static void log_bar(cli_ctx *ctx, double v, double top) {
    double cols = 3.0 * (BAR_DECADES + (v > 0 ? log10(v / top) : -BAR_DECADES));
    char bar[160];
    show_bar(cols <= 0 ? 0 : cols / (3.0 * BAR_DECADES), 3 * BAR_DECADES, !show_unicode_ok(), bar, sizeof bar);
    show_color(ctx->out, ctx->color, "36");
    cli_nlm_put_padded(ctx->out, bar, 3 * BAR_DECADES);
    show_reset(ctx->out, ctx->color);
}

static int open_cols(cli_ctx *ctx, const char **models, int n_models, int fresh, lm_rnn_config fc, uint64_t seed,
                     norm_col *cols, int *n_cols) {
    const char *cmd = "rnn grad-norms";
    *n_cols = 0;
    if (fresh) {
        char base[LM_PATH_MAX];
        cli_find_shipped("models/base.llm", base, sizeof base);
        for (int i = 0; i < 2; i++) {
            norm_col *c = &cols[(*n_cols)++];
            lm_err err = {{0}};
            c->tok = cli_open_tokenizer(ctx, base, &err);
            fc.cell = i ? LM_RNN_GRU : LM_RNN_ELMAN;
            if (c->tok) fc.vocab = lm_tok_vocab_size(c->tok);
            if (!c->tok || lm_rnn_new(&c->m, &fc, seed, &err)) {
                fprintf(ctx->err, "llmlab %s: %s\n", cmd, err.msg);
                return -1;
            }
            snprintf(c->label, sizeof c->label, "%s (fresh, seed %llu)", lm_rnn_cell_name(fc.cell), (unsigned long long)seed);
        }
        return 0;
    }
    for (int i = 0; i < n_models; i++) {
        norm_col *c = &cols[(*n_cols)++];
        if (!(c->lm = cli_nlm_open(ctx, cmd, models[i]))) return -1;
        if (strcmp(c->lm->kind, LM_KIND_RNN) != 0) {
            fprintf(ctx->err, "llmlab %s: %s is a %s model; gradients through time need a recurrent LM (rnn)\n", cmd,
                    models[i], c->lm->kind);
            return -1;
        }
        c->m = c->lm->self;
        const char *base = strrchr(models[i], '/');
        snprintf(c->label, sizeof c->label, "%s (%.60s)", lm_rnn_cell_name(lm_rnn_config_of(c->m).cell),
                 base ? base + 1 : models[i]);
    }
    return 0;
}

/* one column's norms for text */
static int col_norms(cli_ctx *ctx, norm_col *c, const char *text) {
    const char *cmd = "rnn grad-norms";
    if (cli_nlm_prompt(ctx, cmd, col_tok(c), (const uint8_t *)text, strlen(text), &c->ids)) return -1;
    if (c->ids.n < 2) {
        fprintf(ctx->err, "llmlab %s: the text needs at least one token\n", cmd);
        return -1;
    }
    c->norms = malloc((c->ids.n - 1) * sizeof(float));
    lm_err err = {{0}};
    if (!c->norms || lm_rnn_grad_norms(c->m, c->ids.ids, c->ids.n, c->norms, &err)) {
        fprintf(ctx->err, "llmlab %s: %s\n", cmd, c->norms ? err.msg : "out of memory");
        return -1;
    }
    return 0;
}

#define COL_W (10 + 3 * BAR_DECADES)   /* "  9.3e-01 " and the bar */

static void print_norms(cli_ctx *ctx, norm_col *cols, int n) {
    const lm_tokenizer *tok = col_tok(&cols[0]);
    size_t T = cols[0].ids.n - 1;   /* hidden states h_0..h_{T-1}; the loss predicts ids[T] from h_{T-1} */
    double top = 0;
    for (int i = 0; i < n; i++)
        for (size_t t = 0; t + 1 < cols[i].ids.n; t++) top = cols[i].norms[t] > top ? cols[i].norms[t] : top;
    char piece[128];
    cli_nlm_piece(tok, cols[0].ids.ids[T], piece, sizeof piece);
    fprintf(ctx->out, "|dL/dh_t| for L = -ln p(%s | the %zu tokens before it), k steps back from the prediction\n",
            piece, T);
    fprintf(ctx->out, "(bars: log scale, 3 columns per factor of 10, %d factors of 10 below %.1e)\n", BAR_DECADES, top);
    fprintf(ctx->out, "%4s  ", "k");
    cli_nlm_put_padded(ctx->out, "token read", 14);
    for (int i = 0; i < n; i++) {
        char label[COL_W + 1];
        snprintf(label, sizeof label, "  %.*s", COL_W - 2, cols[i].label);
        cli_nlm_put_padded(ctx->out, label, COL_W);
    }
    fputc('\n', ctx->out);
    for (size_t k = 0; k < T; k++) {
        cli_nlm_piece(tok, cols[0].ids.ids[T - 1 - k], piece, sizeof piece);
        fprintf(ctx->out, "%4zu  ", k);
        cli_nlm_put_padded(ctx->out, piece, 14);
        for (int i = 0; i < n; i++) {
            size_t Ti = cols[i].ids.n - 1;
            if (k >= Ti) {
                cli_nlm_put_padded(ctx->out, "", COL_W);
                continue;
            }
            fprintf(ctx->out, "  %7.1e ", cols[i].norms[Ti - 1 - k]);
            log_bar(ctx, cols[i].norms[Ti - 1 - k], top);
        }
        fputc('\n', ctx->out);
    }
    size_t k = T - 1 < 20 ? T - 1 : 20;
    fprintf(ctx->out, "%zu steps back, |dL/dh| is this fraction of its size at the prediction:\n", k);
    for (int i = 0; i < n; i++) {
        size_t Ti = cols[i].ids.n - 1;
        if (k >= Ti) continue;
        fprintf(ctx->out, "  ");
        cli_nlm_put_padded(ctx->out, cols[i].label, 30);
        fprintf(ctx->out, " %.1e\n", cols[i].norms[Ti - 1 - k] / cols[i].norms[Ti - 1]);
    }
}

static int grad_norms(cli_ctx *ctx, int argc, char **argv) {
    static const struct option longopts[] = {
        {"help", no_argument, 0, 'h'}, {"model", required_argument, 0, 'm'}, {"fresh", no_argument, 0, 1501},
        {"embed", required_argument, 0, 1502}, {"hidden", required_argument, 0, 1503},
        {"seed", required_argument, 0, 1504}, {0, 0, 0, 0}};
    const char *cmd = "rnn grad-norms", *models[MAX_MODELS];
    int n_models = 0, fresh = 0, c;
    lm_rnn_config fc = lm_rnn_config_default(0, LM_RNN_ELMAN);
    uint64_t seed = 1;
    cli_getopt_reset();
    while ((c = getopt_long(argc, argv, "hm:", longopts, NULL)) != -1) {
        switch (c) {
        case 'h': fputs(norms_usage, ctx->out); return 0;
        case 'm':
            if (n_models == MAX_MODELS) return cli_usage_error(ctx, cmd, "at most 4 models (-m)");
            models[n_models++] = optarg;
            break;
        case 1501: fresh = 1; break;
        case 1502: if (cli_parse_int(ctx, cmd, "--embed", optarg, 1, 1024, &fc.embed)) return 2; break;
        case 1503: if (cli_parse_int(ctx, cmd, "--hidden", optarg, 1, 1024, &fc.hidden)) return 2; break;
        case 1504: if (cli_parse_u64(ctx, cmd, "--seed", optarg, &seed)) return 2; break;
        default: return cli_bad_option(ctx, cmd, argc, argv, "hm:", longopts);
        }
    }
    if (fresh && n_models) return cli_usage_error(ctx, cmd, "--fresh makes its own two models; leave out -m");
    if (optind + 1 < argc) return cli_usage_error(ctx, cmd, "give the TEXT as one argument (quote it)");
    char def[2][LM_PATH_MAX];
    if (!fresh && n_models == 0) {
        cli_find_shipped("models/rnn.llm", def[0], sizeof def[0]);
        cli_find_shipped("models/gru.llm", def[1], sizeof def[1]);
        models[0] = def[0], models[1] = def[1], n_models = 2;
    }
    const char *text = optind < argc ? argv[optind] : default_text;
    norm_col cols[MAX_MODELS];
    memset(cols, 0, sizeof cols);
    int n_cols = 0, rc = open_cols(ctx, models, n_models, fresh, fc, seed, cols, &n_cols);
    for (int i = 0; rc == 0 && i < n_cols; i++) rc = col_norms(ctx, &cols[i], text);
    if (rc == 0) print_norms(ctx, cols, n_cols);
    for (int i = 0; i < n_cols; i++) col_free(&cols[i]);
    return rc ? 1 : 0;
}

/* ---- generate ---- */

static int generate_one(cli_ctx *ctx, const char *path, const char *prompt, int n_new) {
    const char *cmd = "rnn generate";
    lm_lmodel *lm = cli_nlm_open(ctx, cmd, path);
    if (!lm) return -1;
    lm_ids ids = {0};
    int rc = cli_nlm_prompt(ctx, cmd, lm->tok, (const uint8_t *)prompt, strlen(prompt), &ids);
    size_t start = ids.n;
    lm_rng rng;
    lm_rng_seed(&rng, ctx->seed);   /* every model draws from the same seed */
    lm_err err = {{0}};
    int32_t eot = lm_tok_special_id(lm->tok, "<|endoftext|>");   /* the end of a document stops it */
    lm_gen_opts go = {.max_new = n_new, .sampling = ctx->sampling, .stop_ids = &eot, .n_stop = eot >= 0};
    lm_gen_result res;
    if (rc == 0 && lm_lmodel_generate(lm, &ids, &go, &rng, &res, &err)) {
        fprintf(ctx->err, "llmlab %s: %s\n", cmd, err.msg);
        rc = -1;
    }
    uint8_t *text = NULL;
    size_t len = 0;
    if (rc == 0 && lm_tok_decode(lm->tok, ids.ids + start, ids.n - start, &text, &len, &err)) {
        fprintf(ctx->err, "llmlab %s: %s\n", cmd, err.msg);
        rc = -1;
    }
    if (rc == 0) {
        fprintf(ctx->out, "%s (%s):\n  ", path, lm->desc);
        show_str(ctx->out, prompt);
        show_color(ctx->out, ctx->color, "1;32");
        show_text(ctx->out, text, len);
        show_reset(ctx->out, ctx->color);
        fputc('\n', ctx->out);
    }
    free(text);
    lm_ids_free(&ids);
    lm_lmodel_free(lm);
    return rc;
}

static int generate(cli_ctx *ctx, int argc, char **argv) {
    static const struct option longopts[] = {
        {"help", no_argument, 0, 'h'}, {"model", required_argument, 0, 'm'}, CLI_SAMPLING_LONGOPTS, {0, 0, 0, 0}};
    const char *cmd = "rnn generate", *models[MAX_MODELS];
    int n_models = 0, n_new = 40, c;
    cli_getopt_reset();
    while ((c = getopt_long(argc, argv, "hm:n:", longopts, NULL)) != -1) {
        int s = cli_sampling_option(ctx, cmd, c, optarg);
        if (s < 0) return 2;
        if (s > 0) continue;
        switch (c) {
        case 'h': fputs(gen_usage, ctx->out); return 0;
        case 'm':
            if (n_models == MAX_MODELS) return cli_usage_error(ctx, cmd, "at most 4 models (-m)");
            models[n_models++] = optarg;
            break;
        case 'n': if (cli_parse_int(ctx, cmd, "-n", optarg, 1, 10000, &n_new)) return 2; break;
        default: return cli_bad_option(ctx, cmd, argc, argv, "hm:n:", longopts);
        }
    }
    if (optind + 1 != argc) return cli_usage_error(ctx, cmd, "give the PROMPT as one argument (quote it)");
    char def[LM_PATH_MAX];
    if (n_models == 0) {
        cli_find_shipped("models/rnn.llm", def, sizeof def);
        models[n_models++] = def;
    }
    for (int i = 0; i < n_models; i++)
        if (generate_one(ctx, models[i], argv[optind], n_new)) return 1;
    return 0;
}

int cmd_rnn(cli_ctx *ctx, int argc, char **argv) {
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage, argc < 2 ? ctx->err : ctx->out);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "train") == 0) return train(ctx, argc - 1, argv + 1);
    if (strcmp(argv[1], "grad-norms") == 0) return grad_norms(ctx, argc - 1, argv + 1);
    if (strcmp(argv[1], "generate") == 0) return generate(ctx, argc - 1, argv + 1);
    fprintf(ctx->err, "llmlab rnn: unknown action '%s' (train, grad-norms or generate; see llmlab rnn --help)\n",
            argv[1]);
    return 2;
}
