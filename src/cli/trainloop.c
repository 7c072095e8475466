/* trainloop.c - the step loop of train and sft (see trainloop.h). */
#include "cli/trainloop.h"

#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "io/modelfile.h"
#include "io/optstate.h"
#include "cli/progress.h"

static volatile sig_atomic_t interrupted;
static void on_stop_signal(int sig) {
    (void)sig;
    interrupted = 1;
}
/* the signals that finish the step, save and stop: Ctrl-C, kill, hang-up */
static const int stop_signals[3] = {SIGINT, SIGTERM, SIGHUP};

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

int cli_meta_get(const char *meta, const char *key, char *out, size_t cap) {
    if (!meta) return -1;
    size_t kl = strlen(key);
    for (const char *p = meta; *p;) {
        const char *nl = strchr(p, '\n');
        size_t ll = nl ? (size_t)(nl - p) : strlen(p);
        if (ll > kl && strncmp(p, key, kl) == 0 && p[kl] == '=') {
            size_t vl = ll - kl - 1;
            if (vl >= cap) vl = cap - 1;
            memcpy(out, p + kl + 1, vl);
            out[vl] = '\0';
            return 0;
        }
        p += ll + (nl ? 1 : 0);
    }
    return -1;
}

static int save(cli_ctx *ctx, cli_trainloop *L, float last_loss, float val, double wall) {
    size_t cap = strlen(L->run_meta) + 512;
    char *meta = malloc(cap);
    if (!meta) {
        fprintf(ctx->err, "llmlab %s: cannot save %s: out of memory\n", L->cmd, L->out_path);
        return -1;
    }
    char vbuf[32] = "";
    if (!isnan(val)) snprintf(vbuf, sizeof vbuf, "val_loss=%.4f\n", val);
    snprintf(meta, cap, "%sstep=%d\ntrain_loss=%.4f\n%swall_seconds=%.0f\n", L->run_meta,
             L->m->adam_t, last_loss, vbuf, wall);
    lm_err err = {{0}};
    int rc = lm_save(L->m, meta, L->out_path, &err);
    free(meta);
    if (rc) {
        fprintf(ctx->err, "llmlab %s: cannot save %s: %s\n", L->cmd, L->out_path, err.msg);
        return -1;
    }
    char opt[1100];
    snprintf(opt, sizeof opt, "%s.opt", L->out_path);
    if (!L->m->adam_m) unlink(opt);   /* no moments yet: no stale file of another run */
    else if (lm_optstate_save(L->m, opt, &err)) {
        fprintf(ctx->err, "llmlab %s: cannot save %s: %s\n", L->cmd, opt, err.msg);
        return -1;
    }
    return 0;
}

int cli_trainloop_run(cli_ctx *ctx, cli_trainloop *L) {
    lm_err err = {{0}};
    lm_model *m = L->m;
    int start = m->adam_t;
    float recent[20];
    int n_recent = 0;
    float val = NAN, last_loss = NAN;
    double t0 = now_s();
    /* wall time of earlier runs of this checkpoint is not tracked; this run's only */
    L->nothing_to_do = 0;
    L->interrupted = 0;
    if (start >= L->steps) {   /* a finished run: leave OUT as it is */
        if (start == L->steps)
            fprintf(ctx->out, "%s: nothing to do: %s is already at step %d of %d\n", L->cmd,
                    L->out_path, start, L->steps);
        else
            fprintf(ctx->out, "%s: nothing to do: %s is already at step %d, past --steps %d\n", L->cmd,
                    L->out_path, start, L->steps);
        L->nothing_to_do = 1;
        L->final_train_loss = L->final_val_loss = NAN;
        L->seconds = 0;
        return 0;
    }
    interrupted = 0;
    struct sigaction sa, old[3];
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < 3; i++) sigaction(stop_signals[i], &sa, &old[i]);
    cli_progress pr;
    cli_progress_init(&pr, ctx->out, "step", start, L->steps, 0);
    int rc = 1;
    double tok_s = 0;
    for (int s = start; s < L->steps; s++) {
        if (L->next_batch(L->user, s, L->batch, &err)) {
            cli_progress_finish(&pr);
            fprintf(ctx->err, "llmlab %s: %s\n", L->cmd, err.msg);
            goto out;
        }
        lm_step_record r;
        int st = L->sft ? lm_sft_step(m, L->batch, &L->opts, &r, &err)
                        : lm_train_step(m, L->batch, &L->opts, &r, &err);
        if (st == LM_TRAIN_NONFINITE) {
            /* the update was skipped: m still holds the weights after step s */
            cli_progress_finish(&pr);
            int k = n_recent < 20 ? n_recent : 20;
            float mean = 0;
            for (int i = 0; i < k; i++) mean += recent[i] / k;
            if (save(ctx, L, k ? mean : NAN, val, now_s() - t0)) {
                fprintf(ctx->err, "llmlab %s: %s. Stopping; the weights of step %d could not be saved.\n",
                        L->cmd, err.msg, m->adam_t);
                goto out;
            }
            fprintf(ctx->err, "llmlab %s: %s. Stopping; saved the last good weights (step %d) to %s.\n",
                    L->cmd, err.msg, m->adam_t, L->out_path);
            goto out;
        }
        if (st) {
            cli_progress_finish(&pr);
            fprintf(ctx->err, "llmlab %s: %s\n", L->cmd, err.msg);
            goto out;
        }
        last_loss = r.loss;
        recent[n_recent++ % 20] = r.loss;
        tok_s = tok_s == 0 ? r.tokens_per_s : 0.9 * tok_s + 0.1 * r.tokens_per_s;
        int done = s + 1;
        int want_eval = L->val_loss && ((L->eval_every > 0 && done % L->eval_every == 0) || done == L->steps);
        if (want_eval) {
            int vr = L->val_loss(L->user, m, &val, &err);
            if (vr) {
                cli_progress_finish(&pr);
                fprintf(ctx->err, "llmlab %s: validation: %s\n", L->cmd, err.msg);
                goto out;
            }
        }
        char extra[128], vb[32] = "";
        if (!isnan(val)) snprintf(vb, sizeof vb, " val %.3f", val);
        snprintf(extra, sizeof extra, "loss %.3f%s lr %.2e %.1fk tok/s", r.loss, vb, r.lr, tok_s / 1000);
        cli_progress_update(&pr, done, extra, want_eval);
        int want_save = (L->save_every > 0 && done % L->save_every == 0) || done == L->steps || interrupted;
        if (want_save) {
            float mean = 0;
            int k = n_recent < 20 ? n_recent : 20;
            for (int i = 0; i < k; i++) mean += recent[i] / k;
            if (save(ctx, L, mean, val, now_s() - t0)) goto out;
        }
        if (interrupted) {
            cli_progress_finish(&pr);
            fprintf(ctx->out, "interrupted after step %d of %d; saved %s (continue with --resume)\n", done,
                    L->steps, L->out_path);
            L->interrupted = 1;
            break;
        }
    }
    cli_progress_finish(&pr);
    {
        float mean = 0;
        int k = n_recent < 20 ? n_recent : 20;
        for (int i = 0; i < k; i++) mean += recent[i] / k;
        L->final_train_loss = k ? mean : last_loss;
    }
    L->final_val_loss = val;
    L->seconds = now_s() - t0;
    rc = 0;
out:
    for (int i = 0; i < 3; i++) sigaction(stop_signals[i], &old[i], NULL);
    return rc;
}

int cli_run_resume(cli_ctx *ctx, const char *cmd, const char *out, lm_model *m, char **meta) {
    lm_err err = {{0}};
    if (lm_load(m, meta, out, &err)) {
        fprintf(ctx->err, "llmlab %s: --resume: cannot load %s: %s\n", cmd, out, err.msg);
        return -1;
    }
    char opt[1100];
    snprintf(opt, sizeof opt, "%s.opt", out);
    if (m->adam_t > 0 && lm_optstate_load(m, opt, &err)) {
        fprintf(ctx->err, "llmlab %s: --resume: %s; AdamW moments restart from zero\n", cmd, err.msg);
        int t = m->adam_t;
        lm_train_reset_optimizer(m);
        m->adam_t = t;
    }
    return 0;
}

lm_tokenizer *cli_run_tokenizer(cli_ctx *ctx, const char *cmd, const lm_model *m) {
    lm_err err = {{0}};
    lm_tokenizer *tok =
        m->tokenizer_len ? lm_tok_deserialize(m->tokenizer_blob, m->tokenizer_len, &err) : lm_tok_byte_new();
    if (!tok) fprintf(ctx->err, "llmlab %s: bad tokeniser: %s\n", cmd, err.msg);
    return tok;
}

int cli_trainloop_run_opts(cli_ctx *ctx, cli_trainloop *L, const cli_run_opts *o) {
    L->out_path = o->out;
    L->steps = o->steps;
    L->eval_every = o->eval_every;
    L->save_every = o->save_every;
    L->opts = lm_train_opts_default(o->steps);
    L->opts.sched.max_lr = o->lr;
    L->opts.sched.min_lr = o->min_lr;
    L->opts.sched.warmup_steps = o->warmup;
    L->opts.clip = o->clip;
    if (cli_trainloop_run(ctx, L)) return 1;
    if (L->nothing_to_do) return 0;
    char val[32] = "not measured";   /* e.g. interrupted between evaluations */
    if (!isnan(L->final_val_loss)) snprintf(val, sizeof val, "%.4f", L->final_val_loss);
    fprintf(ctx->out, "%s: step %d, train loss %.4f, val loss %s, %.1f s; saved %s\n", L->cmd,
            L->m->adam_t, L->final_train_loss, val, L->seconds, o->out);
    return L->interrupted ? CLI_EXIT_INTERRUPTED : 0;
}

/* ---- shared options ---- */
#include "cli/opts.h"

void cli_run_opts_init(cli_run_opts *o) {
    o->steps = o->batch = o->seq = o->warmup = o->save_every = o->eval_every = o->val_batches = -1;
    o->lr = o->min_lr = o->clip = NAN;
    o->seed = -1;
    o->out = NULL;
    o->resume = 0;
}

int cli_run_option(cli_ctx *ctx, const char *cmd, int c, const char *arg, cli_run_opts *o) {
    switch (c) {
    case 2001: return cli_parse_int(ctx, cmd, "--steps", arg, 1, 100000000, &o->steps) ? -1 : 1;
    case 2002: return cli_parse_int(ctx, cmd, "--batch", arg, 1, 4096, &o->batch) ? -1 : 1;
    case 2003: return cli_parse_int(ctx, cmd, "--seq", arg, 2, 65536, &o->seq) ? -1 : 1;
    case 2004: return cli_parse_float(ctx, cmd, "--lr", arg, 0, 10, &o->lr) ? -1 : 1;
    case 2005: return cli_parse_float(ctx, cmd, "--min-lr", arg, 0, 10, &o->min_lr) ? -1 : 1;
    case 2006: return cli_parse_int(ctx, cmd, "--warmup", arg, 0, 100000000, &o->warmup) ? -1 : 1;
    case 2007: {
        uint64_t v;
        if (cli_parse_u64(ctx, cmd, "--seed", arg, &v)) return -1;
        o->seed = (long long)(v & 0x7fffffffffffffffULL);
        return 1;
    }
    case 2008: return cli_parse_int(ctx, cmd, "--save-every", arg, 0, 100000000, &o->save_every) ? -1 : 1;
    case 2009: return cli_parse_int(ctx, cmd, "--eval-every", arg, 0, 100000000, &o->eval_every) ? -1 : 1;
    case 2010: return cli_parse_int(ctx, cmd, "--val-batches", arg, 1, 100000, &o->val_batches) ? -1 : 1;
    case 2011: return cli_parse_float(ctx, cmd, "--clip", arg, 0, 1e9, &o->clip) ? -1 : 1;
    case 'o': o->out = arg; return 1;
    case 2012: o->resume = 1; return 1;
    default: return 0;
    }
}

static void meta_int(const char *meta, const char *key, int *v) {
    char buf[64];
    if (*v < 0 && cli_meta_get(meta, key, buf, sizeof buf) == 0) *v = atoi(buf);
}
static void meta_float(const char *meta, const char *key, float *v) {
    char buf[64];
    if (isnan(*v) && cli_meta_get(meta, key, buf, sizeof buf) == 0) *v = strtof(buf, NULL);
}

void cli_run_opts_fill(cli_run_opts *o, const char *meta, int def_steps, int def_batch, int def_seq,
                       float def_lr) {
    if (meta) {
        meta_int(meta, "steps", &o->steps);
        meta_int(meta, "batch", &o->batch);
        meta_int(meta, "seq", &o->seq);
        meta_int(meta, "warmup", &o->warmup);
        meta_int(meta, "save_every", &o->save_every);
        meta_int(meta, "eval_every", &o->eval_every);
        meta_int(meta, "val_batches", &o->val_batches);
        meta_float(meta, "lr", &o->lr);
        meta_float(meta, "min_lr", &o->min_lr);
        meta_float(meta, "clip", &o->clip);
        char buf[64];
        if (o->seed < 0 && cli_meta_get(meta, "seed", buf, sizeof buf) == 0) o->seed = atoll(buf);
    }
    if (o->steps < 0) o->steps = def_steps;
    if (o->batch < 0) o->batch = def_batch;
    if (o->seq < 0) o->seq = def_seq;
    if (isnan(o->lr)) o->lr = def_lr;
    if (isnan(o->min_lr)) o->min_lr = o->lr / 10;
    if (o->warmup < 0) o->warmup = o->steps / 10 < 100 ? o->steps / 10 : 100;
    if (o->save_every < 0) o->save_every = 0;
    if (o->eval_every < 0) o->eval_every = o->steps / 10 > 0 ? o->steps / 10 : 1;
    if (o->val_batches < 0) o->val_batches = 8;
    if (isnan(o->clip)) o->clip = 1.0f;
    if (o->seed < 0) o->seed = 1234;
}

char *cli_run_opts_meta(const cli_run_opts *o, const char *extra) {
    size_t cap = 512 + (extra ? strlen(extra) : 0);
    char *s = malloc(cap);
    if (!s) return NULL;
    snprintf(s, cap,
             "steps=%d\nbatch=%d\nseq=%d\nlr=%g\nmin_lr=%g\nwarmup=%d\nclip=%g\nseed=%lld\n"
             "save_every=%d\neval_every=%d\nval_batches=%d\n%s",
             o->steps, o->batch, o->seq, o->lr, o->min_lr, o->warmup, o->clip, o->seed, o->save_every,
             o->eval_every, o->val_batches, extra ? extra : "");
    return s;
}
