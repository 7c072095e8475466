/* trainloop.c - the step loop of every training command (see trainloop.h). */
#include "cli/trainloop.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "io/modelfile.h"
#include "train/checkpoint.h"
#include "cli/progress.h"
#include "cli/stopsig.h"

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
            if (vl >= cap) {
                if (cap) out[0] = '\0';
                return -2;
            }
            memcpy(out, p + kl + 1, vl);
            out[vl] = '\0';
            return 0;
        }
        p += ll + (nl ? 1 : 0);
    }
    return -1;
}

/* the step count of what the loop trains */
static int step_of(const cli_trainloop *L) { return L->t.adam_t(L->t.self); }

/* what the loop keeps between steps */
typedef struct {
    float recent[20];      /* the last "loss" figures, for a less noisy summary */
    int n_recent;
    lm_figures val;        /* the last validation's figures */
    double t0;
} loop_state;

static float recent_mean(const loop_state *S) {
    int k = S->n_recent < 20 ? S->n_recent : 20;
    float mean = 0;
    for (int i = 0; i < k; i++) mean += S->recent[i] / k;
    return k ? mean : NAN;
}

/* the save to OUT failed: the weights are still in memory, so write them
 * to a fresh folder in $TMPDIR (or /tmp) and say where */
static void rescue(cli_ctx *ctx, cli_trainloop *L, const char *meta) {
    lm_err err = {{0}};
    char *to = L->t.rescue(L->t.self, meta, L->out_path, getenv("TMPDIR"), &err);
    if (to)
        fprintf(ctx->err, "llmlab %s: the weights of step %d were saved instead to %s (with its .opt; move both "
                          "where you want them, or continue with --resume -o %s)\n", L->cmd, step_of(L), to, to);
    else
        fprintf(ctx->err, "llmlab %s: the rescue copy failed too: %s; the weights of step %d are lost\n", L->cmd,
                err.msg, step_of(L));
    free(to);
}

/* a checkpoint: the run's metadata, then step, train_loss, the validation
 * figures and the wall time of this run */
static int save(cli_ctx *ctx, cli_trainloop *L, const loop_state *S) {
    size_t cap = strlen(L->run_meta) + 512 + 48 * LM_FIGURES_MAX;
    char *meta = malloc(cap);
    if (!meta) {
        fprintf(ctx->err, "llmlab %s: cannot save %s: out of memory\n", L->cmd, L->out_path);
        return -1;
    }
    size_t n = (size_t)snprintf(meta, cap, "%sstep=%d\ntrain_loss=%.4f\n", L->run_meta, step_of(L),
                                recent_mean(S));
    for (int i = 0; i < S->val.n && n < cap; i++)
        n += (size_t)snprintf(meta + n, cap - n, "%s=%.4f\n", S->val.f[i].name, S->val.f[i].value);
    if (n < cap) snprintf(meta + n, cap - n, "wall_seconds=%.0f\n", now_s() - S->t0);
    lm_err err = {{0}};
    int rc = L->t.save(L->t.self, meta, L->out_path, &err);
    if (rc) {
        fprintf(ctx->err, "llmlab %s: %s\n", L->cmd, err.msg);
        rescue(ctx, L, meta);
    }
    free(meta);
    return rc ? -1 : 0;
}

int cli_check_output(cli_ctx *ctx, const char *cmd, const lm_model *m, const char *meta, const char *out) {
    lm_trainee t = lm_trainee_gpt(m);
    return cli_check_output_of(ctx, cmd, &t, meta, out);
}

int cli_check_output_of(cli_ctx *ctx, const char *cmd, const lm_trainee *t, const char *meta, const char *out) {
    lm_err err = {{0}};
    size_t meta_len = (meta ? strlen(meta) : 0) + 512 + 48 * LM_FIGURES_MAX;   /* save()'s lines */
    if (t->check(t->self, meta_len, out, &err) == 0) return 0;
    size_t n = strlen(out);   /* the end of a long path, so the reason shows */
    fprintf(ctx->err, "llmlab %s: cannot save -o %s%s: %s\n", cmd, n > 200 ? "..." : "", n > 200 ? out + n - 200 : out,
            err.msg);
    return 1;
}

/* a finished run: leave OUT as it is */
static int nothing_to_do(cli_ctx *ctx, cli_trainloop *L) {
    int start = step_of(L);
    if (start == L->steps)
        fprintf(ctx->out, "%s: nothing to do: %s is already at step %d of %d\n", L->cmd, L->out_path,
                start, L->steps);
    else
        fprintf(ctx->out, "%s: nothing to do: %s is already at step %d, past --steps %d\n", L->cmd,
                L->out_path, start, L->steps);
    L->nothing_to_do = 1;
    L->final_train_loss = L->final_val_loss = NAN;
    L->seconds = 0;
    return 0;
}

/* the update of step s was skipped: m still holds the weights after step s */
static void stop_nonfinite(cli_ctx *ctx, cli_trainloop *L, const loop_state *S, const lm_err *err) {
    if (save(ctx, L, S))
        fprintf(ctx->err, "llmlab %s: %s. Stopping; the weights of step %d could not be saved.\n", L->cmd,
                err->msg, step_of(L));
    else
        fprintf(ctx->err, "llmlab %s: %s. Stopping; saved the last good weights (step %d) to %s.\n",
                L->cmd, err->msg, step_of(L), L->out_path);
}

/* One step s (0-based) of the loop: batch, update, validation when due,
 * progress line, checkpoint when due. 0 go on, 1 stop (done or interrupted,
 * saved), -1 failure (message printed). */
static int one_step(cli_ctx *ctx, cli_trainloop *L, loop_state *S, cli_progress *pr, int s) {
    lm_err err = {{0}};
    lm_objective *o = L->obj;
    lm_figures f = {0};
    int st = o->ops->next_batch(o, s, &err);
    if (st == 0) st = o->ops->step(o, L->m, &L->opts, &f, &err);
    if (st) {
        cli_progress_finish(pr);
        if (st == LM_TRAIN_NONFINITE) stop_nonfinite(ctx, L, S, &err);
        else fprintf(ctx->err, "llmlab %s: %s\n", L->cmd, err.msg);
        return -1;
    }
    float loss = (float)lm_figures_get(&f, "loss");
    if (!isnan(loss)) S->recent[S->n_recent++ % 20] = loss;
    int done = s + 1;
    int want_eval = (L->eval_every > 0 && done % L->eval_every == 0) || done == L->steps;
    if (want_eval) {
        S->val.n = 0;
        if (o->ops->validate(o, L->m, &S->val, &err)) {
            cli_progress_finish(pr);
            fprintf(ctx->err, "llmlab %s: validation: %s\n", L->cmd, err.msg);
            return -1;
        }
    }
    char line[512];
    lm_figures_merge(&f, &S->val);   /* the step's figures, then the last validation's */
    cli_progress_update(pr, done, lm_figures_format(&f, line, sizeof line), want_eval);
    int want_save = (L->save_every > 0 && done % L->save_every == 0) || done == L->steps || cli_stop_requested();
    if (want_save && save(ctx, L, S)) return -1;
    if (!cli_stop_requested()) return done == L->steps;
    cli_progress_finish(pr);
    fprintf(ctx->out, "interrupted after step %d of %d; saved %s (continue with --resume)\n", done,
            L->steps, L->out_path);
    L->interrupted = 1;
    return 1;
}

int cli_trainloop_run(cli_ctx *ctx, cli_trainloop *L) {
    L->nothing_to_do = 0;
    L->interrupted = 0;
    lm_err err = {{0}};
    if (L->obj->ops->trainee) {
        if (L->obj->ops->trainee(L->obj, &L->t, &err)) {
            fprintf(ctx->err, "llmlab %s: %s\n", L->cmd, err.msg);
            return 1;
        }
    } else {
        L->t = lm_trainee_gpt(L->m);
    }
    int start = step_of(L);
    if (start >= L->steps) return nothing_to_do(ctx, L);
    if (cli_check_output_of(ctx, L->cmd, &L->t, L->run_meta, L->out_path)) return 1;
    loop_state S = {.t0 = now_s()};   /* wall time of earlier runs of this checkpoint is not tracked */
    cli_stop_watch_state stop;   /* Ctrl-C, kill, hang-up: finish the step, save, stop */
    cli_stop_watch(&stop);
    cli_progress pr;
    cli_progress_init(&pr, ctx->out, "step", start, L->steps, 0);
    int st = 0;
    for (int s = start; s < L->steps && st == 0; s++) st = one_step(ctx, L, &S, &pr, s);
    cli_stop_unwatch(&stop);
    if (st < 0) return 1;
    cli_progress_finish(&pr);
    L->final_train_loss = recent_mean(&S);
    L->final_val_loss = (float)lm_figures_get(&S.val, "val_loss");
    L->seconds = now_s() - S.t0;
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
            step_of(L), L->final_train_loss, val, L->seconds, o->out);
    return L->interrupted ? CLI_EXIT_INTERRUPTED : 0;
}

/* ---- shared options ---- */
#include "cli/opts.h"
#include "cli/sandbox.h"

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

int cli_config_option(cli_ctx *ctx, const char *cmd, int c, const char *arg, lm_config *cfg, int *mlp_given) {
    switch (c) {
    case 1101: return cli_parse_int(ctx, cmd, "--layers", arg, 1, 64, &cfg->n_layer) ? -1 : 1;
    case 1102: return cli_parse_int(ctx, cmd, "--heads", arg, 1, 64, &cfg->n_head) ? -1 : 1;
    case 1103: return cli_parse_int(ctx, cmd, "--width", arg, 2, 4096, &cfg->d_model) ? -1 : 1;
    case 1104:
        *mlp_given = 1;
        return cli_parse_int(ctx, cmd, "--mlp", arg, 1, 16384, &cfg->d_mlp) ? -1 : 1;
    case 1105: return cli_parse_int(ctx, cmd, "--ctx", arg, 2, 65536, &cfg->n_ctx) ? -1 : 1;
    case 1106:
        if (lm_pos_parse(arg, &cfg->pos) == 0) return 1;
        cli_usage_error(ctx, cmd, "--pos is learned, sinusoidal or rotary");
        return -1;
    case 1107:
        if (lm_act_parse(arg, &cfg->act) == 0) return 1;
        cli_usage_error(ctx, cmd, "--act is gelu or relu");
        return -1;
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
    if (o->warmup < 0) o->warmup = lm_warmup_steps(o->steps);   /* THE warm-up rule */
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

/* ---- a training command's run ---- */

void cli_run_init(cli_train_run *r, const char *cmd) {
    memset(r, 0, sizeof *r);
    r->cmd = cmd;
    cli_run_opts_init(&r->ro);
}

int cli_run_load(cli_ctx *ctx, cli_train_run *r) {
    lm_err err = {{0}};
    if (r->ro.resume) {
        if (!r->ro.out) return cli_usage_error(ctx, r->cmd, "--resume needs -o OUT");
        if (!(r->ro.out = cli_path_for_write(ctx, r->cmd, r->ro.out))) return 1;   /* a lesson's policy */
        int rc = lm_checkpoint_load(&r->m, &r->meta, r->ro.out, &err);
        if (rc < 0) {
            fprintf(ctx->err, "llmlab %s: --resume: cannot load %s: %s\n", r->cmd, r->ro.out, err.msg);
            return 1;
        }
        if (rc > 0) fprintf(ctx->err, "llmlab %s: --resume: %s; AdamW moments restart from zero\n", r->cmd, err.msg);
        r->have_model = 1;
        if (!r->data && cli_meta_get(r->meta, "data", r->data_buf, sizeof r->data_buf) == 0) r->data = r->data_buf;
        if (!r->val && cli_meta_get(r->meta, "val", r->val_buf, sizeof r->val_buf) == 0) r->val = r->val_buf;
        return 0;
    }
    if (!r->model) return CLI_RUN_NO_MODEL;
    if (!(r->model = cli_path_for_read(ctx, r->cmd, r->model))) return 1;
    if (lm_load(&r->m, NULL, r->model, &err)) {
        fprintf(ctx->err, "llmlab %s: cannot load %s: %s\n", r->cmd, r->model, err.msg);
        return 1;
    }
    r->have_model = 1;
    lm_train_reset_optimizer(&r->m);   /* a fresh optimizer and schedule */
    return 0;
}

char *cli_run_meta(const cli_train_run *r, const lm_objective *obj, const char *extra) {
    size_t cap = strlen(r->data) + (r->val ? strlen(r->val) : 0) + sizeof obj->meta + 64 +
                 (extra ? strlen(extra) : 0);
    char *lines = malloc(cap);
    if (!lines) return NULL;
    snprintf(lines, cap, "kind=%s\ndata=%s\n%s%s%s%s%s", obj->ops->name, r->data, r->val ? "val=" : "",
             r->val ? r->val : "", r->val ? "\n" : "", obj->meta, extra ? extra : "");
    char *meta = cli_run_opts_meta(&r->ro, lines);
    free(lines);
    return meta;
}

int cli_run_prepare(cli_ctx *ctx, const cli_train_run *r, lm_objective *obj, lm_tokenizer *tok, int start_step,
                    const char *extra, char **meta) {
    const cli_run_opts *ro = &r->ro;
    lm_err err = {{0}};
    lm_data_opts d = {.train_path = r->data, .val_path = r->val, .B = ro->batch, .T = ro->seq,
                      .val_batches = ro->val_batches, .seed = (uint64_t)ro->seed, .start_step = start_step};
    int rc = obj->ops->prepare(obj, tok, &d, &err);
    lm_tok_free(tok);
    if (rc) {
        fprintf(ctx->err, "llmlab %s: %s\n", r->cmd, err.msg);
        return 1;
    }
    if (!(*meta = cli_run_meta(r, obj, extra))) {
        fprintf(ctx->err, "llmlab %s: out of memory\n", r->cmd);
        return 1;
    }
    return 0;
}

int cli_run_objective(cli_ctx *ctx, cli_train_run *r, lm_objective *obj, const char *extra) {
    lm_model *m = &r->m;
    const cli_run_opts *ro = &r->ro;
    if (ro->seq > m->cfg.n_ctx) {
        fprintf(ctx->err, "llmlab %s: --seq %d is longer than the model's context %d\n", r->cmd, ro->seq,
                m->cfg.n_ctx);
        return 2;
    }
    if (!(r->data = cli_path_for_read(ctx, r->cmd, r->data)) || (r->val && !(r->val = cli_path_for_read(ctx, r->cmd, r->val))) ||
        !(r->ro.out = cli_path_for_write(ctx, r->cmd, r->ro.out)))   /* a lesson's policy (sandbox.h) */
        return 1;
    /* the output can be written: found now, not after the training */
    if (ro->out && m->adam_t < ro->steps && cli_check_output(ctx, r->cmd, m, NULL, ro->out)) return 1;
    lm_tokenizer *tok = cli_run_tokenizer(ctx, r->cmd, m);
    if (!tok) return 1;
    char *meta;
    if (cli_run_prepare(ctx, r, obj, tok, m->adam_t, extra, &meta)) return 1;
    fprintf(ctx->out, "%s: %zu parameters (%d layers, width %d, %d heads, ctx %d, vocab %d); %s; "
                      "steps %d..%d, batch %d x %d\n",
            r->cmd, m->n_params, m->cfg.n_layer, m->cfg.d_model, m->cfg.n_head, m->cfg.n_ctx,
            m->cfg.vocab_size, obj->desc, m->adam_t, ro->steps, ro->batch, ro->seq);
    cli_trainloop L = {.cmd = r->cmd, .m = m, .obj = obj, .run_meta = meta};
    int rc = cli_trainloop_run_opts(ctx, &L, ro);   /* 0, 1 or 130 (interrupted, saved) */
    free(meta);
    return rc;
}

void cli_run_free(cli_train_run *r) {
    if (r->have_model) lm_model_free(&r->m);
    free(r->meta);
    r->meta = NULL;
    r->have_model = 0;
}
