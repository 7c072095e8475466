/* obj_word2vec.c - skip-gram with negative sampling as an objective: the
 * word stream, the noise distribution, batches of pairs, SGD on the rows a
 * batch touched, the held-out loss (see obj_word2vec.h). */
#include "train/obj_word2vec.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/infile.h"
#include "data/holdout.h"
#include "models/word2vec/vocab.h"

#define MAX_TEXT_BYTES ((uint64_t)1 << 30)
#define MAX_VAL_PAIRS 65536

typedef struct {
    lm_w2v_config want;        /* a new model's config */
    lm_w2v m;
    int have_model;
    int32_t *train;            /* [n_train] the training words as ids */
    size_t n_train;
    int64_t *count;            /* [V] their counts */
    double *cdf;               /* [V] the noise distribution, cumulative */
    float *keep;               /* [V] subsampling: the chance an occurrence stays */
    double pairs_per_pass;     /* pairs one pass over the text gives, on average */
    int B;                     /* pairs per batch */
    lm_sgns_pair *pairs;       /* [B] this batch */
    int32_t *neg;              /* [B, K] */
    int32_t *scratch;          /* [B + 2W + 1] */
    int n_batch;
    lm_sgns_pair *vpairs;      /* [n_val] fixed held-out pairs */
    int32_t *vneg;             /* [n_val, K] */
    int n_val;
    uint8_t *touched;          /* [2V] rows of w_in, then w_out, this batch touched */
    int32_t *rows;             /* [B (K + 2)] their list (row r of w_out = V + r) */
    lm_kind_ckpt ckpt;
} w2v_state;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int read_text(const char *path, size_t max_bytes, uint8_t **text, size_t *len, lm_err *err) {
    if (lm_infile_read_all(path, "a training text", MAX_TEXT_BYTES, text, len, err)) return -1;
    if (max_bytes > 0 && *len > max_bytes) *len = max_bytes;
    return 0;
}

/* the ids of a text file in the model's words */
static int encode_file(w2v_state *st, const char *path, size_t max_bytes, int32_t **ids, size_t *n, lm_err *err) {
    uint8_t *text;
    size_t len;
    if (read_text(path, max_bytes, &text, &len, err)) return -1;
    int rc = lm_w2v_encode(st->m.words, text, len, ids, n, NULL, NULL, err);
    free(text);
    return rc;
}

/* the vocabulary of the training text and a fresh model over it */
static int new_model(w2v_state *st, const uint8_t *text, size_t len, uint64_t seed, lm_err *err) {
    lm_w2v_vocab v;
    if (lm_w2v_vocab_build(text, len, st->want.min_count, st->want.vocab, &v, err)) return -1;
    lm_w2v_config c = st->want;
    c.vocab = v.n;
    int rc = lm_w2v_init(&st->m, &c, v.words, seed, err);
    lm_w2v_vocab_free(&v);
    if (rc == 0) st->have_model = 1;
    return rc;
}

/* fixed held-out pairs and negatives from val[0..n) */
static int make_val(lm_objective *o, w2v_state *st, const int32_t *val, size_t n, int max_pairs, uint64_t seed,
                    lm_err *err) {
    const lm_w2v_config *c = &st->m.cfg;
    if (max_pairs > MAX_VAL_PAIRS) max_pairs = MAX_VAL_PAIRS;
    st->vpairs = malloc(sizeof *st->vpairs * (size_t)max_pairs);
    st->vneg = malloc(sizeof *st->vneg * (size_t)max_pairs * (size_t)c->negatives);
    int32_t *scratch = malloc(sizeof *scratch * ((size_t)max_pairs + 2 * (size_t)c->window + 1));
    if (!st->vpairs || !st->vneg || !scratch) { free(scratch); return lm_fail(err, "out of memory"); }
    lm_rng rng;
    lm_rng_seed(&rng, seed ^ 0x5EEDF00DULL);   /* the same pairs whatever step a run starts at */
    st->n_val = lm_sgns_pairs(val, n, st->keep, c->window, &rng, st->vpairs, max_pairs, scratch);
    lm_sgns_negatives(st->cdf, c->vocab, st->vpairs, st->n_val, c->negatives, &rng, st->vneg);
    free(scratch);
    (void)o;
    return 0;
}

static int prepare(lm_objective *o, const lm_tokenizer *t, const lm_data_opts *d, lm_err *err) {
    (void)t;   /* the model's own word list is the tokeniser */
    w2v_state *st = o->state;
    if (!d->train_path) return lm_fail(err, "word2vec needs a text file to train on");
    if (d->B < 1) return lm_fail(err, "word2vec: a batch needs at least one pair");
    uint8_t *text;
    size_t len;
    if (read_text(d->train_path, d->max_bytes, &text, &len, err)) return -1;
    int rc = st->have_model ? 0 : new_model(st, text, len, d->seed, err);
    if (rc == 0) rc = lm_w2v_encode(st->m.words, text, len, &st->train, &st->n_train, NULL, NULL, err);
    free(text);
    if (rc) return -1;
    const lm_w2v_config *c = &st->m.cfg;
    const int V = c->vocab, K = c->negatives, W = c->window;
    /* the held-out words: the --val file, or the last 5% of the stream */
    int32_t *val = NULL;
    size_t n_val = 0;
    if (d->val_path) {
        if (encode_file(st, d->val_path, d->max_bytes, &val, &n_val, err)) return -1;
    } else {
        n_val = lm_holdout_size(st->n_train, 2 * (size_t)W + 1);
        val = st->train + (st->n_train - n_val);   /* a view; the training part ends before it */
        st->n_train -= n_val;
    }
    rc = -1;
    if (st->n_train < 2) {
        lm_fail(err, "%s has %zu words of the vocabulary for training; word2vec needs at least 2", d->train_path,
                st->n_train);
        goto done;
    }
    st->count = calloc((size_t)V, sizeof *st->count);
    st->cdf = malloc(sizeof *st->cdf * (size_t)V);
    st->keep = malloc(sizeof *st->keep * (size_t)V);
    st->B = d->B;
    st->pairs = malloc(sizeof *st->pairs * (size_t)d->B);
    st->neg = malloc(sizeof *st->neg * (size_t)d->B * (size_t)K);
    st->scratch = malloc(sizeof *st->scratch * ((size_t)d->B + 2 * (size_t)W + 1));
    st->touched = calloc(2 * (size_t)V, 1);
    st->rows = malloc(sizeof *st->rows * (size_t)d->B * ((size_t)K + 2));
    if (!st->count || !st->cdf || !st->keep || !st->pairs || !st->neg || !st->scratch || !st->touched || !st->rows) {
        lm_fail(err, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < st->n_train; i++) st->count[st->train[i]]++;
    if (lm_sgns_noise_cdf(st->count, V, LM_SGNS_NOISE_POWER, st->cdf, err)) goto done;
    lm_sgns_keep_probs(st->count, V, (int64_t)st->n_train, c->subsample, st->keep);
    double kept = 0;
    for (int w = 0; w < V; w++) kept += (double)st->count[w] * st->keep[w];
    st->pairs_per_pass = kept * (W + 1);   /* each center: 2 E[b] = W + 1 contexts */
    if (n_val > 0 && make_val(o, st, val, n_val, d->val_batches * d->B, d->seed, err)) goto done;
    if (lm_objective_setup(o, d, 0, NULL, 0, err)) goto done;
    o->n_train = (long)st->n_train;
    snprintf(o->desc, sizeof o->desc,
             "%d words x %d numbers, %zu training words from %.200s (%.1f%% kept by subsampling), "
             "validation: %s (%d pairs)",
             V, c->dim, st->n_train, d->train_path, st->n_train ? 100 * kept / (double)st->n_train : 0,
             d->val_path ? "the --val file" : st->n_val ? "the last 5%" : "none", st->n_val);
    snprintf(o->meta, sizeof o->meta,
             "words=%d\ndim=%d\nwindow=%d\nnegatives=%d\nmin_count=%d\nsubsample=%g\nwords_train=%zu\n", V,
             c->dim, W, K, c->min_count, (double)c->subsample, st->n_train);
    rc = 0;
done:
    if (d->val_path) free(val);
    return rc;
}

static int next_batch(lm_objective *o, int step, lm_err *err) {
    (void)step;   /* the rng was seeded at the run's first step */
    w2v_state *st = o->state;
    const lm_w2v_config *c = &st->m.cfg;
    st->n_batch = lm_sgns_pairs(st->train, st->n_train, st->keep, c->window, &o->rng, st->pairs, st->B, st->scratch);
    if (st->n_batch == 0) return lm_fail(err, "word2vec: the text gave no (center, context) pair");
    lm_sgns_negatives(st->cdf, c->vocab, st->pairs, st->n_batch, c->negatives, &o->rng, st->neg);
    return 0;
}

/* marks row r (0..2V) as touched, listing it once */
static void touch(w2v_state *st, int32_t r, int *n) {
    if (!st->touched[r]) {
        st->touched[r] = 1;
        st->rows[(*n)++] = r;
    }
}

static int step(lm_objective *o, lm_model *m, const lm_train_opts *opts, lm_figures *out, lm_err *err) {
    (void)m;
    w2v_state *st = o->state;
    lm_w2v *w = &st->m;
    const int V = w->cfg.vocab, D = w->cfg.dim, K = w->cfg.negatives;
    double t0 = now_s();
    int total = opts->sched.total_steps > 0 ? opts->sched.total_steps : 1;
    double frac = (double)w->ps.adam_t / total;
    float lr = (float)(opts->sched.max_lr - (opts->sched.max_lr - opts->sched.min_lr) * (frac < 1 ? frac : 1));
    float *g_in = w->ps.grads, *g_out = w->ps.grads + (size_t)V * D;   /* zero outside the rows below */
    double loss = lm_sgns_loss(w->w_in, w->w_out, D, st->pairs, st->neg, st->n_batch, K, g_in, g_out);
    int n_rows = 0;
    for (int i = 0; i < st->n_batch; i++) {
        touch(st, st->pairs[i].center, &n_rows);
        touch(st, V + st->pairs[i].context, &n_rows);
        for (int k = 0; k < K; k++) touch(st, V + st->neg[(size_t)i * K + k], &n_rows);
    }
    double ss = 0;
    for (int r = 0; r < n_rows; r++) {
        const float *g = w->ps.grads + (size_t)st->rows[r] * D;   /* rows of w_in and w_out follow each other */
        for (int j = 0; j < D; j++) ss += (double)g[j] * g[j];
    }
    int finite = isfinite(loss) && isfinite(ss);
    for (int r = 0; r < n_rows; r++) {   /* SGD on the touched rows, then their gradients back to zero */
        float *p = w->ps.params + (size_t)st->rows[r] * D, *g = w->ps.grads + (size_t)st->rows[r] * D;
        for (int j = 0; j < D; j++) {
            if (finite) p[j] -= lr * g[j];
            g[j] = 0;
        }
        st->touched[st->rows[r]] = 0;
    }
    if (!finite) {
        lm_fail(err, "word2vec: the loss or its gradient is not finite at step %d (lr %g too large?)",
                w->ps.adam_t + 1, (double)lr);
        return LM_TRAIN_NONFINITE;
    }
    w->ps.adam_t++;
    double sec = now_s() - t0;
    lm_figures_set(out, "loss", loss / st->n_batch);
    lm_figures_set(out, "lr", lr);
    lm_figures_set(out, "pairs/s", sec > 0 ? st->n_batch / sec : 0);
    lm_figures_set(out, "epoch", st->pairs_per_pass > 0 ? (double)w->ps.adam_t * st->B / st->pairs_per_pass : 0);
    return 0;
}

static int validate(lm_objective *o, lm_model *m, lm_figures *out, lm_err *err) {
    (void)m; (void)err;
    w2v_state *st = o->state;
    if (st->n_val == 0) return 0;
    const lm_w2v *w = &st->m;
    double loss = lm_sgns_loss(w->w_in, w->w_out, w->cfg.dim, st->vpairs, st->vneg, st->n_val, w->cfg.negatives,
                               NULL, NULL);
    lm_figures_set(out, "val_loss", loss / st->n_val);
    return 0;
}

static int trainee(lm_objective *o, lm_trainee *out, lm_err *err) {
    w2v_state *st = o->state;
    if (!st->have_model) return lm_fail(err, "word2vec: no model yet (prepare first)");
    lm_w2v_file_head(&st->m, &st->ckpt.head);
    st->ckpt.ps = &st->m.ps;
    *out = lm_trainee_kind(&st->ckpt);
    return 0;
}

static void free_state(void *p) {
    w2v_state *st = p;
    if (!st) return;
    lm_w2v_free(&st->m);
    free(st->train); free(st->count); free(st->cdf); free(st->keep);
    free(st->pairs); free(st->neg); free(st->scratch);
    free(st->vpairs); free(st->vneg);
    free(st->touched); free(st->rows);
    free(st);
}

static const lm_objective_ops word2vec_ops = {
    .name = "word2vec",
    .default_data = "data/corpus/train.txt",
    .default_val = NULL,
    .prepare = prepare,
    .next_batch = next_batch,
    .step = step,
    .validate = validate,
    .free_state = free_state,
    .trainee = trainee,
};

lm_objective *lm_obj_word2vec_new(const lm_w2v_config *want, lm_w2v *resume, lm_err *err) {
    w2v_state *st = calloc(1, sizeof *st);
    if (!st) {
        if (resume) lm_w2v_free(resume);
        lm_fail(err, "out of memory");
        return NULL;
    }
    if (want) st->want = *want;
    if (resume) {
        st->m = *resume;   /* moved: the objective owns it now */
        memset(resume, 0, sizeof *resume);
        st->have_model = 1;
    } else if (!want || lm_w2v_config_check(want, err)) {
        if (!want) lm_fail(err, "word2vec: a new model needs its config");
        free(st);
        return NULL;
    }
    return lm_objective_new(&word2vec_ops, st, err);
}

const lm_w2v *lm_obj_word2vec_model(const lm_objective *o) {
    const w2v_state *st = o->state;
    return st->have_model ? &st->m : NULL;
}
