/* cmd_fflm.c - `llmlab fflm`: Bengio's feed-forward neural LM. `fflm
 * train` trains one on the corpus through the shared training loop
 * (cli/nlm_train.h); `fflm window` shows the fixed window it reads and
 * what it predicts from it (and, given two prompts, that text before the
 * window changes nothing). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/nlm_train.h"
#include "cli/nlm_view.h"
#include "cli/opts.h"
#include "models/fflm/fflm.h"
#include "train/objective.h"

static const char *usage =
    "usage: llmlab fflm train [options] -o OUT     train a feed-forward LM on the corpus\n"
    "       llmlab fflm window [-m MODEL] [-k K] PROMPT [PROMPT2]\n"
    "                                             the window it reads, and its next-token bars\n"
    "Bengio et al. (2003): the previous n tokens, each looked up in one embedding\n"
    "table, concatenated, a tanh hidden layer, a softmax over the vocabulary.\n"
    "`llmlab fflm train --help` and `llmlab fflm window --help` say more.\n";

static const char *train_usage =
    "usage: llmlab fflm train [--context N] [--embed E] [--hidden H] [--direct] [-t SPEC]\n"
    "                         [--data FILE] [--val FILE] -o OUT [options]\n"
    "       llmlab fflm train --resume -o OUT [options]\n"
    "Trains Bengio's feed-forward LM: p(next | the previous N tokens) =\n"
    "softmax(U tanh(W [E w1; ...; E wN] + b) + c), every position of random windows\n"
    "of the corpus scored, AdamW. Ctrl-C finishes the step, saves OUT and exits 130.\n"
    "model (a new one; a resumed one keeps its own):\n"
    "  --context N        previous tokens it reads (default 5)\n"
    "  --embed E          width of one token's embedding (default 64)\n"
    "  --hidden H         tanh units (default 128)\n"
    "  --direct           Bengio's direct connections D (embeddings straight to the output)\n"
    "defaults: --steps 1000 --batch 32 --seq 64 --lr 3e-3\n" CLI_NLM_TRAIN_HELP;

static const char *window_usage =
    "usage: llmlab fflm window [-m MODEL] [-k K] PROMPT [PROMPT2]\n"
    "Shows the tokens a feed-forward LM reads to predict the token after PROMPT\n"
    "(read as the start of a document: <|endoftext|> first): only the last N, its\n"
    "context. Everything before them is invisible to it. Then the K most likely\n"
    "next tokens (default 5). With PROMPT2 it does the same for the second prompt\n"
    "and says whether the two windows, and so the two predictions, are the same.\n"
    "  -m MODEL           a feed-forward LM (default models/fflm.llm)\n"
    "  -k K               next tokens listed\n";

/* Parses argv into t and cfg; -1 to go on, else the exit status. */
static int parse_train(cli_ctx *ctx, int argc, char **argv, cli_nlm_train *t, lm_fflm_config *cfg) {
    static const struct option longopts[] = {
        CLI_NLM_TRAIN_LONGOPTS,
        {"context", required_argument, 0, 1301}, {"embed", required_argument, 0, 1302},
        {"hidden", required_argument, 0, 1303},  {"direct", no_argument, 0, 1304},
        {0, 0, 0, 0}};
    const char *cmd = t->r.cmd;
    int c;
    cli_getopt_reset();
    while ((c = getopt_long(argc, argv, CLI_NLM_TRAIN_SHORTOPTS, longopts, NULL)) != -1) {
        int k = cli_nlm_train_option(ctx, t, c, optarg);
        if (k < 0) return 2;
        if (k > 0) continue;
        switch (c) {
        case 'h': fputs(train_usage, ctx->out); return 0;
        case 1301:
            t->model_opt = "--context";
            if (cli_parse_int(ctx, cmd, "--context", optarg, 1, LM_FFLM_MAX_CONTEXT, &cfg->context)) return 2;
            break;
        case 1302:
            t->model_opt = "--embed";
            if (cli_parse_int(ctx, cmd, "--embed", optarg, 1, 1024, &cfg->embed)) return 2;
            break;
        case 1303:
            t->model_opt = "--hidden";
            if (cli_parse_int(ctx, cmd, "--hidden", optarg, 1, LM_NLM_MAX_WIDTH, &cfg->hidden)) return 2;
            break;
        case 1304: t->model_opt = "--direct"; cfg->direct = 1; break;
        default: return cli_bad_option(ctx, cmd, argc, argv, CLI_NLM_TRAIN_SHORTOPTS, longopts);
        }
    }
    if (optind < argc) return cli_usage_error(ctx, cmd, "unexpected argument");
    return -1;
}

/* a new model of cfg for the tokeniser (-t or base.llm's) */
static int new_model(cli_ctx *ctx, cli_nlm_train *t, lm_fflm_config *cfg) {
    lm_tokenizer *tok = cli_nlm_train_tokenizer(ctx, t);
    if (!tok) return 1;
    lm_err err = {{0}};
    cfg->vocab = lm_tok_vocab_size(tok);
    int rc = lm_fflm_new(&t->m, cfg, (uint64_t)t->r.ro.seed, &err) || lm_nlm_set_tokenizer(t->m, tok, &err);
    if (rc) fprintf(ctx->err, "llmlab %s: %s\n", t->r.cmd, err.msg);
    lm_tok_free(tok);
    return rc ? 1 : 0;
}

static int train(cli_ctx *ctx, int argc, char **argv) {
    cli_nlm_train t;
    cli_nlm_train_init(&t, "fflm train");
    lm_fflm_config cfg = lm_fflm_config_default(0);
    int rc = parse_train(ctx, argc, argv, &t, &cfg);
    if (rc >= 0) {   /* --help or a usage error */
        cli_nlm_train_free(&t);
        return rc;
    }
    rc = cli_nlm_train_load(ctx, &t, LM_KIND_FFLM, 1000, 32, 64, 3e-3f);
    if (rc == 0 && !t.m) rc = new_model(ctx, &t, &cfg);
    if (rc == 0) {
        lm_err err = {{0}};
        lm_objective *obj = lm_obj_fflm_new(t.m, &err);
        lm_fflm_config mc = lm_fflm_config_of(t.m);
        char extra[160];
        snprintf(extra, sizeof extra, "context=%d\nembed=%d\nhidden=%d\ndirect=%d\n", mc.context, mc.embed,
                 mc.hidden, mc.direct);
        if (!obj) {
            fprintf(ctx->err, "llmlab %s: %s\n", t.r.cmd, err.msg);
            rc = 1;
        } else {
            rc = cli_nlm_train_run(ctx, &t, obj, extra);
        }
        lm_objective_free(obj);
    }
    cli_nlm_train_free(&t);
    return rc;
}

/* one prompt's window, printed; its ids in *ids */
static int show_window(cli_ctx *ctx, lm_lmodel *lm, lm_nlm *m, const char *label, const char *text, lm_ids *ids,
                       int32_t *window, int k) {
    if (cli_nlm_prompt(ctx, "fflm window", lm->tok, (const uint8_t *)text, strlen(text), ids)) return -1;
    const int n = m->n_ctx;
    lm_fflm_window(m, ids->ids, ids->n, window);
    size_t unseen = ids->n > (size_t)n ? ids->n - (size_t)n : 0;
    fprintf(ctx->out, "%s%zu token%s; the model reads the last %d:", label, ids->n, ids->n == 1 ? "" : "s", n);
    for (int j = 0; j < n; j++) {
        char piece[128];
        if (window[j] < 0) snprintf(piece, sizeof piece, "(pad)");
        else cli_nlm_piece(lm->tok, window[j], piece, sizeof piece);
        fprintf(ctx->out, " [%s]", piece);
    }
    fputc('\n', ctx->out);
    if (unseen) fprintf(ctx->out, "  not seen: the %zu token%s before them\n", unseen, unseen == 1 ? "" : "s");
    else if (window[0] < 0) fprintf(ctx->out, "  (pad) = a zero vector: the text is shorter than the window\n");
    fprintf(ctx->out, "  next token:\n");
    return cli_nlm_bars(ctx, "fflm window", lm, ids->ids, ids->n, k, "    ");
}

static int window(cli_ctx *ctx, int argc, char **argv) {
    static const struct option longopts[] = {{"help", no_argument, 0, 'h'}, {"model", required_argument, 0, 'm'},
                                             {0, 0, 0, 0}};
    const char *model = NULL;
    int k = 5, c;
    char path[LM_PATH_MAX];
    cli_getopt_reset();
    while ((c = getopt_long(argc, argv, "hm:k:", longopts, NULL)) != -1) {
        switch (c) {
        case 'h': fputs(window_usage, ctx->out); return 0;
        case 'm': model = optarg; break;
        case 'k': if (cli_parse_int(ctx, "fflm window", "-k", optarg, 1, 100, &k)) return 2; break;
        default: return cli_bad_option(ctx, "fflm window", argc, argv, "hm:k:", longopts);
        }
    }
    int n_prompts = argc - optind;
    if (n_prompts < 1 || n_prompts > 2) return cli_usage_error(ctx, "fflm window", "give one PROMPT, or two to compare");
    if (!model) {
        cli_find_shipped("models/fflm.llm", path, sizeof path);
        model = path;
    }
    lm_lmodel *lm = cli_nlm_open(ctx, "fflm window", model);
    if (!lm) return 1;
    if (strcmp(lm->kind, LM_KIND_FFLM) != 0) {
        fprintf(ctx->err, "llmlab fflm window: %s is a %s model, not a feed-forward LM (fflm)\n", model, lm->kind);
        lm_lmodel_free(lm);
        return 1;
    }
    lm_nlm *m = lm->self;
    fprintf(ctx->out, "%s (%s)\n", m->desc, model);
    lm_ids ids[2] = {{0}, {0}};
    int32_t win[2][LM_FFLM_MAX_CONTEXT];
    int rc = 0;
    for (int i = 0; i < n_prompts && rc == 0; i++)
        rc = show_window(ctx, lm, m, n_prompts == 2 ? (i ? "B: " : "A: ") : "", argv[optind + i], &ids[i], win[i], k);
    if (rc == 0 && n_prompts == 2) {
        int same = memcmp(win[0], win[1], sizeof(int32_t) * (size_t)m->n_ctx) == 0;
        if (same)
            fprintf(ctx->out, "A and B end in the same %d tokens: the model sees the same window and predicts "
                              "exactly the same, whatever came before\n", m->n_ctx);
        else
            fprintf(ctx->out, "A and B differ inside the window of %d tokens: the predictions differ\n", m->n_ctx);
    }
    lm_ids_free(&ids[0]);
    lm_ids_free(&ids[1]);
    lm_lmodel_free(lm);
    return rc ? 1 : 0;
}

int cmd_fflm(cli_ctx *ctx, int argc, char **argv) {
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage, argc < 2 ? ctx->err : ctx->out);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "train") == 0) return train(ctx, argc - 1, argv + 1);
    if (strcmp(argv[1], "window") == 0) return window(ctx, argc - 1, argv + 1);
    fprintf(ctx->err, "llmlab fflm: unknown action '%s' (train or window; see llmlab fflm --help)\n", argv[1]);
    return 2;
}
