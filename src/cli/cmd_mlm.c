/* cmd_mlm.c - `llmlab mlm`: the encoder and masked language modelling (BERT).
 *   mlm train  makes an encoder (the transformer blocks with bidirectional
 *              attention, the base model's BPE plus <|mask|>, from a config or
 *              from a decoder's weights) and trains it to fill masked tokens
 *              (objective "mlm", train/obj_mlm.c), through the one training
 *              loop (cli/trainloop.h: checkpoints, --resume, Ctrl-C).
 *   mlm fill, mlm eval   the encoder beside a decoder (cmd_mlm_fill.c).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/mlm.h"
#include "cli/opts.h"
#include "cli/sandbox.h"
#include "cli/show.h"
#include "cli/trainloop.h"
#include "data/mlm_mask.h"
#include "io/modelfile.h"
#include "models/gpt/encoder.h"

static const char *usage =
    "usage: llmlab mlm train ... | llmlab mlm fill ... | llmlab mlm eval ...   (llmlab mlm SUB --help)\n"
    "An encoder is the same stack of transformer blocks as the decoder (GPT), with\n"
    "the causal mask taken out: every token attends to the tokens before AND after\n"
    "it. It is trained by masked language modelling (BERT): hide 15% of the tokens\n"
    "and predict them from both sides.\n"
    "  train   make an encoder and train it to fill masked tokens\n"
    "  fill    the encoder's guesses for each [MASK] in a sentence, beside a\n"
    "          decoder's next-token guesses for the sentence cut at the blank\n"
    "  eval    how often each of them finds the hidden token on held-out text\n";

static const char *train_usage =
    "usage: llmlab mlm train ([--tokenizer SPEC] [config] | --from-decoder MODEL | -m ENCODER | --resume)\n"
    "                        [--data FILE] [--val FILE] -o OUT [options]\n"
    "Trains an encoder by masked-LM on random windows of a text file: 15% of the\n"
    "positions are chosen; of those, 80% become <|mask|>, 10% a random token, 10%\n"
    "stay as they are; the loss counts only the chosen positions. Without --val\n"
    "the last 5% of the data is held out. Figures: mask_acc (argmax = the hidden\n"
    "token, this step's batch), val_loss and val_mask_acc (held-out blanks).\n"
    "Ctrl-C (or SIGTERM, SIGHUP) finishes the current step, saves OUT and exits\n"
    "with status 130.\n"
    "  --tokenizer SPEC   a new encoder's tokeniser: a model file or a tokeniser\n"
    "                     written by `llmlab bpe-train` (default " MLM_DEFAULT_DECODER "'s BPE);\n"
    "                     <|mask|> is added as one more id when it lacks one\n"
    "  --from-decoder MODEL  start from a decoder's weights: the same blocks with the\n"
    "                     causal mask taken out, <|mask|> added as one more id\n"
    "  -m ENCODER         start from this encoder (a fresh optimizer and schedule)\n"
    "config of a new encoder:\n"
    "  --layers L --heads H --width C --mlp M --ctx T   (default 2 4 128 512 64)\n"
    "  --pos learned|sinusoidal|rotary  --act gelu|relu\n"
    "data:\n"
    "  --data FILE        training text (default data/corpus/train.txt)\n"
    "  --val FILE         held-out text for the validation figures\n" CLI_RUN_HELP
    "defaults: --steps 1000 --batch 16 --seq (the context) --lr 1e-3\n";

/* ------------------------------------------------------------------ train */

/* the tokeniser of a new encoder: SPEC's, with <|mask|> added if missing */
static lm_tokenizer *encoder_tokenizer(cli_ctx *ctx, const char *spec) {
    char shipped[LM_PATH_MAX];
    if (!spec) {
        cli_find_shipped(MLM_DEFAULT_DECODER, shipped, sizeof shipped);
        spec = shipped;
    }
    lm_err err = {{0}};
    lm_tokenizer *t = cli_open_tokenizer(ctx, spec, &err);
    if (!t) {
        fprintf(ctx->err, "llmlab mlm train: tokeniser %s: %s\n", spec, err.msg);
        return NULL;
    }
    if (lm_tok_special_id(t, LM_MLM_MASK) >= 0) return t;
    lm_tokenizer *with = lm_tok_bpe_add_special(t, LM_MLM_MASK, &err);
    lm_tok_free(t);
    if (!with) fprintf(ctx->err, "llmlab mlm train: cannot add %s to the tokeniser of %s: %s\n", LM_MLM_MASK, spec, err.msg);
    return with;
}

/* a new encoder of config cfg (vocabulary: its tokeniser's), seeded by --seed */
static int new_encoder(cli_ctx *ctx, cli_train_run *r, const char *tokspec, lm_config *cfg) {
    lm_tokenizer *t = encoder_tokenizer(ctx, tokspec);
    if (!t) return 1;
    lm_err err = {{0}};
    cfg->vocab_size = lm_tok_vocab_size(t);
    uint8_t *blob = NULL;
    size_t len = 0;
    int rc = lm_tok_serialize(t, &blob, &len, &err);
    lm_tok_free(t);
    if (rc == 0 && (lm_config_check(cfg, &err) || lm_model_init(&r->m, cfg, (uint64_t)r->ro.seed, &err))) rc = -1;
    if (rc) {
        fprintf(ctx->err, "llmlab mlm train: %s\n", err.msg);
        free(blob);
        return 1;
    }
    r->m.bidirectional = 1;   /* an encoder: no causal mask */
    r->m.tokenizer_blob = blob;
    r->m.tokenizer_len = len;
    r->have_model = 1;
    return 0;
}

/* Parses argv into r, the tokeniser spec and a new encoder's config.
 * Returns -1 to go on, else the exit status (0 after --help, 2 usage). */
static int train_args(cli_ctx *ctx, int argc, char **argv, cli_train_run *r, const char **tokspec,
                      const char **from, lm_config *cfg) {
    static const struct option longopts[] = {
        {"help", no_argument, 0, 'h'},            {"model", required_argument, 0, 'm'},
        {"tokenizer", required_argument, 0, 't'}, {"data", required_argument, 0, 'd'},
        {"val", required_argument, 0, 'v'},       {"from-decoder", required_argument, 0, 'F'},
        CLI_CONFIG_LONGOPTS,                      CLI_RUN_LONGOPTS,
        {0, 0, 0, 0}};
    int mlp_given = 0, config_given = 0, c;
    cli_getopt_reset();
    while ((c = getopt_long(argc, argv, "hm:t:o:", longopts, NULL)) != -1) {
        int k = cli_run_option(ctx, r->cmd, c, optarg, &r->ro);
        if (k == 0 && (k = cli_config_option(ctx, r->cmd, c, optarg, cfg, &mlp_given)) > 0) config_given = 1;
        if (k < 0) return 2;
        if (k > 0) continue;
        switch (c) {
        case 'h': fputs(train_usage, ctx->out); return 0;
        case 'm': r->model = optarg; break;
        case 't': *tokspec = optarg; break;
        case 'F': *from = optarg; break;
        case 'd': r->data = optarg; break;
        case 'v': r->val = optarg; break;
        default: return cli_bad_option(ctx, r->cmd, argc, argv, "hm:t:o:", longopts);
        }
    }
    if (optind < argc) return cli_usage_error(ctx, r->cmd, "unexpected argument");
    if (!r->ro.out) return cli_usage_error(ctx, r->cmd, "-o OUT is required");
    if (*from && (config_given || *tokspec || r->model))
        return cli_usage_error(ctx, r->cmd, "--from-decoder takes the decoder's config and tokeniser (no config, "
                                            "--tokenizer or -m with it)");
    if (!mlp_given) cfg->d_mlp = 4 * cfg->d_model;
    return -1;
}

/* a new encoder from the decoder at path: its weights, its BPE + <|mask|> */
static int from_decoder(cli_ctx *ctx, cli_train_run *r, const char *path) {
    const char *p = cli_path_for_read(ctx, r->cmd, path);   /* a lesson's policy (sandbox.h) */
    if (!p) return 1;
    lm_model dec;
    lm_err err = {{0}};
    if (lm_load(&dec, NULL, p, &err)) {
        fprintf(ctx->err, "llmlab mlm train: --from-decoder: %s\n", err.msg);
        return 1;
    }
    lm_tokenizer *t = dec.bidirectional ? NULL : encoder_tokenizer(ctx, p);
    int extra = t && lm_tok_vocab_size(t) > dec.cfg.vocab_size ? lm_tok_vocab_size(t) - dec.cfg.vocab_size : 0;
    int rc = 1;
    if (dec.bidirectional)
        fprintf(ctx->err, "llmlab mlm train: --from-decoder %s is an encoder already (continue it with -m)\n", path);
    else if (t && lm_tok_special_id(t, LM_MLM_MASK) >= dec.cfg.vocab_size + extra)
        fprintf(ctx->err, "llmlab mlm train: --from-decoder %s: its tokeniser does not fit its vocabulary\n", path);
    else if (t && lm_encoder_from_decoder(&r->m, &dec, extra, (uint64_t)r->ro.seed, &err) != 0)
        fprintf(ctx->err, "llmlab mlm train: %s\n", err.msg);
    else if (t && lm_tok_serialize(t, &r->m.tokenizer_blob, &r->m.tokenizer_len, &err) != 0) {
        fprintf(ctx->err, "llmlab mlm train: %s\n", err.msg);
        lm_model_free(&r->m);
    } else if (t) {
        r->have_model = 1;
        rc = 0;
    }
    lm_tok_free(t);
    lm_model_free(&dec);
    return rc;
}

/* after the run: the held-out blanks filled, against the trivial baseline */
static void report(cli_ctx *ctx, cli_train_run *r, lm_objective *obj) {
    lm_figures f = {0};
    lm_err err = {{0}};
    char base[32];
    if (obj->n_val == 0 || obj->ops->validate(obj, &r->m, &f, &err) != 0 ||
        cli_meta_get(obj->meta, "baseline_acc", base, sizeof base) != 0)
        return;
    fprintf(ctx->out, "held-out blanks: %.1f%% filled with the hidden token (val_loss %.4f); always guessing the "
                      "most common token: %.1f%%\n",
            100.0 * lm_figures_get(&f, "val_mask_acc"), lm_figures_get(&f, "val_loss"), 100.0 * atof(base));
}

static int cmd_mlm_train(cli_ctx *ctx, int argc, char **argv) {
    cli_train_run r;
    cli_run_init(&r, "mlm train");
    const char *tokspec = NULL, *from = NULL;
    lm_config cfg = {.n_layer = 2, .n_head = 4, .d_model = 128, .d_mlp = 512, .n_ctx = 64,
                     .pos = LM_POS_LEARNED, .act = LM_ACT_GELU};
    int rc = train_args(ctx, argc, argv, &r, &tokspec, &from, &cfg);
    if (rc >= 0) return rc;
    rc = cli_run_load(ctx, &r);   /* --resume or -m; else a new encoder below */
    if (rc == CLI_RUN_NO_MODEL) rc = 0;
    if (rc == 0 && r.have_model && !r.m.bidirectional) {
        fprintf(ctx->err, "llmlab mlm train: %s is a decoder (causal attention); masked-LM trains an encoder "
                          "(start one with --tokenizer and a config, or with --from-decoder %s)\n",
                r.ro.resume ? r.ro.out : r.model, r.ro.resume ? r.ro.out : r.model);
        rc = 1;
    }
    char data[LM_PATH_MAX];
    if (rc == 0 && !r.data) {   /* the shipped corpus */
        cli_find_shipped("data/corpus/train.txt", data, sizeof data);
        r.data = data;
    }
    if (rc == 0) cli_run_opts_fill(&r.ro, r.meta, 1000, 16, r.have_model ? r.m.cfg.n_ctx : cfg.n_ctx, 1e-3f);
    if (rc == 0 && r.ro.min_lr > r.ro.lr) {
        fprintf(ctx->err, "llmlab mlm train: --min-lr %g is above --lr %g; it must be at most --lr\n", r.ro.min_lr,
                r.ro.lr);
        rc = 2;
    }
    if (rc == 0 && !r.have_model) rc = from ? from_decoder(ctx, &r, from) : new_encoder(ctx, &r, tokspec, &cfg);
    lm_err err = {{0}};
    lm_objective *obj = rc == 0 ? lm_obj_mlm_new(&err) : NULL;
    if (rc == 0 && !obj) {
        fprintf(ctx->err, "llmlab mlm train: %s\n", err.msg);
        rc = 1;
    }
    char began[LM_PATH_MAX] = "", extra[LM_PATH_MAX + 64];   /* how the encoder began, kept across --resume */
    if (r.ro.resume) cli_meta_get(r.meta, "from_decoder", began, sizeof began);
    else if (from) snprintf(began, sizeof began, "%s", from);
    snprintf(extra, sizeof extra, "made=llmlab mlm train\n%s%s%s", began[0] ? "from_decoder=" : "", began,
             began[0] ? "\n" : "");
    if (rc == 0) rc = cli_run_objective(ctx, &r, obj, extra);   /* 0, 1, 2 or 130 */
    if (rc == 0) report(ctx, &r, obj);
    lm_objective_free(obj);
    cli_run_free(&r);
    return rc;
}

int cmd_mlm(cli_ctx *ctx, int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "train") == 0) return cmd_mlm_train(ctx, argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "fill") == 0) return cmd_mlm_fill(ctx, argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "eval") == 0) return cmd_mlm_eval(ctx, argc - 1, argv + 1);
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(usage, ctx->out);
        return 0;
    }
    if (argc < 2) return cli_usage_error(ctx, "mlm", "say train, fill or eval");
    fputs("llmlab mlm: unknown sub-command '", ctx->err);
    show_str(ctx->err, argv[1]);   /* outside text (show.h) */
    fputs("': train, fill or eval (see 'llmlab mlm --help')\n", ctx->err);
    return 2;
}
