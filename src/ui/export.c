/* export.c - a canvas as plain text, ANSI or SVG (export.h). */
#include "ui/export.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ui/palette.h"

int export_format_of(const char *path) {
    const char *dot = strrchr(path, '.');
    if (dot && strchr(dot, '/')) dot = NULL;
    if (dot && strcasecmp(dot, ".svg") == 0) return EXPORT_SVG;
    if (dot && (strcasecmp(dot, ".ans") == 0 || strcasecmp(dot, ".ansi") == 0)) return EXPORT_ANSI;
    return EXPORT_TEXT;
}

const char *export_format_name(int format) {
    return format == EXPORT_SVG ? "SVG" : format == EXPORT_ANSI ? "ANSI" : "text";
}

/* ------------------------------------------------------------ styles */

/* a cell's resolved colours and attributes */
typedef struct { int fg, bg, bold, underline, dim; } cell_style;

static cell_style style_of(const ui_canvas *cv, const ui_cell *c) {
    pal_style p = palette_role(c->role, cv->hc);
    cell_style s = {p.fg == PAL_DEFAULT ? PAL_EXPORT_FG : p.fg, p.bg == PAL_DEFAULT ? PAL_EXPORT_BG : p.bg,
                    p.bold || (c->attr & CV_BOLD), !!(c->attr & CV_UNDERLINE), !!(c->attr & CV_DIM)};
    if (c->attr & CV_REVERSE) { int t = s.fg; s.fg = s.bg; s.bg = t; }
    return s;
}

static int same_style(cell_style a, cell_style b) {
    return a.fg == b.fg && a.bg == b.bg && a.bold == b.bold && a.underline == b.underline && a.dim == b.dim;
}

static int is_default(cell_style s) {
    return s.fg == PAL_EXPORT_FG && s.bg == PAL_EXPORT_BG && !s.bold && !s.underline && !s.dim;
}

static int blank_cell(const ui_cell *c) { return c->ch[0] == L' ' && !c->ch[1]; }

/* the cell's glyph (base + marks) as UTF-8 into out (>= (1+CV_MARKS)*MB_LEN_MAX+1) */
static size_t cell_utf8(const ui_cell *c, char *out) {
    size_t n = 0;
    for (int k = 0; k < 1 + CV_MARKS && c->ch[k]; k++) {
        mbstate_t st;
        memset(&st, 0, sizeof st);
        size_t m = wcrtomb(out + n, c->ch[k], &st);
        if (m == (size_t)-1) { out[n] = '?'; m = 1; }
        n += m;
    }
    out[n] = 0;
    return n;
}

/* ------------------------------------------------------------ ANSI */

static void ansi_sgr(FILE *f, cell_style s) {
    fprintf(f, "\x1b[0;38;5;%d;48;5;%d%s%s%sm", s.fg, s.bg, s.bold ? ";1" : "", s.dim ? ";2" : "",
            s.underline ? ";4" : "");
}

static void ansi_row(const ui_canvas *cv, int y, FILE *f) {
    int end = cv->cols;   /* cut trailing blanks of the default style */
    while (end > 0) {
        const ui_cell *c = canvas_cell(cv, y, end - 1);
        if (!(blank_cell(c) && is_default(style_of(cv, c)))) break;
        end--;
    }
    char g[(1 + CV_MARKS) * MB_LEN_MAX + 1];
    int open = 0;
    cell_style cur = {0};
    for (int x = 0; x < end; x++) {
        const ui_cell *c = canvas_cell(cv, y, x);
        if (c->ch[0] == 0) continue;   /* the right half of a wide glyph */
        cell_style s = style_of(cv, c);
        if (!open || !same_style(s, cur)) {
            if (is_default(s)) fputs("\x1b[0m", f);
            else ansi_sgr(f, s);
            cur = s;
            open = 1;
        }
        fwrite(g, 1, cell_utf8(c, g), f);
    }
    fputs("\x1b[0m\n", f);
}

/* ------------------------------------------------------------ SVG */

static void svg_color(FILE *f, const char *attr, int idx) { fprintf(f, " %s=\"#%06x\"", attr, palette_rgb(idx)); }

/* UTF-8 text with the five XML specials escaped (controls cannot reach a cell) */
static void xml_escaped(FILE *f, const char *s) {
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&apos;", f); break;
        default: fputc((unsigned char)*s < 0x20 ? '?' : *s, f);
        }
    }
}

/* background rects: runs of cells whose background is not the default */
static void svg_backgrounds(const ui_canvas *cv, int y, FILE *f) {
    for (int x = 0; x < cv->cols;) {
        int bg = style_of(cv, canvas_cell(cv, y, x)).bg, x0 = x;
        while (x < cv->cols && style_of(cv, canvas_cell(cv, y, x)).bg == bg) x++;
        if (bg == PAL_EXPORT_BG) continue;
        fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"", x0 * EXPORT_CELL_W, y * EXPORT_CELL_H,
                (x - x0) * EXPORT_CELL_W, EXPORT_CELL_H);
        svg_color(f, "fill", bg);
        fputs("/>\n", f);
    }
}

/* one <text> for cells [x0, x1) of row y (one style), blanks at the ends cut */
static void svg_run(const ui_canvas *cv, int y, int x0, int x1, cell_style s, FILE *f) {
    while (x0 < x1 && blank_cell(canvas_cell(cv, y, x0))) x0++;
    while (x1 > x0 && blank_cell(canvas_cell(cv, y, x1 - 1))) x1--;
    if (x0 >= x1) return;
    fprintf(f, "<text x=\"%d\" y=\"%d\" textLength=\"%d\" lengthAdjust=\"spacingAndGlyphs\"", x0 * EXPORT_CELL_W,
            y * EXPORT_CELL_H + EXPORT_BASELINE, (x1 - x0) * EXPORT_CELL_W);
    svg_color(f, "fill", s.fg);
    if (s.bold) fputs(" font-weight=\"bold\"", f);
    if (s.underline) fputs(" text-decoration=\"underline\"", f);
    if (s.dim) fputs(" fill-opacity=\"0.6\"", f);
    fputc('>', f);
    char g[(1 + CV_MARKS) * MB_LEN_MAX + 1];
    for (int x = x0; x < x1; x++) {
        const ui_cell *c = canvas_cell(cv, y, x);
        if (c->ch[0] == 0) continue;
        cell_utf8(c, g);
        xml_escaped(f, g);
    }
    fputs("</text>\n", f);
}

static void svg_texts(const ui_canvas *cv, int y, FILE *f) {
    for (int x = 0; x < cv->cols;) {
        const ui_cell *c0 = canvas_cell(cv, y, x);
        cell_style s = style_of(cv, c0);
        int x0 = x;
        for (x++; x < cv->cols; x++) {
            const ui_cell *c = canvas_cell(cv, y, x);
            if (c->ch[0] != 0 && !same_style(style_of(cv, c), s)) break;
        }
        svg_run(cv, y, x0, x, s, f);
    }
}

static void svg_export(const ui_canvas *cv, FILE *f) {
    int w = cv->cols * EXPORT_CELL_W, h = cv->rows * EXPORT_CELL_H;
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n"
               "<desc>llmlab canvas %dx%d, cells of %dx%d px</desc>\n",
            w, h, w, h, cv->cols, cv->rows, EXPORT_CELL_W, EXPORT_CELL_H);
    fprintf(f, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\"", w, h);
    svg_color(f, "fill", PAL_EXPORT_BG);
    fputs("/>\n", f);
    for (int y = 0; y < cv->rows; y++) svg_backgrounds(cv, y, f);
    fputs("<g font-family=\"DejaVu Sans Mono, Menlo, Consolas, monospace\" font-size=\"16\" "
          "xml:space=\"preserve\">\n", f);
    for (int y = 0; y < cv->rows; y++) svg_texts(cv, y, f);
    fputs("</g>\n</svg>\n", f);
}

/* ------------------------------------------------------------ entry */

int canvas_export(const ui_canvas *cv, int format, FILE *f) {
    if (format == EXPORT_SVG) {
        svg_export(cv, f);
    } else if (format == EXPORT_ANSI) {
        for (int y = 0; y < cv->rows; y++) ansi_row(cv, y, f);
    } else {
        char *t = canvas_to_text(cv);
        if (!t) return -1;
        fputs(t, f);
        free(t);
    }
    return ferror(f) ? -1 : 0;
}
