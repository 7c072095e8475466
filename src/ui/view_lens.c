/* view_lens.c - the logit lens as a slide: a layers x positions grid (row
 * "emb" = the embeddings, then the stream after each block, the last row the
 * model's own output), each cell the token that layer would predict next,
 * shaded by its probability; under it, for the selected position, the
 * probability of one target token layer by layer as bars, and each layer's
 * top 3. The grid is lm_lens_compute (models/gpt/lens.h) over the session's
 * forward, computed in poll. */
#include "ui/app.h"

#include "models/gpt/lens.h"
#include "ui/curses_inc.h"

#include <stdlib.h>
#include <string.h>

#define LENS_K 8

typedef struct {
    lm_lens lz;
    int ok;
    char err[200];
    unsigned in_ver, w_ver, m_ver;   /* the session counters lz was computed at */
    int pos;                         /* selected position, -1 = the last */
    int tidx;                        /* target = the output row's tidx-th token at pos */
    int32_t target;                  /* -1 = the model's top-1 */
    int dirty;
} lens_state;

static void *lens_create(ui_app *a) {
    (void)a;
    lens_state *t = calloc(1, sizeof *t);
    if (t) { t->pos = -1; t->target = -1; t->dirty = 1; }
    return t;
}

static void lens_free_st(void *st, ui_app *a) {
    (void)a;
    lens_state *t = st;
    if (t) lm_lens_free(&t->lz);
    free(t);
}

static int lens_poll(void *st, ui_app *a, int active) {
    lens_state *t = st;
    if (!active) return 0;
    ui_session *s = &a->ses;
    int r = ses_update(s) ? UI_POLL_AGAIN : 0;
    if (s->model_ver != t->m_ver) { t->pos = -1; t->target = -1; t->tidx = 0; }
    if (s->inputs_ver != t->in_ver || s->weights_ver != t->w_ver || s->model_ver != t->m_ver) t->dirty = 1;
    if (!t->dirty || !s->fwd_ok) return r;
    t->in_ver = s->inputs_ver; t->w_ver = s->weights_ver; t->m_ver = s->model_ver;
    t->dirty = 0;
    if (t->pos >= s->T) t->pos = -1;
    lm_lens_free(&t->lz);
    lm_err err = {{0}};
    t->ok = lm_lens_compute(&t->lz, &a->ctx->model, 0, t->pos, t->target, LENS_K, &err) == 0;
    if (!t->ok) snprintf(t->err, sizeof t->err, "lens: %.180s", err.msg);
    return r | UI_POLL_CHANGED;
}

/* ------------------------------------------------------------ drawing */

static const char *row_label(int r, int L, char *buf, size_t cap) {
    if (r == 0) snprintf(buf, cap, "emb");
    else if (r == L) snprintf(buf, cap, "out%d", r);
    else snprintf(buf, cap, "L%d", r);
    return buf;
}

/* the grid: input tokens on top, one row per layer; returns rows used */
static int draw_grid(const lens_state *t, const ui_app *a, ui_canvas *cv, int y, int h) {
    const lm_lens *lz = &t->lz;
    const ui_session *s = &a->ses;
    int W = cv->cols, lw = 6, cw = W >= 160 ? 12 : 9;
    int ncol = (W - 2 - lw) / cw;
    if (ncol < 1 || h < 3) return 0;
    if (ncol > lz->T) ncol = lz->T;
    int first = lz->T - ncol;                 /* the window ends at the last position ... */
    if (lz->pos < first) first = lz->pos;     /* ... unless the selection is further left */
    char piece[128], lab[16];
    draw_text(cv, y, 1, lw, C_DIM, "input");
    for (int c = 0; c < ncol; c++) {
        int p = first + c, x = 1 + lw + c * cw;
        draw_piece(cv, a->ctx->tok, s->seq.ids[s->fwd_off + p], piece, sizeof piece);
        draw_text(cv, y, x, cw - 1, p == lz->pos ? C_PICK : C_TOK0 + p % 8, piece);
        draw_add_hit(cv, y, x, cw - 1, HIT_QUERY, p, 0);
    }
    int rows = lz->n_rows < h - 1 ? lz->n_rows : h - 1;
    for (int i = 0; i < rows; i++) {
        int r = lz->n_rows - rows + i, ry = y + 1 + i;   /* the last rows when short of space */
        draw_text(cv, ry, 1, lw, r == lz->n_rows - 1 ? C_TITLE : C_DIM, row_label(r, lz->n_rows - 1, lab, sizeof lab));
        for (int c = 0; c < ncol; c++) {
            int p = first + c, x = 1 + lw + c * cw;
            size_t cell = (size_t)r * lz->T + p;
            int lvl = (int)(lz->top_p[cell] * (UI_HEAT - 1) + 0.5f);
            int role = cv->mono ? C_NORMAL : C_HEAT0 + lvl;
            if (p == lz->pos && lz->top[cell] == lz->target) role = C_PICK;
            draw_fill(cv, ry, x, cw - 1, role);
            draw_piece(cv, a->ctx->tok, lz->top[cell], piece, sizeof piece);
            draw_text(cv, ry, x, cw - 1, role, piece);
            draw_add_hit(cv, ry, x, cw - 1, HIT_QUERY, p, 0);
        }
    }
    return rows + 1;
}

/* the target's probability per layer as bars, and each layer's top 3 */
static void draw_target(const lens_state *t, const ui_app *a, ui_canvas *cv, int y, int h) {
    const lm_lens *lz = &t->lz;
    int W = cv->cols, L = lz->n_rows - 1;
    char piece[128], lab[16];
    draw_piece(cv, a->ctx->tok, lz->target, piece, sizeof piece);
    int x = 1 + draw_textf(cv, y, 1, W - 2, C_DIM, "at position %d, P(", lz->pos);
    x += draw_text(cv, y, x, W - x, C_PICK, piece);
    x += draw_textf(cv, y, x, W - x, C_DIM, ") layer by layer%s", t->tidx ? "" : " (the model's answer)");
    draw_text(cv, y, x, W - x, C_KEY, "   Up/Down: another target");
    int bw = W >= 100 ? 30 : W / 4;
    for (int r = 0; r <= L && 1 + r < h; r++) {
        int ry = y + 1 + r;
        draw_text(cv, ry, 1, 5, C_DIM, row_label(r, L, lab, sizeof lab));
        draw_bar(cv, ry, 7, bw, lz->target_p[r], C_BAR);
        int xx = 8 + bw;
        xx += draw_textf(cv, ry, xx, W - xx, C_NORMAL, "%6.2f%% #%-5d", 100.0 * lz->target_p[r],
                         lz->target_rank[r] + 1);
        for (int i = 0; i < 3 && i < lz->k && xx < W - 12; i++) {   /* this layer's top 3 */
            int32_t id = lz->topk[(size_t)r * lz->k + i];
            draw_piece(cv, a->ctx->tok, id, piece, sizeof piece);
            int w0 = draw_text(cv, ry, xx + 1, 12, id == lz->target ? C_PICK : C_TOK0 + i, piece);
            draw_add_hit(cv, ry, xx + 1, w0, HIT_TOKEN, id, 0);
            xx += 1 + w0;
            xx += draw_textf(cv, ry, xx, W - xx, C_DIM, " %.0f%%", 100.0 * lz->topk_p[(size_t)r * lz->k + i]);
        }
    }
}

static void lens_draw(const void *st, const ui_app *a, ui_canvas *cv, int y, int h) {
    const lens_state *t = st;
    int W = cv->cols;
    if (!a->ses.fwd_ok || !t->ok) {
        draw_text(cv, y + 1, 2, W - 4, C_ERR, !a->ses.fwd_ok ? a->ses.fwd_err : t->err);
        return;
    }
    const lm_lens *lz = &t->lz;
    int x = 1 + draw_text(cv, y, 1, W - 2, C_TITLE, " logit lens ");
    x += draw_textf(cv, y, x, W - x, C_NORMAL, " position %d of 0-%d ", lz->pos, lz->T - 1);
    x += draw_text(cv, y, x, W - x, C_KEY, " Left/Right [ ] ");
    draw_text_fit(cv, y, x, W - x, C_DIM, "  each cell: the token that layer would predict next (shade = probability)",
                  "  cell = that layer's guess");
    int used = draw_grid(t, a, cv, y + 1, h - 1);
    if (h - 2 - used > 2) draw_target(t, a, cv, y + 2 + used, h - 2 - used);
}

/* ------------------------------------------------------------ keys */

static int act_pos(ui_app *a, void *st, int k) {
    lens_state *t = st;
    if (!t->ok || !a->ses.fwd_ok) return 0;
    int p = t->lz.pos, T = t->lz.T;
    if (k == KEY_LEFT || k == '[') p = p > 0 ? p - 1 : 0;
    else if (k == KEY_RIGHT || k == ']') p = p + 1 < T ? p + 1 : T - 1;
    else p = k == KEY_HOME ? 0 : T - 1;
    t->pos = p == T - 1 ? -1 : p;
    t->target = -1; t->tidx = 0;
    t->dirty = 1;
    return 1;
}

static int act_target(ui_app *a, void *st, int k) {
    lens_state *t = st;
    if (!t->ok || !a->ses.fwd_ok) return 0;
    const lm_lens *lz = &t->lz;
    int n = lz->k;
    t->tidx = (t->tidx + (k == KEY_UP ? n - 1 : 1)) % n;
    t->target = lz->topk[(size_t)(lz->n_rows - 1) * n + t->tidx];   /* the output row's list */
    t->pos = lz->pos;
    t->dirty = 1;
    return 1;
}

static const ui_binding lens_keys[] = {
    {KEY_LEFT, 0, act_pos, "previous / next position"},
    {KEY_RIGHT, 0, act_pos, "previous / next position"},
    {'[', 0, act_pos, "previous / next position"},
    {']', 0, act_pos, "previous / next position"},
    {KEY_HOME, 0, act_pos, "first / last position"},
    {KEY_END, 0, act_pos, "first / last position"},
    {KEY_UP, 0, act_target, "target: the output's previous / next most likely token"},
    {KEY_DOWN, 0, act_target, "target: the output's previous / next most likely token"},
    {0, 0, NULL, NULL},
};

/* a click on a column picks the position; on a token of a top-3 list, the target */
static void lens_click(void *st, ui_app *a, const ui_hit *h) {
    lens_state *t = st;
    if (!t->ok || !a->ses.fwd_ok) return;
    if (h->kind == HIT_QUERY && h->a >= 0 && h->a < t->lz.T) {
        t->pos = h->a == t->lz.T - 1 ? -1 : h->a;
        t->target = -1; t->tidx = 0;
    } else if (h->kind == HIT_TOKEN) {
        t->target = h->a;
        t->pos = t->lz.pos;
        t->tidx = -1;
        for (int i = 0; i < t->lz.k; i++)
            if (t->lz.topk[(size_t)(t->lz.n_rows - 1) * t->lz.k + i] == h->a) t->tidx = i;
        if (t->tidx < 0) t->tidx = 1;   /* not the model's answer: say so in the header */
    } else {
        return;
    }
    t->dirty = 1;
}

const ui_panel panel_lens = {
    .name = "Logit lens", .tab = "Lens", .keys = lens_keys,
    .create = lens_create, .poll = lens_poll, .draw = lens_draw, .click = lens_click, .free = lens_free_st,
};
