/* render_curses.c - a finished canvas on the curses screen (render.h): the
 * colour pairs of each role and the cell-by-cell copy, in runs of one style. */
#include "ui/render.h"

#include "ui/curses_inc.h"

#include "ui/palette.h"

/* ------------------------------------------------------------ colours */

/* every role's pair from the shared palette (palette.h); PAL_DEFAULT = the
 * background (or foreground) of the mode: the terminal's own, or black
 * (white) in high contrast */
int render_init_colors(ui_render *a) {
    if (a->mono || !has_colors()) { a->mono = 1; return 0; }
    start_color();
    use_default_colors();
    int c256 = COLORS >= 256;
    short bg = a->hc ? (c256 ? 16 : COLOR_BLACK) : -1;
    short fg = a->hc ? (c256 ? 231 : COLOR_WHITE) : -1;
    init_pair(63, fg, bg);
    for (int role = C_NORMAL + 1; role < C_LAST; role++) {
        pal_style p = c256 ? palette_role(role, a->hc) : palette_role8(role, a->hc);
        init_pair((short)role, p.fg == PAL_DEFAULT ? fg : (short)p.fg, p.bg == PAL_DEFAULT ? bg : (short)p.bg);
    }
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
    attr_t extra = palette_role(c, a->hc).bold ? A_BOLD : 0;
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
