/* canvas.h - the character-cell canvas every panel draws on, and the drawing
 * primitives (text, bars, heat cells, plots, lines, token strips, hit regions).
 *
 * A canvas is rows x cols cells. A cell holds one glyph (a base character
 * and up to CV_MARKS combining marks, as wide characters) and a style: a
 * colour role (C_*, what the thing is: a tab, a bar, a heat level ...) and
 * attribute bits (CV_BOLD ...). Drawing only writes cells; nothing here talks
 * to a terminal. A renderer turns a finished canvas into output:
 * render_curses.c for the screen, canvas_to_text for plain text (tests, and
 * the base of the ANSI / SVG exports: they need the same cells and roles).
 *
 * Contract
 * - Every write is clipped to the canvas and to the width it is given; a
 *   glyph 2 columns wide that does not fit whole is not drawn. The cell after
 *   a wide glyph is its continuation (ch[0] == 0); overwriting either half of
 *   a wide glyph blanks the other half.
 * - A combining mark (0 columns) joins the glyph written just before it in
 *   the same call; one at the start of a string is dropped.
 * - Control characters and invalid UTF-8 draw as '?'.
 * - The capability flags choose glyphs when drawing: ascii = no Unicode
 *   blocks, braille or ellipsis; mono = no colour (token boundaries get a
 *   separator); rich = 256 colours (heat cells are coloured blanks, otherwise
 *   shade characters). An export sets them as it wants its output. hc is
 *   the projector mode: panels may lay out larger, and exports take the
 *   high-contrast colours.
 * - Hit regions (clickable spans, newest last) and the text cursor are kept
 *   with the cells: input handling reads them from the last drawn canvas.
 */
#ifndef LM_UI_CANVAS_H
#define LM_UI_CANVAS_H

#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

#include "tok/tokenizer.h"

/* colour roles: what a cell shows; the renderer picks the colours */
enum {
    C_NORMAL = 0, C_TITLE, C_TAB, C_TABSEL, C_STATUS, C_DIM, C_ERR, C_OK, C_KEY,
    C_BAR, C_BARCUT, C_PICK, C_SPECIAL, C_GEN, C_MASK, C_DIFF, C_TRAIN, C_VAL, C_HILITE,
    C_TOK0,                      /* C_TOK0 .. C_TOK0+7: token strip backgrounds */
    C_HEAT0 = C_TOK0 + 8,        /* C_HEAT0 .. C_HEAT0+UI_HEAT-1: heat levels, low to high */
    C_LAST = C_HEAT0 + 10
};
#define UI_HEAT 10

/* attribute bits a cell may add to its role */
enum { CV_BOLD = 1, CV_REVERSE = 2, CV_UNDERLINE = 4, CV_DIM = 8 };

#define CV_MARKS 2
typedef struct {
    wchar_t ch[1 + CV_MARKS];    /* base + combining marks, 0-terminated when shorter; ch[0] == 0: continuation */
    uint8_t role, attr;
} ui_cell;

/* a clickable region recorded while drawing */
enum { HIT_TAB = 1, HIT_TOKEN, HIT_HEAD, HIT_QUERY, HIT_TOKROW };
typedef struct { int y, x, w, kind, a, b; } ui_hit;
#define UI_MAX_HITS 512

typedef struct ui_canvas {
    int rows, cols;
    ui_cell *cells;              /* [rows, cols] */
    int ascii, mono, rich;       /* capabilities (see the contract) */
    int hc;                      /* projector mode: high-contrast colours (the exports' theme) and
                                  * panels laid out large: big heat cells with values, legends, wide bars */
    ui_hit hits[UI_MAX_HITS];
    int n_hits;
    int cur_y, cur_x;            /* the text cursor; cur_y < 0: hidden */
} ui_canvas;

/* ---- canvas.c: the grid ---- */
/* (re)sizes the canvas and clears it; the flags are kept. 0 ok, -1 out of memory */
int   canvas_resize(ui_canvas *cv, int rows, int cols);
void  canvas_free(ui_canvas *cv);
/* every cell blank with role C_NORMAL, no hits, cursor hidden */
void  canvas_clear(ui_canvas *cv);
const ui_cell *canvas_cell(const ui_canvas *cv, int y, int x);   /* NULL outside */
/* the cells as UTF-8 text: one line per row ending in '\n', trailing blanks
 * cut; styles are dropped. malloc'd, NULL when out of memory */
char *canvas_to_text(const ui_canvas *cv);

/* ---- canvas.c: text and spans ---- */
/* columns a UTF-8 string takes */
int  draw_width(const char *s);
/* writes UTF-8 text at (y, x) clipped to maxw columns; returns columns used */
int  draw_text(ui_canvas *cv, int y, int x, int maxw, int c, const char *s);
int  draw_textf(ui_canvas *cv, int y, int x, int maxw, int c, const char *fmt, ...)
         __attribute__((format(printf, 6, 7)));
/* s word-wrapped to w columns over at most max_rows rows (a word longer than
 * w is cut; text left over ends the last row with an ellipsis); returns
 * rows used */
int  draw_text_wrap(ui_canvas *cv, int y, int x, int w, int max_rows, int c, const char *s);
/* draws long_s if it fits in maxw columns, otherwise short_s (clipped) */
int  draw_text_fit(ui_canvas *cv, int y, int x, int maxw, int c, const char *long_s, const char *short_s);
/* w blank cells of role c */
void draw_fill(ui_canvas *cv, int y, int x, int w, int c);
/* a horizontal rule of w columns */
void draw_hline(ui_canvas *cv, int y, int x, int w, int c);
void draw_add_hit(ui_canvas *cv, int y, int x, int w, int kind, int av, int bv);
/* the topmost hit region at (y, x), or NULL */
const ui_hit *draw_hit_at(const ui_canvas *cv, int y, int x);
void draw_cursor(ui_canvas *cv, int y, int x);

/* ---- draw.c: bars, heat, plots, tokens ---- */
/* a horizontal bar of w columns filled to f in [0,1] */
void draw_bar(ui_canvas *cv, int y, int x, int w, double f, int c);
/* one heatmap cell of w columns for value v in [0,1] */
void draw_heat(ui_canvas *cv, int y, int x, int w, double v);
/* a printable form of a token (whitespace visible) into out, as show_piece */
int  draw_piece(const ui_canvas *cv, const lm_tokenizer *t, int32_t id, char *out, size_t cap);
int  draw_bytes(const ui_canvas *cv, const uint8_t *b, size_t len, char *out, size_t cap);
/* line plot of up to two series (NAN = no point) over an h x w area, braille or ASCII */
void draw_plot(ui_canvas *cv, int y, int x, int h, int w, const float *s1, const float *s2, size_t n,
               float lo, float hi, int c1, int c2);
/* draws ids as a strip of coloured cells (ids under the pieces when with_ids);
 * marks[i] (may be NULL): 0 plain, 1 generated, 2 highlighted, 3 disagreement,
 * 4 outside the model's context window (dimmed).
 * Returns rows used (<= max_rows); shows the tail when it does not fit. */
int  draw_strip(ui_canvas *cv, const lm_tokenizer *t, const int32_t *ids, size_t n, const uint8_t *marks,
                int y, int x, int w, int max_rows, int with_ids, int hit_kind);

#endif
