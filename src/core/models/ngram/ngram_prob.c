/* ngram_prob.c - smoothing: from counts to next-token probabilities, add-k
 * or interpolated Kneser-Ney (the formulas are in ngram.h), for one token,
 * for the whole vocabulary, for a text (nll), and level by level as a
 * lecture slide shows it (explain). */
#include "models/ngram/ngram_priv.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const NAMES[] = {"addk", "kn", "mkn"};

int lm_ngram_smoothing_parse(const char *name) {
    for (int i = 0; i < 3; i++)
        if (strcmp(name, NAMES[i]) == 0) return i;
    return -1;
}

const char *lm_ngram_smoothing_name(lm_ngram_smoothing s) {
    return (unsigned)s < 3 ? NAMES[s] : "?";
}

char *lm_ngram_describe_smoothing(const lm_ngram *g, char *buf, size_t cap) {
    if (g->q_smoothing == LM_NGRAM_ADDK)
        snprintf(buf, cap, "add-k (k = %g%s)", (double)g->q_k, g->q_k == 1.0f ? ", Laplace" : "");
    else if (g->q_discount > 0)
        snprintf(buf, cap, "interpolated Kneser-Ney (fixed discount %g)", (double)g->q_discount);
    else
        snprintf(buf, cap, "interpolated Kneser-Ney (%s discounts)",
                 g->q_smoothing == LM_NGRAM_KN ? "plain" : "modified");
    return buf;
}

int lm_ngram_set_query(lm_ngram *g, int order, lm_ngram_smoothing smoothing, float k, float discount,
                       lm_err *err) {
    if (order == 0) order = g->cfg.order;
    if (order < 1 || order > g->cfg.order)
        return lm_fail(err, "order %d: this model counted n-grams up to %d", order, g->cfg.order);
    lm_ngram_config c = {order, smoothing, k, discount};
    if (lm_ngram_config_check(&c, err) != 0) return -1;
    g->q_order = order;
    g->q_smoothing = smoothing;
    g->q_k = k;
    g->q_discount = discount;
    return 0;
}

int lm_ngram_query_order(const lm_ngram *g) { return g->q_order; }

void lm_ngram_get_query(const lm_ngram *g, int *order, lm_ngram_smoothing *smoothing, float *k, float *discount) {
    if (order) *order = g->q_order;
    if (smoothing) *smoothing = g->q_smoothing;
    if (k) *k = g->q_k;
    if (discount) *discount = g->q_discount;
}

/* ---- Kneser-Ney's pieces ---- */

/* level n is the top level of the query: its counts are raw ones */
static int is_top(const lm_ngram *g, int n) { return n == g->q_order; }

void lm_ngram_discounts(const lm_ngram *g, int n, double d[3]) {
    if (g->q_discount > 0) {
        d[0] = d[1] = d[2] = g->q_discount;
        return;
    }
    const uint32_t *h = is_top(g, n) ? g->raw_hist[n] : g->cont_hist[n];
    double n1 = h[1], n2 = h[2], n3 = h[3], n4 = h[4];
    double Y = n1 > 0 ? n1 / (n1 + 2 * n2) : 0.5;
    d[0] = d[1] = d[2] = Y;
    if (g->q_smoothing != LM_NGRAM_MKN) return;
    if (n2 > 0) d[1] = 2 - 3 * Y * n3 / n2;
    if (n3 > 0) d[2] = 3 - 4 * Y * n4 / n3;
    if (!(d[1] > 0)) d[1] = Y;
    if (!(d[2] > 0)) d[2] = Y;
}

static double discount_of(const double d[3], double a) {
    return a <= 0 ? 0 : a < 2 ? d[0] : a < 3 ? d[1] : d[2];
}

/* What level n knows about the context row r (level n-1): the total A,
 * gamma, and the counts used. */
typedef struct {
    double total, gamma;
    double d[3];
    const uint32_t *counts;   /* the children's counts used: raw or continuation */
} level_view;

/* 0 when the context is unseen at level n (A = 0) */
static int view_level(const lm_ngram *g, int n, uint32_t r, level_view *v) {
    const ng_level *P = &g->lv[n - 1];
    int top = is_top(g, n);
    uint32_t total = top ? P->raw_sum[r] : P->cont_sum[r];
    if (total == 0) return 0;
    uint32_t *const *nj = top ? P->raw_n : P->cont_n;
    lm_ngram_discounts(g, n, v->d);
    v->total = total;
    v->gamma = (v->d[0] * nj[0][r] + v->d[1] * nj[1][r] + v->d[2] * nj[2][r]) / total;
    v->counts = top ? g->lv[n].count : g->lv[n].cont;
    return 1;
}

/* the context length the query uses after n ids */
static size_t ctx_len(const lm_ngram *g, size_t n) {
    return n < (size_t)(g->q_order - 1) ? n : (size_t)(g->q_order - 1);
}

/* ---- one probability ---- */

static double prob_addk(const lm_ngram *g, const int32_t *ids, size_t n, int32_t w) {
    size_t L = ctx_len(g, n);
    uint32_t r = ng_node(g, ids + n - L, L);
    double S = 0, c = 0;
    if (r != NG_NONE) {
        S = g->lv[L].raw_sum[r];
        uint32_t x = ng_find(&g->lv[L + 1], r, (uint32_t)w);
        if (x != NG_NONE) c = g->lv[L + 1].count[x];
    }
    return (c + g->q_k) / (S + (double)g->q_k * g->vocab);
}

/* p_n for n = 1 .. L+1, lowest first; steps (may be NULL) records each */
static double prob_kn(const lm_ngram *g, const int32_t *ids, size_t n, int32_t w, lm_ngram_step *steps) {
    size_t L = ctx_len(g, n);
    double p = 1.0 / g->vocab;
    for (size_t c = 0; c <= L; c++) {   /* c = context length, level c + 1 */
        int lev = (int)c + 1;
        uint32_t r = ng_node(g, ids + n - c, c);
        level_view v;
        lm_ngram_step st = {.n = lev, .ctx_len = (int)c};
        if (r != NG_NONE) {
            uint32_t x = ng_find(&g->lv[lev], r, (uint32_t)w);
            st.raw = x != NG_NONE ? g->lv[lev].count[x] : 0;
            if (view_level(g, lev, r, &v)) {
                double a = x != NG_NONE ? v.counts[x] : 0;
                double D = discount_of(v.d, a);
                p = (a - D > 0 ? a - D : 0) / v.total + v.gamma * p;
                st.seen = 1;
                st.a = a;
                st.total = v.total;
                st.discount = D;
                st.gamma = v.gamma;
            }
        }
        st.p = p;
        if (steps) steps[c] = st;
    }
    return p;
}

double lm_ngram_prob(const lm_ngram *g, const int32_t *ids, size_t n, int32_t w) {
    return g->q_smoothing == LM_NGRAM_ADDK ? prob_addk(g, ids, n, w) : prob_kn(g, ids, n, w, NULL);
}

double lm_ngram_nll(const lm_ngram *g, const int32_t *ids, size_t n) {
    double s = 0;
    for (size_t i = 1; i < n; i++) s -= log(lm_ngram_prob(g, ids, i, ids[i]));
    return s;
}

/* ---- the whole distribution ---- */

void lm_ngram_dist(const lm_ngram *g, const int32_t *ids, size_t n, double *p) {
    const int V = g->vocab;
    size_t L = ctx_len(g, n);
    if (g->q_smoothing == LM_NGRAM_ADDK) {
        uint32_t r = ng_node(g, ids + n - L, L);
        double S = r != NG_NONE ? g->lv[L].raw_sum[r] : 0, den = S + (double)g->q_k * V;
        for (int i = 0; i < V; i++) p[i] = g->q_k / den;
        if (r == NG_NONE) return;
        const ng_level *C = &g->lv[L + 1];
        for (uint32_t x = g->lv[L].first_child[r]; x != NG_NONE; x = C->next_sib[x]) p[C->id[x]] += C->count[x] / den;
        return;
    }
    for (int i = 0; i < V; i++) p[i] = 1.0 / V;
    for (size_t c = 0; c <= L; c++) {
        int lev = (int)c + 1;
        uint32_t r = ng_node(g, ids + n - c, c);
        level_view v;
        if (r == NG_NONE || !view_level(g, lev, r, &v)) continue;
        for (int i = 0; i < V; i++) p[i] *= v.gamma;
        const ng_level *C = &g->lv[lev];
        for (uint32_t x = g->lv[c].first_child[r]; x != NG_NONE; x = C->next_sib[x]) {
            double a = v.counts[x], D = discount_of(v.d, a);
            if (a - D > 0) p[C->id[x]] += (a - D) / v.total;
        }
    }
}

/* ---- the slide ---- */

void lm_ngram_explain(const lm_ngram *g, const int32_t *ids, size_t n, int32_t w, lm_ngram_step *steps,
                      int *n_steps) {
    if (g->q_smoothing != LM_NGRAM_ADDK) {
        prob_kn(g, ids, n, w, steps);
        *n_steps = (int)ctx_len(g, n) + 1;
        return;
    }
    size_t L = ctx_len(g, n);
    uint32_t r = ng_node(g, ids + n - L, L);
    lm_ngram_step st = {.n = (int)L + 1, .ctx_len = (int)L};
    if (r != NG_NONE) {
        uint32_t x = ng_find(&g->lv[L + 1], r, (uint32_t)w);
        st.raw = x != NG_NONE ? g->lv[L + 1].count[x] : 0;
        st.total = g->lv[L].raw_sum[r];
        st.seen = st.total > 0;
    }
    st.a = st.raw;
    st.p = prob_addk(g, ids, n, w);
    steps[0] = st;
    *n_steps = 1;
}

int lm_ngram_seen_after(const lm_ngram *g, const int32_t *ids, size_t n, int32_t w, uint32_t *count) {
    for (size_t c = ctx_len(g, n) + 1; c-- > 0;) {
        uint32_t r = ng_node(g, ids + n - c, c);
        uint32_t x = r != NG_NONE ? ng_find(&g->lv[c + 1], r, (uint32_t)w) : NG_NONE;
        if (x != NG_NONE) {
            if (count) *count = g->lv[c + 1].count[x];
            return (int)c;
        }
    }
    if (count) *count = 0;
    return -1;
}
