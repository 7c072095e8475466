/* draw.c - the composite primitives on a canvas (canvas.h): bars, heatmap
 * cells, braille plots and token strips, each with an ASCII fallback. */
#include "ui/canvas.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/show.h"

/* ------------------------------------------------------------ bars, heat */

void draw_bar(ui_canvas *cv, int y, int x, int w, double f, int c) {
    char buf[512];
    if (w <= 0) return;
    if (w > 120) w = 120;
    show_bar(f, w, cv->ascii, buf, sizeof buf);
    draw_text(cv, y, x, w, c, buf);
}

void draw_heat(ui_canvas *cv, int y, int x, int w, double v) {
    if (v < 0) v = 0;
    if (v > 1) v = 1;
    int i = (int)(v * (UI_HEAT - 1) + 0.5);
    if (!cv->mono && cv->rich) {   /* the colour says it all */
        draw_fill(cv, y, x, w, C_HEAT0 + i);
        return;
    }
    /* few colours or none: shade characters */
    static const char *shades_u[5] = {" ", "\xe2\x96\x91", "\xe2\x96\x92", "\xe2\x96\x93", "\xe2\x96\x88"};
    static const char *shades_a[5] = {" ", ".", ":", "*", "#"};
    int s = v <= 0.02 ? 0 : v < 0.1 ? 1 : v < 0.3 ? 2 : v < 0.6 ? 3 : 4;
    const char *ch = cv->ascii ? shades_a[s] : shades_u[s];
    for (int k = 0; k < w; k++) draw_text(cv, y, x + k, 1, cv->mono ? C_NORMAL : C_HEAT0 + i, ch);
}

int draw_piece(const ui_canvas *cv, const lm_tokenizer *t, int32_t id, char *out, size_t cap) {
    size_t len;
    const uint8_t *b = t ? lm_tok_piece(t, id, &len) : NULL;
    if (!b) { snprintf(out, cap, "<%d>", id); return (int)strlen(out); }
    return show_piece(b, len, cv->ascii, out, cap);
}

int draw_bytes(const ui_canvas *cv, const uint8_t *b, size_t len, char *out, size_t cap) {
    return show_piece(b, len, cv->ascii, out, cap);
}

/* ------------------------------------------------------------ plot */

void draw_plot(ui_canvas *cv, int y, int x, int h, int w, const float *s1, const float *s2, size_t n,
               float lo, float hi, int c1, int c2) {
    if (h <= 0 || w <= 0 || n == 0) return;
    if (!(hi > lo)) hi = lo + 1;
    int sub_x = cv->ascii ? 1 : 2, sub_y = cv->ascii ? 1 : 4;
    int W = w * sub_x, H = h * sub_y;
    uint8_t *bits = calloc((size_t)w * h, 2);
    if (!bits) return;
    static const uint8_t dot[2][4] = {{0x01, 0x02, 0x04, 0x40}, {0x08, 0x10, 0x20, 0x80}};
    for (int s = 0; s < 2; s++) {
        const float *v = s ? s2 : s1;
        if (!v) continue;
        int have_prev = 0, qx = 0, qy = 0;
        for (size_t i = 0; i < n; i++) {
            if (isnan(v[i])) continue;
            int px = n == 1 ? 0 : (int)((double)i * (W - 1) / (double)(n - 1) + 0.5);
            double f = (v[i] - lo) / (hi - lo);
            if (f < 0) f = 0;
            if (f > 1) f = 1;
            int py = (int)((1 - f) * (H - 1) + 0.5);
            /* a line from the previous point (gaps of NAN are bridged) */
            int x0 = have_prev ? qx : px, y0 = have_prev ? qy : py;
            int steps = abs(px - x0) > abs(py - y0) ? abs(px - x0) : abs(py - y0);
            for (int k = 0; k <= steps; k++) {
                int lx = steps ? x0 + (px - x0) * k / steps : px;
                int ly = steps ? y0 + (py - y0) * k / steps : py;
                int cx = lx / sub_x, cy = ly / sub_y;
                uint8_t bit = cv->ascii ? 1 : dot[lx % sub_x][ly % sub_y];
                bits[((size_t)cy * w + cx) * 2 + s] |= bit;
            }
            have_prev = 1;
            qx = px;
            qy = py;
        }
    }
    for (int cy = 0; cy < h; cy++)
        for (int cx = 0; cx < w; cx++) {
            uint8_t b1 = bits[((size_t)cy * w + cx) * 2], b2 = bits[((size_t)cy * w + cx) * 2 + 1];
            if (!b1 && !b2) continue;
            char buf[8];
            if (cv->ascii) { buf[0] = b2 ? 'o' : '.'; buf[1] = 0; }
            else {
                unsigned cp = 0x2800u | b1 | b2;
                buf[0] = (char)(0xE0 | (cp >> 12));
                buf[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
                buf[2] = (char)(0x80 | (cp & 0x3F));
                buf[3] = 0;
            }
            draw_text(cv, y + cy, x + cx, 1, b2 ? c2 : c1, buf);
        }
    free(bits);
}

/* ------------------------------------------------------------ token strip */

#define PIECE_MAX_COLS 16

/* the widths of the strip's cells and its line breaks (line_start[k] = the
 * first token of line k, line_start[lines] = n); when the strip needs more
 * than max_lines, the lines are laid out backwards from the last token, so
 * the end (the tokens that matter for what comes next) is what shows.
 * Returns the number of lines. */
static int strip_layout(const ui_canvas *cv, const lm_tokenizer *t, const int32_t *ids, size_t n, int w,
                        int with_ids, int gap, int max_lines, int *cellw, size_t *line_start) {
    char piece[128], idb[16];
    int n_lines = 0, col = 0;
    for (size_t i = 0; i < n; i++) {
        int pc = draw_piece(cv, t, ids[i], piece, sizeof piece);
        if (pc > PIECE_MAX_COLS) pc = PIECE_MAX_COLS;
        if (pc < 1) pc = 1;
        int cw = pc;
        if (with_ids) {
            int dl = snprintf(idb, sizeof idb, "%d", ids[i]);
            if (dl > cw) cw = dl;
        }
        if (gap) cw += 1;   /* ids need a gap to stay readable; monochrome draws a separator there */
        if (cw > w - 1) cw = w - 1;
        cellw[i] = cw;
        if (i == 0 || col + cw > w - 1) { line_start[n_lines++] = i; col = 0; }
        col += cw;
    }
    line_start[n_lines] = n;
    if (n_lines <= max_lines) return n_lines;
    int L = max_lines;
    line_start[L] = n;
    col = 0;
    size_t i = n;
    while (i > 0) {
        int cw = cellw[i - 1];
        if (col > 0 && col + cw > w - 1) {
            line_start[--L] = i;
            col = 0;
            if (L == 0) break;
            continue;
        }
        col += cw;
        i--;
    }
    if (L == 0) return max_lines;
    /* everything fitted after all: shift the lines down */
    line_start[--L] = 0;
    memmove(line_start, line_start + L, sizeof(size_t) * (size_t)(max_lines - L + 1));
    return max_lines - L;
}

int draw_strip(ui_canvas *cv, const lm_tokenizer *t, const int32_t *ids, size_t n, const uint8_t *marks,
               int y, int x, int w, int max_rows, int with_ids, int hit_kind) {
    if (w < 4 || max_rows <= 0) return 0;
    int rows_per_line = with_ids ? 2 : 1;
    int gap = with_ids || cv->mono;
    int max_lines = max_rows / rows_per_line;
    if (max_lines < 1) return 0;
    if (n == 0) { draw_text(cv, y, x, w, C_DIM, "(no tokens)"); return 1; }
    /* line breaks: line_start[k] = first token of line k */
    int *cellw = malloc(sizeof(int) * n);
    size_t *line_start = malloc(sizeof(size_t) * (n + 1));
    if (!cellw || !line_start) { free(cellw); free(line_start); return 0; }
    char piece[128], idb[16];
    int first_line = 0, n_lines = strip_layout(cv, t, ids, n, w, with_ids, gap, max_lines, cellw, line_start);
    int xoff = 0;
    if (line_start[0] > 0) {   /* say that the beginning is hidden */
        draw_text(cv, y, x, 1, C_DIM, cv->ascii ? "<" : "\xe2\x80\xa6");
        xoff = 1;
    }
    int row = 0;
    for (int l = first_line; l < n_lines; l++, row += rows_per_line) {
        int cx = x + xoff;
        for (size_t i = line_start[l]; i < line_start[l + 1]; i++) {
            int c = C_TOK0 + (int)(i % 8);
            if (t && lm_tok_is_special(t, ids[i])) c = C_SPECIAL;
            int mk = marks ? marks[i] : 0;
            if (mk == 1) c = C_GEN;
            else if (mk == 2) c = C_HILITE;
            else if (mk == 3) c = C_DIFF;
            else if (mk == 4) c = C_DIM;
            draw_piece(cv, t, ids[i], piece, sizeof piece);
            int pw = cellw[i] - (gap ? 1 : 0);
            int used = draw_text(cv, y + row, cx, pw, c, piece);
            for (int k = used; k < pw; k++) draw_text(cv, y + row, cx + k, 1, c, " ");
            /* without colour the backgrounds cannot show where a token ends: a separator does */
            if (cv->mono && i + 1 < line_start[l + 1]) draw_text(cv, y + row, cx + pw, 1, C_DIM, "|");
            if (with_ids) {
                snprintf(idb, sizeof idb, "%d", ids[i]);
                draw_text(cv, y + row + 1, cx, cellw[i], C_DIM, idb);
            }
            if (hit_kind) draw_add_hit(cv, y + row, cx, cellw[i], hit_kind, (int)i, 0);
            cx += cellw[i];
        }
    }
    free(cellw);
    free(line_start);
    return row;
}
