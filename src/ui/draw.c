/* draw.c - colours (256 / 8 / monochrome, high contrast), UTF-8 text clipped
 * to columns, bars, heatmap cells, braille plots and token strips, each with
 * an ASCII fallback. */
#include "ui/app.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "cli/show.h"

/* ------------------------------------------------------------ colours */

static const short heat256[UI_HEAT] = {17, 18, 24, 30, 36, 72, 107, 142, 178, 220};
static const short heat256_hc[UI_HEAT] = {232, 235, 238, 241, 244, 247, 250, 252, 254, 231};

/* the fixed colour pairs: foreground and background with 256 colours
 * (normal, then high contrast) and with 8 colours; BG = the background of
 * the mode (the terminal's own, or black in high contrast) */
enum { BG = -2 };
typedef struct { short id, f, b, hc_f, hc_b, f8, b8; } color_pair;
static const color_pair pairs[] = {
    /* id        f    b    hc_f hc_b f8             b8 */
    {C_TITLE,   16,  75,  16,  226, COLOR_BLACK,   COLOR_CYAN},
    {C_TAB,     250, 236, 231, 16,  COLOR_WHITE,   COLOR_BLACK},
    {C_TABSEL,  16,  214, 16,  226, COLOR_BLACK,   COLOR_YELLOW},
    {C_STATUS,  252, 238, 16,  231, COLOR_BLACK,   COLOR_WHITE},
    {C_DIM,     244, BG,  250, BG,  COLOR_WHITE,   BG},
    {C_ERR,     196, BG,  203, BG,  COLOR_RED,     BG},
    {C_OK,      34,  BG,  120, BG,  COLOR_GREEN,   BG},
    {C_KEY,     208, BG,  226, BG,  COLOR_YELLOW,  BG},
    {C_BAR,     39,  BG,  231, BG,  COLOR_CYAN,    BG},
    {C_BARCUT,  240, BG,  245, BG,  COLOR_WHITE,   BG},
    {C_PICK,    16,  214, 16,  226, COLOR_BLACK,   COLOR_YELLOW},
    {C_SPECIAL, 16,  177, 16,  213, COLOR_BLACK,   COLOR_MAGENTA},
    {C_GEN,     16,  150, 16,  120, COLOR_BLACK,   COLOR_GREEN},
    {C_MASK,    238, BG,  244, BG,  COLOR_WHITE,   BG},
    {C_DIFF,    231, 160, 231, 196, COLOR_WHITE,   COLOR_RED},
    {C_TRAIN,   39,  BG,  51,  BG,  COLOR_CYAN,    BG},
    {C_VAL,     208, BG,  226, BG,  COLOR_YELLOW,  BG},
    {C_HILITE,  16,  226, 16,  226, COLOR_BLACK,   COLOR_YELLOW},
};

void draw_init_colors(ui_app *a) {
    if (a->mono || !has_colors()) { a->mono = 1; return; }
    start_color();
    use_default_colors();
    int c256 = COLORS >= 256;
    short bg = a->hc ? (c256 ? 16 : COLOR_BLACK) : -1;
    short fg = a->hc ? (c256 ? 231 : COLOR_WHITE) : -1;
#define P(id, f, b) init_pair((short)(id), (short)(f), (short)(b))
    P(63, fg, bg);
    for (size_t k = 0; k < sizeof pairs / sizeof *pairs; k++) {
        const color_pair *e = &pairs[k];
        short f = c256 ? (a->hc ? e->hc_f : e->f) : e->f8;
        short b = c256 ? (a->hc ? e->hc_b : e->b) : e->b8;
        P(e->id, f, b == BG ? bg : b);
    }
    if (c256) {
        for (int i = 0; i < 8; i++)
            P(C_TOK0 + i, 16, a->hc ? (i % 2 ? 226 : 231) : show_token_color(i));
        for (int i = 0; i < UI_HEAT; i++)
            P(C_HEAT0 + i, a->hc ? 16 : 231, a->hc ? heat256_hc[i] : heat256[i]);
    } else {
        if (a->hc) P(C_BAR, COLOR_WHITE, bg);   /* the table's cyan, white in high contrast */
        static const short tok8[8] = {COLOR_CYAN, COLOR_YELLOW, COLOR_GREEN, COLOR_WHITE,
                                      COLOR_CYAN, COLOR_YELLOW, COLOR_GREEN, COLOR_WHITE};
        for (int i = 0; i < 8; i++) P(C_TOK0 + i, COLOR_BLACK, tok8[i]);
        for (int i = 0; i < UI_HEAT; i++) P(C_HEAT0 + i, i < 5 ? COLOR_BLUE : COLOR_CYAN, bg);
    }
#undef P
    if (a->hc) bkgd(COLOR_PAIR(63));
    else bkgd(A_NORMAL);
}

attr_t draw_attr(const ui_app *a, int c) {
    if (a->mono) {
        switch (c) {
        case C_TITLE: case C_TABSEL: case C_PICK: case C_HILITE: return A_REVERSE | A_BOLD;
        case C_STATUS: return A_REVERSE;
        case C_DIM: case C_BARCUT: case C_MASK: return A_DIM;
        case C_ERR: case C_KEY: case C_VAL: return A_BOLD;
        case C_SPECIAL: return A_BOLD | A_UNDERLINE;
        case C_GEN: return A_UNDERLINE;
        case C_DIFF: return A_REVERSE | A_BOLD | A_UNDERLINE;
        default:
            if (c >= C_TOK0 && c < C_TOK0 + 8) return (c - C_TOK0) % 2 ? A_NORMAL : A_REVERSE;
            return A_NORMAL;
        }
    }
    attr_t extra = (a->hc && (c == C_BAR || c == C_TRAIN || c == C_KEY || c == C_TITLE)) ? A_BOLD : 0;
    if (c == C_ERR || c == C_TABSEL || c == C_DIFF) extra |= A_BOLD;
    if (c == C_NORMAL) return a->hc ? COLOR_PAIR(63) : A_NORMAL;
    return COLOR_PAIR(c) | extra;
}

/* ------------------------------------------------------------ text */

/* decodes s into wide chars fitting maxw columns; returns the count */
static int to_wide(const char *s, int maxw, wchar_t *out, int cap, int *cols_out) {
    mbstate_t st;
    memset(&st, 0, sizeof st);
    int n = 0, cols = 0;
    size_t len = strlen(s);
    while (len > 0 && n < cap) {
        wchar_t wc;
        size_t k = mbrtowc(&wc, s, len, &st);
        if (k == (size_t)-1 || k == (size_t)-2) { wc = L'?'; k = 1; memset(&st, 0, sizeof st); }
        if (k == 0) break;
        int cw = wcwidth(wc);
        if (cw < 0) { wc = L'?'; cw = 1; }
        if (cols + cw > maxw) break;
        out[n++] = wc;
        cols += cw;
        s += k;
        len -= k;
    }
    *cols_out = cols;
    return n;
}

int draw_width(const char *s) {
    wchar_t buf[1024];
    int cols;
    to_wide(s, 1 << 20, buf, 1024, &cols);
    return cols;
}

int draw_text(ui_app *a, int y, int x, int maxw, int c, const char *s) {
    if (maxw <= 0 || y < 0 || y >= a->rows || x >= a->cols) return 0;
    if (x + maxw > a->cols) maxw = a->cols - x;
    wchar_t buf[1024];
    int cols;
    int n = to_wide(s, maxw, buf, 1023, &cols);
    attr_t at = draw_attr(a, c);
    attron(at);
    mvaddnwstr(y, x, buf, n);
    attroff(at);
    return cols;
}

int draw_textf(ui_app *a, int y, int x, int maxw, int c, const char *fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return draw_text(a, y, x, maxw, c, buf);
}

int draw_text_fit(ui_app *a, int y, int x, int maxw, int c, const char *long_s, const char *short_s) {
    if (x + maxw > a->cols) maxw = a->cols - x;
    return draw_text(a, y, x, maxw, c, draw_width(long_s) <= maxw ? long_s : short_s);
}

void draw_hline(ui_app *a, int y, int x, int w, int c) {
    if (y < 0 || y >= a->rows || w <= 0) return;
    attr_t at = draw_attr(a, c);
    attron(at);
    if (a->ascii) mvhline(y, x, '-', w);
    else { cchar_t cc; wchar_t wc[2] = {0x2500, 0}; setcchar(&cc, wc, 0, 0, NULL); mvhline_set(y, x, &cc, w); }
    attroff(at);
}

void draw_add_hit(ui_app *a, int y, int x, int w, int kind, int av, int bv) {
    if (a->n_hits >= UI_MAX_HITS) return;
    a->hits[a->n_hits++] = (ui_hit){y, x, w, kind, av, bv};
}

/* ------------------------------------------------------------ bars, heat */

void draw_bar(ui_app *a, int y, int x, int w, double f, int c) {
    char buf[512];
    if (w <= 0) return;
    if (w > 120) w = 120;
    show_bar(f, w, a->ascii, buf, sizeof buf);
    draw_text(a, y, x, w, c, buf);
}

void draw_heat(ui_app *a, int y, int x, int w, double v) {
    if (v < 0) v = 0;
    if (v > 1) v = 1;
    int i = (int)(v * (UI_HEAT - 1) + 0.5);
    if (!a->mono && COLORS >= 256) {
        attr_t at = COLOR_PAIR(C_HEAT0 + i);
        attron(at);
        mvhline(y, x, ' ', w);
        attroff(at);
        return;
    }
    /* few colours or none: shade characters */
    static const char *shades_u[5] = {" ", "\xe2\x96\x91", "\xe2\x96\x92", "\xe2\x96\x93", "\xe2\x96\x88"};
    static const char *shades_a[5] = {" ", ".", ":", "*", "#"};
    int s = v <= 0.02 ? 0 : v < 0.1 ? 1 : v < 0.3 ? 2 : v < 0.6 ? 3 : 4;
    const char *ch = a->ascii ? shades_a[s] : shades_u[s];
    for (int k = 0; k < w; k++) draw_text(a, y, x + k, 1, a->mono ? C_NORMAL : C_HEAT0 + i, ch);
}

int draw_piece(const ui_app *a, const lm_tokenizer *t, int32_t id, char *out, size_t cap) {
    size_t len;
    const uint8_t *b = t ? lm_tok_piece(t, id, &len) : NULL;
    if (!b) { snprintf(out, cap, "<%d>", id); return (int)strlen(out); }
    return show_piece(b, len, a->ascii, out, cap);
}

int draw_bytes(const ui_app *a, const uint8_t *b, size_t len, char *out, size_t cap) {
    return show_piece(b, len, a->ascii, out, cap);
}

/* ------------------------------------------------------------ plot */

void draw_plot(ui_app *a, int y, int x, int h, int w, const float *s1, const float *s2, size_t n,
               float lo, float hi, int c1, int c2) {
    if (h <= 0 || w <= 0 || n == 0) return;
    if (!(hi > lo)) hi = lo + 1;
    int sub_x = a->ascii ? 1 : 2, sub_y = a->ascii ? 1 : 4;
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
                uint8_t bit = a->ascii ? 1 : dot[lx % sub_x][ly % sub_y];
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
            if (a->ascii) { buf[0] = b2 ? 'o' : '.'; buf[1] = 0; }
            else {
                unsigned cp = 0x2800u | b1 | b2;
                buf[0] = (char)(0xE0 | (cp >> 12));
                buf[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
                buf[2] = (char)(0x80 | (cp & 0x3F));
                buf[3] = 0;
            }
            draw_text(a, y + cy, x + cx, 1, b2 ? c2 : c1, buf);
        }
    free(bits);
}

/* ------------------------------------------------------------ token strip */

#define PIECE_MAX_COLS 16

int draw_strip(ui_app *a, const lm_tokenizer *t, const int32_t *ids, size_t n, const uint8_t *marks,
               int y, int x, int w, int max_rows, int with_ids, int hit_kind) {
    if (w < 4 || max_rows <= 0) return 0;
    int rows_per_line = with_ids ? 2 : 1;
    int gap = with_ids || a->mono;
    int max_lines = max_rows / rows_per_line;
    if (max_lines < 1) return 0;
    if (n == 0) { draw_text(a, y, x, w, C_DIM, "(no tokens)"); return 1; }
    /* line breaks: line_start[k] = first token of line k */
    int *cellw = malloc(sizeof(int) * n);
    size_t *line_start = malloc(sizeof(size_t) * (n + 1));
    if (!cellw || !line_start) { free(cellw); free(line_start); return 0; }
    char piece[128], idb[16];
    int n_lines = 0, col = 0;
    for (size_t i = 0; i < n; i++) {
        int pc = draw_piece(a, t, ids[i], piece, sizeof piece);
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
    int first_line = 0;
    if (n_lines > max_lines) {
        /* too long: lay the lines out backwards from the last token, so the
         * end (the tokens that matter for what comes next) is what shows */
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
        if (L > 0) {   /* everything fitted after all: shift the lines down */
            line_start[--L] = 0;
            memmove(line_start, line_start + L, sizeof(size_t) * (size_t)(max_lines - L + 1));
            n_lines = max_lines - L;
        } else n_lines = max_lines;
    }
    int xoff = 0;
    if (line_start[0] > 0) {   /* say that the beginning is hidden */
        draw_text(a, y, x, 1, C_DIM, a->ascii ? "<" : "\xe2\x80\xa6");
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
            draw_piece(a, t, ids[i], piece, sizeof piece);
            int pw = cellw[i] - (gap ? 1 : 0);
            int used = draw_text(a, y + row, cx, pw, c, piece);
            for (int k = used; k < pw; k++) draw_text(a, y + row, cx + k, 1, c, " ");
            /* without colour the backgrounds cannot show where a token ends: a separator does */
            if (a->mono && i + 1 < line_start[l + 1]) draw_text(a, y + row, cx + pw, 1, C_DIM, "|");
            if (with_ids) {
                snprintf(idb, sizeof idb, "%d", ids[i]);
                draw_text(a, y + row + 1, cx, cellw[i], C_DIM, idb);
            }
            if (hit_kind) draw_add_hit(a, y + row, cx, cellw[i], hit_kind, (int)i, 0);
            cx += cellw[i];
        }
    }
    free(cellw);
    free(line_start);
    return row;
}
