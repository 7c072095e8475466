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

static const struct option train_longopts[] = {
    CLI_NLM_TRAIN_LONGOPTS,
    {"context", required_argument, 0, 1301}, {"embed", required_argument, 0, 1302},
    {"hidden", required_argument, 0, 1303},  {"direct", no_argument, 0, 1304},
    {0, 0, 0, 0}};

/* fflm's own train options (cli_nlm_kind.option) */
static int train_option(cli_ctx *ctx, cli_nlm_train *t, int c, const char *arg, void *cfgp) {
    lm_fflm_config *cfg = cfgp;
    const char *cmd = t->r.cmd;
    switch (c) {
    case 1301:
        t->model_opt = "--context";
        return cli_parse_int(ctx, cmd, "--context", arg, 1, LM_FFLM_MAX_CONTEXT, &cfg->context) ? -1 : 1;
    case 1302:
        t->model_opt = "--embed";
        return cli_parse_int(ctx, cmd, "--embed", arg, 1, 1024, &cfg->embed) ? -1 : 1;
    case 1303:
        t->model_opt = "--hidden";
        return cli_parse_int(ctx, cmd, "--hidden", arg, 1, LM_NLM_MAX_WIDTH, &cfg->hidden) ? -1 : 1;
    case 1304: t->model_opt = "--direct"; cfg->direct = 1; return 1;
    default: return 0;
    }
}

static int train_new(lm_nlm **m, void *cfgp, int vocab, uint64_t seed, lm_err *err) {
    lm_fflm_config *cfg = cfgp;
    cfg->vocab = vocab;
    return lm_fflm_new(m, cfg, seed, err);
}

static void train_extra(const lm_nlm *m, char *buf, size_t cap) {
    lm_fflm_config mc = lm_fflm_config_of(m);
    snprintf(buf, cap, "context=%d\nembed=%d\nhidden=%d\ndirect=%d\n", mc.context, mc.embed, mc.hidden, mc.direct);
}

static int train(cli_ctx *ctx, int argc, char **argv) {
    const cli_nlm_kind k = {
        .kind = LM_KIND_FFLM, .usage = train_usage, .longopts = train_longopts,
        .def_steps = 1000, .def_batch = 32, .def_seq = 64, .def_lr = 3e-3f,
        .option = train_option, .new_model = train_new, .objective = lm_obj_fflm_new, .extra = train_extra};
    lm_fflm_config cfg = lm_fflm_config_default(0);
    return cli_nlm_train_main(ctx, "fflm train", &k, &cfg, argc, argv);
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
