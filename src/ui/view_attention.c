/* view_attention.c - one head's attention matrix as a heatmap (rows =
 * queries, columns = keys, token labels on both axes, the causal mask drawn
 * as dots; an encoder has no mask, so its cells above the diagonal are drawn
 * like the rest), a grid of every head of every layer, and the selected
 * query's row as bars. The probabilities are lm_attention_probs of the session's last
 * forward (computed in the update step). */
#include "ui/app.h"

#include "ui/curses_inc.h"
#include "ui/export.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    int layer, head;               /* the head shown */
    unsigned model_ver;            /* the session's model_ver they belong to */
} attn_state;

static int cur_query(const ui_session *s) { return s->query < 0 || s->query >= s->T ? s->T - 1 : s->query; }

/* the cell (query q, key k) is hidden by the causal mask (never in an encoder) */
static int masked(const lm_model *m, int q, int k) { return k > q && !m->bidirectional; }

static void *attn_create(ui_app *a) { (void)a; return calloc(1, sizeof(attn_state)); }

static void attn_free(void *st, ui_app *a) { (void)a; free(st); }

void attention_select(void *st, int layer, int head) {
    attn_state *t = st;
    t->layer = layer;
    t->head = head;
}

static int attn_poll(void *st, ui_app *a, int active) {
    attn_state *t = st;
    if (t->model_ver != a->ses.model_ver) {   /* another model: back to the first head */
        t->model_ver = a->ses.model_ver;
        t->layer = t->head = 0;
    }
    if (!active) return 0;
    int r = ses_update(&a->ses) ? UI_POLL_AGAIN : 0;
    const lm_config *c = &a->ctx->model.cfg;
    if (a->ses.fwd_ok && t->layer >= c->n_layer) t->layer = c->n_layer - 1;
    if (a->ses.fwd_ok && t->head >= c->n_head) t->head = c->n_head - 1;
    return r;
}

static void draw_grid(const attn_state *t, const ui_app *a, ui_canvas *cv, int y, int x, int h, int w) {
    const lm_model *m = &a->ctx->model;
    int L = m->cfg.n_layer, H = m->cfg.n_head, T = a->ses.T;
    draw_text(cv, y, x, w, C_DIM, "all heads (click one):");
    int cell_h = (h - 1) / L, cell_w = w / H;
    int mm = cell_h - 1 < cell_w - 2 ? cell_h - 1 : cell_w - 2;
    if (mm > T) mm = T;
    if (mm > 12) mm = 12;
    for (int l = 0; l < L; l++)
        for (int hd = 0; hd < H; hd++) {
            int gy = y + 1 + l * (cell_h > 0 ? cell_h : 1), gx = x + hd * cell_w;
            int sel = l == t->layer && hd == t->head;
            if (mm < 2) {   /* too small for maps: a table of names */
                if (gy >= y + h) continue;
                draw_textf(cv, gy, gx, cell_w, sel ? C_PICK : C_DIM, "%d.%d", l, hd);
                draw_add_hit(cv, gy, gx, cell_w, HIT_HEAD, l, hd);
                continue;
            }
            const float *att = lm_attention_probs(m, l, 0, hd);   /* [T, T] */
            draw_textf(cv, gy, gx, cell_w - 1, sel ? C_PICK : C_DIM, "L%dH%d", l, hd);
            draw_add_hit(cv, gy, gx, cell_w - 1, HIT_HEAD, l, hd);
            for (int i = 0; i < mm; i++) {
                int qi = T - mm + i;
                for (int j = 0; j < mm; j++) {
                    int kj = T - mm + j;
                    if (masked(m, qi, kj)) draw_text(cv, gy + 1 + i, gx + j, 1, C_MASK, cv->ascii ? "." : "\xc2\xb7");
                    else draw_heat(cv, gy + 1 + i, gx + j, 1, att[(size_t)qi * T + kj]);
                }
                draw_add_hit(cv, gy + 1 + i, gx, mm, HIT_HEAD, l, hd);
            }
        }
}

static void draw_query_bars(const attn_state *t, const ui_app *a, ui_canvas *cv, int y, int x, int h, int w) {
    if (h < 2 || w < 16) return;
    const lm_model *m = &a->ctx->model;
    int T = a->ses.T, q = cur_query(&a->ses);
    const float *att = lm_attention_probs(m, t->layer, 0, t->head) + (size_t)q * T;   /* row q: [T] */
    char piece[128];
    draw_piece(cv, a->ctx->tok, a->ses.seq.ids[a->ses.fwd_off + q], piece, sizeof piece);
    int x2 = x + draw_textf(cv, y, x, w, C_DIM, "query %d ", q);
    x2 += draw_text(cv, y, x2, w - (x2 - x), C_PICK, piece);
    draw_text(cv, y, x2, w - (x2 - x), C_DIM, " attends to (strongest first):");
    /* keys 0..q (an encoder's: every key) by weight, strongest first (a display order only) */
    int n = m->bidirectional ? T : q + 1, *idx = malloc(sizeof(int) * (size_t)n);
    if (!idx) return;
    for (int j = 0; j < n; j++) idx[j] = j;
    for (int i = 1; i < n; i++) {   /* insertion sort: T is small */
        int v = idx[i], k = i - 1;
        while (k >= 0 && att[idx[k]] < att[v]) { idx[k + 1] = idx[k]; k--; }
        idx[k + 1] = v;
    }
    int bw = w - 26;
    if (bw > 40 && !cv->hc) bw = 40;
    /* the projector mode's bars take the width, the strongest one all of it */
    float scale = cv->hc && n > 0 && att[idx[0]] > 0 ? 1.0f / att[idx[0]] : 1.0f;
    for (int r = 0; r < n && r < h - 1; r++) {
        int j = idx[r];
        draw_piece(cv, a->ctx->tok, a->ses.seq.ids[a->ses.fwd_off + j], piece, sizeof piece);
        draw_textf(cv, y + 1 + r, x, 5, C_DIM, "%4d", j);
        draw_text(cv, y + 1 + r, x + 5, 10, C_TOK0 + j % 8, piece);
        draw_bar(cv, y + 1 + r, x + 16, bw, att[j] * scale, C_BAR);
        draw_textf(cv, y + 1 + r, x + 17 + bw, 8, C_NORMAL, "%5.1f%%", 100.0 * att[j]);
    }
    free(idx);
}

/* the heatmap of rows [y+1, y+h): the last K queries (the selected one
 * always in), token labels on both axes; returns the columns used (0 if none)
 * and the rows in *rows */
static int draw_heatmap(const attn_state *t, const ui_app *a, ui_canvas *cv, int y, int h, int *rows) {
    const ui_session *ses = &a->ses;
    const lm_model *m = &a->ctx->model;
    int W = cv->cols, L = m->cfg.n_layer, H = m->cfg.n_head, T = ses->T, q = cur_query(ses);
    const float *att = lm_attention_probs(m, t->layer, 0, t->head);   /* [T, T] */
    int lw = 12;
    int rows_av = h - 2;
    int right_min = L * H > 0 && W >= 90 ? 36 : 0;
    int cols_av = W - 2 - lw - right_min;
    int cw = T * 2 <= cols_av ? 2 : 1;
    int K = T;
    if (K > rows_av) K = rows_av;
    if (K * cw > cols_av) K = cols_av / cw;
    if (K < 1) { draw_text(cv, y + 1, 1, W - 2, C_DIM, "(too small for the heatmap)"); return 0; }
    int s = T - K;
    if (q < s) s = q;
    *rows = K;
    /* column labels: the first character of each key token */
    char piece[128];
    for (int j = s; j < s + K; j++) {
        draw_piece(cv, a->ctx->tok, ses->seq.ids[ses->fwd_off + j], piece, sizeof piece);
        char first[8] = {0};
        int k = 1;
        while (piece[k] && (piece[k] & 0xC0) == 0x80 && k < 4) k++;
        memcpy(first, piece, (size_t)k);
        draw_text(cv, y + 1, 1 + lw + (j - s) * cw, cw, j == q ? C_PICK : C_DIM, first);
    }
    for (int i = s; i < s + K; i++) {
        int ry = y + 2 + (i - s);
        draw_piece(cv, a->ctx->tok, ses->seq.ids[ses->fwd_off + i], piece, sizeof piece);
        draw_textf(cv, ry, 1, 4, i == q ? C_PICK : C_DIM, "%3d", i);
        draw_text(cv, ry, 5, lw - 5, i == q ? C_PICK : C_TOK0 + i % 8, piece);
        draw_add_hit(cv, ry, 1, lw, HIT_QUERY, i, 0);
        for (int j = s; j < s + K; j++) {
            int cx = 1 + lw + (j - s) * cw;
            if (masked(m, i, j)) draw_text(cv, ry, cx, cw, C_MASK, cv->ascii ? ". " : "\xc2\xb7 ");
            else draw_heat(cv, ry, cx, cw, att[(size_t)i * T + j]);
        }
        draw_add_hit(cv, ry, 1 + lw, K * cw, HIT_QUERY, i, 0);
    }
    return 1 + lw + K * cw;
}

/* ---- projector mode: large cells with their values, keyed columns, a legend */

/* the label column's width: "%3d " and the longest piece of the window (<= 16) */
static int large_label_w(const ui_app *a, const ui_canvas *cv, int s, int K) {
    char piece[128];
    int w = 4;
    for (int i = s; i < s + K; i++) {
        int pw = draw_piece(cv, a->ctx->tok, a->ses.seq.ids[a->ses.fwd_off + i], piece, sizeof piece);
        if (pw > w) w = pw;
    }
    return 1 + 4 + (w > 16 ? 16 : w) + 1;
}

/* one query's row of cells (ch rows high, cw wide, a gap column when wide) */
static void large_row(const ui_app *a, ui_canvas *cv, const float *att_row, int i, int s, int K, int ry, int x0,
                      int cw, int ch) {
    int q = cur_query(&a->ses), mid = ry + (ch - 1) / 2, cell = cw >= 4 ? cw - 1 : cw;
    char piece[128];
    draw_piece(cv, a->ctx->tok, a->ses.seq.ids[a->ses.fwd_off + i], piece, sizeof piece);
    draw_textf(cv, mid, 1, 4, i == q ? C_PICK : C_DIM, "%3d", i);
    draw_text(cv, mid, 5, x0 - 6, i == q ? C_PICK : C_TOK0 + i % 8, piece);
    for (int r = 0; r < ch; r++) draw_add_hit(cv, ry + r, 1, x0 - 1 + K * cw, HIT_QUERY, i, 0);
    for (int j = s; j < s + K; j++) {
        int cx = x0 + (j - s) * cw;
        if (masked(&a->ctx->model, i, j)) {
            draw_text(cv, mid, cx + cell / 2, 1, C_MASK, cv->ascii ? "." : "\xc2\xb7");
            continue;
        }
        double v = att_row[j];
        for (int r = 0; r < ch; r++) draw_heat(cv, ry + r, cx, cell, v);
        int lv = (int)(v * (UI_HEAT - 1) + 0.5), pct = (int)(v * 100 + 0.5);
        char num[8];
        int nw = snprintf(num, sizeof num, "%d", pct);
        if (nw <= cell) draw_text(cv, mid, cx + (cell - nw + 1) / 2, nw, cv->mono ? C_NORMAL : C_HEAT0 + lv, num);
    }
}

/* the colour legend: each heat level with the weight (in %) at its centre */
static void large_legend(ui_canvas *cv, int y, int x, int w, int causal) {
    int lx = x + draw_text(cv, y, x, w, C_DIM, "weight in %, colour: ");
    for (int lv = 0; lv < UI_HEAT && lx + 5 <= x + w; lv++, lx += 5) {
        draw_heat(cv, y, lx, 4, (double)lv / (UI_HEAT - 1));
        char num[8];
        int nw = snprintf(num, sizeof num, "%d", (int)(100.0 * lv / (UI_HEAT - 1) + 0.5));
        draw_text(cv, y, lx + (4 - nw + 1) / 2, nw, cv->mono ? C_NORMAL : C_HEAT0 + lv, num);
    }
    draw_text(cv, y, lx + 1, x + w - lx - 1, C_DIM, causal ? "  dots: causal mask" : "  no mask: an encoder");
}

/* the heatmap in rows [y+1, y+h) as large as they allow: cells up to 12
 * columns and 3 rows with the weight written in, columns numbered as the
 * rows (the key: row i is token i); returns the rows used (0 if none) */
static int draw_heatmap_large(const attn_state *t, const ui_app *a, ui_canvas *cv, int y, int h) {
    const ui_session *ses = &a->ses;
    int W = cv->cols, T = ses->T, q = cur_query(ses);
    const float *att = lm_attention_probs(&a->ctx->model, t->layer, 0, t->head);   /* [T, T] */
    int rows_av = h - 4;   /* header, column numbers, a blank row, the legend */
    int K = T < rows_av ? T : rows_av;
    int s = T - K < q ? T - K : q, x0 = large_label_w(a, cv, s > 0 ? s : 0, K);
    if (K > (W - 2 - x0) / 3) K = (W - 2 - x0) / 3;
    if (K < 1) { draw_text(cv, y + 1, 1, W - 2, C_DIM, "(too small for the heatmap)"); return 0; }
    s = T - K < q ? T - K : q;
    int cw = (W - 2 - x0) / K, ch = rows_av / K;
    if (cw > 12) cw = 12;
    if (ch > 3) ch = 3;
    int num_w = (cw >= 4 ? cw - 1 : cw) / 2 + 1;   /* the number's last digit over the cell's middle */
    for (int j = s; j < s + K; j++)
        draw_textf(cv, y + 1, x0 + (j - s) * cw, cw, j == q ? C_PICK : C_DIM, "%*d", num_w, j);
    for (int i = s; i < s + K; i++) large_row(a, cv, att + (size_t)i * T, i, s, K, y + 2 + (i - s) * ch, x0, cw, ch);
    large_legend(cv, y + 2 + K * ch + 1, 1, W - 2, !a->ctx->model.bidirectional);
    return 2 + K * ch + 2;
}

static void attn_draw(const void *st, const ui_app *a, ui_canvas *cv, int y, int h) {
    const attn_state *t = st;
    const ui_session *ses = &a->ses;
    int W = cv->cols;
    if (!ses->fwd_ok) {
        draw_text(cv, y + 1, 2, W - 4, C_ERR, ses->fwd_err);
        return;
    }
    const lm_model *m = &a->ctx->model;
    int L = m->cfg.n_layer, H = m->cfg.n_head, T = ses->T, q = cur_query(ses);
    int x = 1;
    x += draw_textf(cv, y, x, W - x, C_TITLE, " layer %d of 0-%d ", t->layer, L - 1);
    int wide = W >= 80;
    x += draw_text(cv, y, x, W - x, C_KEY, wide ? " Up/Down  " : " ");
    x += draw_textf(cv, y, x, W - x, C_TITLE, " head %d of 0-%d ", t->head, H - 1);
    x += draw_text(cv, y, x, W - x, C_KEY, wide ? " Left/Right  " : " ");
    x += draw_textf(cv, y, x, W - x, C_NORMAL, wide ? "query %d" : "q %d", q);
    draw_text_fit(cv, y, x, W - x, C_KEY,
                  m->bidirectional ? " [ ] Home End   row = query, column = key, no mask (encoder)"
                                       : " [ ] Home End   row = query, column = key, dots = causal mask",
                  wide ? " [ ] Home End   row = query" : " [ ]");
    if (cv->hc) {   /* projector mode: the heatmap takes the panel, the query's bars below it */
        int used = draw_heatmap_large(t, a, cv, y, h);
        if (used && h - used >= 4) draw_query_bars(t, a, cv, y + used, 1, h - used, W - 2);
        return;
    }
    int K = 0, map_w = draw_heatmap(t, a, cv, y, h, &K);
    if (!map_w) return;
    int used_w = map_w + 2;
    int rw = W - used_w - 1;
    if (rw >= 24) {
        int gh = h - 1;
        int qb = T + 1 < 12 ? T + 1 : 12;
        if (gh - qb >= L * 3 + 1) gh -= qb + 1;
        else qb = 0;
        draw_grid(t, a, cv, y + 1, used_w, gh, rw);
        if (qb) draw_query_bars(t, a, cv, y + 1 + gh + 1, used_w, h - gh - 2, rw);
    } else if (2 + K + 2 < h) {
        draw_query_bars(t, a, cv, y + 2 + K + 1, 1, h - K - 3, W - 2);
    }
}

/* ------------------------------------------------------------ keys */

static int act_head(ui_app *a, void *st, int k) {
    attn_state *t = st;
    int n = a->ctx->model.cfg.n_head;
    if (!ses_model_ok(&a->ses)) return 0;
    t->head = (t->head + (k == KEY_LEFT ? n - 1 : 1)) % n;
    return 1;
}

static int act_layer(ui_app *a, void *st, int k) {
    attn_state *t = st;
    int n = a->ctx->model.cfg.n_layer;
    if (!ses_model_ok(&a->ses)) return 0;
    t->layer = (t->layer + (k == KEY_UP ? n - 1 : 1)) % n;
    return 1;
}

static int act_query(ui_app *a, void *st, int k) {
    (void)st;
    ui_session *s = &a->ses;
    if (!ses_model_ok(s)) return 0;
    int q = cur_query(s);
    if (k == '[' || k == ',') s->query = q > 0 ? q - 1 : 0;
    else if (k == ']' || k == '.') s->query = q + 1 < s->T ? q + 1 : s->T - 1;
    else s->query = k == KEY_HOME ? 0 : -1;
    return 1;
}

static const ui_binding attn_keys[] = {
    {KEY_LEFT, 0, act_head, "previous / next head"},
    {KEY_RIGHT, 0, act_head, "previous / next head"},
    {KEY_UP, 0, act_layer, "previous / next layer"},
    {KEY_DOWN, 0, act_layer, "previous / next layer"},
    {'[', 0, act_query, "previous / next query token"},
    {']', 0, act_query, "previous / next query token"},
    {',', 0, act_query, "previous / next query token"},
    {'.', 0, act_query, "previous / next query token"},
    {KEY_HOME, 0, act_query, "first / last query token"},
    {KEY_END, 0, act_query, "first / last query token"},
    {0, 0, NULL, NULL},
};

/* a click on a head of the grid, or on a row (query) of the heatmap */
static void attn_click(void *st, ui_app *a, const ui_hit *h) {
    attn_state *t = st;
    const lm_config *c = &a->ctx->model.cfg;
    if (h->kind == HIT_HEAD && ses_model_ok(&a->ses) && h->a < c->n_layer && h->b < c->n_head) {
        t->layer = h->a;
        t->head = h->b;
    } else if (h->kind == HIT_QUERY) {
        a->ses.query = h->a;
    }
}

const ui_panel panel_attention = {
    .name = "Attention", .tab = "Attn", .keys = attn_keys,
    .create = attn_create, .poll = attn_poll, .draw = attn_draw, .click = attn_click, .free = attn_free,
};
