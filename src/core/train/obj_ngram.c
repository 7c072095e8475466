/* obj_ngram.c - counting an n-gram model, chunk by chunk, as an objective
 * (see obj_ngram.h): each step scores the next chunk of the training stream
 * with the counts so far, then counts it; validation is the held-out
 * perplexity; the trainee saves the counts as an ngram model file. */
#include "train/obj_ngram.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "data/holdout.h"

typedef struct {
    lm_ngram_config cfg;
    lm_ngram *g;                  /* owned */
    int chunks, done;             /* chunks in a pass; chunks counted */
    lm_token_stream train, val;
    int window;                   /* validation windows (T) */
    size_t at, end;               /* the chunk next_batch chose */
    uint8_t *tok_blob;            /* the tokeniser, for the model file */
    size_t tok_len;
} ngram_state;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* where chunk s starts in the training stream */
static size_t chunk_start(const ngram_state *st, int s) {
    return (size_t)((uint64_t)s * st->train.n / (uint64_t)st->chunks);
}

static int prepare(lm_objective *o, const lm_tokenizer *t, const lm_data_opts *d, lm_err *err) {
    ngram_state *st = o->state;
    if (!d->train_path) return lm_fail(err, "counting n-grams needs a text file (--data)");
    int V = lm_tok_vocab_size(t);
    if (!st->g && !(st->g = lm_ngram_new(&st->cfg, V, err))) return -1;
    if (lm_ngram_vocab(st->g) != V)
        return lm_fail(err, "the counts are over %d ids but the tokeniser has %d", lm_ngram_vocab(st->g), V);
    if (lm_tok_serialize(t, &st->tok_blob, &st->tok_len, err) != 0) return -1;
    st->window = d->T >= 2 ? d->T : 128;
    if (lm_stream_load_head(&st->train, t, d->train_path, d->max_bytes, err) != 0) return -1;
    int rc = d->val_path ? lm_stream_load_head(&st->val, t, d->val_path, d->max_bytes, err)
                         : lm_stream_holdout(&st->train, &st->val, st->window, err);
    if (rc) return -1;
    if (st->train.n < (size_t)st->chunks)
        return lm_fail(err, "%s has %zu tokens to count, fewer than the %d chunks asked for", d->train_path,
                       st->train.n, st->chunks);
    if (st->train.n > LM_NGRAM_MAX_TOKENS)
        return lm_fail(err, "%s has %zu tokens to count; an n-gram model here counts at most %u (counts are "
                            "stored as exact f32 integers): count the head of the file (--max-bytes)",
                       d->train_path, st->train.n, LM_NGRAM_MAX_TOKENS);
    /* a resumed count must be the same text: its first chunks' tokens */
    if (st->done > 0 && lm_ngram_tokens(st->g) != chunk_start(st, st->done))
        return lm_fail(err, "the model counted %u tokens in %d chunks, but the first %d chunks of %s are %zu tokens "
                            "now: not the text it was counted on",
                       lm_ngram_tokens(st->g), st->done, st->done, d->train_path, chunk_start(st, st->done));
    o->n_train = (long)st->train.n;
    snprintf(o->desc, sizeof o->desc, "%zu tokens from %.200s in %d chunks, held out: %s (%zu tokens)", st->train.n,
             d->train_path, st->chunks, d->val_path ? "the --val file" : st->val.n ? "the last 5%" : "none",
             st->val.n);
    snprintf(o->meta, sizeof o->meta, "tokens_train=%zu\nchunks=%d\n", st->train.n, st->chunks);
    o->max_steps = st->chunks;   /* the text ends there */
    return 0;
}

static int next_batch(lm_objective *o, int step, lm_err *err) {
    ngram_state *st = o->state;
    if (step < 0 || step >= st->chunks)
        return lm_fail(err, "step %d: the text is counted in %d chunks (steps 0..%d)", step, st->chunks,
                       st->chunks - 1);
    if (step != st->done)
        return lm_fail(err, "step %d: %d chunks are counted; chunks are counted in order", step, st->done);
    st->at = chunk_start(st, step);
    st->end = chunk_start(st, step + 1);
    return 0;
}

/* mean -ln p of ids[at..end), each after the up to N-1 ids before it */
static double chunk_loss(const lm_ngram *g, const int32_t *ids, size_t at, size_t end) {
    size_t keep = (size_t)lm_ngram_query_order(g) - 1;
    double nats = 0;
    for (size_t i = at; i < end; i++) {
        size_t lo = i > keep ? i - keep : 0;
        nats -= log(lm_ngram_prob(g, ids + lo, i - lo, ids[i]));
    }
    return end > at ? nats / (double)(end - at) : 0;
}

static int step(lm_objective *o, lm_model *m, const lm_train_opts *opts, lm_figures *out, lm_err *err) {
    (void)m, (void)opts;   /* nothing to descend: counting has no gradient */
    ngram_state *st = o->state;
    double t0 = now_s();
    double loss = chunk_loss(st->g, st->train.ids, st->at, st->end);
    if (lm_ngram_count(st->g, st->train.ids + st->at, st->end - st->at, err) != 0) return -1;
    st->done++;
    double dt = now_s() - t0;
    out->n = 0;
    lm_figures_set(out, "loss", loss);
    lm_figures_set(out, "tok/s", dt > 0 ? (double)(st->end - st->at) / dt : 0);
    return 0;
}

static int validate(lm_objective *o, lm_model *m, lm_figures *out, lm_err *err) {
    (void)m, (void)err;
    ngram_state *st = o->state;
    double nats = 0;
    size_t scored = 0, W = (size_t)st->window;
    for (size_t at = 0; at + 1 < st->val.n; at += W) {
        size_t n = st->val.n - at < W ? st->val.n - at : W;
        nats += lm_ngram_nll(st->g, st->val.ids + at, n);
        scored += n - 1;
    }
    if (scored == 0) return 0;
    lm_figures_set(out, "val_loss", nats / (double)scored);
    lm_figures_set(out, "val_ppl", exp(nats / (double)scored));
    return 0;
}

/* ---- the trainee: the counts as a model file ---- */

/* The checkpoint of the counts so far: its head (kind, config, tokeniser)
 * and a parameter set that views the rows (freed by ckpt_free). */
typedef struct {
    lm_kind_ckpt k;
    lm_paramset ps;
    lm_param_range ranges[LM_NGRAM_MAX_ORDER];   /* "counts.1" .. "counts.N" */
    uint8_t config[LM_NGRAM_CONFIG_BYTES];
} ngram_ckpt;

static int ckpt_make(const ngram_state *st, ngram_ckpt *c, lm_err *err) {
    memset(c, 0, sizeof *c);
    uint64_t n;
    if (lm_ngram_serialize(st->g, c->config, &c->ps.params, &n, err) != 0) return -1;
    c->ps.n = (size_t)n;
    c->ps.adam_t = st->done;
    const int N = lm_ngram_config_of(st->g)->order;
    size_t off = 0;
    for (int lev = 1; lev <= N; lev++) {
        lm_param_range *r = &c->ranges[lev - 1];
        snprintf(r->name, sizeof r->name, "counts.%d", lev);
        r->offset = off;
        r->numel = 3 * (size_t)lm_ngram_rows(st->g, lev);
        r->decay = 0;
        off += r->numel;
    }
    c->ps.ranges = c->ranges;
    c->ps.n_ranges = N;
    c->k.ps = &c->ps;
    lm_file_parts *h = &c->k.head;
    snprintf(h->kind, sizeof h->kind, "%s", LM_KIND_NGRAM);
    h->config = c->config;
    h->config_bytes = sizeof c->config;
    h->tokenizer = st->tok_blob;
    h->tokenizer_len = st->tok_len;
    return 0;
}

static void ckpt_free(ngram_ckpt *c) { free(c->ps.params); }

static int tr_adam_t(const void *self) { return ((const ngram_state *)self)->done; }

static int tr_save(const void *self, const char *meta, const char *path, lm_err *err) {
    ngram_ckpt c;
    if (ckpt_make(self, &c, err) != 0) return -1;
    int rc = lm_checkpoint_save_kind(&c.k, meta, path, err);
    ckpt_free(&c);
    return rc;
}

static int tr_check(const void *self, size_t meta_len, const char *path, lm_err *err) {
    ngram_ckpt c;
    if (ckpt_make(self, &c, err) != 0) return -1;
    int rc = lm_checkpoint_check_kind(&c.k, meta_len, path, err);
    ckpt_free(&c);
    return rc;
}

static char *tr_rescue(const void *self, const char *meta, const char *path, const char *dir, lm_err *err) {
    ngram_ckpt c;
    if (ckpt_make(self, &c, err) != 0) return NULL;
    char *to = lm_checkpoint_rescue_kind(&c.k, meta, path, dir, err);
    ckpt_free(&c);
    return to;
}

static int trainee(lm_objective *o, lm_trainee *out, lm_err *err) {
    ngram_state *st = o->state;
    if (!st->g || !st->tok_blob) return lm_fail(err, "the n-gram count is not prepared");
    *out = (lm_trainee){st, tr_adam_t, tr_save, tr_check, tr_rescue};
    return 0;
}

static void free_state(void *p) {
    ngram_state *st = p;
    if (!st) return;
    lm_ngram_free(st->g);
    lm_stream_free(&st->train);
    lm_stream_free(&st->val);
    free(st->tok_blob);
    free(st);
}

static const lm_objective_ops ngram_ops = {
    .name = "ngram",
    .default_data = "data/corpus/train.txt",
    .default_val = "data/corpus/val.txt",
    .prepare = prepare,
    .next_batch = next_batch,
    .step = step,
    .validate = validate,
    .free_state = free_state,
    .trainee = trainee,
};

static lm_objective *make(const lm_ngram_config *c, lm_ngram *g, int done, int chunks, lm_err *err) {
    if (chunks < 1 || done < 0 || done > chunks) {
        lm_ngram_free(g);
        lm_fail(err, "%d of %d chunks: chunks must be at least 1", done, chunks);
        return NULL;
    }
    ngram_state *st = calloc(1, sizeof *st);
    if (!st) {
        lm_ngram_free(g);
        lm_fail(err, "out of memory");
        return NULL;
    }
    st->cfg = *c;
    st->g = g;
    st->done = done;
    st->chunks = chunks;
    return lm_objective_new(&ngram_ops, st, err);
}

lm_objective *lm_obj_ngram_new(const lm_ngram_config *c, int chunks, lm_err *err) {
    if (lm_ngram_config_check(c, err) != 0) return NULL;
    return make(c, NULL, 0, chunks, err);
}

lm_objective *lm_obj_ngram_resume(lm_ngram *g, int done, int chunks, lm_err *err) {
    return make(lm_ngram_config_of(g), g, done, chunks, err);
}

lm_ngram *lm_obj_ngram_model(lm_objective *o) {
    return o && o->ops == &ngram_ops ? ((ngram_state *)o->state)->g : NULL;
}
