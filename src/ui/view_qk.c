/* view_qk.c - attention inside one head, as a slide: three T x T heatmaps
 * side by side (the Q.K scores before the mask, after the causal mask, after
 * softmax), each with its value legend; under them q, k and v of the chosen
 * position as heat rows with their norms, the head's output, what it adds to
 * the residual stream, and every head's share. The numbers are lm_qk_compute
 * (models/gpt/inside.h) over the session's forward, computed in poll. */
#include "ui/app.h"

#include "models/gpt/inside.h"
#include "ui/curses_inc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    lm_qk q;
    int ok;
    char err[200];
    unsigned in_ver, w_ver, m_ver;
    int layer, head, pos;            /* pos -1 = the last */
    int dirty;
} qk_state;

static void *qk_create(ui_app *a) {
    (void)a;
    qk_state *t = calloc(1, sizeof *t);
    if (t) { t->pos = -1; t->dirty = 1; }
    return t;
}

static void qk_free_st(void *st, ui_app *a) {
    (void)a;
    qk_state *t = st;
    if (t) lm_qk_free(&t->q);
    free(t);
}

static int qk_poll(void *st, ui_app *a, int active) {
    qk_state *t = st;
    if (!active) return 0;
    ui_session *s = &a->ses;
    int r = ses_update(s) ? UI_POLL_AGAIN : 0;
    if (s->model_ver != t->m_ver) { t->layer = t->head = 0; t->pos = -1; }
    if (s->inputs_ver != t->in_ver || s->weights_ver != t->w_ver || s->model_ver != t->m_ver) t->dirty = 1;
    if (!t->dirty || !s->fwd_ok) return r;
    t->in_ver = s->inputs_ver; t->w_ver = s->weights_ver; t->m_ver = s->model_ver;
    t->dirty = 0;
    if (t->pos >= s->T) t->pos = -1;
    lm_qk_free(&t->q);
    lm_err err = {{0}};
    t->ok = lm_qk_compute(&t->q, &a->ctx->model, 0, t->layer, t->head, t->pos, &err) == 0;
    if (!t->ok) snprintf(t->err, sizeof t->err, "qk: %.180s", err.msg);
    return r | UI_POLL_CHANGED;
}

/* ------------------------------------------------------------ drawing */

static int heat_role(const ui_canvas *cv, double v01) {
    if (v01 < 0) v01 = 0;
    if (v01 > 1) v01 = 1;
    return cv->mono ? C_NORMAL : C_HEAT0 + (int)(v01 * (UI_HEAT - 1) + 0.5);
}

/* the legend: "lo [cells] hi" */
static void draw_legend(ui_canvas *cv, int y, int x, int w, float lo, float hi) {
    int used = draw_textf(cv, y, x, w, C_DIM, "%.2f ", lo);
    for (int i = 0; i < UI_HEAT && used < w - 8; i++, used++) draw_heat(cv, y, x + used, 1, i / (double)(UI_HEAT - 1));
    draw_textf(cv, y, x + used, w - used, C_DIM, " %.2f", hi);
}

/* one matrix: columns [first, first + n), rows the same window; kind 0
 * scores, 1 masked, 2 probabilities */
static void draw_matrix(const lm_qk *q, ui_canvas *cv, int y, int x, int first, int n, int cw, int rows,
                        int kind) {
    const float *A = kind == 0 ? q->scores : kind == 1 ? q->masked : q->probs;
    float lo = INFINITY, hi = -INFINITY;
    for (int i = first; i < first + n; i++)
        for (int j = first; j < first + n; j++) {
            float v = A[(size_t)i * q->T + j];
            if (isinf(v)) continue;
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
    if (kind == 2) { lo = 0; hi = 1; }
    if (!(hi > lo)) hi = lo + 1;
    static const char *title[3] = {"scores q.k/sqrt(d)", "+ causal mask", "softmax = attention"};
    draw_text(cv, y, x, n * cw, C_TITLE, kind == 1 && !q->causal ? "no mask (encoder)" : title[kind]);
    if (cw >= 3)
        for (int j = 0; j < n; j++) draw_textf(cv, y + 1, x + j * cw, cw, C_DIM, "%*d", cw - 1, first + j);
    for (int r = 0; r < rows; r++) {
        int i = first + n - rows + r;   /* the last rows when short of space */
        for (int j = 0; j < n; j++) {
            int c = first + j, cx = x + j * cw;
            float v = A[(size_t)i * q->T + c];
            if (c > i && kind > 0 && q->causal) {   /* the future: -inf after the mask, 0 after softmax */
                draw_text(cv, y + 2 + r, cx, cw, C_DIM, cw >= 5 && kind == 1 ? " -inf" : " .");
                continue;
            }
            double v01 = (v - lo) / (hi - lo);
            draw_heat(cv, y + 2 + r, cx, cw - (cw > 2), v01);
            if (cw >= 5) draw_textf(cv, y + 2 + r, cx, cw - 1, heat_role(cv, v01), kind == 2 ? "%4.2f" : "%4.1f", v);
        }
    }
    draw_legend(cv, y + 2 + rows, x, n * cw, lo, hi);
}

/* a vector as one heat row: blue-ish low = most negative, high = most positive */
static void draw_vec(ui_canvas *cv, int y, int w, const char *name, const float *v, int n, float norm) {
    float mx = 0;
    for (int i = 0; i < n; i++) mx = fabsf(v[i]) > mx ? fabsf(v[i]) : mx;
    int x = 1 + draw_textf(cv, y, 1, w, C_NORMAL, "%-8s norm %8.4f [%d] ", name, norm, n);
    for (int i = 0; i < n && x + i < w; i++) draw_heat(cv, y, x + i, 1, mx > 0 ? (v[i] / mx + 1) / 2 : 0.5);
}

static void draw_vectors(const qk_state *t, const ui_app *a, ui_canvas *cv, int y, int h) {
    const lm_qk *q = &t->q;
    int W = cv->cols;
    char piece[128];
    if (h < 1) return;
    draw_piece(cv, a->ctx->tok, a->ses.seq.ids[a->ses.fwd_off + q->pos], piece, sizeof piece);
    int x = 1 + draw_textf(cv, y, 1, W - 2, C_DIM, "position %d (", q->pos);
    x += draw_text(cv, y, x, 20, C_PICK, piece);
    draw_textf(cv, y, x, W - x, C_DIM, "): q k v of head %d.%d%s   (heat: most negative .. most positive)",
               q->layer, q->head, q->rotary ? ", q and k after the rotation" : "");
    const char *nm[5] = {"q", "k", "v", "y=sum pv", "W_o y"};
    const float *vv[5] = {q->q, q->k, q->v, q->y, q->contrib};
    float nn[5] = {q->q_norm, q->k_norm, q->v_norm, q->y_norm, q->contrib_norm};
    int sz[5] = {q->hd, q->hd, q->hd, q->hd, q->C};
    for (int i = 0; i < 5 && 1 + i < h; i++) draw_vec(cv, y + 1 + i, W - 1, nm[i], vv[i], sz[i], nn[i]);
    if (h < 8) return;
    int yy = y + 6;
    draw_textf(cv, yy, 1, W - 2, C_DIM, "layer %d attention output norm %.4f; each head's share of the heads' norms:",
               q->layer, q->attn_norm);
    x = 1;
    for (int hh = 0; hh < q->H && x < W - 20; hh++) {
        int w0 = draw_textf(cv, yy + 1, x, 14, hh == q->head ? C_PICK : C_NORMAL, "head %d %4.1f%% ", hh,
                            100.0 * q->head_share[hh]);
        draw_add_hit(cv, yy + 1, x, w0, HIT_HEAD, q->layer, hh);
        draw_bar(cv, yy + 1, x + w0, 8, q->head_share[hh], C_BAR);
        x += w0 + 10;
    }
}

static void qk_draw(const void *st, const ui_app *a, ui_canvas *cv, int y, int h) {
    const qk_state *t = st;
    int W = cv->cols;
    if (!a->ses.fwd_ok || !t->ok) {
        draw_text(cv, y + 1, 2, W - 4, C_ERR, !a->ses.fwd_ok ? a->ses.fwd_err : t->err);
        return;
    }
    const lm_qk *q = &t->q;
    int x = 1 + draw_text(cv, y, 1, W - 2, C_TITLE, " attention inside ");
    x += draw_textf(cv, y, x, W - x, C_NORMAL, " layer %d head %d position %d of 0-%d ", q->layer, q->head,
                    q->pos, q->T - 1);
    draw_text_fit(cv, y, x, W - x, C_KEY, " PgUp/PgDn layer  Up/Down head  Left/Right position",
                  " PgUp/Dn Up/Dn L/R");
    int lw = 9, gap = 2, cw = 6;
    while (cw > 2 && lw + 3 * q->T * cw + 2 * gap > W - 2) cw--;
    int n = (W - 2 - lw - 2 * gap) / (3 * cw);
    if (n > q->T) n = q->T;
    int first = q->T - n;
    if (q->pos < first) first = q->pos;
    int vec_h = h >= 26 ? 8 : h >= 18 ? 6 : 0;
    int rows = h - 1 - 3 - vec_h - 1;
    if (rows > n) rows = n;
    if (rows < 1) return;
    char piece[128];
    for (int r = 0; r < rows; r++) {   /* query labels */
        int i = first + n - rows + r;
        draw_piece(cv, a->ctx->tok, a->ses.seq.ids[a->ses.fwd_off + i], piece, sizeof piece);
        draw_text(cv, y + 3 + r, 1, lw - 1, i == q->pos ? C_PICK : C_TOK0 + i % 8, piece);
        draw_add_hit(cv, y + 3 + r, 1, lw - 1, HIT_QUERY, i, 0);
    }
    for (int k = 0; k < 3; k++) draw_matrix(q, cv, y + 1, 1 + lw + k * (n * cw + gap), first, n, cw, rows, k);
    if (vec_h) draw_vectors(t, a, cv, y + 1 + 3 + rows + 1, vec_h);
}

/* ------------------------------------------------------------ keys */

static int act_move(ui_app *a, void *st, int k) {
    qk_state *t = st;
    if (!a->ses.fwd_ok) return 0;
    const lm_config *c = &a->ctx->model.cfg;
    int T = a->ses.T, p = t->pos < 0 ? T - 1 : t->pos;
    if (k == KEY_NPAGE || k == '>') t->layer = (t->layer + 1) % c->n_layer;
    else if (k == KEY_PPAGE || k == '<') t->layer = (t->layer + c->n_layer - 1) % c->n_layer;
    else if (k == KEY_DOWN) t->head = (t->head + 1) % c->n_head;
    else if (k == KEY_UP) t->head = (t->head + c->n_head - 1) % c->n_head;
    else if (k == KEY_LEFT) p = p > 0 ? p - 1 : 0;
    else if (k == KEY_RIGHT) p = p + 1 < T ? p + 1 : T - 1;
    else if (k == KEY_HOME) p = 0;
    else if (k == KEY_END) p = T - 1;
    t->pos = p == T - 1 ? -1 : p;
    t->dirty = 1;
    return 1;
}

static const ui_binding qk_keys[] = {
    {KEY_PPAGE, 0, act_move, "previous / next layer"},
    {KEY_NPAGE, 0, act_move, "previous / next layer"},
    {'<', 0, act_move, "previous / next layer"},
    {'>', 0, act_move, "previous / next layer"},
    {KEY_UP, 0, act_move, "previous / next head"},
    {KEY_DOWN, 0, act_move, "previous / next head"},
    {KEY_LEFT, 0, act_move, "previous / next position (its q, k, v below)"},
    {KEY_RIGHT, 0, act_move, "previous / next position (its q, k, v below)"},
    {KEY_HOME, 0, act_move, "first / last position"},
    {KEY_END, 0, act_move, "first / last position"},
    {0, 0, NULL, NULL},
};

/* a click on a query row picks the position; on a head's share, the head */
static void qk_click(void *st, ui_app *a, const ui_hit *h) {
    qk_state *t = st;
    if (!t->ok || !a->ses.fwd_ok) return;
    if (h->kind == HIT_QUERY && h->a >= 0 && h->a < t->q.T) t->pos = h->a == t->q.T - 1 ? -1 : h->a;
    else if (h->kind == HIT_HEAD && h->b >= 0 && h->b < t->q.H) t->head = h->b;
    else return;
    t->dirty = 1;
}

const ui_panel panel_qk = {
    .name = "Q.K inside", .tab = "QK", .keys = qk_keys,
    .create = qk_create, .poll = qk_poll, .draw = qk_draw, .click = qk_click, .free = qk_free_st,
};
