/* obj_mlm.c - the masked-language-modelling objective (BERT's): random
 * windows of a text file, 15% of the ordinary positions chosen by BERT's rule
 * (data/mlm_mask.h: 80% become <|mask|>, 10% a random token, 10% stay), the
 * loss only on the chosen positions, for an encoder (a model whose attention
 * is bidirectional). Figures: the step's loss, grad_norm, lr, tok/s and
 * mask_acc (argmax = the original token, over the batch's chosen positions);
 * validation adds val_loss and val_mask_acc over fixed held-out batches
 * (nothing when they hold no blank) whose masks are drawn once (from the
 * seed), so they are comparable across steps and across a --resume. The trivial baseline (always the most common
 * ordinary token of the training text) is measured on the same held-out
 * blanks and written into desc and meta. (objective.h) */
#include "train/objective.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/holdout.h"
#include "data/mlm_mask.h"

typedef struct {
    lm_token_stream train, val;
    lm_mlm_rule rule;
    int32_t mask_id, n_ordinary;
    int32_t top_token;        /* the most common ordinary token of the training text */
    double baseline_acc;      /* top_token's share of the held-out blanks */
} mlm_state;

/* argmax of row[V] */
static int argmax(const float *row, int V) {
    int best = 0;
    for (int v = 1; v < V; v++)
        if (row[v] > row[best]) best = v;
    return best;
}

/* -log softmax(row)[y] in double */
static double nats(const float *row, int V, int y) {
    double mx = row[0], s = 0;
    for (int v = 1; v < V; v++) mx = row[v] > mx ? row[v] : mx;
    for (int v = 0; v < V; v++) s += exp(row[v] - mx);
    return log(s) + mx - row[y];
}

/* correct argmax and blanks (targets >= 0) of the last forward over b */
static void count_correct(const lm_model *m, const lm_batch *b, long *correct, long *blanks) {
    const int V = m->cfg.vocab_size;
    for (int r = 0; r < b->B; r++) {
        const float *lg = lm_logits(m, r);   /* [T, V] */
        for (int t = 0; t < b->T; t++) {
            int32_t want = b->targets[(size_t)r * b->T + t];
            if (want < 0) continue;
            *correct += argmax(lg + (size_t)t * V, V) == want;
            (*blanks)++;
        }
    }
}

static int32_t most_common(const lm_token_stream *s, int32_t n_ordinary, lm_err *err) {
    long *count = calloc((size_t)n_ordinary, sizeof *count);
    if (!count) return lm_fail(err, "out of memory");
    for (size_t i = 0; i < s->n; i++)
        if (s->ids[i] >= 0 && s->ids[i] < n_ordinary) count[s->ids[i]]++;
    int32_t best = 0;
    for (int32_t v = 1; v < n_ordinary; v++)
        if (count[v] > count[best]) best = v;
    free(count);
    return best;
}

/* "' the'" when the piece is printable ASCII, else "id 262" */
static void describe_token(const lm_tokenizer *t, int32_t id, char *out, size_t cap) {
    size_t len;
    const uint8_t *b = lm_tok_piece(t, id, &len);
    int ok = b && len > 0 && len < 24;
    for (size_t i = 0; ok && i < len; i++) ok = b[i] >= 0x20 && b[i] < 0x7f && b[i] != '\'';
    if (ok) snprintf(out, cap, "'%.*s'", (int)len, (const char *)b);
    else snprintf(out, cap, "id %d", id);
}

/* masks the fixed validation batches once, from the run's seed only */
static void mask_val(lm_objective *o, mlm_state *st, uint64_t seed, lm_err *err) {
    lm_rng rng;
    lm_rng_seed(&rng, seed ^ 0x6d6c6d2d76616cULL);   /* "mlm-val" */
    long hits = 0, blanks = 0;
    for (int i = 0; i < o->n_val; i++) {
        lm_batch *b = &o->val[i];
        lm_mlm_mask(b, &st->rule, st->mask_id, st->n_ordinary, &rng, NULL, err);
        for (long j = 0; j < (long)b->B * b->T; j++) {
            if (b->targets[j] < 0) continue;
            blanks++;
            hits += b->targets[j] == st->top_token;
        }
    }
    st->baseline_acc = blanks ? (double)hits / blanks : 0;
}

static int prepare(lm_objective *o, const lm_tokenizer *t, const lm_data_opts *d, lm_err *err) {
    mlm_state *st = o->state;
    if (!d->train_path) return lm_fail(err, "masked-LM needs a text file to train on");
    st->mask_id = lm_tok_special_id(t, LM_MLM_MASK);
    if (st->mask_id < 0)
        return lm_fail(err, "the model's tokeniser has no %s token, so it cannot be trained by masked-LM "
                            "(an encoder made by `llmlab mlm train` has one)", LM_MLM_MASK);
    st->n_ordinary = lm_tok_n_pieces(t);
    if (lm_stream_load_head(&st->train, t, d->train_path, d->max_bytes, err)) return -1;
    int rc = d->val_path ? lm_stream_load_head(&st->val, t, d->val_path, d->max_bytes, err)
                         : lm_stream_holdout(&st->train, &st->val, d->T, err);   /* THE hold-out rule */
    if (rc) return -1;
    if (st->train.n < (size_t)d->T + 1)
        return lm_fail(err, "%s has %zu tokens, fewer than one sequence of %d", d->train_path, st->train.n,
                       d->T + 1);
    lm_batch *vb = NULL;
    int nvb = 0;   /* a held-out part shorter than one window: no validation, not a failure */
    if (st->val.n >= (size_t)d->T + 1 &&
        lm_stream_val_batches(&st->val, d->B, d->T, d->val_batches, &vb, &nvb, err))
        return -1;
    if (lm_objective_setup(o, d, 0, vb, nvb, err)) return -1;
    if ((st->top_token = most_common(&st->train, st->n_ordinary, err)) < 0) return -1;
    mask_val(o, st, d->seed, err);
    o->n_train = (long)st->train.n;
    char top[40];
    describe_token(t, st->top_token, top, sizeof top);
    snprintf(o->desc, sizeof o->desc,
             "%zu training tokens from %.200s, validation: %s (%d batches); %.0f%% of positions chosen "
             "(%.0f%% of them %s, %.0f%% random, %.0f%% unchanged); always guessing %s fills %.1f%% of the "
             "held-out blanks",
             st->train.n, d->train_path, d->val_path ? "the --val file" : nvb ? "the last 5%" : "none", nvb,
             100.0 * st->rule.choose, 100.0 * st->rule.to_mask, LM_MLM_MASK, 100.0 * st->rule.to_random,
             100.0 * (1 - st->rule.to_mask - st->rule.to_random), top, 100.0 * st->baseline_acc);
    snprintf(o->meta, sizeof o->meta, "tokens_train=%zu\nmask_id=%d\nbaseline_token=%d\nbaseline_acc=%.4f\n",
             st->train.n, st->mask_id, st->top_token, st->baseline_acc);
    return 0;
}

static int next_batch(lm_objective *o, int step, lm_err *err) {
    (void)step;
    mlm_state *st = o->state;
    if (lm_stream_sample(&st->train, &o->rng, &o->batch, err)) return -1;
    return lm_mlm_mask(&o->batch, &st->rule, st->mask_id, st->n_ordinary, &o->rng, NULL, err) < 0 ? -1 : 0;
}

static int step(lm_objective *o, lm_model *m, const lm_train_opts *opts, lm_figures *out, lm_err *err) {
    mlm_state *st = o->state;
    if (!m->bidirectional)
        return lm_fail(err, "masked-LM trains an encoder, and this model's attention is causal (a decoder): "
                            "it could not read the words after a blank");
    if (st->mask_id >= m->cfg.vocab_size)
        return lm_fail(err, "the model has %d ids, too few for its tokeniser's %s (id %d)", m->cfg.vocab_size,
                       LM_MLM_MASK, st->mask_id);
    lm_step_record r;
    int rc = lm_train_step(m, &o->batch, opts, &r, err);
    if (rc) return rc;
    lm_figures_from_step(&r, out);
    long correct = 0, blanks = 0;   /* the logits of the forward the step took (before its update) */
    count_correct(m, &o->batch, &correct, &blanks);
    lm_figures_set(out, "mask_acc", blanks ? (double)correct / blanks : 0);
    return 0;
}

/* val_loss: the mean loss over every held-out blank (each batch weighted by
 * its blanks, as lm_eval_loss); val_mask_acc: the share filled correctly */
static int validate(lm_objective *o, lm_model *m, lm_figures *out, lm_err *err) {
    if (o->n_val == 0) return 0;
    double sum = 0;
    long correct = 0, blanks = 0;
    for (int i = 0; i < o->n_val; i++) {
        const lm_batch *b = &o->val[i];
        if (lm_forward(m, b->tokens, b->targets, b->mask, b->B, b->T, err)) return -1;
        long before = blanks;
        count_correct(m, b, &correct, &blanks);
        sum += (double)m->loss * (blanks - before);
    }
    if (blanks == 0) return 0;   /* a held-out part too small to draw a blank: nothing to measure */
    lm_figures_set(out, "val_loss", sum / blanks);
    lm_figures_set(out, "val_mask_acc", (double)correct / blanks);
    return 0;
}

int lm_mlm_compare(const lm_batch *batches, int n, lm_model *enc, lm_model *dec, int32_t baseline_token,
                   lm_mlm_comparison *out, lm_err *err) {
    memset(out, 0, sizeof *out);
    if (!enc->bidirectional || dec->bidirectional)
        return lm_fail(err, "compare: the first model must be an encoder and the second a decoder");
    const int Ve = enc->cfg.vocab_size, Vd = dec->cfg.vocab_size;
    for (int i = 0; i < n; i++) {
        const lm_batch *b = &batches[i];
        const size_t N = (size_t)b->B * b->T;
        int32_t *orig = malloc(sizeof *orig * N);   /* [B, T] the text before masking */
        if (!orig) return lm_fail(err, "out of memory");
        for (size_t j = 0; j < N; j++) {
            orig[j] = b->targets[j] >= 0 ? b->targets[j] : b->tokens[j];
            if (orig[j] >= Vd) {
                int32_t bad = orig[j];
                free(orig);
                return lm_fail(err, "compare: token %d is outside the decoder's %d ids", bad, Vd);
            }
        }
        int rc = lm_forward(dec, orig, NULL, NULL, b->B, b->T, err);   /* left context only */
        for (int r = 0; rc == 0 && r < b->B; r++)
            for (int t = 1; t < b->T; t++) {
                int32_t y = b->targets[(size_t)r * b->T + t];
                if (y < 0) continue;
                const float *row = lm_logits(dec, r) + (size_t)(t - 1) * Vd;   /* predicts position t */
                out->dec_correct += argmax(row, Vd) == y;
                out->dec_nats += nats(row, Vd, y);
                out->base_correct += y == baseline_token;
                out->blanks++;
            }
        free(orig);
        if (rc == 0) rc = lm_forward(enc, b->tokens, NULL, NULL, b->B, b->T, err);   /* both sides */
        if (rc) return -1;
        for (int r = 0; r < b->B; r++)
            for (int t = 1; t < b->T; t++) {
                int32_t y = b->targets[(size_t)r * b->T + t];
                if (y < 0) continue;
                const float *row = lm_logits(enc, r) + (size_t)t * Ve;
                out->enc_correct += argmax(row, Ve) == y;
                out->enc_nats += nats(row, Ve, y);
            }
    }
    return 0;
}

static void free_state(void *p) {
    mlm_state *st = p;
    if (!st) return;
    lm_stream_free(&st->train);
    lm_stream_free(&st->val);
    free(st);
}

static const lm_objective_ops mlm_ops = {
    .name = "mlm",
    .default_data = "data/corpus/train.txt",
    .default_val = NULL,   /* the last 5% of the training text */
    .prepare = prepare,
    .next_batch = next_batch,
    .step = step,
    .validate = validate,
    .free_state = free_state,
};

lm_objective *lm_obj_mlm_new(lm_err *err) {
    mlm_state *st = calloc(1, sizeof *st);
    if (!st) {
        lm_fail(err, "out of memory");
        return NULL;
    }
    st->rule = lm_mlm_rule_bert();
    return lm_objective_new(&mlm_ops, st, err);
}
