/* cmd_train.c - `llmlab train`: pretraining on a text file (next-token loss
 * on every position), from a config or an existing model, with checkpoints,
 * validation and --resume. */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "io/modelfile.h"
#include "io/optstate.h"
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

typedef struct {
    lm_token_stream train, val;
    lm_batch *vb;
    int n_vb;
    lm_rng rng;
} train_data;

static int next_batch(void *user, int step, lm_batch *b, lm_err *err) {
    (void)step;
    train_data *d = user;
    return lm_stream_sample(&d->train, &d->rng, b, err);
}

static int val_loss(void *user, lm_model *m, float *loss, lm_err *err) {
    train_data *d = user;
    return lm_eval_loss(m, d->vb, d->n_vb, loss, err);
}

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

int cmd_train(cli_ctx *ctx, int argc, char **argv) {
    static const struct option longopts[] = {
        {"help", no_argument, 0, 'h'},          {"model", required_argument, 0, 'm'},
        {"tokenizer", required_argument, 0, 't'}, {"data", required_argument, 0, 'd'},
        {"val", required_argument, 0, 'v'},      {"layers", required_argument, 0, 1101},
        {"heads", required_argument, 0, 1102},   {"width", required_argument, 0, 1103},
        {"mlp", required_argument, 0, 1104},     {"ctx", required_argument, 0, 1105},
        {"pos", required_argument, 0, 1106},     {"act", required_argument, 0, 1107},
        CLI_RUN_LONGOPTS,                        {0, 0, 0, 0}};
    const char *model = NULL, *tokspec = NULL, *data = NULL, *valp = NULL;
    lm_config cfg = {.n_layer = 4, .n_head = 4, .d_model = 128, .d_mlp = 512, .n_ctx = 128,
                     .vocab_size = 256, .pos = LM_POS_LEARNED, .act = LM_ACT_GELU};
    int mlp_given = 0;
    cli_run_opts ro;
    cli_run_opts_init(&ro);
    cli_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, "hm:t:o:", longopts, NULL)) != -1) {
        int r = cli_run_option(ctx, "train", c, optarg, &ro);
        if (r < 0) return 2;
        if (r > 0) continue;
        switch (c) {
        case 'h': fputs(usage, ctx->out); return 0;
        case 'm': model = optarg; break;
        case 't': tokspec = optarg; break;
        case 'd': data = optarg; break;
        case 'v': valp = optarg; break;
        case 1101: if (cli_parse_int(ctx, "train", "--layers", optarg, 1, 64, &cfg.n_layer)) return 2; break;
        case 1102: if (cli_parse_int(ctx, "train", "--heads", optarg, 1, 64, &cfg.n_head)) return 2; break;
        case 1103: if (cli_parse_int(ctx, "train", "--width", optarg, 2, 4096, &cfg.d_model)) return 2; break;
        case 1104:
            if (cli_parse_int(ctx, "train", "--mlp", optarg, 1, 16384, &cfg.d_mlp)) return 2;
            mlp_given = 1;
            break;
        case 1105: if (cli_parse_int(ctx, "train", "--ctx", optarg, 2, 65536, &cfg.n_ctx)) return 2; break;
        case 1106:
            if (lm_pos_parse(optarg, &cfg.pos)) return cli_usage_error(ctx, "train", "--pos is learned, sinusoidal or rotary");
            break;
        case 1107:
            if (lm_act_parse(optarg, &cfg.act)) return cli_usage_error(ctx, "train", "--act is gelu or relu");
            break;
        default: return cli_usage_error(ctx, "train", "unknown option or missing value");
        }
    }
    if (optind < argc) return cli_usage_error(ctx, "train", "unexpected argument");
    if (!ro.out) return cli_usage_error(ctx, "train", "-o OUT is required");
    if (!mlp_given) cfg.d_mlp = 4 * cfg.d_model;
    lm_err err = {{0}};
    lm_model m;
    memset(&m, 0, sizeof m);
    char *meta = NULL, *run_meta = NULL;
    int rc = 1, have_model = 0;
    train_data d;
    memset(&d, 0, sizeof d);
    lm_batch batch = {0};
    lm_tokenizer *tok = NULL;

    if (ro.resume) {
        if (cli_run_resume(ctx, "train", ro.out, &m, &meta)) goto done;
        have_model = 1;
        static char dbuf[1024], vbuf[1024];
        if (!data && cli_meta_get(meta, "data", dbuf, sizeof dbuf) == 0) data = dbuf;
        if (!valp && cli_meta_get(meta, "val", vbuf, sizeof vbuf) == 0) valp = vbuf;
    } else if (model) {
        if (lm_load(&m, NULL, model, &err)) {
            fprintf(ctx->err, "llmlab train: cannot load %s: %s\n", model, err.msg);
            goto done;
        }
        have_model = 1;
        lm_train_reset_optimizer(&m);
    } else if (!tokspec) {
        rc = cli_usage_error(ctx, "train", "give --tokenizer FILE (a new model), -m MODEL or --resume");
        goto done;
    }
    if (!data) {
        rc = cli_usage_error(ctx, "train", "--data FILE is required");
        goto done;
    }
    cli_run_opts_fill(&ro, meta, 1000, 16, have_model ? m.cfg.n_ctx : cfg.n_ctx, 3e-4f);
    if (!have_model) {
        lm_model blob = {0};
        if (load_tokenizer_blob(ctx, tokspec, &blob)) goto done;
        lm_tokenizer *t = blob.tokenizer_len ? lm_tok_deserialize(blob.tokenizer_blob, blob.tokenizer_len, &err)
                                             : lm_tok_byte_new();
        cfg.vocab_size = lm_tok_vocab_size(t);
        lm_tok_free(t);
        if (lm_config_check(&cfg, &err) || lm_model_init(&m, &cfg, (uint64_t)ro.seed, &err)) {
            fprintf(ctx->err, "llmlab train: %s\n", err.msg);
            free(blob.tokenizer_blob);
            goto done;
        }
        have_model = 1;
        m.tokenizer_blob = blob.tokenizer_blob;
        m.tokenizer_len = blob.tokenizer_len;
    }
    tok = cli_run_tokenizer(ctx, "train", &m);
    if (!tok) goto done;
    if (ro.seq > m.cfg.n_ctx) {
        fprintf(ctx->err, "llmlab train: --seq %d is longer than the model's context %d\n", ro.seq, m.cfg.n_ctx);
        rc = 2;
        goto done;
    }
    if (lm_stream_load(&d.train, tok, data, &err)) {
        fprintf(ctx->err, "llmlab train: %s\n", err.msg);
        goto done;
    }
    if (valp) {
        if (lm_stream_load(&d.val, tok, valp, &err)) {
            fprintf(ctx->err, "llmlab train: %s\n", err.msg);
            goto done;
        }
    } else {   /* hold out the last 5% */
        size_t cut = d.train.n - d.train.n / 20;
        d.val.n = d.train.n - cut;
        d.val.ids = malloc((d.val.n ? d.val.n : 1) * sizeof *d.val.ids);
        if (!d.val.ids) {
            fprintf(ctx->err, "llmlab train: out of memory for the held-out tokens\n");
            goto done;
        }
        memcpy(d.val.ids, d.train.ids + cut, d.val.n * sizeof *d.val.ids);
        d.train.n = cut;
    }
    if (d.train.n < (size_t)ro.seq + 1) {
        fprintf(ctx->err, "llmlab train: %s has %zu tokens, fewer than one sequence of %d\n", data,
                d.train.n, ro.seq + 1);
        goto done;
    }
    if (lm_stream_val_batches(&d.val, ro.batch, ro.seq, ro.val_batches, &d.vb, &d.n_vb, &err)) {
        if (d.val.n >= (size_t)ro.seq + 1) {   /* too short = no validation, not a failure */
            fprintf(ctx->err, "llmlab train: validation: %s\n", err.msg);
            goto done;
        }
        d.vb = NULL;
        d.n_vb = 0;
    }
    if (lm_batch_alloc(&batch, ro.batch, ro.seq, 0, &err)) {
        fprintf(ctx->err, "llmlab train: %s\n", err.msg);
        goto done;
    }
    lm_rng_seed(&d.rng, (uint64_t)ro.seed * 0x9E3779B97F4A7C15ULL + (uint64_t)m.adam_t);
    {
        char extra[2600];
        snprintf(extra, sizeof extra, "kind=pretrain\ndata=%s\n%s%s%stokens_train=%zu\n", data,
                 valp ? "val=" : "", valp ? valp : "", valp ? "\n" : "", d.train.n);
        run_meta = cli_run_opts_meta(&ro, extra);
        if (!run_meta) {
            fprintf(ctx->err, "llmlab train: out of memory\n");
            goto done;
        }
    }
    fprintf(ctx->out, "train: %zu parameters (%d layers, width %d, %d heads, ctx %d, vocab %d); %zu training "
                      "tokens, %d validation batches; steps %d..%d, batch %d x %d\n",
            m.n_params, m.cfg.n_layer, m.cfg.d_model, m.cfg.n_head, m.cfg.n_ctx, m.cfg.vocab_size,
            d.train.n, d.n_vb, m.adam_t, ro.steps, ro.batch, ro.seq);
    cli_trainloop L = {.cmd = "train", .m = &m, .run_meta = run_meta, .sft = 0, .next_batch = next_batch,
                       .val_loss = d.n_vb ? val_loss : NULL, .user = &d, .batch = &batch};
    rc = cli_trainloop_run_opts(ctx, &L, &ro);   /* 0, 1 or 130 (interrupted, saved) */
done:
    lm_batches_free(d.vb, d.n_vb);
    lm_batch_free(&batch);
    lm_stream_free(&d.train);
    lm_stream_free(&d.val);
    if (tok) lm_tok_free(tok);
    if (have_model) lm_model_free(&m);
    free(meta);
    free(run_meta);
    return rc;
}
