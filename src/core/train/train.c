/* train.c - single update steps and validation loss (see train.h). */
#include "train/train.h"

#include <math.h>
#include <stdlib.h>
#include <time.h>

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

int lm_warmup_steps(int total_steps) {
    return total_steps / 10 < 100 ? total_steps / 10 : 100;
}

lm_train_opts lm_train_opts_default(int total_steps) {
    lm_train_opts o;
    o.sched.max_lr = 3e-4f;
    o.sched.min_lr = 3e-5f;
    o.sched.total_steps = total_steps;
    o.sched.warmup_steps = lm_warmup_steps(total_steps);
    o.adamw = lm_adamw_default();
    o.clip = 1.0f;
    return o;
}

void lm_train_reset_optimizer(lm_model *m) {
    free(m->adam_m);
    free(m->adam_v);
    m->adam_m = m->adam_v = NULL;
    m->adam_t = 0;
}

static int step(lm_model *m, const lm_batch *b, const float *mask, const lm_train_opts *o,
                lm_step_record *out, lm_err *err) {
    double t0 = now_s();
    int s = m->adam_t;
    if (lm_forward(m, b->tokens, b->targets, mask, b->B, b->T, err)) return -1;
    float loss = m->loss;
    if (!isfinite(loss)) {
        lm_fail(err, "the loss became %s at step %d; weights were not updated", isnan(loss) ? "NaN" : "inf",
                s + 1);
        return LM_TRAIN_NONFINITE;
    }
    lm_zero_grad(m);
    if (lm_backward(m, err)) return -1;
    float norm = lm_clip_grad(m, o->clip);
    if (!isfinite(norm)) {
        lm_fail(err, "the gradient norm became %s at step %d; weights were not updated",
                isnan(norm) ? "NaN" : "inf", s + 1);
        return LM_TRAIN_NONFINITE;
    }
    float lr = lm_schedule_lr(&o->sched, s);
    if (lm_adamw_step(m, &o->adamw, lr, err)) return -1;
    double dt = now_s() - t0;
    lm_step_record_fill(out, m->adam_t, loss, norm, lr, b, dt);
    return 0;
}

int lm_train_step(lm_model *m, const lm_batch *b, const lm_train_opts *o, lm_step_record *out,
                  lm_err *err) {
    return step(m, b, b->mask, o, out, err);
}

int lm_sft_step(lm_model *m, const lm_batch *b, const lm_train_opts *o, lm_step_record *out,
                lm_err *err) {
    if (!b->mask) return lm_fail(err, "an SFT step needs a loss mask");
    return step(m, b, b->mask, o, out, err);
}

void lm_step_record_fill(lm_step_record *out, int step, float loss, float grad_norm, float lr, const lm_batch *b,
                         double seconds) {
    if (!out) return;
    out->step = step;
    out->loss = loss;
    out->grad_norm = grad_norm;
    out->lr = lr;
    out->tokens = lm_batch_tokens(b);
    out->seconds = seconds;
    out->tokens_per_s = seconds > 0 ? (double)b->B * b->T / seconds : 0;
}

int lm_eval_loss_mean(double sum, double weight, float *loss, lm_err *err) {
    if (weight == 0) return lm_fail(err, "the validation batches carry no targets");
    *loss = (float)(sum / weight);
    if (!isfinite(*loss)) {
        lm_fail(err, "the validation loss is not finite");
        return LM_TRAIN_NONFINITE;
    }
    return 0;
}

int lm_eval_loss(lm_model *m, const lm_batch *batches, int n, float *loss, lm_err *err) {
    double sum = 0, weight = 0;
    for (int i = 0; i < n; i++) {
        const lm_batch *b = &batches[i];
        if (lm_forward(m, b->tokens, b->targets, b->mask, b->B, b->T, err)) return -1;
        long w = lm_batch_tokens(b);
        if (w == 0) continue;
        sum += (double)m->loss * w;
        weight += w;
    }
    return lm_eval_loss_mean(sum, weight, loss, err);
}
