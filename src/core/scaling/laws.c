/* laws.c - points and fits of the scaling laws of a results table
 * (see laws.h). */
#include "scaling/laws.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int same_size(const lm_scaling_row *a, const lm_scaling_row *b) {
    return a->size.n_layer == b->size.n_layer && a->size.d_model == b->size.d_model &&
           a->size.n_head == b->size.n_head && a->n_ctx == b->n_ctx && a->vocab_size == b->vocab_size;
}

/* order of sizes: N, then layers, width, heads, context, vocabulary */
static int size_cmp(const lm_scaling_row *a, const lm_scaling_row *b) {
    long long ka[6] = {a->params_nonembed, a->size.n_layer, a->size.d_model, a->size.n_head, a->n_ctx, a->vocab_size};
    long long kb[6] = {b->params_nonembed, b->size.n_layer, b->size.d_model, b->size.n_head, b->n_ctx, b->vocab_size};
    for (int i = 0; i < 6; i++)
        if (ka[i] != kb[i]) return ka[i] < kb[i] ? -1 : 1;
    return 0;
}

/* insertion sorts of row indices (a table has at most a few thousand rows) */
typedef int (*row_cmp)(const lm_scaling_table *t, int i, int j);
static void sort_rows(const lm_scaling_table *t, int *idx, int n, row_cmp cmp) {
    for (int i = 1; i < n; i++) {
        int v = idx[i], j = i;
        for (; j > 0 && cmp(t, idx[j - 1], v) > 0; j--) idx[j] = idx[j - 1];
        idx[j] = v;
    }
}
static int by_size(const lm_scaling_table *t, int i, int j) { return size_cmp(&t->rows[i], &t->rows[j]); }
static int by_compute(const lm_scaling_table *t, int i, int j) {
    double ci = lm_scaling_compute(&t->rows[i]), cj = lm_scaling_compute(&t->rows[j]);
    if (ci != cj) return ci < cj ? -1 : 1;
    double li = t->rows[i].val_loss, lj = t->rows[j].val_loss;
    if (li != lj) return li < lj ? -1 : 1;
    return i < j ? -1 : i > j;
}

static void fit_law(const lm_scaling_table *t, lm_scaling_law *law, int use_compute) {
    double x[LM_SCALING_MAX_ROWS], y[LM_SCALING_MAX_ROWS];
    for (int k = 0; k < law->n; k++) {
        const lm_scaling_row *r = &t->rows[law->idx[k]];
        x[k] = use_compute ? lm_scaling_compute(r) : (double)r->params_nonembed;
        y[k] = r->val_loss;
    }
    lm_err err = {{0}};
    law->fitted = lm_powerlaw_fit(x, y, law->n, &law->fit, &err) == 0;
    if (!law->fitted) snprintf(law->why, sizeof law->why, "no fit: %.150s", err.msg);
    /* 3 numbers through 3 points always fit: an offset needs a 4th to be tested */
    law->off_fitted = law->fitted && law->n >= 4 && lm_powerlaw_fit_offset(x, y, law->n, &law->off, NULL) == 0;
}

int lm_scaling_laws_fit(const lm_scaling_table *t, lm_scaling_laws *out, lm_err *err) {
    memset(out, 0, sizeof *out);
    int n = t->n;
    if (n < 1) return lm_fail(err, "no runs to fit a law to");
    out->buf = malloc((size_t)n * 5 * sizeof(int));
    if (!out->buf) return lm_fail(err, "out of memory");
    out->size_of = out->buf;
    out->size_row = out->buf + n;
    out->by_params.idx = out->buf + 2 * n;
    out->by_compute.idx = out->buf + 3 * n;
    int *order = out->buf + 4 * n;

    /* sizes in order of N */
    for (int i = 0; i < n; i++) order[i] = i;
    sort_rows(t, order, n, by_size);
    for (int k = 0; k < n; k++) {
        int i = order[k];
        if (k == 0 || !same_size(&t->rows[i], &t->rows[out->size_row[out->n_sizes - 1]]))
            out->size_row[out->n_sizes++] = i;
        out->size_of[i] = out->n_sizes - 1;
    }
    /* L(N): each size at its largest budget (the first row of the most tokens) */
    lm_scaling_law *lp = &out->by_params;
    for (int s = 0; s < out->n_sizes; s++) {
        int best = -1;
        for (int i = 0; i < n; i++)
            if (out->size_of[i] == s && (best < 0 || t->rows[i].tokens > t->rows[best].tokens)) best = i;
        lp->idx[lp->n++] = best;
    }
    fit_law(t, lp, 0);
    /* L(C): the compute frontier */
    lm_scaling_law *lc = &out->by_compute;
    for (int i = 0; i < n; i++) order[i] = i;
    sort_rows(t, order, n, by_compute);
    for (int k = 0; k < n; k++) {
        int i = order[k];
        if (lc->n == 0 || t->rows[i].val_loss < t->rows[lc->idx[lc->n - 1]].val_loss) lc->idx[lc->n++] = i;
    }
    fit_law(t, lc, 1);
    return 0;
}

void lm_scaling_laws_free(lm_scaling_laws *l) {
    free(l->buf);
    memset(l, 0, sizeof *l);
}
