/* obj_prompt_tune.c - the prompt-tuning objective: train a soft prompt
 * (models/softprompt) in front of a frozen model so that it answers a task
 * (data/task.h); the model's weights are never updated.
 *
 * A training row is  [P soft vectors] INPUT SEP " " ANSWER "\n"  (as token
 * ids: P placeholders, then the soft text's and the target's ids), padded
 * with id 0 to the longest row. The loss is the next-token cross-entropy on
 * the target's ids only (mask 1 there, 0 on the soft positions, the input,
 * the separator and the padding). A step: forward and backward through the
 * frozen model with the soft prompt attached (model.h, "soft inputs"), clip
 * the soft prompt's gradient, one AdamW step on the soft prompt alone.
 * Figures: loss, grad_norm, lr from a step; val_loss (the same loss over
 * every held-out item, THE hold-out rule of data/task.h) and accuracy (the
 * share of held-out items the soft prompt answers right, eval/prompting.h)
 * from validate. Validation also checks that the frozen weights still have
 * the CRC the soft prompt was made with, and fails if they do not.
 */
#include "train/objective.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "data/task.h"
#include "eval/prompting.h"

typedef struct {
    int32_t *ids;   /* [n] soft text then target */
    int n, n_target;
} example;

typedef struct {
    lm_model *frozen;        /* borrowed */
    lm_softprompt *sp;       /* borrowed */
    lm_tokenizer *tok;       /* the frozen model's, owned */
    lm_task task;
    example *ex;             /* [task.n]: training items, then held-out ones */
    int T;                   /* P + the longest example */
} pt_state;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* example i's ids: soft text, then target */
static int encode_item(pt_state *st, int i, lm_err *err) {
    const lm_task_item *it = &st->task.items[i];
    char *text = lm_task_text(&st->task, LM_TASK_SOFT, it, NULL, 0), *target = lm_task_target(it);
    lm_ids ids = {0};
    int rc = !text || !target ? lm_fail(err, "out of memory")
                              : lm_tok_encode(st->tok, (const uint8_t *)text, strlen(text), 0, &ids, err);
    size_t n_text = ids.n;
    if (rc == 0) rc = lm_tok_encode(st->tok, (const uint8_t *)target, strlen(target), 0, &ids, err);
    free(text);
    free(target);
    if (rc) {
        lm_ids_free(&ids);
        return -1;
    }
    st->ex[i] = (example){ids.ids, (int)ids.n, (int)(ids.n - n_text)};
    int len = st->sp->n_tokens + (int)ids.n;
    if (len > st->frozen->cfg.n_ctx)
        return lm_fail(err, "item %d (\"%.40s\") is %d tokens with the soft prompt; the context holds %d", i + 1,
                       it->input, len, st->frozen->cfg.n_ctx);
    if (len > st->T) st->T = len;
    return 0;
}

/* row r of b = example e (targets shifted by one, mask on the target's ids) */
static void fill_row(const pt_state *st, lm_batch *b, int r, const example *e) {
    int P = st->sp->n_tokens, T = b->T;
    int32_t *tok = b->tokens + (size_t)r * T, *tgt = b->targets + (size_t)r * T;
    float *mask = b->mask + (size_t)r * T;
    for (int t = 0; t < T; t++) {
        tok[t] = 0;
        tgt[t] = -1;
        mask[t] = 0;
    }
    if (!e) return;   /* an empty row (the last validation batch) */
    for (int j = 0; j < e->n; j++) tok[P + j] = e->ids[j];
    for (int j = e->n - e->n_target; j < e->n; j++) {   /* position P+j-1 predicts ids[j] */
        tgt[P + j - 1] = e->ids[j];
        mask[P + j - 1] = 1;
    }
}

static int prepare(lm_objective *o, const lm_tokenizer *t, const lm_data_opts *d, lm_err *err) {
    (void)t;   /* the frozen model's own tokeniser is used: it must outlive prepare */
    pt_state *st = o->state;
    if (!st->frozen || !st->sp)
        return lm_fail(err, "prompt-tune trains a soft prompt in front of a frozen model; start it with "
                            "`llmlab prompt-tune train -m MODEL --task FILE`");
    if (!d->train_path) return lm_fail(err, "prompt-tune needs a task file (--task)");
    if (d->val_path)
        return lm_fail(err, "prompt-tune holds out the last 5%% of the task's items; it takes no separate validation "
                            "file");
    lm_model *m = st->frozen;
    st->tok = m->tokenizer_len ? lm_tok_deserialize(m->tokenizer_blob, m->tokenizer_len, err) : lm_tok_byte_new();
    if (!st->tok || lm_task_load(&st->task, d->train_path, err)) return -1;
    st->ex = calloc((size_t)st->task.n, sizeof *st->ex);
    if (!st->ex) return lm_fail(err, "out of memory");
    st->T = 2;
    for (int i = 0; i < st->task.n; i++)
        if (encode_item(st, i, err)) return -1;
    if (lm_softprompt_attach(st->sp, m, err)) return -1;
    /* every held-out item, in fixed batches of B rows */
    int held = st->task.n - st->task.n_train, B = d->B;
    int nvb = (held + B - 1) / B;
    lm_batch *vb = calloc((size_t)nvb, sizeof *vb);
    if (!vb) return lm_fail(err, "out of memory");
    for (int i = 0; i < nvb; i++) {
        if (lm_batch_alloc(&vb[i], B, st->T, 1, err)) {
            lm_batches_free(vb, i);
            return -1;
        }
        for (int r = 0; r < B; r++) {
            int k = i * B + r;
            fill_row(st, &vb[i], r, k < held ? &st->ex[st->task.n_train + k] : NULL);
        }
    }
    lm_data_opts dd = *d;
    dd.T = st->T;
    if (lm_objective_setup(o, &dd, 1, vb, nvb, err)) return -1;
    o->n_train = st->task.n_train;
    snprintf(o->desc, sizeof o->desc,
             "task %s: %d training items, %d held out (the last 5%%) from %.200s; %d soft vectors x %d, "
             "rows of %d tokens, loss on the answers",
             st->task.name, st->task.n_train, held, d->train_path, st->sp->n_tokens, st->sp->d_model, st->T);
    snprintf(o->meta, sizeof o->meta, "task=%s\nsoft_tokens=%d\nitems=%d\nheld_out=%d\nfrozen_crc=%08x\n",
             st->task.name, st->sp->n_tokens, st->task.n_train, held, st->sp->base_crc);
    return 0;
}

static int next_batch(lm_objective *o, int step, lm_err *err) {
    (void)step;
    (void)err;
    pt_state *st = o->state;
    for (int r = 0; r < o->batch.B; r++)
        fill_row(st, &o->batch, r, &st->ex[lm_rng_below(&o->rng, (uint32_t)st->task.n_train)]);
    return 0;
}

static int step(lm_objective *o, lm_model *m, const lm_train_opts *opts, lm_figures *out, lm_err *err) {
    (void)m;   /* NULL: what trains is the soft prompt (ops->trainee) */
    pt_state *st = o->state;
    lm_model *f = st->frozen;
    lm_paramset *ps = &st->sp->ps;
    const lm_batch *b = &o->batch;
    double t0 = now_s();
    if (lm_forward(f, b->tokens, b->targets, b->mask, b->B, b->T, err)) return -1;
    float loss = f->loss;
    if (!isfinite(loss)) {
        lm_fail(err, "the loss became %s at step %d; the soft prompt was not updated", isnan(loss) ? "NaN" : "inf",
                ps->adam_t + 1);
        return LM_TRAIN_NONFINITE;
    }
    lm_paramset_zero_grad(ps);
    lm_zero_grad(f);   /* the frozen weights' gradients are computed on the way and never used */
    if (lm_backward(f, err)) return -1;
    float norm = lm_paramset_clip_grad(ps, opts->clip);
    if (!isfinite(norm)) {
        lm_fail(err, "the gradient norm became %s at step %d; the soft prompt was not updated",
                isnan(norm) ? "NaN" : "inf", ps->adam_t + 1);
        return LM_TRAIN_NONFINITE;
    }
    float lr = lm_schedule_lr(&opts->sched, ps->adam_t);
    if (lm_paramset_adamw_step(ps, &opts->adamw, lr, err)) return -1;
    double dt = now_s() - t0;
    out->n = 0;
    lm_figures_set(out, "loss", loss);
    lm_figures_set(out, "grad_norm", norm);
    lm_figures_set(out, "lr", lr);
    lm_figures_set(out, "tok/s", dt > 0 ? (double)b->B * b->T / dt : 0);
    return 0;
}

static int validate(lm_objective *o, lm_model *m, lm_figures *out, lm_err *err) {
    (void)m;
    pt_state *st = o->state;
    uint32_t crc = lm_softprompt_weights_crc(st->frozen);
    if (crc != st->sp->base_crc)
        return lm_fail(err, "the frozen model's weights changed (CRC %08x, was %08x)", crc, st->sp->base_crc);
    if (o->n_val == 0) return 0;
    float loss;
    if (lm_eval_loss(st->frozen, o->val, o->n_val, &loss, err)) return -1;
    double acc;
    if (lm_prompting_soft_accuracy(st->frozen, st->tok, &st->task, st->sp, &acc, err)) return -1;
    if (lm_softprompt_attach(st->sp, st->frozen, err)) return -1;   /* the accuracy detached it */
    lm_figures_set(out, "val_loss", loss);
    lm_figures_set(out, "accuracy", acc);
    return 0;
}

static int trainee(lm_objective *o, lm_trainee *out, lm_err *err) {
    pt_state *st = o->state;
    if (!st->sp) return lm_fail(err, "prompt-tune: no soft prompt to train");
    *out = lm_trainee_kind(&st->sp->ckpt);
    return 0;
}

static void free_state(void *p) {
    pt_state *st = p;
    if (!st) return;
    if (st->frozen) lm_softprompt_detach(st->frozen);
    for (int i = 0; st->ex && i < st->task.n; i++) free(st->ex[i].ids);
    free(st->ex);
    lm_task_free(&st->task);
    lm_tok_free(st->tok);
    free(st);
}

static const lm_objective_ops prompt_tune_ops = {
    .name = "prompt-tune",
    .default_data = "data/gen/sentiment.jsonl",
    .default_val = NULL,
    .prepare = prepare,
    .next_batch = next_batch,
    .step = step,
    .validate = validate,
    .free_state = free_state,
    .trainee = trainee,
};

lm_objective *lm_obj_prompt_tune_new(lm_model *frozen, lm_softprompt *sp, lm_err *err) {
    pt_state *st = calloc(1, sizeof *st);
    if (!st) {
        lm_fail(err, "out of memory");
        return NULL;
    }
    st->frozen = frozen;
    st->sp = sp;
    return lm_objective_new(&prompt_tune_ops, st, err);
}

