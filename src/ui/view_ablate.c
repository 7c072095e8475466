/* view_ablate.c - head ablation: a grid of every head of every layer, any of
 * which a key or a click knocks out (its attention output zeroed before w_o,
 * model.h), and the next-token bars with all heads and with those knocked
 * out, side by side, with the change of each. The two distributions are
 * lm_ablation_next (models/gpt/lens.h), computed in poll; the session's
 * forward is run again afterwards so that the other panels keep reading the
 * whole model's activations. The view model itself is never left ablated. */
#include "ui/app.h"

#include "decode/prefill.h"
#include "models/gpt/lens.h"
#include "ui/curses_inc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ABL_K 12

typedef struct {
    uint8_t *mask;                   /* [L, H] 1 = knocked out */
    int L, H;                        /* the shape mask was made for */
    int cl, ch;                      /* the cursor: layer, head */
    lm_ablation_diff d;
    int ok;
    char err[200];
    unsigned in_ver, w_ver, m_ver;
    int dirty;
} abl_state;

static void *abl_create(ui_app *a) {
    (void)a;
    abl_state *t = calloc(1, sizeof *t);
    if (t) t->dirty = 1;
    return t;
}

static void abl_free(void *st, ui_app *a) {
    (void)a;
    abl_state *t = st;
    if (!t) return;
    lm_ablation_diff_free(&t->d);
    free(t->mask);
    free(t);
}

static int n_off(const abl_state *t) {
    int n = 0;
    for (int i = 0; i < t->L * t->H; i++) n += t->mask[i];
    return n;
}

/* a mask of the model's shape (all heads on after a model change) */
static int fit_mask(abl_state *t, const lm_config *c) {
    if (t->mask && t->L == c->n_layer && t->H == c->n_head) return 0;
    free(t->mask);
    t->mask = calloc((size_t)c->n_layer * c->n_head, 1);
    t->L = c->n_layer; t->H = c->n_head; t->cl = t->ch = 0;
    return t->mask ? 0 : -1;
}

static void compute(abl_state *t, ui_app *a) {
    ui_session *s = &a->ses;
    lm_model *m = &a->ctx->model;
    lm_err err = {{0}};
    lm_ablation_diff_free(&t->d);
    t->ok = lm_ablation_next(m, t->mask, s->seq.ids + s->fwd_off, (size_t)s->T, ABL_K, &t->d, &err) == 0;
    if (!t->ok) snprintf(t->err, sizeof t->err, "ablation: %.180s", err.msg);
    ses_restore_forward(s);
}

static int abl_poll(void *st, ui_app *a, int active) {
    abl_state *t = st;
    if (!active) return 0;
    ui_session *s = &a->ses;
    int r = ses_update(s) ? UI_POLL_AGAIN : 0;
    if (!s->fwd_ok) return r;
    if (fit_mask(t, &a->ctx->model.cfg) != 0) {
        snprintf(t->err, sizeof t->err, "ablation: out of memory");
        t->ok = 0;
        return r;
    }
    if (s->inputs_ver != t->in_ver || s->weights_ver != t->w_ver || s->model_ver != t->m_ver) t->dirty = 1;
    if (!t->dirty) return r;
    t->in_ver = s->inputs_ver; t->w_ver = s->weights_ver; t->m_ver = s->model_ver;
    t->dirty = 0;
    compute(t, a);
    return r | UI_POLL_CHANGED;
}

/* ------------------------------------------------------------ drawing */

/* the heads grid; returns rows used */
static int draw_heads(const abl_state *t, ui_canvas *cv, int y, int h) {
    int W = cv->cols, cw = 7;
    int rows = t->L < h - 1 ? t->L : h - 1;
    draw_textf(cv, y, 1, W - 2, C_DIM, "heads (%d of %d knocked out; click or space to toggle):",
               n_off(t), t->L * t->H);
    for (int l = 0; l < rows; l++) {
        draw_textf(cv, y + 1 + l, 1, 8, C_DIM, "layer %d", l);
        for (int hh = 0; hh < t->H && 9 + (hh + 1) * cw <= W; hh++) {
            int off = t->mask[l * t->H + hh], cur = l == t->cl && hh == t->ch, x = 9 + hh * cw;
            int role = cur ? C_PICK : off ? C_ERR : C_OK;
            draw_textf(cv, y + 1 + l, x, cw - 1, role, cur ? "[%d.%d%s]" : " %d.%d%s ", l, hh, off ? "x" : " ");
            draw_add_hit(cv, y + 1 + l, x, cw - 1, HIT_HEAD, l, hh);
        }
    }
    return rows + 1;
}

/* the bars: all heads | heads knocked out | change */
static void draw_bars(const abl_state *t, const ui_app *a, ui_canvas *cv, int y, int h) {
    const lm_ablation_diff *d = &t->d;
    int W = cv->cols, bw = (W - 40) / 2;
    if (bw > 30) bw = 30;
    if (bw < 4 || h < 3) return;
    char piece[128], p1[128], p2[128];
    draw_piece(cv, a->ctx->tok, d->top_base, p1, sizeof p1);
    draw_piece(cv, a->ctx->tok, d->top_ablated, p2, sizeof p2);
    draw_textf(cv, y, 1, W - 2, C_DIM, "next token: top-1 %s -> %s; KL(all || knocked out) = %.4f nats", p1, p2, d->kl);
    int x1 = 14, x2 = x1 + bw + 9, x3 = x2 + bw + 9;
    draw_text(cv, y + 1, x1, bw + 8, C_TITLE, "all heads");
    draw_text(cv, y + 1, x2, bw + 8, C_TITLE, "knocked out");
    draw_text(cv, y + 1, x3, W - x3, C_TITLE, "change");
    for (int i = 0; i < d->k && i + 2 < h; i++) {
        int ry = y + 2 + i;
        double pb = d->p_base[i], pa = d->p_ablated[i], dd = pa - pb;
        draw_piece(cv, a->ctx->tok, d->id[i], piece, sizeof piece);
        draw_text(cv, ry, 1, 12, C_TOK0 + i % 8, piece);
        draw_bar(cv, ry, x1, bw, pb, C_BAR);
        draw_textf(cv, ry, x1 + bw + 1, 7, C_NORMAL, "%5.1f%%", 100.0 * pb);
        draw_bar(cv, ry, x2, bw, pa, C_BARCUT);
        draw_textf(cv, ry, x2 + bw + 1, 7, C_NORMAL, "%5.1f%%", 100.0 * pa);
        draw_textf(cv, ry, x3, W - x3, fabs(dd) < 0.0005 ? C_DIM : dd > 0 ? C_OK : C_ERR, "%+6.1f",
                   100.0 * dd);
    }
}

static void abl_draw(const void *st, const ui_app *a, ui_canvas *cv, int y, int h) {
    const abl_state *t = st;
    int W = cv->cols;
    if (!a->ses.fwd_ok || !t->ok || !t->mask) {
        draw_text(cv, y + 1, 2, W - 4, C_ERR, !a->ses.fwd_ok ? a->ses.fwd_err : t->err);
        return;
    }
    int x = 1 + draw_text(cv, y, 1, W - 2, C_TITLE, " head ablation ");
    draw_text_fit(cv, y, x, W - x, C_KEY, "  arrows move  space toggles  a: the whole layer  r: restore all",
                  "  space a r");
    int used = draw_heads(t, cv, y + 1, h - 1);
    draw_bars(t, a, cv, y + 2 + used, h - 2 - used);
}

/* ------------------------------------------------------------ keys */

static int act_move(ui_app *a, void *st, int k) {
    (void)a;
    abl_state *t = st;
    if (!t->mask) return 0;
    if (k == KEY_UP) t->cl = (t->cl + t->L - 1) % t->L;
    else if (k == KEY_DOWN) t->cl = (t->cl + 1) % t->L;
    else if (k == KEY_LEFT) t->ch = (t->ch + t->H - 1) % t->H;
    else t->ch = (t->ch + 1) % t->H;
    return 1;
}

static int act_toggle(ui_app *a, void *st, int k) {
    (void)a;
    abl_state *t = st;
    if (!t->mask) return 0;
    uint8_t *row = t->mask + t->cl * t->H;
    if (k == 'a') {   /* the whole layer: all off, or all back on when all are off */
        int all = 1;
        for (int h = 0; h < t->H; h++) all &= row[h];
        for (int h = 0; h < t->H; h++) row[h] = !all;
    } else if (k == 'r') {
        memset(t->mask, 0, (size_t)t->L * t->H);
    } else {
        row[t->ch] = !row[t->ch];
    }
    t->dirty = 1;
    return 1;
}

static const ui_binding abl_keys[] = {
    {KEY_UP, 0, act_move, "move between heads"},
    {KEY_DOWN, 0, act_move, "move between heads"},
    {KEY_LEFT, 0, act_move, "move between heads"},
    {KEY_RIGHT, 0, act_move, "move between heads"},
    {' ', 0, act_toggle, "knock the head out / back in"},
    {'\r', 0, act_toggle, "knock the head out / back in"},
    {'a', 0, act_toggle, "knock the whole layer out / back in"},
    {'r', 0, act_toggle, "restore every head"},
    {0, 0, NULL, NULL},
};

static void abl_click(void *st, ui_app *a, const ui_hit *h) {
    (void)a;
    abl_state *t = st;
    if (h->kind != HIT_HEAD || !t->mask || h->a >= t->L || h->b >= t->H) return;
    t->cl = h->a; t->ch = h->b;
    t->mask[h->a * t->H + h->b] ^= 1;
    t->dirty = 1;
}

const ui_panel panel_ablate = {
    .name = "Head ablation", .tab = "Ablate", .keys = abl_keys,
    .create = abl_create, .poll = abl_poll, .draw = abl_draw, .click = abl_click, .free = abl_free,
};
