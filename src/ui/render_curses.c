/* render_curses.c - a finished canvas on the curses screen (render.h): the
 * colour pairs of each role and the cell-by-cell copy, in runs of one style. */
#include "ui/render.h"

#include "ui/curses_inc.h"

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

int render_init_colors(ui_render *a) {
    if (a->mono || !has_colors()) { a->mono = 1; return 0; }
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
    return c256;
}

static attr_t role_attr(const ui_render *a, int c) {
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


static attr_t cell_attr(const ui_render *r, const ui_cell *c) {
    attr_t at = role_attr(r, c->role);
    if (c->attr & CV_BOLD) at |= A_BOLD;
    if (c->attr & CV_REVERSE) at |= A_REVERSE;
    if (c->attr & CV_UNDERLINE) at |= A_UNDERLINE;
    if (c->attr & CV_DIM) at |= A_DIM;
    return at;
}

static int is_blank(const ui_cell *c) { return c->ch[0] == L' ' && !c->ch[1] && c->role == C_NORMAL && !c->attr; }

/* one row: runs of cells with the same style go out as one wide string; the
 * screen was erased, so blank cells of the normal style are skipped */
static void render_row(const ui_render *r, const ui_canvas *cv, int y) {
    wchar_t buf[1024 * (1 + CV_MARKS) + 1];
    const int cap = (int)(sizeof buf / sizeof *buf);
    int x = 0;
    while (x < cv->cols) {
        const ui_cell *c0 = canvas_cell(cv, y, x);
        if (is_blank(c0)) { x++; continue; }
        int start = x, n = 0, n_kept = 0;   /* n_kept: up to the last cell that is not a skippable blank */
        for (; x < cv->cols; x++) {
            const ui_cell *c = canvas_cell(cv, y, x);
            if (c->role != c0->role || c->attr != c0->attr || n + 1 + CV_MARKS >= cap) break;
            for (int k = 0; k < 1 + CV_MARKS && c->ch[k]; k++) buf[n++] = c->ch[k];
            if (!is_blank(c)) n_kept = n;
        }
        attrset(cell_attr(r, c0));
        mvaddnwstr(y, start, buf, n_kept);
    }
}

void render_canvas(const ui_render *r, const ui_canvas *cv, int full) {
    if (full) clearok(stdscr, TRUE);
    erase();
    for (int y = 0; y < cv->rows; y++) render_row(r, cv, y);
    attrset(A_NORMAL);
    if (cv->cur_y >= 0) {
        curs_set(1);
        move(cv->cur_y, cv->cur_x);
    } else {
        curs_set(0);
    }
    wnoutrefresh(stdscr);
    doupdate();
}
