/* worker.c - training steps on a worker thread (see worker.h). */
#include "ui/worker.h"

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
#include "data/dataset.h"
#include "decode/generate.h"
#include "io/modelfile.h"
#include "tok/tokenizer.h"
#include "train/train.h"

#define QCAP 4096
#define MAX_TEXT_BYTES (1u << 20)   /* first 1 MiB of the corpus is plenty for a live demo */
#define N_VAL 2

/* used when data/corpus/train.txt is absent: a few sentences to learn */
static const char builtin_text[] =
    "The cat sat on the mat. The dog sat on the log. The cat saw the dog and the dog saw the cat.\n"
    "A small model learns which letter follows which, then which word follows which.\n"
    "Every step moves the weights a little downhill on the loss.\n"
    LM_CHAT_EOT "\n"
    "Once upon a time there was a tiny transformer. It read the same story again and again,\n"
    "and each time it guessed the next token a little better than before.\n"
    LM_CHAT_EOT "\n"
    "One, two, three, four, five. Five, four, three, two, one. Red, green, blue. Blue, green, red.\n"
    "The sun rises in the east and sets in the west. The moon shines at night.\n";

struct ui_worker {
    pthread_t th;
    int th_ok;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    /* shared, under mu */
    int quit, run, step_req;
    float max_lr;
    char save_path[1024];
    uw_record q[QCAP];
    int q_head, q_n;
    float *snap;
    unsigned snap_version;
    uw_info info;
    /* worker-only */
    lm_model m;                 /* the working copy */
    lm_tokenizer *tok;
    uw_opts o;
    int32_t *sample_prompt;
    size_t n_sample_prompt;
    char data_path[1024];
    lm_token_stream stream, val_stream;
    lm_sft_set sft, sft_val;
    lm_batch batch, val[N_VAL];
    int n_val;
    lm_rng rng;
    int threads;
};

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* reads at most max bytes of a file */
static uint8_t *read_head(const char *path, size_t max, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    uint8_t *buf = malloc(max + 1);
    if (!buf) { fclose(f); return NULL; }
    *len = fread(buf, 1, max, f);
    fclose(f);
    return buf;
}

static int stream_from_file(ui_worker *w, lm_token_stream *s, const char *path, size_t max,
                            lm_err *err) {
    size_t len = 0;
    uint8_t *text = read_head(path, max, &len);
    if (!text) return lm_fail(err, "cannot read %s", path);
    int rc = lm_stream_from_text(s, w->tok, text, len, err);
    free(text);
    return rc;
}

static void set_state(ui_worker *w, uw_state st, const char *msg) {
    pthread_mutex_lock(&w->mu);
    w->info.state = st;
    if (msg) snprintf(w->info.message, sizeof w->info.message, "%.250s", msg);
    pthread_mutex_unlock(&w->mu);
}

/* the batches of an lm_*_val_batches call move into w->val */
static void take_val_batches(ui_worker *w, lm_batch *vb, int nvb) {
    for (int i = 0; i < nvb; i++) w->val[i] = vb[i];
    w->n_val = nvb;
    free(vb);
}

static int load_pretrain(ui_worker *w, lm_err *err) {
    const char *desc = "built-in text";
    char path[1024], vpath[1024];
    int have = w->o.data_path ? (snprintf(path, sizeof path, "%s", w->o.data_path), 0)
                              : cli_find_shipped("data/corpus/train.txt", path, sizeof path);
    if (have == 0) {
        if (stream_from_file(w, &w->stream, path, MAX_TEXT_BYTES, err)) return -1;
        desc = path;
    } else if (lm_stream_from_text(&w->stream, w->tok, (const uint8_t *)builtin_text,
                                   sizeof builtin_text - 1, err)) {
        return -1;
    }
    int T = w->o.T;
    if (w->stream.n < (size_t)T + 2) {
        T = (int)w->stream.n / 2;
        if (T < 2) return lm_fail(err, "the training text is too short (%zu tokens)", w->stream.n);
        w->o.T = T;
    }
    /* validation: data/corpus/val.txt, else the last tenth of the stream */
    const char *vdesc = "last 10% held out";
    if (!w->o.data_path && cli_find_shipped("data/corpus/val.txt", vpath, sizeof vpath) == 0 &&
        stream_from_file(w, &w->val_stream, vpath, MAX_TEXT_BYTES / 4, err) == 0 &&
        w->val_stream.n > (size_t)T + 1) {
        vdesc = "val.txt";
    } else {
        lm_stream_free(&w->val_stream);
        size_t nv = w->stream.n / 10;
        if (nv < (size_t)T + 2) nv = (size_t)T + 2;
        if (w->stream.n - nv < (size_t)T + 2) nv = 0;   /* too small: validate on training text */
        w->val_stream.ids = malloc(sizeof(int32_t) * (nv ? nv : w->stream.n));
        if (!w->val_stream.ids) return lm_fail(err, "out of memory");
        if (nv) {
            memcpy(w->val_stream.ids, w->stream.ids + w->stream.n - nv, sizeof(int32_t) * nv);
            w->val_stream.n = nv;
            w->stream.n -= nv;
        } else {
            memcpy(w->val_stream.ids, w->stream.ids, sizeof(int32_t) * w->stream.n);
            w->val_stream.n = w->stream.n;
            vdesc = "training text";
        }
    }
    if (lm_batch_alloc(&w->batch, w->o.B, T, 0, err)) return -1;
    /* the same spread-out validation windows as `llmlab train` */
    lm_batch *vb;
    int nvb;
    if (lm_stream_val_batches(&w->val_stream, w->o.B, T, N_VAL, &vb, &nvb, err)) return -1;
    take_val_batches(w, vb, nvb);
    pthread_mutex_lock(&w->mu);
    snprintf(w->info.data_desc, sizeof w->info.data_desc, "pretrain on %.150s (%zu tokens), val: %s, B=%d T=%d",
             desc, w->stream.n, vdesc, w->o.B, T);
    pthread_mutex_unlock(&w->mu);
    return 0;
}

static int load_sft(ui_worker *w, lm_err *err) {
    char path[1024], vpath[1024];
    if (w->o.data_path) snprintf(path, sizeof path, "%s", w->o.data_path);
    else if (cli_find_shipped("data/gen/sft_train.jsonl", path, sizeof path))
        return lm_fail(err, "no SFT data: data/gen/sft_train.jsonl is missing");
    int T = w->o.T;
    if (lm_sft_load(&w->sft, w->tok, path, T + 1, err)) return -1;
    if (w->sft.n == 0) return lm_fail(err, "%s holds no examples", path);
    const lm_sft_set *vs = &w->sft;
    const char *vdesc = "training examples";
    if (!w->o.data_path && cli_find_shipped("data/gen/sft_val.jsonl", vpath, sizeof vpath) == 0 &&
        lm_sft_load(&w->sft_val, w->tok, vpath, T + 1, err) == 0 && w->sft_val.n > 0) {
        vs = &w->sft_val;
        vdesc = "sft_val.jsonl";
    }
    if (lm_batch_alloc(&w->batch, w->o.B, T, 1, err)) return -1;
    /* the same spread-out validation batches as `llmlab sft` */
    lm_batch *vb;
    int nvb;
    if (lm_sft_val_batches(vs, 1, w->o.B, T, N_VAL, &vb, &nvb, err)) return -1;
    take_val_batches(w, vb, nvb);
    pthread_mutex_lock(&w->mu);
    snprintf(w->info.data_desc, sizeof w->info.data_desc, "SFT on %.150s (%d examples), val: %s, B=%d T=%d",
             path, w->sft.n, vdesc, w->o.B, T);
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

static void publish(ui_worker *w) {   /* called with mu held */
    memcpy(w->snap, w->m.params, sizeof(float) * w->m.n_params);
    w->snap_version++;
}

static void do_sample(ui_worker *w, int step) {
    if (!w->n_sample_prompt) return;
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
    pthread_mutex_unlock(&w->mu);
    free(text);
}

static void do_save(ui_worker *w, const char *path) {
    char msg[256];
    lm_err err = {{0}};
    if (access(path, F_OK) == 0) {
        snprintf(msg, sizeof msg, "not saved: %.200s exists (save never overwrites)", path);
    } else {
        char meta[128];
        snprintf(meta, sizeof meta, "made=llmlab ui train view\nsteps=%d\n", w->m.adam_t);
        if (lm_save(&w->m, meta, path, &err)) snprintf(msg, sizeof msg, "save failed: %.200s", err.msg);
        else snprintf(msg, sizeof msg, "saved %.200s (step %d)", path, w->m.adam_t);
    }
    set_state(w, w->info.state, msg);
}

static void *worker_main(void *p) {
    ui_worker *w = p;
    omp_set_num_threads(w->threads);   /* OpenMP thread counts are per thread */
    lm_err err = {{0}};
    int rc = w->o.mode == UW_SFT ? load_sft(w, &err) : load_pretrain(w, &err);
    if (rc) {
        set_state(w, UW_FAILED, err.msg);
    } else {
        pthread_mutex_lock(&w->mu);
        w->info.state = w->run ? UW_RUNNING : UW_PAUSED;
        pthread_mutex_unlock(&w->mu);
    }
    double last_pub = 0;
    lm_train_opts opts = lm_train_opts_default(w->o.total_steps);
    opts.sched.warmup_steps = w->o.total_steps / 50 > 0 ? w->o.total_steps / 50 : 1;
    for (;;) {
        pthread_mutex_lock(&w->mu);
        while (!w->quit && !w->save_path[0] &&
               (w->info.state == UW_FAILED || w->info.state == UW_DONE || (!w->run && !w->step_req)))
            pthread_cond_wait(&w->cv, &w->mu);
        if (w->quit) { pthread_mutex_unlock(&w->mu); break; }
        if (w->save_path[0]) {
            char path[1024];
            snprintf(path, sizeof path, "%s", w->save_path);
            w->save_path[0] = '\0';
            pthread_mutex_unlock(&w->mu);
            do_save(w, path);
            continue;
        }
        int single = !w->run;
        if (w->step_req > 0) w->step_req--;
        opts.sched.max_lr = w->max_lr;
        opts.sched.min_lr = w->max_lr / 10;
        w->info.state = UW_RUNNING;
        pthread_mutex_unlock(&w->mu);

        lm_step_record sr;
        int src = w->o.mode == UW_SFT ? lm_sft_sample(&w->sft, &w->rng, 1, &w->batch, &err)
                                      : lm_stream_sample(&w->stream, &w->rng, &w->batch, &err);
        if (src == 0)
            src = w->o.mode == UW_SFT ? lm_sft_step(&w->m, &w->batch, &opts, &sr, &err)
                                      : lm_train_step(&w->m, &w->batch, &opts, &sr, &err);
        if (src) {
            set_state(w, UW_FAILED, err.msg);
            continue;
        }
        uw_record r = {sr.step, sr.loss, sr.lr, sr.grad_norm, sr.tokens_per_s, NAN};
        if (w->o.val_every > 0 && (sr.step % w->o.val_every == 0 || sr.step == 1)) {
            float vl;
            if (lm_eval_loss(&w->m, w->val, w->n_val, &vl, &err) == 0) r.val_loss = vl;
        }
        double t = now_s();
        pthread_mutex_lock(&w->mu);
        if (w->q_n == QCAP) { w->q_head = (w->q_head + 1) % QCAP; w->q_n--; }
        w->q[(w->q_head + w->q_n) % QCAP] = r;
        w->q_n++;
        w->info.step = sr.step;
        if (single) w->info.state = w->run ? UW_RUNNING : UW_PAUSED;
        if (single || !w->run || t - last_pub >= 0.25) {
            publish(w);
            last_pub = t;
        }
        pthread_mutex_unlock(&w->mu);
        if (w->o.sample_every > 0 && (sr.step % w->o.sample_every == 0 || sr.step == 1))
            do_sample(w, sr.step);
    }
    return NULL;
}

ui_worker *uw_start(const lm_model *src, const uw_opts *o, lm_err *err) {
    ui_worker *w = calloc(1, sizeof *w);
    if (!w) { lm_fail(err, "out of memory"); return NULL; }
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    w->o = *o;
    w->o.data_path = NULL;
    if (o->data_path) {
        snprintf(w->data_path, sizeof w->data_path, "%s", o->data_path);
        w->o.data_path = w->data_path;
    }
    if (w->o.T > src->cfg.n_ctx) w->o.T = src->cfg.n_ctx;
    if (w->o.T < 2) w->o.T = 2;
    if (w->o.B < 1) w->o.B = 1;
    w->max_lr = o->max_lr;
    w->threads = lm_get_threads();
    lm_rng_seed(&w->rng, o->seed);
    w->info.state = UW_LOADING;
    w->info.sample_step = -1;
    snprintf(w->info.data_desc, sizeof w->info.data_desc, "loading data...");
    if (lm_model_alloc(&w->m, &src->cfg, err)) { free(w); return NULL; }
    memcpy(w->m.params, src->params, sizeof(float) * src->n_params);
    w->tok = src->tokenizer_len ? lm_tok_deserialize(src->tokenizer_blob, src->tokenizer_len, err)
                                : lm_tok_byte_new();
    if (src->tokenizer_len) {
        w->m.tokenizer_blob = malloc(src->tokenizer_len);
        if (w->m.tokenizer_blob) {
            memcpy(w->m.tokenizer_blob, src->tokenizer_blob, src->tokenizer_len);
            w->m.tokenizer_len = src->tokenizer_len;
        }
    }
    w->snap = malloc(sizeof(float) * src->n_params);
    if (o->n_sample_prompt) {
        w->sample_prompt = malloc(sizeof(int32_t) * o->n_sample_prompt);
        if (w->sample_prompt) {
            memcpy(w->sample_prompt, o->sample_prompt, sizeof(int32_t) * o->n_sample_prompt);
            w->n_sample_prompt = o->n_sample_prompt;
        }
    }
    if (!w->tok || !w->snap || (src->tokenizer_len && !w->m.tokenizer_blob)) {
        if (w->tok) lm_fail(err, "out of memory");
        uw_free(w);
        return NULL;
    }
    memcpy(w->snap, src->params, sizeof(float) * src->n_params);
    lm_train_reset_optimizer(&w->m);   /* a fresh schedule for this session */
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
    if (!run && w->info.state == UW_RUNNING) w->info.state = UW_PAUSED;
    if (!run) publish(w);
    pthread_cond_signal(&w->cv);
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
    pthread_mutex_lock(&w->mu);
    snprintf(w->save_path, sizeof w->save_path, "%s", path);
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

void uw_free(ui_worker *w) {
    if (!w) return;
    if (w->th_ok) {
        pthread_mutex_lock(&w->mu);
        w->quit = 1;
        pthread_cond_signal(&w->cv);
        pthread_mutex_unlock(&w->mu);
        pthread_join(w->th, NULL);
    }
    lm_model_free(&w->m);
    if (w->tok) lm_tok_free(w->tok);
    lm_stream_free(&w->stream);
    lm_stream_free(&w->val_stream);
    lm_sft_free(&w->sft);
    lm_sft_free(&w->sft_val);
    lm_batch_free(&w->batch);
    for (int i = 0; i < w->n_val; i++) lm_batch_free(&w->val[i]);
    free(w->snap);
    free(w->sample_prompt);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    free(w);
}
