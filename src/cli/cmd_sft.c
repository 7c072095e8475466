/* cmd_sft.c - `llmlab sft`: supervised fine-tuning on chat conversations
 * (JSONL, OpenAI format) with the loss masked to the assistant's tokens. */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "tok/chat.h"
#include "io/modelfile.h"
#include "cli/opts.h"
#include "cli/sandbox.h"
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

/* Parses argv into r. Returns -1 to go on, else the exit status (0 after
 * --help, 2 usage). */
static int parse_args(cli_ctx *ctx, int argc, char **argv, cli_train_run *r, int *no_mask, int *show) {
    static const struct option longopts[] = {
        {"help", no_argument, 0, 'h'},      {"model", required_argument, 0, 'm'},
        {"data", required_argument, 0, 'd'}, {"val", required_argument, 0, 'v'},
        {"no-mask", no_argument, 0, 1201},   {"show-mask", no_argument, 0, 1202},
        CLI_RUN_LONGOPTS,                    {0, 0, 0, 0}};
    int c;
    cli_getopt_reset();
    while ((c = getopt_long(argc, argv, "hm:o:", longopts, NULL)) != -1) {
        int k = cli_run_option(ctx, "sft", c, optarg, &r->ro);
        if (k < 0) return 2;
        if (k > 0) continue;
        switch (c) {
        case 'h': fputs(usage, ctx->out); return 0;
        case 'm': r->model = optarg; break;
        case 'd': r->data = optarg; break;
        case 'v': r->val = optarg; break;
        case 1201: *no_mask = 1; break;
        case 1202: *show = 1; break;
        default: return cli_bad_option(ctx, "sft", argc, argv, "hm:o:", longopts);
        }
    }
    if (optind < argc) return cli_usage_error(ctx, "sft", "unexpected argument");
    if (!r->ro.out && !*show) return cli_usage_error(ctx, "sft", "-o OUT is required");
    return -1;
}

/* --show-mask: the first example of --data with its trained tokens marked */
static int show_first(cli_ctx *ctx, cli_train_run *r, int use_mask) {
    lm_tokenizer *tok = cli_run_tokenizer(ctx, "sft", &r->m);
    if (!tok) return 1;
    lm_err err = {{0}};
    lm_sft_set set;
    const char *data = cli_path_for_read(ctx, "sft", r->data);   /* a lesson's policy (sandbox.h) */
    int rc = data ? lm_sft_load(&set, tok, data, r->ro.seq + 1, &err) : -1;
    if (rc && data) fprintf(ctx->err, "llmlab sft: %s\n", err.msg);
    else show_mask(ctx, tok, &set.ex[0], use_mask);
    if (!rc) lm_sft_free(&set);
    lm_tok_free(tok);
    return rc ? 1 : 0;
}

int cmd_sft(cli_ctx *ctx, int argc, char **argv) {
    cli_train_run r;
    cli_run_init(&r, "sft");
    int no_mask = 0, show = 0;
    int rc = parse_args(ctx, argc, argv, &r, &no_mask, &show);
    if (rc >= 0) return rc;
    rc = cli_run_load(ctx, &r);
    if (rc == CLI_RUN_NO_MODEL) rc = cli_usage_error(ctx, "sft", "give -m BASE or --resume");
    if (rc == 0 && !r.data) rc = cli_usage_error(ctx, "sft", "--data FILE is required");
    char mask[16];   /* a resumed run keeps its mask setting */
    if (rc == 0 && !no_mask && cli_meta_get(r.meta, "mask", mask, sizeof mask) == 0 && strcmp(mask, "off") == 0)
        no_mask = 1;
    if (rc == 0) cli_run_opts_fill(&r.ro, r.meta, 500, 16, r.m.cfg.n_ctx, 1e-4f);
    if (rc == 0 && r.ro.min_lr > r.ro.lr) {   /* the cosine decays from --lr down to --min-lr */
        fprintf(ctx->err, "llmlab sft: --min-lr %g is above --lr %g; it must be at most --lr\n", r.ro.min_lr, r.ro.lr);
        rc = 2;
    }
    if (rc == 0 && r.ro.seq > r.m.cfg.n_ctx) {
        fprintf(ctx->err, "llmlab sft: --seq %d is longer than the model's context %d\n", r.ro.seq, r.m.cfg.n_ctx);
        rc = 2;
    }
    if (rc == 0 && show) {
        rc = show_first(ctx, &r, !no_mask);
        cli_run_free(&r);
        return rc;
    }
    lm_err err = {{0}};
    lm_objective *obj = rc == 0 ? lm_obj_sft_new(!no_mask, &err) : NULL;
    if (rc == 0 && !obj) {
        fprintf(ctx->err, "llmlab sft: %s\n", err.msg);
        rc = 1;
    }
    const char *bname = r.model && !r.ro.resume ? r.model : "(resumed)";
    char *base = malloc(strlen(bname) + 8);   /* the whole path: metadata is never cut */
    if (rc == 0 && !base) rc = 1;
    if (base) sprintf(base, "base=%s\n", bname);
    if (rc == 0) rc = cli_run_objective(ctx, &r, obj, base);   /* 0, 1, 2 or 130 (interrupted, saved) */
    free(base);
    lm_objective_free(obj);
    cli_run_free(&r);
    return rc;
}
