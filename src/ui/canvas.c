/* canvas.c - the cell grid (see canvas.h): resize, clear, plain-text export,
 * and the cell-level primitives: UTF-8 text clipped to columns (wide glyphs
 * and combining marks), blank spans, rules, hit regions and the cursor. */
#include "ui/canvas.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ the grid */

int canvas_resize(ui_canvas *cv, int rows, int cols) {
    if (rows < 0) rows = 0;
    if (cols < 0) cols = 0;
    if (rows != cv->rows || cols != cv->cols || !cv->cells) {
        ui_cell *p = realloc(cv->cells, sizeof(ui_cell) * ((size_t)rows * cols + 1));
        if (!p) return -1;
        cv->cells = p;
        cv->rows = rows;
        cv->cols = cols;
    }
    canvas_clear(cv);
    return 0;
}

void canvas_free(ui_canvas *cv) {
    free(cv->cells);
    cv->cells = NULL;
    cv->rows = cv->cols = 0;
}

void canvas_clear(ui_canvas *cv) {
    const ui_cell blank = {{L' '}, C_NORMAL, 0};
    size_t n = (size_t)cv->rows * cv->cols;
    for (size_t i = 0; i < n; i++) cv->cells[i] = blank;
    cv->n_hits = 0;
    cv->cur_y = cv->cur_x = -1;
}

const ui_cell *canvas_cell(const ui_canvas *cv, int y, int x) {
    if (y < 0 || y >= cv->rows || x < 0 || x >= cv->cols) return NULL;
    return &cv->cells[(size_t)y * cv->cols + x];
}

static ui_cell *cell_at(ui_canvas *cv, int y, int x) { return &cv->cells[(size_t)y * cv->cols + x]; }

/* appends the UTF-8 form of wc to out (at least MB_LEN_MAX bytes free) */
static size_t put_utf8(char *out, wchar_t wc) {
    mbstate_t st;
    memset(&st, 0, sizeof st);
    size_t k = wcrtomb(out, wc, &st);
    if (k == (size_t)-1) { out[0] = '?'; k = 1; }
    return k;
}

char *canvas_to_text(const ui_canvas *cv) {
    size_t cap = (size_t)cv->rows * ((size_t)cv->cols * (1 + CV_MARKS) * MB_LEN_MAX + 1) + 1;
    char *out = malloc(cap), *p = out;
    if (!out) return NULL;
    for (int y = 0; y < cv->rows; y++) {
        char *line = p, *end = p;   /* end: just after the last non-blank glyph */
        for (int x = 0; x < cv->cols; x++) {
            const ui_cell *c = canvas_cell(cv, y, x);
            if (c->ch[0] == 0) continue;   /* the right half of a wide glyph */
            for (int k = 0; k < 1 + CV_MARKS && c->ch[k]; k++) p += put_utf8(p, c->ch[k]);
            if (c->ch[0] != L' ' || c->ch[1]) end = p;
        }
        p = end > line ? end : line;
        *p++ = '\n';
    }
    *p = '\0';
    return out;
}

/* ------------------------------------------------------------ glyphs */

/* blanks the other half of a wide glyph that (y, x) is part of */
static void break_wide(ui_canvas *cv, int y, int x) {
    ui_cell *c = cell_at(cv, y, x);
    if (c->ch[0] == 0 && x > 0) {
        ui_cell *l = cell_at(cv, y, x - 1);
        l->ch[0] = L' ';
        l->ch[1] = 0;
    } else if (x + 1 < cv->cols && cell_at(cv, y, x + 1)->ch[0] == 0) {
        ui_cell *r = cell_at(cv, y, x + 1);
        r->ch[0] = L' ';
        r->ch[1] = 0;
    }
}

/* one glyph of w (1 or 2) columns at (y, x), already known to fit */
static void put_glyph(ui_canvas *cv, int y, int x, wchar_t wc, int w, int role) {
    break_wide(cv, y, x);
    if (w == 2) break_wide(cv, y, x + 1);
    ui_cell *c = cell_at(cv, y, x);
    memset(c->ch, 0, sizeof c->ch);
    c->ch[0] = wc;
    c->role = (uint8_t)role;
    c->attr = 0;
    if (w == 2) {
        ui_cell *r = cell_at(cv, y, x + 1);
        memset(r->ch, 0, sizeof r->ch);
        r->role = (uint8_t)role;
        r->attr = 0;
    }
}

static void add_mark(ui_cell *c, wchar_t mark) {
    for (int k = 1; k < 1 + CV_MARKS; k++)
        if (!c->ch[k]) { c->ch[k] = mark; return; }
}

/* decodes the next character of s (len bytes); sets *wc and its columns (-1 if
 * it is not printable); returns the bytes used (0 at the end) */
static size_t next_char(const char *s, size_t len, mbstate_t *st, wchar_t *wc, int *cols) {
    size_t k = mbrtowc(wc, s, len, st);
    if (k == (size_t)-1 || k == (size_t)-2) { *wc = L'?'; k = 1; memset(st, 0, sizeof *st); }
    if (k == 0) return 0;
    *cols = wcwidth(*wc);
    if (*cols < 0) { *wc = L'?'; *cols = 1; }
    return k;
}

int draw_width(const char *s) {
    mbstate_t st;
    memset(&st, 0, sizeof st);
    size_t len = strlen(s), k;
    int total = 0, cw;
    wchar_t wc;
    while (len > 0 && (k = next_char(s, len, &st, &wc, &cw)) > 0) {
        total += cw;
        s += k;
        len -= k;
    }
    return total;
}

int draw_text(ui_canvas *cv, int y, int x, int maxw, int c, const char *s) {
    if (maxw <= 0 || y < 0 || y >= cv->rows || x >= cv->cols || x < 0) return 0;
    if (x + maxw > cv->cols) maxw = cv->cols - x;
    mbstate_t st;
    memset(&st, 0, sizeof st);
    size_t len = strlen(s), k;
    int cols = 0, cw, last = -1;   /* last: column of the glyph written before */
    wchar_t wc;
    while (len > 0 && (k = next_char(s, len, &st, &wc, &cw)) > 0) {
        if (cols + cw > maxw) break;
        if (cw == 0) {
            if (last >= 0) add_mark(cell_at(cv, y, last), wc);
        } else {
            put_glyph(cv, y, x + cols, wc, cw, c);
            last = x + cols;
        }
        cols += cw;
        s += k;
        len -= k;
    }
    return cols;
}

int draw_textf(ui_canvas *cv, int y, int x, int maxw, int c, const char *fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return draw_text(cv, y, x, maxw, c, buf);
}

int draw_text_fit(ui_canvas *cv, int y, int x, int maxw, int c, const char *long_s, const char *short_s) {
    if (x + maxw > cv->cols) maxw = cv->cols - x;
    return draw_text(cv, y, x, maxw, c, draw_width(long_s) <= maxw ? long_s : short_s);
}

int draw_text_wrap(ui_canvas *cv, int y, int x, int w, int max_rows, int c, const char *s) {
    if (w < 1 || max_rows < 1) return 0;
    int row = 0, cx = 0;
    char word[256];
    while (*s) {
        while (*s == ' ') s++;
        if (!*s) break;
        size_t n = strcspn(s, " "), k = n < sizeof word - 1 ? n : sizeof word - 1;
        memcpy(word, s, k);
        word[k] = '\0';
        if (cx > 0 && cx + 1 + draw_width(word) > w) {   /* the next line */
            if (row + 1 >= max_rows) {   /* no room: say that the text goes on */
                draw_text(cv, y + row, x + (cx < w ? cx : w - 1), 1, c, cv->ascii ? ">" : "\xe2\x80\xa6");
                break;
            }
            row++;
            cx = 0;
        }
        if (cx > 0) cx++;
        cx += draw_text(cv, y + row, x + cx, w - cx, c, word);
        s += n;
    }
    return cx > 0 || row > 0 ? row + 1 : 0;
}

/* w copies of one glyph of role c, clipped */
static void repeat_glyph(ui_canvas *cv, int y, int x, int w, int c, wchar_t wc) {
    if (y < 0 || y >= cv->rows) return;
    if (x < 0) { w += x; x = 0; }
    if (x + w > cv->cols) w = cv->cols - x;
    for (int k = 0; k < w; k++) put_glyph(cv, y, x + k, wc, 1, c);
}

void draw_fill(ui_canvas *cv, int y, int x, int w, int c) { repeat_glyph(cv, y, x, w, c, L' '); }

void draw_hline(ui_canvas *cv, int y, int x, int w, int c) {
    repeat_glyph(cv, y, x, w, c, cv->ascii ? L'-' : (wchar_t)0x2500);
}

/* ------------------------------------------------------------ hits, cursor */

void draw_add_hit(ui_canvas *cv, int y, int x, int w, int kind, int av, int bv) {
    if (cv->n_hits >= UI_MAX_HITS) return;
    cv->hits[cv->n_hits++] = (ui_hit){y, x, w, kind, av, bv};
}

const ui_hit *draw_hit_at(const ui_canvas *cv, int y, int x) {
    for (int i = cv->n_hits - 1; i >= 0; i--) {
        const ui_hit *h = &cv->hits[i];
        if (y == h->y && x >= h->x && x < h->x + h->w) return h;
    }
    return NULL;
}

void draw_cursor(ui_canvas *cv, int y, int x) {
    cv->cur_y = y;
    cv->cur_x = x < cv->cols ? x : cv->cols - 1;
}
