/* cmd_train.c - `llmlab train`: pretraining on a text file (next-token loss
 * on every position), from a config or an existing model, with checkpoints,
 * validation and --resume. */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "io/modelfile.h"
#include "cli/opts.h"
#include "cli/trainloop.h"

static const char *usage =
    "usage: llmlab train (--tokenizer FILE [config] | -m MODEL | --resume) --data FILE\n"
    "                    [--val FILE] -o OUT [options]\n"
    "Pretrains a model on a text file whose documents are separated by lines\n"
    "\"<|endoftext|>\". Without --val the last 5% of the data is held out.\n"
    "Ctrl-C (or SIGTERM, SIGHUP) finishes the current step, saves OUT and exits\n"
    "with status 130.\n"
    "  --tokenizer FILE   a tokeniser written by `llmlab bpe-train` (or \"char\")\n"
    "  -m MODEL           start from this model (config, tokeniser, weights)\n"
    "config of a new model:\n"
    "  --layers L --heads H --width C --mlp M --ctx T   (default 4 4 128 512 128)\n"
    "  --pos learned|sinusoidal|rotary  --act gelu|relu\n"
    "data:\n"
    "  --data FILE        training text\n"
    "  --val FILE         held-out text for the validation loss\n" CLI_RUN_HELP;

static int load_tokenizer_blob(cli_ctx *ctx, const char *spec, lm_model *m) {
    if (strcmp(spec, "char") == 0) return 0;   /* empty blob = byte tokeniser */
    uint8_t *data;
    size_t len;
    if (cli_read_file(ctx, spec, &data, &len)) return -1;
    lm_err err = {{0}};
    lm_tokenizer *t = lm_tok_deserialize(data, len, &err);
    if (!t) {
        fprintf(ctx->err, "llmlab train: %s is not a tokeniser file: %s\n", spec, err.msg);
        free(data);
        return -1;
    }
    lm_tok_free(t);
    m->tokenizer_blob = data;
    m->tokenizer_len = len;
    return 0;
}

/* Parses argv into r, the tokeniser spec and a new model's config.
 * Returns -1 to go on, else the exit status (0 after --help, 2 usage). */
static int parse_args(cli_ctx *ctx, int argc, char **argv, cli_train_run *r, const char **tokspec,
                      lm_config *cfg) {
    static const struct option longopts[] = {
        {"help", no_argument, 0, 'h'},          {"model", required_argument, 0, 'm'},
        {"tokenizer", required_argument, 0, 't'}, {"data", required_argument, 0, 'd'},
        {"val", required_argument, 0, 'v'},      CLI_CONFIG_LONGOPTS,
        CLI_RUN_LONGOPTS,                        {0, 0, 0, 0}};
    int mlp_given = 0, c;
    cli_getopt_reset();
    while ((c = getopt_long(argc, argv, "hm:t:o:", longopts, NULL)) != -1) {
        int k = cli_run_option(ctx, "train", c, optarg, &r->ro);
        if (k == 0) k = cli_config_option(ctx, "train", c, optarg, cfg, &mlp_given);
        if (k < 0) return 2;
        if (k > 0) continue;
        switch (c) {
        case 'h': fputs(usage, ctx->out); return 0;
        case 'm': r->model = optarg; break;
        case 't': *tokspec = optarg; break;
        case 'd': r->data = optarg; break;
        case 'v': r->val = optarg; break;
        default: return cli_bad_option(ctx, "train", argc, argv, "hm:t:o:", longopts);
        }
    }
    if (optind < argc) return cli_usage_error(ctx, "train", "unexpected argument");
    if (!r->ro.out) return cli_usage_error(ctx, "train", "-o OUT is required");
    if (!mlp_given) cfg->d_mlp = 4 * cfg->d_model;
    return -1;
}

/* a new model of config cfg with the tokeniser tokspec, seeded by --seed */
static int new_model(cli_ctx *ctx, cli_train_run *r, const char *tokspec, lm_config *cfg) {
    lm_err err = {{0}};
    lm_model blob = {0};
    if (load_tokenizer_blob(ctx, tokspec, &blob)) return 1;
    lm_tokenizer *t = blob.tokenizer_len ? lm_tok_deserialize(blob.tokenizer_blob, blob.tokenizer_len, &err)
                                         : lm_tok_byte_new();
    cfg->vocab_size = lm_tok_vocab_size(t);
    lm_tok_free(t);
    if (lm_config_check(cfg, &err) || lm_model_init(&r->m, cfg, (uint64_t)r->ro.seed, &err)) {
        fprintf(ctx->err, "llmlab train: %s\n", err.msg);
        free(blob.tokenizer_blob);
        return 1;
    }
    r->have_model = 1;
    r->m.tokenizer_blob = blob.tokenizer_blob;
    r->m.tokenizer_len = blob.tokenizer_len;
    return 0;
}

int cmd_train(cli_ctx *ctx, int argc, char **argv) {
    cli_train_run r;
    cli_run_init(&r, "train");
    const char *tokspec = NULL;
    lm_config cfg = {.n_layer = 4, .n_head = 4, .d_model = 128, .d_mlp = 512, .n_ctx = 128,
                     .vocab_size = 256, .pos = LM_POS_LEARNED, .act = LM_ACT_GELU};
    int rc = parse_args(ctx, argc, argv, &r, &tokspec, &cfg);
    if (rc >= 0) return rc;
    rc = cli_run_load(ctx, &r);   /* --resume or -m; else a new model below */
    if (rc == CLI_RUN_NO_MODEL)
        rc = tokspec ? 0 : cli_usage_error(ctx, "train", "give --tokenizer FILE (a new model), -m MODEL or --resume");
    if (rc == 0 && !r.data) rc = cli_usage_error(ctx, "train", "--data FILE is required");
    if (rc == 0) cli_run_opts_fill(&r.ro, r.meta, 1000, 16, r.have_model ? r.m.cfg.n_ctx : cfg.n_ctx, 3e-4f);
    if (rc == 0 && r.ro.min_lr > r.ro.lr) {   /* the cosine decays from --lr down to --min-lr */
        fprintf(ctx->err, "llmlab train: --min-lr %g is above --lr %g; it must be at most --lr\n", r.ro.min_lr, r.ro.lr);
        rc = 2;
    }
    if (rc == 0) {
        if (!r.have_model) rc = new_model(ctx, &r, tokspec, &cfg);
    }
    lm_err err = {{0}};
    lm_objective *obj = rc == 0 ? lm_obj_pretrain_new(&err) : NULL;
    if (rc == 0 && !obj) {
        fprintf(ctx->err, "llmlab train: %s\n", err.msg);
        rc = 1;
    }
    if (rc == 0) rc = cli_run_objective(ctx, &r, obj, NULL);   /* 0, 1, 2 or 130 (interrupted, saved) */
    lm_objective_free(obj);
    cli_run_free(&r);
    return rc;
}
