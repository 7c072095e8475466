/* nlm_train.c - the training run of the feed-forward and recurrent LMs'
 * commands, from argv to the saved model (see nlm_train.h). */
#include "cli/nlm_train.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/opts.h"
#include "cli/sandbox.h"
#include "train/checkpoint.h"

void cli_nlm_train_init(cli_nlm_train *t, const char *cmd) {
    memset(t, 0, sizeof *t);
    cli_run_init(&t->r, cmd);
}

int cli_nlm_train_option(cli_ctx *ctx, cli_nlm_train *t, int c, const char *arg) {
    int k = cli_run_option(ctx, t->r.cmd, c, arg, &t->r.ro);
    if (k) return k;
    switch (c) {
    case 'd': t->r.data = arg; return 1;
    case 'v': t->r.val = arg; return 1;
    case 't': t->tokspec = arg; return 1;
    default: return 0;
    }
}

/* --resume: OUT's model, moments, metadata, data and val */
static int resume(cli_ctx *ctx, cli_nlm_train *t, const char *kind) {
    cli_train_run *r = &t->r;
    if (t->model_opt) {
        fprintf(ctx->err, "llmlab %s: %s is fixed by the checkpoint; leave it out with --resume\n", r->cmd,
                t->model_opt);
        return 2;
    }
    if (!(r->ro.out = cli_path_for_write(ctx, r->cmd, r->ro.out))) return 1;   /* a lesson's policy */
    lm_err err = {{0}};
    if (lm_nlm_load(&t->m, &r->meta, r->ro.out, &err)) {
        fprintf(ctx->err, "llmlab %s: --resume: cannot load %s\n", r->cmd, err.msg);
        return 1;
    }
    if (strcmp(t->m->kind, kind) != 0) {
        fprintf(ctx->err, "llmlab %s: --resume: %s is a %s model, not %s (continue it with `llmlab %s train --resume`)\n",
                r->cmd, r->ro.out, t->m->kind, kind, t->m->kind);
        return 1;
    }
    int rc = lm_checkpoint_load_moments(&t->m->ps, r->ro.out, &err);
    if (rc < 0) {
        fprintf(ctx->err, "llmlab %s: --resume: %s\n", r->cmd, err.msg);
        return 1;
    }
    if (rc > 0) fprintf(ctx->err, "llmlab %s: --resume: %s; AdamW moments restart from zero\n", r->cmd, err.msg);
    if (!r->data && cli_meta_get(r->meta, "data", r->data_buf, sizeof r->data_buf) == 0) r->data = r->data_buf;
    if (!r->val && cli_meta_get(r->meta, "val", r->val_buf, sizeof r->val_buf) == 0) r->val = r->val_buf;
    return 0;
}

int cli_nlm_train_load(cli_ctx *ctx, cli_nlm_train *t, const char *kind, int def_steps, int def_batch, int def_seq,
                       float def_lr) {
    cli_train_run *r = &t->r;
    if (!r->ro.out) return cli_usage_error(ctx, r->cmd, "-o OUT is required");
    if (r->ro.resume) {
        int rc = resume(ctx, t, kind);
        if (rc) return rc;
    }
    if (!r->data) {   /* the shipped corpus, validated on its own held-out file */
        if (cli_find_shipped("data/corpus/train.txt", t->data_buf, sizeof t->data_buf) != 0) {
            fprintf(ctx->err, "llmlab %s: no --data FILE and no data/corpus/train.txt (run `make data`)\n", r->cmd);
            return 1;
        }
        r->data = t->data_buf;
        if (!r->val && cli_find_shipped("data/corpus/val.txt", t->val_buf, sizeof t->val_buf) == 0) r->val = t->val_buf;
    }
    cli_run_opts_fill(&r->ro, r->meta, def_steps, def_batch, def_seq, def_lr);
    if (r->ro.min_lr > r->ro.lr) {
        fprintf(ctx->err, "llmlab %s: --min-lr %g is above --lr %g; it must be at most --lr\n", r->cmd, r->ro.min_lr,
                r->ro.lr);
        return 2;
    }
    return 0;
}

lm_tokenizer *cli_nlm_train_tokenizer(cli_ctx *ctx, cli_nlm_train *t) {
    char base[LM_PATH_MAX];
    const char *spec = t->tokspec;
    if (!spec) {
        if (cli_find_shipped("models/base.llm", base, sizeof base) != 0) {
            fprintf(ctx->err, "llmlab %s: no models/base.llm to take the tokeniser from; give -t SPEC\n", t->r.cmd);
            return NULL;
        }
        spec = base;
    }
    lm_err err = {{0}};
    lm_tokenizer *tok = cli_open_tokenizer(ctx, spec, &err);
    if (!tok) fprintf(ctx->err, "llmlab %s: -t %s: %s\n", t->r.cmd, spec, err.msg);
    return tok;
}

int cli_nlm_train_run(cli_ctx *ctx, cli_nlm_train *t, lm_objective *obj, const char *extra) {
    cli_train_run *r = &t->r;
    const cli_run_opts *ro = &r->ro;
    lm_nlm *m = t->m;
    if (!(r->data = cli_path_for_read(ctx, r->cmd, r->data)) || (r->val && !(r->val = cli_path_for_read(ctx, r->cmd, r->val))) ||
        !(r->ro.out = cli_path_for_write(ctx, r->cmd, r->ro.out)))   /* a lesson's policy (sandbox.h) */
        return 1;
    lm_err err = {{0}};
    lm_trainee tr;
    if (obj->ops->trainee(obj, &tr, &err)) {
        fprintf(ctx->err, "llmlab %s: %s\n", r->cmd, err.msg);
        return 1;
    }
    /* the output can be written: found now, not after the training */
    if (m->ps.adam_t < ro->steps && cli_check_output_of(ctx, r->cmd, &tr, NULL, ro->out)) return 1;
    lm_tokenizer *tok = m->tokenizer_len ? lm_tok_deserialize(m->tokenizer, (size_t)m->tokenizer_len, &err)
                                         : lm_tok_byte_new();
    if (!tok) {
        fprintf(ctx->err, "llmlab %s: the model's tokeniser: %s\n", r->cmd, err.msg);
        return 1;
    }
    char *meta;
    if (cli_run_prepare(ctx, r, obj, tok, m->ps.adam_t, extra, &meta)) return 1;
    fprintf(ctx->out, "%s: %zu parameters (%s; vocab %d); %s; steps %d..%d, batch %d x %d\n", r->cmd, m->ps.n,
            m->desc, m->vocab, obj->desc, m->ps.adam_t, ro->steps, ro->batch, ro->seq);
    cli_trainloop L = {.cmd = r->cmd, .m = NULL, .obj = obj, .run_meta = meta};
    int rc = cli_trainloop_run_opts(ctx, &L, ro);   /* 0, 1 or 130 (interrupted, saved) */
    free(meta);
    return rc;
}

void cli_nlm_train_free(cli_nlm_train *t) {
    lm_nlm_free(t->m);
    t->m = NULL;
    cli_run_free(&t->r);
}

/* Parses argv into t and cfg; -1 to go on, else the exit status. */
static int parse(cli_ctx *ctx, int argc, char **argv, cli_nlm_train *t, const cli_nlm_kind *k, void *cfg) {
    const char *cmd = t->r.cmd;
    int c;
    cli_getopt_reset();
    while ((c = getopt_long(argc, argv, CLI_NLM_TRAIN_SHORTOPTS, k->longopts, NULL)) != -1) {
        int r = cli_nlm_train_option(ctx, t, c, optarg);
        if (r < 0) return 2;
        if (r > 0) continue;
        if (c == 'h') {
            fputs(k->usage, ctx->out);
            return 0;
        }
        r = k->option(ctx, t, c, optarg, cfg);
        if (r < 0) return 2;
        if (r == 0) return cli_bad_option(ctx, cmd, argc, argv, CLI_NLM_TRAIN_SHORTOPTS, k->longopts);
    }
    if (optind < argc) return cli_usage_error(ctx, cmd, "unexpected argument");
    return -1;
}

/* a new model of cfg for the tokeniser (-t or base.llm's) */
static int new_model(cli_ctx *ctx, cli_nlm_train *t, const cli_nlm_kind *k, void *cfg) {
    lm_tokenizer *tok = cli_nlm_train_tokenizer(ctx, t);
    if (!tok) return 1;
    lm_err err = {{0}};
    int rc = k->new_model(&t->m, cfg, lm_tok_vocab_size(tok), (uint64_t)t->r.ro.seed, &err) ||
             lm_nlm_set_tokenizer(t->m, tok, &err);
    if (rc) fprintf(ctx->err, "llmlab %s: %s\n", t->r.cmd, err.msg);
    lm_tok_free(tok);
    return rc ? 1 : 0;
}

int cli_nlm_train_main(cli_ctx *ctx, const char *cmd, const cli_nlm_kind *k, void *cfg, int argc, char **argv) {
    cli_nlm_train t;
    cli_nlm_train_init(&t, cmd);
    int rc = parse(ctx, argc, argv, &t, k, cfg);
    if (rc >= 0) {   /* --help or a usage error */
        cli_nlm_train_free(&t);
        return rc;
    }
    rc = cli_nlm_train_load(ctx, &t, k->kind, k->def_steps, k->def_batch, k->def_seq, k->def_lr);
    if (rc == 0 && !t.m) rc = new_model(ctx, &t, k, cfg);
    if (rc == 0) {
        lm_err err = {{0}};
        lm_objective *obj = k->objective(t.m, &err);
        char extra[160];
        k->extra(t.m, extra, sizeof extra);
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
