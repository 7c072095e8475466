/* worker.c - training steps of any objective on a worker thread (see
 * worker.h). */
#include "ui/worker.h"

#include <errno.h>
#include <math.h>
#include <omp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "tok/chat.h"
#include "decode/generate.h"
#include "tok/tokenizer.h"
#include "train/checkpoint.h"
#include "train/train.h"

#define QCAP 4096
#define MAX_TEXT_BYTES (1u << 20)   /* first 1 MiB of a text file is plenty for a live demo */
#define N_VAL 2
#define PUBLISH_EVERY_S 0.25

struct ui_worker {
    pthread_t th;
    int th_ok;
    pthread_mutex_t mu;
    pthread_cond_t cv;          /* a command for the worker */
    pthread_cond_t ev;          /* a change for uw_wait */
    /* shared, under mu */
    int quit, run, step_req;
    float max_lr;
    char *save_path;            /* a save asked for (malloc'd), or NULL */
    uw_record q[QCAP];
    int q_head, q_n;
    float *snap;
    unsigned snap_version;
    int snap_step;              /* the step the snapshot holds */
    uw_info info;
    /* worker-only (and the UI thread before the start and after the join) */
    lm_model m;                 /* the working copy */
    lm_tokenizer *tok;
    uw_opts o;
    char objective[64];
    int32_t *sample_prompt;
    size_t n_sample_prompt;
    char *data_path;            /* malloc'd copy of o.data_path */
    lm_objective *obj;
    int own;                    /* the objective trains a model of its own kind (ops->trainee) */
    lm_trainee t;               /* how its step count and saves are read (own) */
    int unpublished;            /* weights changed since the last snapshot */
    int threads;
};

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* the step count of what the worker trains */
static int steps_of(const ui_worker *w) { return w->own ? w->t.adam_t(w->t.self) : w->m.adam_t; }

/* with mu held: something a uw_wait may be waiting for changed */
static void changed(ui_worker *w) { pthread_cond_broadcast(&w->ev); }

static void set_state(ui_worker *w, uw_state st, const char *msg) {
    pthread_mutex_lock(&w->mu);
    w->info.state = st;
    if (msg) snprintf(w->info.message, sizeof w->info.message, "%.250s", msg);
    changed(w);
    pthread_mutex_unlock(&w->mu);
}

/* the objective on the given file, or on its shipped data (validated on its
 * shipped validation file), or on its built-in sample */
static int prepare(ui_worker *w, lm_err *err) {
    w->obj = lm_objective_create(w->objective, err);
    if (!w->obj) return -1;
    const lm_objective_ops *ops = w->obj->ops;
    char path[LM_PATH_MAX], vpath[LM_PATH_MAX];
    lm_data_opts d = {.max_bytes = MAX_TEXT_BYTES, .B = w->o.B, .T = w->o.T, .val_batches = N_VAL,
                      .seed = w->o.seed, .start_step = w->m.adam_t};
    if (w->o.data_path) {
        d.train_path = w->o.data_path;
    } else if (ops->default_data && cli_find_shipped(ops->default_data, path, sizeof path) == 0) {
        d.train_path = path;
        if (ops->default_val && cli_find_shipped(ops->default_val, vpath, sizeof vpath) == 0)
            d.val_path = vpath;
    }
    if (ops->prepare(w->obj, w->tok, &d, err)) return -1;
    /* an objective of another model kind (an RNN, a feed-forward LM) trains
     * its own model, made by prepare: the view model stays as it is */
    w->own = ops->trainee != NULL;
    if (w->own && ops->trainee(w->obj, &w->t, err)) return -1;
    pthread_mutex_lock(&w->mu);
    w->info.own_model = w->own;
    snprintf(w->info.data_desc, sizeof w->info.data_desc, "%s: %.400s, B=%d T=%d", ops->name, w->obj->desc,
             w->o.B, w->o.T);
    changed(w);
    pthread_mutex_unlock(&w->mu);
    return 0;
}

int uw_stop_ids(const lm_tokenizer *t, int32_t stop[2]) {
    lm_err err = {{0}};
    int n = lm_chat_stop_ids(t, stop, &err);
    if (n >= 0) return n;
    int32_t eot = lm_tok_special_id(t, LM_CHAT_EOT);
    if (eot < 0) return 0;
    stop[0] = eot;
    return 1;
}

/* called with mu held, on the worker thread only: the weights are never
 * read while a step writes them */
static void publish(ui_worker *w) {
    if (!w->own) {   /* a model of its own never reaches the view model */
        memcpy(w->snap, w->m.params, sizeof(float) * w->m.n_params);
        w->snap_version++;
    }
    w->snap_step = steps_of(w);
    w->unpublished = 0;
    changed(w);
}

static void do_sample(ui_worker *w, int step) {
    if (!w->n_sample_prompt || w->own) return;
    int32_t stop[2];
    int n_stop = uw_stop_ids(w->tok, stop);
    size_t np = w->n_sample_prompt;
    int room = w->m.cfg.n_ctx - (int)np;
    int max_new = room < 40 ? room : 40;
    if (max_new < 1) return;
    char *text = NULL;
    lm_err err = {{0}};
    if (lm_generate_text(&w->m, w->tok, w->sample_prompt, np, max_new, stop, n_stop, &text, &err))
        return;
    pthread_mutex_lock(&w->mu);
    snprintf(w->info.sample, sizeof w->info.sample, "%s", text);
    w->info.sample_step = step;
    changed(w);
    pthread_mutex_unlock(&w->mu);
    free(text);
}

static void do_save(ui_worker *w, const char *path) {
    char msg[256];
    int failed = 0;
    lm_err err = {{0}};
    if (access(path, F_OK) == 0) {
        snprintf(msg, sizeof msg, "not saved: %.200s exists (save never overwrites)", path);
        failed = 1;
    } else {
        char meta[160];
        snprintf(meta, sizeof meta, "made=llmlab ui train view\nkind=%.60s\nstep=%d\n", w->objective,
                 steps_of(w));
        failed = (w->own ? w->t.save(w->t.self, meta, path, &err) : lm_checkpoint_save(&w->m, meta, path, &err)) != 0;
        if (failed) snprintf(msg, sizeof msg, "save failed: %.200s", err.msg);
        else snprintf(msg, sizeof msg, "saved %.200s (step %d)", path, steps_of(w));
    }
    pthread_mutex_lock(&w->mu);
    w->info.save_fails += (unsigned)failed;
    if (!failed) {
        w->info.saves++;
        snprintf(w->info.saved_path, sizeof w->info.saved_path, "%.500s", path);
        w->info.saved_step = steps_of(w);
    }
    snprintf(w->info.message, sizeof w->info.message, "%s", msg);
    changed(w);
    pthread_mutex_unlock(&w->mu);
}

/* One update and its record. single: a requested single step (published at
 * once); otherwise the weights are published every PUBLISH_EVERY_S. */
static void one_step(ui_worker *w, const lm_train_opts *opts, int single, double *last_pub) {
    lm_err err = {{0}};
    lm_objective *o = w->obj;
    uw_record r;
    memset(&r, 0, sizeof r);
    if (o->max_steps > 0 && steps_of(w) >= o->max_steps) {   /* nothing left to learn from (an n-gram's text) */
        char msg[96];
        snprintf(msg, sizeof msg, "done: all %d steps of the %s objective taken", o->max_steps, o->ops->name);
        set_state(w, UW_DONE, msg);
        return;
    }
    lm_model *m = w->own ? NULL : &w->m;   /* an objective with a model of its own gets none */
    int rc = o->ops->next_batch(o, steps_of(w), &err);
    if (rc == 0) rc = o->ops->step(o, m, opts, &r.figs, &err);
    if (rc) {
        set_state(w, UW_FAILED, err.msg);
        return;
    }
    r.step = steps_of(w);
    if (w->o.val_every > 0 && (r.step % w->o.val_every == 0 || r.step == 1))
        o->ops->validate(o, m, &r.figs, &err);   /* a failed validation just shows no figure */
    double t = now_s();
    pthread_mutex_lock(&w->mu);
    if (w->q_n == QCAP) { w->q_head = (w->q_head + 1) % QCAP; w->q_n--; }
    w->q[(w->q_head + w->q_n) % QCAP] = r;
    w->q_n++;
    w->info.step = r.step;
    if (single) w->info.state = w->run ? UW_RUNNING : UW_PAUSED;
    w->unpublished = 1;
    if (single || t - *last_pub >= PUBLISH_EVERY_S) {
        publish(w);
        *last_pub = t;
    }
    changed(w);
    pthread_mutex_unlock(&w->mu);
    if (w->o.sample_every > 0 && (r.step % w->o.sample_every == 0 || r.step == 1)) do_sample(w, r.step);
}

/* with mu held: is there something to do? */
static int has_command(const ui_worker *w) {
    if (w->quit || w->save_path) return 1;
    if (w->info.state == UW_FAILED || w->info.state == UW_DONE) return 0;
    return w->run || w->step_req > 0;
}

/* with mu held: waits for a command; before it waits, the last weights are
 * published (so a pause always shows the paused model) and idle is set */
static void wait_for_command(ui_worker *w) {
    while (!has_command(w)) {
        if (w->unpublished) publish(w);
        if (!w->info.idle) {
            w->info.idle = 1;
            changed(w);
        }
        pthread_cond_wait(&w->cv, &w->mu);
    }
    w->info.idle = 0;
}

static void *worker_main(void *p) {
    ui_worker *w = p;
    omp_set_num_threads(w->threads);   /* OpenMP thread counts are per thread */
    lm_err err = {{0}};
    if (prepare(w, &err)) {
        set_state(w, UW_FAILED, err.msg);
    } else {
        pthread_mutex_lock(&w->mu);
        w->info.state = w->run ? UW_RUNNING : UW_PAUSED;
        changed(w);
        pthread_mutex_unlock(&w->mu);
    }
    double last_pub = 0;
    lm_train_opts opts = lm_train_opts_default(w->o.total_steps);   /* THE warm-up rule */
    for (;;) {
        pthread_mutex_lock(&w->mu);
        wait_for_command(w);
        if (w->quit) {
            if (w->unpublished) publish(w);
            w->info.idle = 1;
            changed(w);
            pthread_mutex_unlock(&w->mu);
            break;
        }
        if (w->save_path) {
            char *path = w->save_path;
            w->save_path = NULL;
            pthread_mutex_unlock(&w->mu);
            do_save(w, path);
            free(path);
            continue;
        }
        int single = !w->run;
        if (w->step_req > 0) w->step_req--;
        opts.sched.max_lr = w->max_lr;
        opts.sched.min_lr = w->max_lr / 10;
        w->info.state = UW_RUNNING;
        pthread_mutex_unlock(&w->mu);
        one_step(w, &opts, single, &last_pub);
    }
    return NULL;
}

ui_worker *uw_start(const lm_model *src, const uw_opts *o, lm_err *err) {
    ui_worker *w = calloc(1, sizeof *w);
    if (!w) { lm_fail(err, "out of memory"); return NULL; }
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    pthread_cond_init(&w->ev, NULL);
    w->o = *o;
    snprintf(w->objective, sizeof w->objective, "%s", o->objective ? o->objective : "pretrain");
    w->o.objective = w->objective;
    w->o.data_path = NULL;
    if (o->data_path) {
        w->data_path = strdup(o->data_path);
        if (!w->data_path) { lm_fail(err, "out of memory"); uw_free(w); return NULL; }
        w->o.data_path = w->data_path;
    }
    if (w->o.T > src->cfg.n_ctx) w->o.T = src->cfg.n_ctx;
    if (w->o.T < 2) w->o.T = 2;
    if (w->o.B < 1) w->o.B = 1;
    w->max_lr = o->max_lr;
    w->threads = lm_get_threads();
    w->info.state = UW_LOADING;
    w->info.sample_step = -1;
    snprintf(w->info.data_desc, sizeof w->info.data_desc, "loading data...");
    if (lm_model_clone(&w->m, src, err)) { uw_free(w); return NULL; }
    lm_train_reset_optimizer(&w->m);   /* a fresh schedule for this session */
    w->tok = src->tokenizer_len ? lm_tok_deserialize(src->tokenizer_blob, src->tokenizer_len, err)
                                : lm_tok_byte_new();
    w->snap = malloc(sizeof(float) * src->n_params);
    if (o->n_sample_prompt) {
        w->sample_prompt = malloc(sizeof(int32_t) * o->n_sample_prompt);
        if (w->sample_prompt) {
            memcpy(w->sample_prompt, o->sample_prompt, sizeof(int32_t) * o->n_sample_prompt);
            w->n_sample_prompt = o->n_sample_prompt;
        }
    }
    if (!w->tok || !w->snap) {
        if (w->tok) lm_fail(err, "out of memory");
        uw_free(w);
        return NULL;
    }
    memcpy(w->snap, src->params, sizeof(float) * src->n_params);
    if (pthread_create(&w->th, NULL, worker_main, w) != 0) {
        lm_fail(err, "cannot start the training thread");
        uw_free(w);
        return NULL;
    }
    w->th_ok = 1;
    return w;
}

void uw_run(ui_worker *w, int run) {
    pthread_mutex_lock(&w->mu);
    w->run = run;
    /* the worker publishes its weights itself when it stops to wait */
    if (!run && w->info.state == UW_RUNNING) w->info.state = UW_PAUSED;
    pthread_cond_signal(&w->cv);
    changed(w);
    pthread_mutex_unlock(&w->mu);
}

void uw_step(ui_worker *w) {
    pthread_mutex_lock(&w->mu);
    if (!w->run && w->step_req < 100) w->step_req++;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

void uw_set_lr(ui_worker *w, float max_lr) {
    pthread_mutex_lock(&w->mu);
    w->max_lr = max_lr;
    pthread_mutex_unlock(&w->mu);
}

void uw_save(ui_worker *w, const char *path) {
    char *p = strdup(path);
    pthread_mutex_lock(&w->mu);
    if (!p) {
        snprintf(w->info.message, sizeof w->info.message, "save failed: out of memory");
        w->info.save_fails++;
        changed(w);
        pthread_mutex_unlock(&w->mu);
        return;
    }
    free(w->save_path);
    w->save_path = p;
    snprintf(w->info.message, sizeof w->info.message, "saving %.200s ...", path);
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

int uw_poll(ui_worker *w, uw_record *out, int max) {
    pthread_mutex_lock(&w->mu);
    int n = 0;
    while (n < max && w->q_n > 0) {
        out[n++] = w->q[w->q_head];
        w->q_head = (w->q_head + 1) % QCAP;
        w->q_n--;
    }
    pthread_mutex_unlock(&w->mu);
    return n;
}

int uw_snapshot(ui_worker *w, lm_model *dst, unsigned *seen) {
    int copied = 0;
    pthread_mutex_lock(&w->mu);
    if (w->snap_version != *seen && dst->n_params == w->m.n_params && dst->params) {
        memcpy(dst->params, w->snap, sizeof(float) * dst->n_params);
        *seen = w->snap_version;
        w->info.snap_step = w->snap_step;
        copied = 1;
    }
    pthread_mutex_unlock(&w->mu);
    return copied;
}

void uw_get_info(ui_worker *w, uw_info *info) {
    pthread_mutex_lock(&w->mu);
    *info = w->info;
    if (info->state == UW_RUNNING && !w->run) info->state = UW_PAUSED;
    pthread_mutex_unlock(&w->mu);
}

int uw_wait(ui_worker *w, int (*pred)(const uw_info *in, int queued, void *user), void *user,
            double timeout_s) {
    struct timespec dl;
    clock_gettime(CLOCK_REALTIME, &dl);
    double whole = floor(timeout_s);
    dl.tv_sec += (time_t)whole;
    dl.tv_nsec += (long)((timeout_s - whole) * 1e9);
    if (dl.tv_nsec >= 1000000000L) { dl.tv_sec++; dl.tv_nsec -= 1000000000L; }
    pthread_mutex_lock(&w->mu);
    int ok;
    while (!(ok = pred(&w->info, w->q_n, user)))
        if (pthread_cond_timedwait(&w->ev, &w->mu, &dl) == ETIMEDOUT) {
            ok = pred(&w->info, w->q_n, user);
            break;
        }
    pthread_mutex_unlock(&w->mu);
    return ok;
}

void uw_stop(ui_worker *w) {
    if (!w || !w->th_ok) return;
    pthread_mutex_lock(&w->mu);
    w->quit = 1;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->th, NULL);
    w->th_ok = 0;
}

void uw_free(ui_worker *w) {
    if (!w) return;
    uw_stop(w);
    lm_model_free(&w->m);
    if (w->tok) lm_tok_free(w->tok);
    lm_objective_free(w->obj);
    free(w->snap);
    free(w->sample_prompt);
    free(w->save_path);
    free(w->data_path);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    pthread_cond_destroy(&w->ev);
    free(w);
}
