/* sweep.c - sizes, budgets and runs of a scaling-law sweep (see sweep.h). */
#include "scaling/sweep.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "models/gpt/params.h"

/* ---- sizes and budgets as text ---- */

int lm_scaling_default_heads(int d_model) { return d_model / 32 > 1 ? d_model / 32 : 1; }

/* a whole number of 1..max digits at *p (no sign, no spaces); advances *p */
static int read_uint(const char **p, long max, long *out) {
    const char *s = *p;
    long v = 0;
    if (!isdigit((unsigned char)*s)) return -1;
    for (; isdigit((unsigned char)*s); s++) {
        v = v * 10 + (*s - '0');
        if (v > max) return -1;
    }
    *p = s;
    *out = v;
    return 0;
}

int lm_scaling_size_parse(const char *s, lm_scaling_size *out, lm_err *err) {
    const char *p = s;
    long L, C, H = 0;
    int ok = read_uint(&p, LM_SCALING_MAX_LAYERS, &L) == 0 && (*p == 'x' || *p == 'X');
    if (ok) p++;
    ok = ok && read_uint(&p, LM_SCALING_MAX_WIDTH, &C) == 0;
    if (ok && (*p == 'x' || *p == 'X')) {
        p++;
        ok = read_uint(&p, LM_SCALING_MAX_WIDTH, &H) == 0 && H >= 1;
    }
    if (!ok || *p || L < 1 || C < 1)
        return lm_fail(err, "size '%.40s' is not LAYERSxWIDTH or LAYERSxWIDTHxHEADS (e.g. 2x64 or 2x64x4; "
                            "layers 1..%d, width 1..%d)", s, LM_SCALING_MAX_LAYERS, LM_SCALING_MAX_WIDTH);
    if (H == 0) H = lm_scaling_default_heads((int)C);
    if (C % H != 0)
        return lm_fail(err, "size '%.40s': width %ld is not divisible by %ld heads", s, C, H);
    out->n_layer = (int)L;
    out->d_model = (int)C;
    out->n_head = (int)H;
    return 0;
}

char *lm_scaling_size_format(const lm_scaling_size *s, char *buf, size_t cap) {
    if (s->n_head == lm_scaling_default_heads(s->d_model)) snprintf(buf, cap, "%dx%d", s->n_layer, s->d_model);
    else snprintf(buf, cap, "%dx%dx%d", s->n_layer, s->d_model, s->n_head);
    return buf;
}

/* splits list at commas into items of < 64 bytes; calls one(item) for each */
typedef int (*item_fn)(const char *item, void *out, int i, lm_err *err);
static int parse_list(const char *list, const char *what, int max, item_fn one, void *out, lm_err *err) {
    int n = 0;
    const char *p = list;
    if (!*p) return lm_fail(err, "an empty list of %s", what);
    for (;;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        char item[64];
        if (len == 0) return lm_fail(err, "an empty item in the list of %s '%.60s'", what, list);
        if (len >= sizeof item) return lm_fail(err, "item '%.20s...' in the list of %s is too long", p, what);
        if (n == max) return lm_fail(err, "more than %d %s in one list", max, what);
        memcpy(item, p, len);
        item[len] = '\0';
        if (one(item, out, n, err)) return -1;
        n++;
        if (!e) return n;
        p = e + 1;
    }
}

static int one_size(const char *item, void *out, int i, lm_err *err) {
    return lm_scaling_size_parse(item, (lm_scaling_size *)out + i, err);
}

int lm_scaling_sizes_parse(const char *list, lm_scaling_size *out, int max, lm_err *err) {
    return parse_list(list, "sizes", max, one_size, out, err);
}

int lm_scaling_tokens_parse(const char *s, long long *out, lm_err *err) {
    const char *p = s;
    /* digits, an optional fraction, an optional k/M/G: no signs, exponents or spaces */
    while (isdigit((unsigned char)*p)) p++;
    int int_digits = (int)(p - s);
    if (*p == '.') {
        p++;
        while (isdigit((unsigned char)*p)) p++;
    }
    double mult = 1;
    if (*p == 'k' || *p == 'K') mult = 1e3, p++;
    else if (*p == 'm' || *p == 'M') mult = 1e6, p++;
    else if (*p == 'g' || *p == 'G') mult = 1e9, p++;
    if (int_digits == 0 || *p || (int)(p - s) > 24)
        return lm_fail(err, "token budget '%.40s' is not a count like 250000, 250k, 1.5M or 2G", s);
    double v = strtod(s, NULL) * mult;
    if (!(v >= 1 && v <= (double)LM_SCALING_MAX_TOKENS) || v != floor(v))
        return lm_fail(err, "token budget '%.40s' must be a whole number of tokens from 1 to 1e11", s);
    *out = (long long)v;
    return 0;
}

static int one_budget(const char *item, void *out, int i, lm_err *err) {
    return lm_scaling_tokens_parse(item, (long long *)out + i, err);
}

int lm_scaling_tokens_list_parse(const char *list, long long *out, int max, lm_err *err) {
    return parse_list(list, "token budgets", max, one_budget, out, err);
}

char *lm_scaling_tokens_format(long long n, char *buf, size_t cap) {
    static const struct { long long unit; const char *suffix; } units[] = {{1000000000LL, "G"}, {1000000, "M"}, {1000, "k"}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (n < units[i].unit) continue;
        long long u = units[i].unit;
        if (n % u == 0) { snprintf(buf, cap, "%lld%s", n / u, units[i].suffix); return buf; }
        if ((n * 10) % u == 0) { snprintf(buf, cap, "%lld.%lld%s", n / u, n % u * 10 / u, units[i].suffix); return buf; }
        if ((n * 100) % u == 0) {
            snprintf(buf, cap, "%lld.%02lld%s", n / u, n % u * 100 / u, units[i].suffix);
            return buf;
        }
    }
    snprintf(buf, cap, "%lld", n);
    return buf;
}

/* ---- models and parameters ---- */

int lm_scaling_config(const lm_scaling_size *s, const lm_scaling_plan *p, lm_config *cfg, lm_err *err) {
    *cfg = (lm_config){.n_layer = s->n_layer, .n_head = s->n_head, .d_model = s->d_model, .d_mlp = 4 * s->d_model,
                       .n_ctx = p->seq, .vocab_size = p->vocab_size, .pos = LM_POS_LEARNED, .act = LM_ACT_GELU};
    return lm_config_check(cfg, err);
}

static void add_nonembed(void *ctx, lm_param_id id, int layer, size_t offset, size_t numel) {
    (void)layer; (void)offset;
    if (id != LM_P_wte && id != LM_P_wpe) *(size_t *)ctx += numel;
}

size_t lm_param_count_nonembed(const lm_config *cfg) {
    if (lm_config_check(cfg, NULL) != 0) return 0;
    size_t n = 0;
    lm_param_walk(cfg, -1, add_nonembed, &n);
    return n;
}

/* ---- rows ---- */

double lm_scaling_compute(const lm_scaling_row *r) { return 6.0 * (double)r->params_nonembed * (double)r->tokens; }

double lm_scaling_tokens_per_param(const lm_scaling_row *r) {
    return r->params > 0 ? (double)r->tokens / (double)r->params : NAN;
}

int lm_scaling_row_plan(lm_scaling_row *r, const lm_scaling_size *s, long long tokens, const lm_scaling_plan *p,
                        lm_err *err) {
    memset(r, 0, sizeof *r);
    lm_config cfg;
    if (lm_scaling_config(s, p, &cfg, err)) return -1;
    if (p->batch < 1 || p->seq < 2) return lm_fail(err, "a sweep needs batch >= 1 and seq >= 2");
    if (tokens < 1 || tokens > LM_SCALING_MAX_TOKENS)
        return lm_fail(err, "token budget %lld is out of 1..%lld", tokens, LM_SCALING_MAX_TOKENS);
    long long per_step = (long long)p->batch * p->seq;
    long long steps = (tokens + per_step - 1) / per_step;
    if (steps > 100000000) return lm_fail(err, "token budget %lld needs more than 1e8 steps of %lld", tokens, per_step);
    r->size = *s;
    r->n_ctx = cfg.n_ctx;
    r->vocab_size = cfg.vocab_size;
    r->params = (long long)lm_param_count(&cfg);
    r->params_nonembed = (long long)lm_param_count_nonembed(&cfg);
    r->steps = (int)steps;
    r->batch = p->batch;
    r->seq = p->seq;
    r->tokens = steps * per_step;
    r->lr = p->lr;
    r->seed = p->seed;
    r->train_loss = r->val_loss = NAN;
    return 0;
}

int lm_scaling_same_run(const lm_scaling_row *a, const lm_scaling_row *b) {
    return a->size.n_layer == b->size.n_layer && a->size.d_model == b->size.d_model &&
           a->size.n_head == b->size.n_head && a->n_ctx == b->n_ctx && a->vocab_size == b->vocab_size &&
           a->tokens == b->tokens && a->batch == b->batch && a->seq == b->seq && a->lr == b->lr &&
           a->seed == b->seed;
}

/* ---- a run ---- */

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

int lm_scaling_run_begin(lm_scaling_run *r, lm_objective *obj, const lm_scaling_row *plan, lm_err *err) {
    memset(r, 0, sizeof *r);
    if (obj->batch.B != plan->batch || obj->batch.T != plan->seq)
        return lm_fail(err, "the objective was prepared for batches of %d x %d, the run wants %d x %d",
                       obj->batch.B, obj->batch.T, plan->batch, plan->seq);
    lm_scaling_plan p = {.batch = plan->batch, .seq = plan->seq, .lr = plan->lr, .seed = plan->seed,
                         .vocab_size = plan->vocab_size};
    lm_config cfg;
    if (lm_scaling_config(&plan->size, &p, &cfg, err) || lm_model_init(&r->m, &cfg, plan->seed, err)) return -1;
    r->row = *plan;
    r->obj = obj;
    lm_objective_seed(obj, plan->seed, 0);   /* every run sees the same batches */
    r->opts = lm_train_opts_default(plan->steps);
    r->opts.sched.max_lr = plan->lr;
    r->opts.sched.min_lr = plan->lr / 10;
    r->t0 = now_s();
    return 0;
}

int lm_scaling_run_step(lm_scaling_run *r, lm_figures *f, lm_err *err) {
    if (lm_scaling_run_done(r)) return lm_fail(err, "the run has done its %d steps", r->row.steps);
    lm_objective *o = r->obj;
    f->n = 0;
    int rc = o->ops->next_batch(o, r->step, err);
    if (rc == 0) rc = o->ops->step(o, &r->m, &r->opts, f, err);
    if (rc) return rc;
    double loss = lm_figures_get(f, "loss");
    if (!isnan(loss)) r->recent[r->n_recent++ % 20] = (float)loss;
    r->step++;
    return 0;
}

int lm_scaling_run_done(const lm_scaling_run *r) { return r->step >= r->row.steps; }

int lm_scaling_run_finish(lm_scaling_run *r, lm_err *err) {
    lm_figures v = {0};
    if (r->obj->ops->validate(r->obj, &r->m, &v, err)) return -1;
    double val = lm_figures_get(&v, "val_loss");
    if (isnan(val)) return lm_fail(err, "no validation loss: the held-out text is shorter than one sequence");
    int k = r->n_recent < 20 ? r->n_recent : 20;
    double mean = 0;
    for (int i = 0; i < k; i++) mean += r->recent[i];
    r->row.train_loss = k ? mean / k : NAN;
    r->row.val_loss = val;
    r->row.seconds = now_s() - r->t0;
    return 0;
}

void lm_scaling_run_free(lm_scaling_run *r) {
    lm_model_free(&r->m);
    memset(r, 0, sizeof *r);
}
