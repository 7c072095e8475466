/* view_attention.c - one head's attention matrix as a heatmap (rows =
 * queries, columns = keys, token labels on both axes, the causal mask drawn
 * as dots), a grid of every head of every layer, and the selected query's row
 * as bars. The probabilities are lm_attention_probs of the last forward. */
#include "ui/app.h"

#include <stdlib.h>
#include <string.h>

static int cur_query(const ui_app *a) { return a->query < 0 || a->query >= a->T ? a->T - 1 : a->query; }

static void draw_grid(ui_app *a, int y, int x, int h, int w) {
    const lm_model *m = &a->ctx->model;
    int L = m->cfg.n_layer, H = m->cfg.n_head, T = a->T;
    draw_text(a, y, x, w, C_DIM, "all heads (click one):");
    int cell_h = (h - 1) / L, cell_w = w / H;
    int mm = cell_h - 1 < cell_w - 2 ? cell_h - 1 : cell_w - 2;
    if (mm > T) mm = T;
    if (mm > 12) mm = 12;
    for (int l = 0; l < L; l++)
        for (int hd = 0; hd < H; hd++) {
            int gy = y + 1 + l * (cell_h > 0 ? cell_h : 1), gx = x + hd * cell_w;
            int sel = l == a->layer && hd == a->head;
            if (mm < 2) {   /* too small for maps: a table of names */
                if (gy >= y + h) continue;
                draw_textf(a, gy, gx, cell_w, sel ? C_PICK : C_DIM, "%d.%d", l, hd);
                draw_add_hit(a, gy, gx, cell_w, HIT_HEAD, l, hd);
                continue;
            }
            const float *att = lm_attention_probs(m, l, 0, hd);   /* [T, T] */
            draw_textf(a, gy, gx, cell_w - 1, sel ? C_PICK : C_DIM, "L%dH%d", l, hd);
            draw_add_hit(a, gy, gx, cell_w - 1, HIT_HEAD, l, hd);
            for (int i = 0; i < mm; i++) {
                int qi = T - mm + i;
                for (int j = 0; j < mm; j++) {
                    int kj = T - mm + j;
                    if (kj > qi) draw_text(a, gy + 1 + i, gx + j, 1, C_MASK, a->ascii ? "." : "\xc2\xb7");
                    else draw_heat(a, gy + 1 + i, gx + j, 1, att[(size_t)qi * T + kj]);
                }
                draw_add_hit(a, gy + 1 + i, gx, mm, HIT_HEAD, l, hd);
            }
        }
}

static void draw_query_bars(ui_app *a, int y, int x, int h, int w) {
    if (h < 2 || w < 16) return;
    const lm_model *m = &a->ctx->model;
    int T = a->T, q = cur_query(a);
    const float *att = lm_attention_probs(m, a->layer, 0, a->head) + (size_t)q * T;   /* row q: [T] */
    char piece[128];
    draw_piece(a, a->ctx->tok, a->seq.ids[a->fwd_off + q], piece, sizeof piece);
    int x2 = x + draw_textf(a, y, x, w, C_DIM, "query %d ", q);
    x2 += draw_text(a, y, x2, w - (x2 - x), C_PICK, piece);
    draw_text(a, y, x2, w - (x2 - x), C_DIM, " attends to (strongest first):");
    /* keys 0..q by weight, strongest first (a display order only) */
    int n = q + 1, *idx = malloc(sizeof(int) * (size_t)n);
    if (!idx) return;
    for (int j = 0; j < n; j++) idx[j] = j;
    for (int i = 1; i < n; i++) {   /* insertion sort: T is small */
        int v = idx[i], k = i - 1;
        while (k >= 0 && att[idx[k]] < att[v]) { idx[k + 1] = idx[k]; k--; }
        idx[k + 1] = v;
    }
    int bw = w - 26;
    if (bw > 40) bw = 40;
    for (int r = 0; r < n && r < h - 1; r++) {
        int j = idx[r];
        draw_piece(a, a->ctx->tok, a->seq.ids[a->fwd_off + j], piece, sizeof piece);
        draw_textf(a, y + 1 + r, x, 5, C_DIM, "%4d", j);
        draw_text(a, y + 1 + r, x + 5, 10, C_TOK0 + j % 8, piece);
        draw_bar(a, y + 1 + r, x + 16, bw, att[j], C_BAR);
        draw_textf(a, y + 1 + r, x + 17 + bw, 8, C_NORMAL, "%5.1f%%", 100.0 * att[j]);
    }
    free(idx);
}

void view_attention_draw(ui_app *a, int y, int h) {
    int W = a->cols;
    ses_refresh(a);
    if (!a->fwd_ok) {
        draw_text(a, y + 1, 2, W - 4, C_ERR, a->fwd_err);
        return;
    }
    const lm_model *m = &a->ctx->model;
    int L = m->cfg.n_layer, H = m->cfg.n_head, T = a->T, q = cur_query(a);
    int x = 1;
    x += draw_textf(a, y, x, W - x, C_TITLE, " layer %d of 0-%d ", a->layer, L - 1);
    int wide = W >= 80;
    x += draw_text(a, y, x, W - x, C_KEY, wide ? " Up/Down  " : " ");
    x += draw_textf(a, y, x, W - x, C_TITLE, " head %d of 0-%d ", a->head, H - 1);
    x += draw_text(a, y, x, W - x, C_KEY, wide ? " Left/Right  " : " ");
    x += draw_textf(a, y, x, W - x, C_NORMAL, wide ? "query %d" : "q %d", q);
    draw_text_fit(a, y, x, W - x, C_KEY, " [ ] Home End   row = query, column = key, dots = causal mask",
                  wide ? " [ ] Home End   row = query" : " [ ]");
    const float *att = lm_attention_probs(m, a->layer, 0, a->head);   /* [T, T] */
    int lw = 12;
    int rows_av = h - 2;
    int right_min = L * H > 0 && W >= 90 ? 36 : 0;
    int cols_av = W - 2 - lw - right_min;
    int cw = T * 2 <= cols_av ? 2 : 1;
    int K = T;
    if (K > rows_av) K = rows_av;
    if (K * cw > cols_av) K = cols_av / cw;
    if (K < 1) { draw_text(a, y + 1, 1, W - 2, C_DIM, "(too small for the heatmap)"); return; }
    int s = T - K;
    if (q < s) s = q;
    /* column labels: the first character of each key token */
    char piece[128];
    for (int j = s; j < s + K; j++) {
        draw_piece(a, a->ctx->tok, a->seq.ids[a->fwd_off + j], piece, sizeof piece);
        char first[8] = {0};
        int k = 1;
        while (piece[k] && (piece[k] & 0xC0) == 0x80 && k < 4) k++;
        memcpy(first, piece, (size_t)k);
        draw_text(a, y + 1, 1 + lw + (j - s) * cw, cw, j == q ? C_PICK : C_DIM, first);
    }
    for (int i = s; i < s + K; i++) {
        int ry = y + 2 + (i - s);
        draw_piece(a, a->ctx->tok, a->seq.ids[a->fwd_off + i], piece, sizeof piece);
        draw_textf(a, ry, 1, 4, i == q ? C_PICK : C_DIM, "%3d", i);
        draw_text(a, ry, 5, lw - 5, i == q ? C_PICK : C_TOK0 + i % 8, piece);
        draw_add_hit(a, ry, 1, lw, HIT_QUERY, i, 0);
        for (int j = s; j < s + K; j++) {
            int cx = 1 + lw + (j - s) * cw;
            if (j > i) draw_text(a, ry, cx, cw, C_MASK, a->ascii ? ". " : "\xc2\xb7 ");
            else draw_heat(a, ry, cx, cw, att[(size_t)i * T + j]);
        }
        draw_add_hit(a, ry, 1 + lw, K * cw, HIT_QUERY, i, 0);
    }
    int used_w = 1 + lw + K * cw + 2;
    int rw = W - used_w - 1;
    if (rw >= 24) {
        int gh = h - 1;
        int qb = T + 1 < 12 ? T + 1 : 12;
        if (gh - qb >= L * 3 + 1) gh -= qb + 1;
        else qb = 0;
        draw_grid(a, y + 1, used_w, gh, rw);
        if (qb) draw_query_bars(a, y + 1 + gh + 1, used_w, h - gh - 2, rw);
    } else if (2 + K + 2 < h) {
        draw_query_bars(a, y + 2 + K + 1, 1, h - K - 3, W - 2);
    }
}

int view_attention_key(ui_app *a, int ch) {
    const lm_config *c = &a->ctx->model.cfg;
    if (!ses_model_ok(a)) return 0;
    int q = cur_query(a);
    switch (ch) {
    case KEY_LEFT: a->head = (a->head + c->n_head - 1) % c->n_head; break;
    case KEY_RIGHT: a->head = (a->head + 1) % c->n_head; break;
    case KEY_UP: a->layer = (a->layer + c->n_layer - 1) % c->n_layer; break;
    case KEY_DOWN: a->layer = (a->layer + 1) % c->n_layer; break;
    case '[': case ',': a->query = q > 0 ? q - 1 : 0; break;
    case ']': case '.': a->query = q + 1 < a->T ? q + 1 : a->T - 1; break;
    case KEY_HOME: a->query = 0; break;
    case KEY_END: a->query = -1; break;
    default: return 0;
    }
    return 1;
}
