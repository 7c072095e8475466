/* view_block.c - positions and the block, one panel with two modes ('m'):
 *   block      one position's path through one block, step by step (input,
 *              LN1, attention, residual add, LN2, MLP up, GELU, MLP down,
 *              residual add), each with its size, its norm as a bar and the
 *              vector as a heat row (lm_block_trace_compute)
 *   positions  the model's position encodings as a heatmap, positions down,
 *              dimensions across (learned wpe, the sinusoid table, or the
 *              rotary angles as cos) with each row's norm (lm_positions_compute)
 * Both are models/gpt/inside.h over the session's forward, computed in poll. */
#include "ui/app.h"

#include "models/gpt/inside.h"
#include "ui/curses_inc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int mode;                        /* 0 block, 1 positions */
    lm_block_trace bt;
    lm_positions ps;
    int ok, ps_ok;
    char err[200];
    unsigned in_ver, w_ver, m_ver;
    int layer, pos;                  /* pos -1 = the last */
    int dirty;
} blk_state;

static void *blk_create(ui_app *a) {
    (void)a;
    blk_state *t = calloc(1, sizeof *t);
    if (t) { t->pos = -1; t->dirty = 1; }
    return t;
}

static void blk_free_st(void *st, ui_app *a) {
    (void)a;
    blk_state *t = st;
    if (t) { lm_block_trace_free(&t->bt); lm_positions_free(&t->ps); }
    free(t);
}

static int blk_poll(void *st, ui_app *a, int active) {
    blk_state *t = st;
    if (!active) return 0;
    ui_session *s = &a->ses;
    int r = ses_update(s) ? UI_POLL_AGAIN : 0;
    if (s->model_ver != t->m_ver) { t->layer = 0; t->pos = -1; }
    if (s->inputs_ver != t->in_ver || s->weights_ver != t->w_ver || s->model_ver != t->m_ver) t->dirty = 1;
    if (!t->dirty || !s->fwd_ok) return r;
    t->in_ver = s->inputs_ver; t->w_ver = s->weights_ver; t->m_ver = s->model_ver;
    t->dirty = 0;
    if (t->pos >= s->T) t->pos = -1;
    lm_err err = {{0}};
    lm_block_trace_free(&t->bt);
    lm_positions_free(&t->ps);
    t->ok = lm_block_trace_compute(&t->bt, &a->ctx->model, 0, t->layer, t->pos, &err) == 0;
    if (t->ok) t->ps_ok = lm_positions_compute(&t->ps, &a->ctx->model, &err) == 0;
    if (!t->ok || !t->ps_ok) snprintf(t->err, sizeof t->err, "block: %.180s", err.msg);
    t->ok = t->ok && t->ps_ok;
    return r | UI_POLL_CHANGED;
}

/* ------------------------------------------------------------ block mode */

static void draw_heatrow(ui_canvas *cv, int y, int x, int w, const float *v, int n) {
    float mx = 0;
    for (int i = 0; i < n; i++) mx = fabsf(v[i]) > mx ? fabsf(v[i]) : mx;
    for (int i = 0; i < n && i < w; i++) draw_heat(cv, y, x + i, 1, mx > 0 ? (v[i] / mx + 1) / 2 : 0.5);
}

static void draw_block(const blk_state *t, const ui_app *a, ui_canvas *cv, int y, int h) {
    const lm_block_trace *bt = &t->bt;
    int W = cv->cols;
    char piece[128];
    draw_piece(cv, a->ctx->tok, a->ses.seq.ids[a->ses.fwd_off + bt->pos], piece, sizeof piece);
    int x = 1 + draw_text(cv, y, 1, W - 2, C_TITLE, " the block ");
    x += draw_textf(cv, y, x, W - x, C_NORMAL, " layer %d position %d of 0-%d (", bt->layer, bt->pos, bt->T - 1);
    x += draw_text(cv, y, x, 20, C_PICK, piece);
    x += draw_text(cv, y, x, W - x, C_NORMAL, ") ");
    draw_text_fit(cv, y, x, W - x, C_KEY, " PgUp/PgDn layer  Left/Right position  m: positions", " PgUp/Dn L/R m");
    float mx = 0;
    for (int s = 0; s < LM_BLOCK_STEPS; s++) mx = bt->step[s].norm > mx ? bt->step[s].norm : mx;
    int bw = W >= 120 ? 24 : 12, hx = 1 + 12 + 6 + 10 + bw + 2;
    draw_textf(cv, y + 1, 1, W - 2, C_DIM, "%-11s %5s %9s  %-*s  the vector (heat: most negative .. most positive)",
               "step", "size", "norm", bw, "norm");
    for (int s = 0; s < LM_BLOCK_STEPS && 2 + 2 * s < h; s++) {
        const lm_block_step *st = &bt->step[s];
        int ry = y + 2 + 2 * s;
        int role = s == LM_BLOCK_MID || s == LM_BLOCK_OUT ? C_TITLE : C_NORMAL;
        draw_textf(cv, ry, 1, 29, role, "%-11s %5d %9.4f", st->name, st->size, st->norm);
        draw_bar(cv, ry, 30, bw, mx > 0 ? st->norm / mx : 0, C_BAR);
        draw_heatrow(cv, ry, hx, W - hx - 1, st->vec, st->size);
        char note[160] = "";
        if (s == LM_BLOCK_X) snprintf(note, sizeof note, "LN1 removes mean %.4f, divides by std %.4f", bt->ln1_mean, bt->ln1_std);
        else if (s == LM_BLOCK_MID) snprintf(note, sizeof note, "LN2 removes mean %.4f, divides by std %.4f", bt->ln2_mean, bt->ln2_std);
        else if (s == LM_BLOCK_UP) snprintf(note, sizeof note, "%.1f%% of %d units active (> 0)", 100.0 * bt->frac_active, bt->M);
        else if (s == LM_BLOCK_ATTN) snprintf(note, sizeof note, "added by attention (every head, through W_o)");
        else if (s == LM_BLOCK_DOWN) snprintf(note, sizeof note, "added by the MLP");
        if (note[0] && 3 + 2 * s < h) draw_textf(cv, ry + 1, 13, W - 14, C_DIM, "| %s", note);
        else if (3 + 2 * s < h && s + 1 < LM_BLOCK_STEPS) draw_text(cv, ry + 1, 13, 3, C_DIM, "|");
    }
}

/* ------------------------------------------------------------ positions mode */

static void draw_positions(const blk_state *t, ui_canvas *cv, int y, int h) {
    const lm_positions *ps = &t->ps;
    int W = cv->cols, rot = ps->kind == LM_POS_ROTARY, D = ps->n_dim;
    int x = 1 + draw_text(cv, y, 1, W - 2, C_TITLE, " position encodings ");
    const char *what = ps->kind == LM_POS_LEARNED ? " learned: wpe, added to each token's embedding "
                     : ps->kind == LM_POS_SINUSOIDAL ? " sinusoidal: sin/cos(pos / 10000^(2i/C)), added "
                     : " rotary: q, k pairs turned by pos * 10000^(-2i/hd); shown cos(angle) ";
    x += draw_text(cv, y, x, W - x, C_NORMAL, what);
    draw_text(cv, y, x, W - x, C_KEY, " m: the block");
    float mx = rot ? 1.0f : 0.0f;
    for (size_t i = 0; !rot && i < (size_t)ps->n_pos * D; i++) mx = fabsf(ps->table[i]) > mx ? fabsf(ps->table[i]) : mx;
    int lx = 1 + 25, cols = W - lx - 2;
    if (cols > D) cols = D;
    int rows = h - 3, every = (ps->n_pos + rows - 1) / (rows > 0 ? rows : 1);
    if (rows < 1) return;
    draw_textf(cv, y + 1, 1, W - 2, C_DIM, "%-4s %8s %10s  %s 0..%d of %d (every %d%s position)", "pos", "norm",
               "cos(prev)", rot ? "pairs" : "dimensions", cols - 1, D, every,
               every == 1 ? "" : every == 2 ? "nd" : every == 3 ? "rd" : "th");
    int r = 0;
    for (int p = 0; p < ps->n_pos && r < rows; p += every, r++) {
        const float *row = ps->table + (size_t)p * D;
        draw_textf(cv, y + 2 + r, 1, 25, C_NORMAL, "%-4d %8.4f %10.4f", p, ps->row_norm[p], ps->cos_prev[p]);
        for (int i = 0; i < cols; i++) {
            float v = rot ? cosf(row[i]) : row[i];
            draw_heat(cv, y + 2 + r, lx + i, 1, mx > 0 ? (v / mx + 1) / 2 : 0.5);
        }
    }
    int ly = y + 2 + r, used = draw_textf(cv, ly, lx, 12, C_DIM, "%.3f ", -mx);
    for (int i = 0; i < UI_HEAT; i++) draw_heat(cv, ly, lx + used + i, 1, i / (double)(UI_HEAT - 1));
    draw_textf(cv, ly, lx + used + UI_HEAT, 12, C_DIM, " %.3f", mx);
}

static void blk_draw(const void *st, const ui_app *a, ui_canvas *cv, int y, int h) {
    const blk_state *t = st;
    if (!a->ses.fwd_ok || !t->ok) {
        draw_text(cv, y + 1, 2, cv->cols - 4, C_ERR, !a->ses.fwd_ok ? a->ses.fwd_err : t->err);
        return;
    }
    if (t->mode) draw_positions(t, cv, y, h);
    else draw_block(t, a, cv, y, h);
}

/* ------------------------------------------------------------ keys */

static int act_move(ui_app *a, void *st, int k) {
    blk_state *t = st;
    if (!a->ses.fwd_ok) return 0;
    int L = a->ctx->model.cfg.n_layer, T = a->ses.T, p = t->pos < 0 ? T - 1 : t->pos;
    if (k == KEY_NPAGE || k == '>') t->layer = (t->layer + 1) % L;
    else if (k == KEY_PPAGE || k == '<') t->layer = (t->layer + L - 1) % L;
    else if (k == KEY_LEFT) p = p > 0 ? p - 1 : 0;
    else if (k == KEY_RIGHT) p = p + 1 < T ? p + 1 : T - 1;
    else if (k == KEY_HOME) p = 0;
    else if (k == KEY_END) p = T - 1;
    t->pos = p == T - 1 ? -1 : p;
    t->dirty = 1;
    return 1;
}

static int act_mode(ui_app *a, void *st, int k) {
    (void)a; (void)k;
    blk_state *t = st;
    t->mode = !t->mode;
    return 1;
}

static const ui_binding blk_keys[] = {
    {'m', 0, act_mode, "the block / the position encodings"},
    {KEY_PPAGE, 0, act_move, "previous / next layer"},
    {KEY_NPAGE, 0, act_move, "previous / next layer"},
    {'<', 0, act_move, "previous / next layer"},
    {'>', 0, act_move, "previous / next layer"},
    {KEY_LEFT, 0, act_move, "previous / next position"},
    {KEY_RIGHT, 0, act_move, "previous / next position"},
    {KEY_HOME, 0, act_move, "first / last position"},
    {KEY_END, 0, act_move, "first / last position"},
    {0, 0, NULL, NULL},
};

const ui_panel panel_block = {
    .name = "Block", .tab = "Block", .keys = blk_keys,
    .create = blk_create, .poll = blk_poll, .draw = blk_draw, .free = blk_free_st,
};
