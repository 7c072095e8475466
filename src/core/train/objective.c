/* objective.c - named figures and the parts every LM objective shares
 * (see objective.h). */
#include "train/objective.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- figures ---- */

void lm_figures_set(lm_figures *fs, const char *name, double v) {
    for (int i = 0; i < fs->n; i++)
        if (strcmp(fs->f[i].name, name) == 0) {
            fs->f[i].value = v;
            return;
        }
    if (fs->n == LM_FIGURES_MAX) return;
    fs->f[fs->n].name = name;
    fs->f[fs->n].value = v;
    fs->n++;
}

double lm_figures_get(const lm_figures *fs, const char *name) {
    for (int i = 0; i < fs->n; i++)
        if (strcmp(fs->f[i].name, name) == 0) return fs->f[i].value;
    return NAN;
}

void lm_figures_merge(lm_figures *dst, const lm_figures *src) {
    for (int i = 0; i < src->n; i++) lm_figures_set(dst, src->f[i].name, src->f[i].value);
}

char *lm_figure_format(double v, char *buf, size_t cap) {
    double a = fabs(v);
    if (!isfinite(v)) snprintf(buf, cap, "%s", isnan(v) ? "nan" : v > 0 ? "inf" : "-inf");
    else if (a >= 1000) snprintf(buf, cap, "%.0f", v);
    else if (a >= 0.1 || v == 0) snprintf(buf, cap, "%.3f", v);
    else if (a >= 1e-3) snprintf(buf, cap, "%.4g", v);   /* a small loss: 0.0991, no exponent */
    else snprintf(buf, cap, "%.2e", v);                  /* learning rates */
    return buf;
}

char *lm_figures_format(const lm_figures *fs, char *buf, size_t cap) {
    size_t len = 0;
    if (cap) buf[0] = '\0';
    for (int i = 0; i < fs->n && len < cap; i++) {
        char v[32];
        int k = snprintf(buf + len, cap - len, "%s%s %s", i ? " " : "", fs->f[i].name,
                         lm_figure_format(fs->f[i].value, v, sizeof v));
        if (k < 0) break;
        len += (size_t)k;
    }
    return buf;
}

int lm_objective_need_causal(const lm_model *m, lm_err *err) {
    if (!m->bidirectional) return 0;
    return lm_fail(err, "next-token training needs a decoder: this model is an encoder (bidirectional "
                        "attention), which would see the very token it is asked to predict");
}

void lm_figures_from_step(const lm_step_record *r, lm_figures *out) {
    out->n = 0;
    lm_figures_set(out, "loss", r->loss);
    lm_figures_set(out, "grad_norm", r->grad_norm);
    lm_figures_set(out, "lr", r->lr);
    lm_figures_set(out, "tok/s", r->tokens_per_s);
}

/* ---- the objective object ---- */

lm_objective *lm_objective_new(const lm_objective_ops *ops, void *state, lm_err *err) {
    lm_objective *o = calloc(1, sizeof *o);
    if (!o) {
        if (ops->free_state) ops->free_state(state);
        lm_fail(err, "out of memory");
        return NULL;
    }
    o->ops = ops;
    o->state = state;
    return o;
}

void lm_objective_free(lm_objective *o) {
    if (!o) return;
    if (o->ops->free_state) o->ops->free_state(o->state);
    lm_batch_free(&o->batch);
    lm_batches_free(o->val, o->n_val);
    free(o);
}

void lm_objective_seed(lm_objective *o, uint64_t seed, int start_step) {
    /* a resumed run continues with batches its first part did not draw */
    lm_rng_seed(&o->rng, seed * 0x9E3779B97F4A7C15ULL + (uint64_t)start_step);
}

int lm_objective_setup(lm_objective *o, const lm_data_opts *d, int with_mask, lm_batch *vb, int n,
                       lm_err *err) {
    o->val = vb;
    o->n_val = n;
    lm_objective_seed(o, d->seed, d->start_step);
    return lm_batch_alloc(&o->batch, d->B, d->T, with_mask, err);
}

int lm_objective_val_loss(lm_objective *o, lm_model *m, lm_figures *out, lm_err *err) {
    if (o->n_val == 0) return 0;
    float loss;
    int rc = lm_eval_loss(m, o->val, o->n_val, &loss, err);
    if (rc) return rc;
    lm_figures_set(out, "val_loss", loss);
    return 0;
}
