/* cmd_sft.c - `llmlab sft`: supervised fine-tuning on chat conversations
 * (JSONL, OpenAI format) with the loss masked to the assistant's tokens. */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "tok/chat.h"
#include "io/modelfile.h"
#include "io/optstate.h"
#include "cli/opts.h"
#include "cli/show.h"
#include "cli/trainloop.h"

static const char *usage =
    "usage: llmlab sft (-m BASE | --resume) --data TRAIN.jsonl [--val VAL.jsonl] -o OUT [options]\n"
    "Fine-tunes BASE on conversations, one {\"messages\":[{\"role\":..,\"content\":..},..]}\n"
    "per line, rendered with the chat template. The loss counts only the\n"
    "assistant's tokens (and its closing <|end|>).\n"
    "  -m BASE            the model to fine-tune (a fresh optimizer and schedule)\n"
    "  --data FILE        training conversations (JSONL)\n"
    "  --val FILE         held-out conversations for the validation loss\n"
    "                     (without it the last 5% of --data)\n"
    "  --no-mask          train on every token (to show why the mask matters)\n"
    "  --show-mask        print the first example with the trained tokens marked\n"
    "                     ([brackets], or green on a terminal) and stop\n" CLI_RUN_HELP;

typedef struct {
    lm_sft_set train, val;
    lm_batch *vb;
    int n_vb;
    int use_mask;
    lm_rng rng;
} sft_data;

static int next_batch(void *user, int step, lm_batch *b, lm_err *err) {
    (void)step;
    sft_data *d = user;
    return lm_sft_sample(&d->train, &d->rng, d->use_mask, b, err);
}

static int val_loss(void *user, lm_model *m, float *loss, lm_err *err) {
    sft_data *d = user;
    return lm_eval_loss(m, d->vb, d->n_vb, loss, err);
}

static void show_mask(cli_ctx *ctx, const lm_tokenizer *t, const lm_sft_example *ex, int use_mask) {
    int open = 0;
    for (int i = 0; i < ex->n; i++) {
        int on = use_mask ? ex->mask[i] : i > 0;   /* targets are ids 1..n-1 */
        size_t len;
        const uint8_t *b = lm_tok_piece(t, ex->ids[i], &len);
        if (on != open) {
            if (ctx->color) {
                if (on) show_color(ctx->out, 1, "1;30;42");
                else show_reset(ctx->out, 1);
            } else {
                fputc(on ? '[' : ']', ctx->out);
            }
            open = on;
        }
        if (b) fwrite(b, 1, len, ctx->out);
    }
    if (open) {
        if (ctx->color) show_reset(ctx->out, 1);
        else fputc(']', ctx->out);
    }
    fputc('\n', ctx->out);
    int trained = 0;
    for (int i = 0; i < ex->n; i++) trained += use_mask ? ex->mask[i] : i > 0;
    fprintf(ctx->out, "%d tokens, %d trained (%s)\n", ex->n, trained,
            ctx->color ? "green" : "in brackets");
}

int cmd_sft(cli_ctx *ctx, int argc, char **argv) {
    static const struct option longopts[] = {
        {"help", no_argument, 0, 'h'},      {"model", required_argument, 0, 'm'},
        {"data", required_argument, 0, 'd'}, {"val", required_argument, 0, 'v'},
        {"no-mask", no_argument, 0, 1201},   {"show-mask", no_argument, 0, 1202},
        CLI_RUN_LONGOPTS,                    {0, 0, 0, 0}};
    const char *model = NULL, *data = NULL, *valp = NULL;
    int no_mask = 0, show = 0;
    cli_run_opts ro;
    cli_run_opts_init(&ro);
    cli_getopt_reset();
    int c;
    while ((c = getopt_long(argc, argv, "hm:o:", longopts, NULL)) != -1) {
        int r = cli_run_option(ctx, "sft", c, optarg, &ro);
        if (r < 0) return 2;
        if (r > 0) continue;
        switch (c) {
        case 'h': fputs(usage, ctx->out); return 0;
        case 'm': model = optarg; break;
        case 'd': data = optarg; break;
        case 'v': valp = optarg; break;
        case 1201: no_mask = 1; break;
        case 1202: show = 1; break;
        default: return cli_usage_error(ctx, "sft", "unknown option or missing value");
        }
    }
    if (optind < argc) return cli_usage_error(ctx, "sft", "unexpected argument");
    if (!ro.out && !show) return cli_usage_error(ctx, "sft", "-o OUT is required");
    lm_err err = {{0}};
    lm_model m;
    memset(&m, 0, sizeof m);
    char *meta = NULL, *run_meta = NULL;
    int rc = 1, have_model = 0;
    sft_data d;
    memset(&d, 0, sizeof d);
    d.use_mask = !no_mask;
    lm_batch batch = {0};
    lm_tokenizer *tok = NULL;
    static char dbuf[1024], vbuf[1024], mbuf[16];

    if (ro.resume) {
        if (!ro.out) {
            rc = cli_usage_error(ctx, "sft", "--resume needs -o OUT");
            goto done;
        }
        if (cli_run_resume(ctx, "sft", ro.out, &m, &meta)) goto done;
        have_model = 1;
        if (!data && cli_meta_get(meta, "data", dbuf, sizeof dbuf) == 0) data = dbuf;
        if (!valp && cli_meta_get(meta, "val", vbuf, sizeof vbuf) == 0) valp = vbuf;
        if (!no_mask && cli_meta_get(meta, "mask", mbuf, sizeof mbuf) == 0 && strcmp(mbuf, "off") == 0)
            d.use_mask = 0;
    } else if (model) {
        if (lm_load(&m, NULL, model, &err)) {
            fprintf(ctx->err, "llmlab sft: cannot load %s: %s\n", model, err.msg);
            goto done;
        }
        have_model = 1;
        lm_train_reset_optimizer(&m);   /* a fresh schedule for the fine-tune */
    } else {
        rc = cli_usage_error(ctx, "sft", "give -m BASE or --resume");
        goto done;
    }
    if (!data) {
        rc = cli_usage_error(ctx, "sft", "--data FILE is required");
        goto done;
    }
    cli_run_opts_fill(&ro, meta, 500, 16, m.cfg.n_ctx, 1e-4f);
    if (ro.seq > m.cfg.n_ctx) {
        fprintf(ctx->err, "llmlab sft: --seq %d is longer than the model's context %d\n", ro.seq, m.cfg.n_ctx);
        rc = 2;
        goto done;
    }
    tok = cli_run_tokenizer(ctx, "sft", &m);
    if (!tok) goto done;
    if (lm_sft_load(&d.train, tok, data, ro.seq + 1, &err)) {
        fprintf(ctx->err, "llmlab sft: %s\n", err.msg);
        goto done;
    }
    if (show) {
        show_mask(ctx, tok, &d.train.ex[0], d.use_mask);
        rc = 0;
        goto done;
    }
    if (valp) {
        if (lm_sft_load(&d.val, tok, valp, ro.seq + 1, &err)) {
            fprintf(ctx->err, "llmlab sft: %s\n", err.msg);
            goto done;
        }
    } else if (d.train.n >= 2) {   /* hold out the last 5% (at least one) */
        int k = d.train.n / 20 > 0 ? d.train.n / 20 : 1;
        d.val.ex = malloc((size_t)k * sizeof *d.val.ex);
        if (!d.val.ex) {
            fprintf(ctx->err, "llmlab sft: out of memory for the held-out examples\n");
            goto done;
        }
        memcpy(d.val.ex, d.train.ex + d.train.n - k, (size_t)k * sizeof *d.val.ex);
        d.val.n = d.val.cap = k;
        d.train.n -= k;
    }
    if (d.val.n > 0 &&   /* fixed validation batches spread over the whole val set */
        lm_sft_val_batches(&d.val, d.use_mask, ro.batch, ro.seq, ro.val_batches, &d.vb, &d.n_vb, &err)) {
        fprintf(ctx->err, "llmlab sft: %s\n", err.msg);
        goto done;
    }
    if (lm_batch_alloc(&batch, ro.batch, ro.seq, 1, &err)) {
        fprintf(ctx->err, "llmlab sft: %s\n", err.msg);
        goto done;
    }
    lm_rng_seed(&d.rng, (uint64_t)ro.seed * 0x9E3779B97F4A7C15ULL + (uint64_t)m.adam_t);
    {
        char extra[2600];
        snprintf(extra, sizeof extra, "kind=sft\nbase=%s\ndata=%s\n%s%s%smask=%s\nexamples=%d\n",
                 model ? model : "(resumed)", data, valp ? "val=" : "", valp ? valp : "", valp ? "\n" : "",
                 d.use_mask ? "assistant" : "off", d.train.n);
        /* keep the base model's own record (prefixed) when starting from it */
        run_meta = cli_run_opts_meta(&ro, extra);
        if (!run_meta) {
            fprintf(ctx->err, "llmlab sft: out of memory\n");
            goto done;
        }
    }
    fprintf(ctx->out, "sft: %d training conversations (%d cut to %d tokens), %d validation batches, loss on %s; "
                      "steps %d..%d, batch %d x %d\n",
            d.train.n, d.train.n_cut, ro.seq + 1, d.n_vb, d.use_mask ? "assistant tokens" : "every token",
            m.adam_t, ro.steps, ro.batch, ro.seq);
    cli_trainloop L = {.cmd = "sft", .m = &m, .run_meta = run_meta, .sft = 1, .next_batch = next_batch,
                       .val_loss = d.n_vb ? val_loss : NULL, .user = &d, .batch = &batch};
    rc = cli_trainloop_run_opts(ctx, &L, &ro);   /* 0, 1 or 130 (interrupted, saved) */
done:
    lm_batches_free(d.vb, d.n_vb);
    lm_batch_free(&batch);
    if (!valp && d.val.ex) {   /* val borrowed the tail of train */
        d.train.n += d.val.n;
        free(d.val.ex);
        memset(&d.val, 0, sizeof d.val);
    }
    lm_sft_free(&d.train);
    lm_sft_free(&d.val);
    if (tok) lm_tok_free(tok);
    if (have_model) lm_model_free(&m);
    free(meta);
    free(run_meta);
    return rc;
}
