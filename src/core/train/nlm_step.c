/* nlm_step.c - one update, the validation loss and the checkpoint of a
 * feed-forward or recurrent LM (see nlm_step.h). */
#include "train/nlm_step.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

lm_kind_ckpt lm_nlm_ckpt(lm_nlm *m) {
    lm_kind_ckpt k;
    memset(&k, 0, sizeof k);
    snprintf(k.head.kind, sizeof k.head.kind, "%s", m->kind);
    k.head.config = m->config;
    k.head.config_bytes = m->config_bytes;
    k.head.tokenizer = m->tokenizer;
    k.head.tokenizer_len = m->tokenizer_len;
    k.ps = &m->ps;
    return k;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

int lm_nlm_train_step(lm_nlm *m, const lm_batch *b, const lm_train_opts *o, lm_step_record *out, lm_err *err) {
    double t0 = now_s();
    int s = m->ps.adam_t;
    float loss;
    if (m->ops->forward(m, b->tokens, b->targets, b->B, b->T, &loss, err)) return -1;
    if (!isfinite(loss)) {
        lm_fail(err, "the loss became %s at step %d; weights were not updated", isnan(loss) ? "NaN" : "inf", s + 1);
        return LM_TRAIN_NONFINITE;
    }
    lm_paramset_zero_grad(&m->ps);
    if (m->ops->backward(m, err)) return -1;
    float norm = lm_paramset_clip_grad(&m->ps, o->clip);
    if (!isfinite(norm)) {
        lm_fail(err, "the gradient norm became %s at step %d; weights were not updated", isnan(norm) ? "NaN" : "inf",
                s + 1);
        return LM_TRAIN_NONFINITE;
    }
    float lr = lm_schedule_lr(&o->sched, s);
    if (lm_paramset_adamw_step(&m->ps, &o->adamw, lr, err)) return -1;
    double dt = now_s() - t0;
    lm_step_record_fill(out, m->ps.adam_t, loss, norm, lr, b, dt);
    return 0;
}

int lm_nlm_eval_loss(lm_nlm *m, const lm_batch *batches, int n, float *loss, lm_err *err) {
    double sum = 0, weight = 0;
    for (int i = 0; i < n; i++) {
        const lm_batch *b = &batches[i];
        float l;
        if (m->ops->forward(m, b->tokens, b->targets, b->B, b->T, &l, err)) return -1;
        long w = lm_batch_tokens(b);
        sum += (double)l * w;
        weight += w;
    }
    return lm_eval_loss_mean(sum, weight, loss, err);
}

